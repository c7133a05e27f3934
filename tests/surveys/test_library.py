"""The indicator library (default tree, weight validation, versioning) and questionnaires
built from it (questions, show_if, publishing locks the version)."""

from decimal import Decimal

import pytest
from django.utils import translation

from ganzhi.core.errors import DomainError
from ganzhi.org.models import Post
from ganzhi.surveys import defaults
from ganzhi.surveys.library import (
    library_create_default,
    library_edit,
    library_validate,
)
from ganzhi.surveys.models import IndicatorLibrary, IndicatorNode, Question, Questionnaire
from ganzhi.surveys.questionnaires import (
    is_shown,
    low_score_threshold,
    questionnaire_archive,
    questionnaire_from_library,
    questionnaire_publish,
    show_if_problems,
)

POSTS = ["cs", "security", "cleaning", "greening", "engineering", "housekeeper"]


@pytest.fixture
def default(world):
    return library_create_default(company=world.company, actor=world.hq)


def weights(library) -> dict[str, Decimal]:
    return dict(IndicatorNode.objects.filter(library=library).values_list("code", "weight"))


# --- the default library -----------------------------------------------------------------


def test_default_library_covers_six_posts_with_valid_weights(world, default):
    assert library_validate(default) == []
    nodes = IndicatorNode.objects.filter(library=default)
    posts = nodes.filter(level="post").order_by("sort_order")
    assert [n.code for n in posts] == POSTS
    assert [n.post.code for n in posts] == POSTS
    for post in posts:
        dimensions = nodes.filter(parent=post)
        assert sorted(d.dimension for d in dimensions) == sorted(
            ["tangibles", "assurance", "responsiveness", "reliability", "empathy"]
        )
        items = nodes.filter(level="item", parent__parent=post)
        assert items.count() >= 5, post.code
        assert sum(d.weight for d in dimensions) == Decimal(1)
        for dimension in dimensions:
            assert sum(i.weight for i in dimension.children.all()) == Decimal(1)
            assert dimension.children.exists()
    assert sum(p.weight for p in posts) == Decimal(1)
    # the seed's own examples are in it, in plain owner wording
    assert nodes.filter(code__startswith="cleaning-", text="楼道、电梯轿厢干净整洁").exists()
    assert nodes.get(text="垃圾每天按时清运").dimension == "reliability"


def test_default_library_creates_missing_posts_and_is_idempotent(world):
    assert set(Post.objects.filter(company=world.company).values_list("code", flat=True)) == {
        "cleaning",
        "cs",
    }
    first = library_create_default(company=world.company)
    assert set(Post.objects.filter(company=world.company).values_list("code", flat=True)) == set(
        POSTS
    )
    assert Post.objects.get(company=world.company, code="greening").name == "绿化"
    # the existing 保洁 post is reused, not duplicated
    cleaning = Post.objects.get(company=world.company, code="cleaning")
    assert IndicatorNode.objects.get(library=first, code="cleaning").post == cleaning
    again = library_create_default(company=world.company)
    assert again.pk == first.pk
    assert IndicatorLibrary.objects.filter(company=world.company).count() == 1
    assert first.name == defaults.DEFAULT_LIBRARY_NAME and first.version == 1


def test_only_designers_of_the_company_create_libraries(world):
    with pytest.raises(DomainError) as error:
        library_create_default(company=world.company, actor=world.manager)
    assert error.value.status == 403
    with pytest.raises(DomainError) as error:
        library_create_default(company=world.company, actor=world.outsider)
    assert error.value.status == 404
    assert not IndicatorLibrary.objects.exists()


# --- validation ----------------------------------------------------------------------------


def test_validation_names_each_parent_not_summing_to_one(world, default):
    IndicatorNode.objects.filter(library=default, code="cleaning-tangibles-1").update(
        weight=Decimal("0.5")
    )
    IndicatorNode.objects.filter(library=default, code="security").update(weight=Decimal("0.25"))
    with translation.override("en"):
        problems = library_validate(default)
    assert problems == [
        f"“{defaults.DEFAULT_LIBRARY_NAME}”: the weights below it sum to 1.0500, "
        "they should sum to 1.",
        "“保洁 › 有形度”: the weights below it sum to 0.9000, they should sum to 1.",
    ]


