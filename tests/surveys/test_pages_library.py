"""Staff pages: indicator library (tree, edit form), questionnaires (list, create, preview,
publish) and scores, per persona, through the real HTTP stack (English UI)."""

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ganzhi.surveys.library import library_create_default
from ganzhi.surveys.models import IndicatorLibrary, IndicatorNode, Questionnaire
from ganzhi.surveys.questionnaires import questionnaire_from_library
from tests.surveys.test_scoring import R1, R3, four, published, respond, tiny  # noqa: F401

# The lead mounts ganzhi.surveys.urls at /surveys/; until then this module is the URLconf.

PERSONAS = [
    ("hq", 200),
    ("region", 200),
    ("manager", 200),
    ("staff", 200),
    ("outsider", 404),
    ("owner", 403),
    ("frontline", 403),
]


def client_for(world, user):
    client = world.client_for(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def default(world):
    return library_create_default(company=world.company)


# --- indicator library ---------------------------------------------------------------------


@pytest.mark.parametrize(("username", "status"), PERSONAS)
def test_library_pages_per_persona(world, default, username, status):
    client = client_for(world, getattr(world, username))
    listed = client.get("/surveys/library/")
    assert listed.status_code == (403 if status == 403 else 200)
    if username == "outsider":
        assert str(default.public_id) not in listed.content.decode()
    assert client.get(f"/surveys/library/{default.public_id}/").status_code == status


def test_library_tree_shows_weights_and_problems(world, default):
    client = client_for(world, world.hq)
    html = client.get(f"/surveys/library/{default.public_id}/").content.decode()
    assert "楼道、电梯轿厢干净整洁" in html and 'data-code="cleaning-tangibles-1"' in html
    assert "0.6000" in html
    assert "Every group of weights sums to 1." in html
    IndicatorNode.objects.filter(library=default, code="cleaning-tangibles-1").update(weight="0.5")
    html = client.get(f"/surveys/library/{default.public_id}/").content.decode()
    assert "“保洁 › 有形度”: the weights below it sum to 0.9000" in html
    assert 'class="level-dimension row-bad"' in html


def test_create_the_default_library_from_the_page(world):
    assert client_for(world, world.manager).post("/surveys/library/default/").status_code == 403
    response = client_for(world, world.hq).post("/surveys/library/default/")
    library = IndicatorLibrary.objects.get(company=world.company)
    assert response.status_code == 302
    assert response.url == f"/surveys/library/{library.public_id}/"


def _edit_form(tree_nodes, **overrides):
    data = {}
    for node in tree_nodes:
        data[f"text-{node.code}"] = node.text
        data[f"weight-{node.code}"] = str(node.weight)
    data.update(overrides)
    return data


def test_edit_form_saves_in_place(world, default):
    client = client_for(world, world.hq)
    url = f"/surveys/library/{default.public_id}/edit/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="weight-cleaning-tangibles-1"' in page.content.decode()
    nodes = IndicatorNode.objects.filter(library=default)
    data = _edit_form(
        nodes,
        **{
            "text-cleaning-tangibles-1": "楼道干净",
            "weight-cleaning-tangibles-1": "0.7",
            "weight-cleaning-tangibles-2": "0.3",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302
    node = IndicatorNode.objects.get(library=default, code="cleaning-tangibles-1")
    assert node.text == "楼道干净" and str(node.weight) == "0.7000"


def test_edit_form_refuses_bad_weights_and_writes_nothing(world, default):
    client = client_for(world, world.hq)
    nodes = list(IndicatorNode.objects.filter(library=default))
    data = _edit_form(nodes, **{"weight-cleaning-tangibles-1": "0.5", "text-cs": "客服中心"})
    response = client.post(f"/surveys/library/{default.public_id}/edit/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved." in html and "“保洁 › 有形度”" in html
    assert IndicatorNode.objects.get(library=default, code="cs").text == "客服"
    assert str(IndicatorNode.objects.get(library=default, code="cleaning-tangibles-1").weight) == (
        "0.6000"
    )


def test_edit_form_on_a_locked_library_creates_a_version(world, default):
    IndicatorLibrary.objects.filter(pk=default.pk).update(is_locked=True)
    client = client_for(world, world.hq)
    url = f"/surveys/library/{default.public_id}/edit/"
    assert "creates version 2" in client.get(url).content.decode()
    nodes = IndicatorNode.objects.filter(library=default)
    response = client.post(url, _edit_form(nodes, **{"text-cs": "客服中心"}))
    v2 = IndicatorLibrary.objects.get(version=2)
    assert response.status_code == 302 and response.url == f"/surveys/library/{v2.public_id}/"
    assert IndicatorNode.objects.get(library=v2, code="cs").text == "客服中心"
    assert IndicatorNode.objects.get(library=default, code="cs").text == "客服"


def test_edit_needs_the_change_permission(world, default):
    for user, status in ((world.manager, 403), (world.owner, 403), (world.outsider, 404)):
        client = client_for(world, user)
        assert client.get(f"/surveys/library/{default.public_id}/edit/").status_code == status


# --- questionnaires -------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "status"), PERSONAS)
def test_questionnaire_pages_per_persona(world, default, username, status):
    questionnaire = questionnaire_from_library(
        actor=world.hq, library=default, name="年度调查", kind="relationship"
    )
    client = client_for(world, getattr(world, username))
    listed = client.get("/surveys/questionnaires/")
    assert listed.status_code == (403 if status == 403 else 200)
    assert client.get(f"/surveys/questionnaires/{questionnaire.public_id}/").status_code == status


def test_create_preview_and_publish(world, default):
    client = client_for(world, world.hq)
    assert client.get("/surveys/questionnaires/new/").status_code == 200
    response = client.post(
        "/surveys/questionnaires/new/",
        {
            "library": str(default.public_id),
            "name": "保洁回访",
            "kind": "transactional",
            "posts": ["cleaning"],
            "scale": "5",
        },
    )
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get(name="保洁回访")
    assert questionnaire.questions.filter(indicator__post__code="security").count() == 0
    html = client.get(response.url).content.decode()
    assert "楼道、电梯轿厢干净整洁" in html and 'data-code="recommend-why"' in html
    assert "Shown only if" in html and "≤ 6" in html
    assert "您最不满意的是什么？" in html
    published_response = client.post(f"/surveys/questionnaires/{questionnaire.public_id}/publish/")
    assert published_response.status_code == 302
    questionnaire.refresh_from_db()
    default.refresh_from_db()
    assert questionnaire.status == "published" and default.is_locked
    listed = client.get("/surveys/questionnaires/").content.decode()
    assert "保洁回访" in listed


def test_create_form_errors_and_permissions(world, default):
    client = client_for(world, world.hq)
    response = client.post(
        "/surveys/questionnaires/new/",
        {"library": str(default.public_id), "name": "", "kind": "relationship", "scale": "5"},
    )
    assert response.status_code == 200 and not Questionnaire.objects.exists()
    assert client_for(world, world.manager).get("/surveys/questionnaires/new/").status_code == 403
    questionnaire = questionnaire_from_library(
        actor=world.hq, library=default, name="年度调查", kind="relationship"
    )
    manager = client_for(world, world.manager)
    publish = f"/surveys/questionnaires/{questionnaire.public_id}/publish/"
    assert manager.post(publish).status_code == 403
    assert client_for(world, world.outsider).post(publish).status_code == 404


# --- scores ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "unit", "status"),
    [
        ("hq", "company", 200),
        ("hq", "project_a", 200),
        ("region", "south", 200),
        ("region", "project_a", 404),
        ("manager", "project_a", 200),
        ("manager", "east", 404),
        ("staff", "project_a", 404),
        ("outsider", "project_a", 404),
        ("outsider", "company", 404),
        ("owner", "project_a", 403),
        ("frontline", "project_a", 403),
    ],
)
def test_scores_page_per_persona(world, username, unit, status):
    public_id = (world.company if unit == "company" else getattr(world, unit)).public_id
    client = client_for(world, getattr(world, username))
    response = client.get("/surveys/scores/", {"org": str(public_id), "period": "2026"})
    assert response.status_code == status


def test_scores_page_shows_figures_and_tables(world, four):  # noqa: F811
    client = client_for(world, world.manager)
    response = client.get(
        "/surveys/scores/", {"org": str(world.project_a.public_id), "period": "2026-07"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-suppressed="false"' in html
    assert "63.7" in html  # the index of the worked example, 63.66
    assert "25.0" in html and "-44.2" in html  # NPS and its lower bound
    assert "50%" in html  # satisfied share
    assert 'data-key="cleaning"' in html and "70.5" in html
    assert 'data-key="tangibles"' in html and "82.5" in html


def test_scores_page_marks_thin_samples(world, four, settings):  # noqa: F811
    settings.GANZHI_MIN_SAMPLE = 30
    html = (
        client_for(world, world.hq)
        .get("/surveys/scores/", {"org": str(world.project_a.public_id), "period": "2026"})
        .content.decode()
    )
    assert 'data-suppressed="true"' in html and "Sample too small" in html
    assert "63.7" not in html


def test_scores_page_defaults_and_bad_period(world):
    client = client_for(world, world.manager)
    response = client.get("/surveys/scores/")
    assert response.status_code == 200  # the first unit the user sees, this year
    assert "翠湖花园" in response.content.decode()
    bad = client.get(
        "/surveys/scores/", {"org": str(world.project_a.public_id), "period": "2026-13"}
    )
    assert bad.status_code == 200
    assert "2026-Q3" in bad.content.decode() and "data-figure" not in bad.content.decode()


def test_scores_page_gap_table(world, tiny, settings):  # noqa: F811
    settings.GANZHI_MIN_SAMPLE = 3
    questionnaire = published(world, tiny, include_expectations=True)
    for pair in ((4, 5), (5, 5), (3, 5)):
        respond(questionnaire, world.project_a, {"ct1": pair})
    html = (
        client_for(world, world.hq)
        .get("/surveys/scores/", {"org": str(world.project_a.public_id), "period": "2026"})
        .content.decode()
    )
    assert 'table class="gaps"' in html and 'data-key="ct1"' in html and "-1.00" in html


def test_scores_page_query_count_does_not_grow(world, tiny, settings):  # noqa: F811
    settings.GANZHI_MIN_SAMPLE = 1
    questionnaire = published(world, tiny)
    client = client_for(world, world.hq)
    params = {"org": str(world.company.public_id), "period": "2026"}
    client.get("/surveys/scores/", params)  # warm the session

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/surveys/scores/", params).status_code == 200
        return len(queries)

    for _ in range(2):
        respond(questionnaire, world.project_a, {**R1, "recommend": 9, "overall": 4})
    few = count()
    for _ in range(30):
        respond(questionnaire, world.project_b, {**R3, "recommend": 3, "overall": 2})
    assert count() == few