def test_validation_tolerates_rounding(world, default):
    # three siblings at 0.3333 sum to 0.9999: within the 0.0005 tolerance
    library = library_edit(
        actor=world.hq,
        library=default,
        changes={
            "cs-tangibles-1": {"weight": "0.3333"},
            "cs-tangibles-2": {"weight": "0.3333"},
            "cs-tangibles-3": {
                "parent": "cs-tangibles",
                "text": "客服中心有休息座椅",
                "weight": "0.3333",
            },
        },
    )
    assert library.pk == default.pk and library_validate(library) == []


def test_a_bad_edit_is_refused_and_writes_nothing(world, default):
    before = weights(default)
    with pytest.raises(DomainError) as error:
        library_edit(
            actor=world.hq,
            library=default,
            changes={
                "cleaning-tangibles-1": {"weight": "0.5", "text": "楼道干净"},
                "cleaning-empathy-2": None,
            },
        )
    assert error.value.code == "invalid_weights" and error.value.status == 422
    details = " ".join(error.value.details)
    assert "保洁 › 有形度" in details and "0.9000" in details
    assert "保洁 › 同理度" in details and "0.5000" in details
    assert weights(default) == before
    assert IndicatorNode.objects.filter(library=default, text="楼道干净").count() == 0
    assert IndicatorLibrary.objects.count() == 1


def test_invalid_values_are_refused(world, default):
    for change in (
        {"cs": {"weight": "1.5"}},
        {"cs": {"weight": "abc"}},
        {"cs": {"weight": "0.12345"}},
        {"cs": {"text": ""}},
        {"cs": {"colour": "red"}},
        {"nope": None},
        {"new-item": {"text": "x", "weight": "0.1"}},  # no parent given
        {"new-item": {"parent": "cs-tangibles-1", "text": "x", "weight": "0"}},  # under an item
        {"New Item": {"parent": "cs-tangibles", "text": "x", "weight": "0"}},
    ):
        with pytest.raises(DomainError) as error:
            library_edit(actor=world.hq, library=default, changes=change)
        assert error.value.code == "invalid" and error.value.status == 422, change
    assert IndicatorLibrary.objects.count() == 1


def test_edit_permissions(world, default):
    with pytest.raises(DomainError) as error:
        library_edit(actor=world.manager, library=default, changes={})
    assert error.value.status == 403
    with pytest.raises(DomainError) as error:
        library_edit(actor=world.outsider, library=default, changes={})
    assert error.value.status == 404


# --- versioning ----------------------------------------------------------------------------


def test_unlocked_library_is_edited_in_place(world, default):
    edited = library_edit(
        actor=world.hq,
        library=default,
        changes={
            "cleaning-tangibles-1": {"weight": "0.7", "text": "楼道干净"},
            "cleaning-tangibles-2": {"weight": "0.3"},
        },
    )
    assert edited.pk == default.pk and edited.version == 1
    node = IndicatorNode.objects.get(library=default, code="cleaning-tangibles-1")
    assert (node.text, node.weight) == ("楼道干净", Decimal("0.7000"))


def test_editing_a_locked_library_makes_a_new_version(world, default):
    questionnaire = questionnaire_from_library(
        actor=world.hq, library=default, name="2026 年度满意度调查", kind="relationship"
    )
    questionnaire_publish(actor=world.hq, questionnaire=questionnaire)
    default.refresh_from_db()
    assert default.is_locked
    before = weights(default)

    v2 = library_edit(
        actor=world.hq,
        library=default,
        changes={
            "cleaning-tangibles-1": {"weight": "0.7", "text": "楼道干净"},
            "cleaning-tangibles-2": {"weight": "0.3"},
            "cleaning-empathy-3": {
                "parent": "cleaning-empathy",
                "text": "会主动帮忙",
                "weight": "0",
            },
        },
    )
    assert (v2.version, v2.based_on_id, v2.is_locked, v2.name) == (
        2,
        default.pk,
        False,
        default.name,
    )
    assert v2.created_by == world.hq
    # v1 kept its weights and wording; the questions still point at v1's nodes
    assert weights(default) == before
    question = questionnaire.questions.get(code="cleaning-tangibles-1")
    assert question.indicator.library_id == default.pk
    assert question.indicator.text == "楼道、电梯轿厢干净整洁"
    # v2 has the whole tree plus the new item, with the changes
    assert IndicatorNode.objects.filter(library=v2).count() == len(before) + 1
    changed = IndicatorNode.objects.get(library=v2, code="cleaning-tangibles-1")
    assert (changed.text, changed.weight) == ("楼道干净", Decimal("0.7000"))
    assert changed.parent.library_id == v2.pk and changed.parent.parent.library_id == v2.pk
    assert library_validate(v2) == []
    # v2 is not locked: editing it again changes it in place
    again = library_edit(actor=world.hq, library=v2, changes={"cs": {"text": "客服中心"}})
    assert again.pk == v2.pk
    # editing the locked v1 again makes v3, based on v1
    v3 = library_edit(actor=world.hq, library=default, changes={"cs": {"text": "客服前台"}})
    assert (v3.version, v3.based_on_id) == (3, default.pk)


def test_a_refused_edit_of_a_locked_library_creates_no_version(world, default):
    IndicatorLibrary.objects.filter(pk=default.pk).update(is_locked=True)
    default.refresh_from_db()
    with pytest.raises(DomainError):
        library_edit(actor=world.hq, library=default, changes={"cs": {"weight": "0.3"}})
    assert IndicatorLibrary.objects.count() == 1
    assert IndicatorNode.objects.exclude(library=default).count() == 0


def test_a_node_a_draft_asks_about_cannot_be_removed(world, default):
    questionnaire_from_library(actor=world.hq, library=default, name="草稿", kind="relationship")
    with pytest.raises(DomainError) as error:
        library_edit(
            actor=world.hq,
            library=default,
            changes={"greening-empathy-1": None, "greening-empathy": {"weight": "0"}},
        )
    assert error.value.code == "indicator_in_use"
    assert IndicatorNode.objects.filter(library=default, code="greening-empathy-1").exists()


def test_removing_and_adding_nodes(world, default):
    library = library_edit(
        actor=world.hq,
        library=default,
        changes={
            "greening-empathy": None,  # removes its item too
            "greening-tangibles": {"weight": "0.50"},
            "cs-tangibles-2": {"weight": "0.2"},
            "cs-tangibles-1": {"weight": "0.4"},
            "cs-tangibles-3": {
                "parent": "cs-tangibles",
                "text": "停车引导标识清楚",
                "weight": "0.4",
            },
        },
    )
    nodes = IndicatorNode.objects.filter(library=library)
    assert not nodes.filter(code__startswith="greening-empathy").exists()
    added = nodes.get(code="cs-tangibles-3")
    assert (added.level, added.dimension, added.post.code) == ("item", "tangibles", "cs")


# --- questionnaires ---------------------------------------------------------------------------


def test_questionnaire_from_library(world, default):
    questionnaire = questionnaire_from_library(
        actor=world.hq,
        library=default,
        name="保洁专项调查",
        kind="transactional",
        posts=["cleaning"],
    )
    assert questionnaire.status == Questionnaire.Status.DRAFT
    assert questionnaire.library == default
    questions = list(questionnaire.questions.order_by("sort_order"))
    items = [q for q in questions if q.indicator_id]
    assert (
        len(items)
        == IndicatorNode.objects.filter(
            library=default, level="item", post__code="cleaning"
        ).count()
    )
    assert all(q.type == "rating" and (q.scale_min, q.scale_max) == (1, 5) for q in items)
    assert items[0].text == items[0].indicator.text
    codes = [q.code for q in questions]
    assert codes[-5:] == ["cleaning-why", "overall", "recommend", "recommend-why", "renew"]
    why = questionnaire.questions.get(code="cleaning-why")
    assert why.type == "text" and not why.required
    assert why.show_if == {"any": [{"question": q.code, "op": "lte", "value": 2} for q in items]}
    detractor = questionnaire.questions.get(code="recommend-why")
    assert detractor.text == "您最不满意的是什么？"
    assert detractor.show_if == {"question": "recommend", "op": "lte", "value": 6}
    roles = {q.code: q.role for q in questions if q.role}
    assert roles == {"overall": "overall", "recommend": "recommend", "renew": "renew"}
    recommend = questionnaire.questions.get(code="recommend")
    assert (recommend.type, recommend.scale_min, recommend.scale_max) == ("recommend", 0, 10)
    assert [o["value"] for o in questionnaire.questions.get(code="renew").options] == [
        "yes",
        "unsure",
        "no",
    ]
    for question in questions:  # every condition refers to an earlier question
        earlier = [q.code for q in questions if q.sort_order < question.sort_order]
        assert show_if_problems(question.show_if, earlier) == []


def test_ten_point_scale_and_expectation_pairs(world, default):
    questionnaire = questionnaire_from_library(
        actor=world.hq,
        library=default,
        name="期望与感知",
        kind="relationship",
        scale=10,
        include_expectations=True,
    )
    items = questionnaire.questions.filter(indicator__isnull=False)
    assert items.count() == IndicatorNode.objects.filter(library=default, level="item").count()
    assert set(items.values_list("type", "scale_min", "scale_max")) == {("ep", 1, 10)}
    assert questionnaire.questions.get(code="overall").scale_max == 10
    why = questionnaire.questions.get(code="security-why")
    assert {c["value"] for c in why.show_if["any"]} == {4}
    assert low_score_threshold(5) == 2 and low_score_threshold(10) == 4


def test_questionnaire_refusals(world, default):
    for kwargs, code in (
        ({"scale": 4}, "invalid"),
        ({"kind": "poll"}, "invalid"),
        ({"name": ""}, "invalid"),
        ({"posts": ["pets"]}, "invalid"),
    ):
        arguments = {"name": "问卷", "kind": "relationship", **kwargs}
        with pytest.raises(DomainError) as error:
            questionnaire_from_library(actor=world.hq, library=default, **arguments)
        assert error.value.code == code
    with pytest.raises(DomainError) as error:
        questionnaire_from_library(
            actor=world.manager, library=default, name="问卷", kind="relationship"
        )
    assert error.value.status == 403
    IndicatorNode.objects.filter(library=default, code="cs").update(weight=Decimal("0.9"))
    with pytest.raises(DomainError) as error:
        questionnaire_from_library(
            actor=world.hq, library=default, name="问卷", kind="relationship"
        )
    assert error.value.code == "invalid_weights"
    assert not Questionnaire.objects.exists()


def test_publish_locks_the_library_and_archive(world, default):
    questionnaire = questionnaire_from_library(
        actor=world.hq, library=default, name="问卷", kind="relationship"
    )
    with pytest.raises(DomainError) as error:
        questionnaire_publish(actor=world.staff, questionnaire=questionnaire)
    assert error.value.status == 403
    questionnaire_publish(actor=world.hq, questionnaire=questionnaire)
    questionnaire.refresh_from_db()
    default.refresh_from_db()
    assert questionnaire.status == "published" and default.is_locked
    with pytest.raises(DomainError) as error:
        questionnaire_publish(actor=world.hq, questionnaire=questionnaire)
    assert error.value.code == "not_draft"
    questionnaire_archive(actor=world.hq, questionnaire=questionnaire)
    questionnaire.refresh_from_db()
    assert questionnaire.status == "archived"


def test_publish_refuses_a_broken_condition(world, default):
    questionnaire = questionnaire_from_library(
        actor=world.hq, library=default, name="问卷", kind="relationship"
    )
    Question.objects.filter(questionnaire=questionnaire, code="recommend-why").update(
        show_if={"question": "nps", "op": "lte", "value": 6}
    )
    with pytest.raises(DomainError) as error:
        questionnaire_publish(actor=world.hq, questionnaire=questionnaire)
    assert error.value.code == "invalid_show_if"
    assert "recommend-why" in error.value.details
    default.refresh_from_db()
    assert not default.is_locked


# --- show_if ------------------------------------------------------------------------------------


DETRACTOR = {"question": "recommend", "op": "lte", "value": 6}
LOW = {
    "any": [
        {"question": "c1", "op": "lte", "value": 2},
        {"question": "c2", "op": "lte", "value": 2},
    ]
}


@pytest.mark.parametrize(
    ("show_if", "answers", "shown"),
    [
        ({}, {}, True),
        (None, {"x": 1}, True),
        (DETRACTOR, {"recommend": 6}, True),
        (DETRACTOR, {"recommend": 0}, True),
        (DETRACTOR, {"recommend": 7}, False),
        (DETRACTOR, {"recommend": "5"}, True),
        (DETRACTOR, {}, False),
        (DETRACTOR, {"recommend": None}, False),
        (DETRACTOR, {"recommend": ""}, False),
        (LOW, {"c1": 4, "c2": 2}, True),
        (LOW, {"c1": 1}, True),
        (LOW, {"c1": 3, "c2": 5}, False),
        (LOW, {}, False),
        (
            {"all": [DETRACTOR, {"question": "c1", "op": "gte", "value": 4}]},
            {"recommend": 3, "c1": 4},
            True,
        ),
        (
            {"all": [DETRACTOR, {"question": "c1", "op": "gte", "value": 4}]},
            {"recommend": 3, "c1": 3},
            False,
        ),
        ({"not": DETRACTOR}, {"recommend": 9}, True),
        ({"question": "renew", "op": "eq", "value": "no"}, {"renew": "no"}, True),
        ({"question": "renew", "op": "ne", "value": "no"}, {"renew": "yes"}, True),
        ({"question": "renew", "op": "ne", "value": "no"}, {}, True),
        ({"question": "renew", "op": "in", "value": ["no", "unsure"]}, {"renew": "unsure"}, True),
        ({"question": "renew", "op": "not_in", "value": ["no"]}, {"renew": "no"}, False),
        ({"question": "why", "op": "eq", "value": "lift"}, {"why": ["noise", "lift"]}, True),
        ({"question": "why", "op": "in", "value": ["pets", "lift"]}, {"why": ["lift"]}, True),
        ({"question": "why", "op": "in", "value": ["pets"]}, {"why": ["lift"]}, False),
        ({"question": "why", "op": "lte", "value": 2}, {"why": ["lift"]}, False),
        ({"question": "note", "op": "answered"}, {"note": "电梯"}, True),
        ({"question": "note", "op": "answered"}, {"note": ""}, False),
        ({"question": "score", "op": "gt", "value": 3}, {"score": "abc"}, False),
        ({"question": "score", "op": "lt", "value": 3}, {"score": 2.5}, True),
        ({"question": "score", "op": "eq", "value": 3}, {"score": 3.0}, True),
    ],
)
def test_is_shown(show_if, answers, shown):
    assert is_shown(show_if, answers) is shown


@pytest.mark.parametrize(
    "show_if",
    [
        {"question": "x", "op": "like", "value": 1},
        {"op": "eq", "value": 1},
        {"any": "x"},
        {"question": "x", "op": "in", "value": 3},
    ],
)
def test_is_shown_rejects_malformed_conditions(show_if):
    with pytest.raises(ValueError):
        is_shown(show_if, {"x": 3})
    assert show_if_problems(show_if, ["x"])
