"""Scores against hand-computed examples, periods, suppression, org scope and query counts.

The tiny library used throughout (weights are shares of the parent)::

    cleaning 0.6                      security 0.4
      tangibles 0.4: ct1 0.5, ct2 0.5   responsiveness 0.7: sp1 0.6, sp2 0.4
      reliability 0.6: cr1 0.25, cr2 0.75 empathy 0.3: se1 0.2, se2 0.8

Scores are on 1–5, rescaled to 0–100: 1→0, 2→25, 3→50, 4→75, 5→100.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from ganzhi.core.errors import DomainError
from ganzhi.org.models import Post
from ganzhi.surveys import library as library_services
from ganzhi.surveys.models import (
    Answer,
    IndicatorLibrary,
    IndicatorNode,
    Question,
    Response,
)
from ganzhi.surveys.questionnaires import questionnaire_from_library, questionnaire_publish
from ganzhi.surveys.scoring import compute_scores, parse_period, resolve_org_unit, scores_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
JULY = dt.datetime(2026, 7, 15, 10, 0, tzinfo=SHANGHAI)

# (code, parent code, level, dimension, weight)
TINY = [
    ("cleaning", None, "post", "", "0.6"),
    ("cleaning-tangibles", "cleaning", "dimension", "tangibles", "0.4"),
    ("ct1", "cleaning-tangibles", "item", "tangibles", "0.5"),
    ("ct2", "cleaning-tangibles", "item", "tangibles", "0.5"),
    ("cleaning-reliability", "cleaning", "dimension", "reliability", "0.6"),
    ("cr1", "cleaning-reliability", "item", "reliability", "0.25"),
    ("cr2", "cleaning-reliability", "item", "reliability", "0.75"),
    ("security", None, "post", "", "0.4"),
    ("security-responsiveness", "security", "dimension", "responsiveness", "0.7"),
    ("sp1", "security-responsiveness", "item", "responsiveness", "0.6"),
    ("sp2", "security-responsiveness", "item", "responsiveness", "0.4"),
    ("security-empathy", "security", "dimension", "empathy", "0.3"),
    ("se1", "security-empathy", "item", "empathy", "0.2"),
    ("se2", "security-empathy", "item", "empathy", "0.8"),
]

# The four respondents of the worked example (overall on 1–5, recommend on 0–10).
R1 = {"ct1": 5, "ct2": 4, "cr1": 3, "cr2": 5, "sp1": 4, "sp2": 4, "se1": 2, "se2": 3}
R2 = dict.fromkeys(["ct1", "ct2", "cr1", "cr2", "sp1", "sp2", "se1", "se2"], 3)
R3 = {"ct1": 5, "ct2": 5, "cr1": 4, "cr2": 4, "sp1": 2, "sp2": 1, "se1": 3, "se2": 3}
R4 = {"ct1": 4, "cr2": 2, "sp1": 5}  # the other five items were skipped


def make_tiny_library(company, name="小库") -> IndicatorLibrary:
    posts = {}
    for code, label in (("cleaning", "保洁"), ("security", "秩序维护")):
        posts[code], _ = Post.objects.get_or_create(
            company=company, code=code, defaults={"name": label}
        )
    library = IndicatorLibrary.objects.create(company=company, name=name)
    made: dict[str, IndicatorNode] = {}
    for order, (code, parent, level, dimension, weight) in enumerate(TINY):
        post_code = code if parent is None else made[parent].post.code
        made[code] = IndicatorNode.objects.create(
            library=library,
            parent=made.get(parent),
            level=level,
            code=code,
            post=posts[post_code],
            dimension=dimension,
            text=posts[code].name if level == "post" else code,
            weight=Decimal(weight),
            sort_order=order,
        )
    return library


def published(world, library, **kwargs):
    questionnaire = questionnaire_from_library(
        actor=world.hq,
        library=library,
        name=kwargs.pop("name", "问卷"),
        kind="relationship",
        **kwargs,
    )
    return questionnaire_publish(actor=world.hq, questionnaire=questionnaire)


def respond(
    questionnaire,
    project,
    answers,
    *,
    when=JULY,
    weight=1.0,
    excluded=False,
    submitted=True,
    post=None,
) -> Response:
    """A submitted response; ``answers`` maps codes to a number or (perception, expectation)."""
    response = Response.objects.create(
        company_id=questionnaire.company_id,
        questionnaire=questionnaire,
        project=project,
        started_at=when - dt.timedelta(minutes=5),
        submitted_at=when if submitted else None,
        excluded=excluded,
        weight=weight,
        post=post,
    )
    questions = {q.code: q for q in questionnaire.questions.all()}
    rows = []
    for code, value in answers.items():
        number, expectation = value if isinstance(value, tuple) else (value, None)
        rows.append(
            Answer(
                response=response,
                question=questions[code],
                number=number,
                expectation=expectation,
            )
        )
    Answer.objects.bulk_create(rows)
    return response


@pytest.fixture
def tiny(world):
    return make_tiny_library(world.company)


@pytest.fixture
def four(world, tiny, settings):
    """The four worked respondents in project A, July 2026; minimum sample 3."""
    settings.GANZHI_MIN_SAMPLE = 3
    questionnaire = published(world, tiny)
    a = world.project_a
    respond(questionnaire, a, {**R1, "overall": 5, "recommend": 10})
    respond(questionnaire, a, {**R2, "overall": 3, "recommend": 9})
    respond(questionnaire, a, {**R3, "overall": 4, "recommend": 6}, weight=2.0)
    respond(questionnaire, a, {**R4, "overall": 2, "recommend": 8})
    return questionnaire


def scores(world, user=None, org=None, period="2026-07", **kwargs):
    return scores_for(
        user=user or world.hq, org=org or world.project_a.public_id, period=period, **kwargs
    )


# --- the weighted index ----------------------------------------------------------------


def test_weighted_index_matches_the_hand_computation(world, four):
    # Per respondent (C = cleaning, S = security; T/R/P/E the dimensions):
    # R1: C.T = .5·100 + .5·75 = 87.5; C.R = .25·50 + .75·100 = 87.5; C = .4·87.5 + .6·87.5
    #     = 87.5; S.P = .6·75 + .4·75 = 75; S.E = .2·25 + .8·50 = 45; S = .7·75 + .3·45 = 66;
    #     I1 = .6·87.5 + .4·66 = 52.5 + 26.4 = 78.9
    # R2: every item 3 → 50 everywhere; I2 = 50
    # R3: C.T = 100; C.R = 75; C = 40 + 45 = 85; S.P = .6·25 + .4·0 = 15; S.E = 50;
    #     S = 10.5 + 15 = 25.5; I3 = 51 + 10.2 = 61.2
    # R4 (skipped five items; siblings share the missing weight):
    #     C.T = 75 (ct1 alone); C.R = 25 (cr2 alone); C = 30 + 15 = 45;
    #     S.P = 100 (sp1 alone); S.E missing → S = 100; I4 = 27 + 40 = 67
    # Response weights 1, 1, 2, 1 (Σw = 5):
    #     ȳ = (78.9 + 50 + 2·61.2 + 67) / 5 = 318.3 / 5 = 63.66
    # Deviations 15.24, −13.66, −2.46, 3.34; Σ w²d² = 232.2576 + 186.5956 + 4·6.0516
    #     + 11.1556 = 454.2152; Var = 4/3 · 454.2152 / 25 = 24.224811; se = 4.921871;
    #     t(.975, 3) = 3.182446 → half-width 15.663579 → CI 47.9964 … 79.3236
    result = scores(world)
    assert result.n == 4 and not result.suppressed
    assert result.index.n == 4
    assert result.index.value == pytest.approx(63.66)
    assert result.index.ci_low == pytest.approx(47.99641, abs=1e-4)
    assert result.index.ci_high == pytest.approx(79.32359, abs=1e-4)


def test_breakdowns_by_post_and_dimension(world, four):
    result = scores(world)
    by_post = {row.key: row.index for row in result.by_post}
    # cleaning: 87.5, 50, 85 (×2), 45 → (87.5 + 50 + 170 + 45)/5 = 70.5
    # security: 66, 50, 25.5 (×2), 100 → (66 + 50 + 51 + 100)/5 = 53.4
    assert [row.key for row in result.by_post] == ["cleaning", "security"]
    assert by_post["cleaning"].value == pytest.approx(70.5)
    assert by_post["security"].value == pytest.approx(53.4)
    assert by_post["cleaning"].n == 4
    by_dimension = {row.key: row.index for row in result.by_dimension}
    # tangibles exists only under cleaning: C.T = 87.5, 50, 100 (×2), 75 → 412.5/5 = 82.5
    # responsiveness only under security: S.P = 75, 50, 15 (×2), 100 → 255/5 = 51
    # empathy: R4 skipped it → (45 + 50 + 2·50)/4 = 48.75, n = 3
    assert by_dimension["tangibles"].value == pytest.approx(82.5)
    assert by_dimension["responsiveness"].value == pytest.approx(51.0)
    assert by_dimension["empathy"].value == pytest.approx(48.75)
    assert by_dimension["empathy"].n == 3
    assert list(by_dimension) == ["tangibles", "responsiveness", "reliability", "empathy"]


def test_post_and_dimension_filters(world, four):
    cleaning = scores(world, post="cleaning")
    assert cleaning.index.value == pytest.approx(70.5)
    assert cleaning.n == 4
    assert [row.key for row in cleaning.by_post] == ["cleaning"]
    # cleaning's reliability: C.R = 87.5, 50, 75 (×2), 25 → 312.5/5 = 62.5
    reliability = scores(world, post="cleaning", dimension="reliability")
    assert reliability.index.value == pytest.approx(62.5)
    # by public id as well as by code
    post = Post.objects.get(company=world.company, code="security")
    assert scores(world, post=str(post.public_id)).index.value == pytest.approx(53.4)
    with pytest.raises(DomainError) as error:
        scores(world, post="no-such-post")
    assert error.value.status == 422
    with pytest.raises(DomainError) as error:
        scores(world, dimension="beauty")
    assert error.value.status == 422


def test_each_answer_uses_the_weights_of_its_library_version(world, tiny, settings):
    settings.GANZHI_MIN_SAMPLE = 1
    v1 = published(world, tiny, name="第一版")
    v2_library = library_services.library_edit(
        actor=world.hq,
        library=tiny,
        changes={"cleaning": {"weight": "0.5"}, "security": {"weight": "0.5"}},
    )
    assert v2_library.version == 2
    v2 = published(world, v2_library, name="第二版")
    respond(v1, world.project_a, R1)
    respond(v2, world.project_a, R1)
    # v1: .6·87.5 + .4·66 = 78.9; v2: .5·87.5 + .5·66 = 76.75; mean 77.825
    result = scores(world)
    assert result.index.value == pytest.approx((78.9 + 76.75) / 2)


# --- NPS, satisfied share, SERVQUAL gap -------------------------------------------------


def test_nps_with_adjusted_wald_interval(world, four):
    # Answers 10, 9, 6, 8: 2 promoters, 1 passive, 1 detractor; NPS = 100·(2 − 1)/4 = 25.
    # Adjusted Wald (Rocks 2016): add .75/1.5/.75 → 2.75, 2.5, 1.75 of 7;
    #   p̃_pro = .392857, p̃_det = .25, centre = .142857;
    #   Var = (.392857 + .25 − .142857²)/7 = (.642857 − .020408)/7 = .0889213; se = .298197;
    #   1.959964 · .298197 = .584455 → (−.441598, .727312) → −44.16 … 72.73 points
    nps = scores(world).nps
    assert nps.n == 4
    assert nps.value == pytest.approx(25.0)
    assert nps.ci_low == pytest.approx(-44.1598, abs=1e-3)
    assert nps.ci_high == pytest.approx(72.7312, abs=1e-3)


def test_satisfied_share_with_wilson_interval(world, four):
    # Overall 5, 3, 4, 2 on 1–5: satisfied (4–5) k = 2 of n = 4, p̂ = .5.
    # Wilson: z² = 3.841459; centre = (2 + 1.920729)/(4 + 3.841459) = .5;
    #   half = 1.959964/7.841459 · √(2·2/4 + .960365) = .249948 · 1.400130 = .349961
    #   → .150039 … .849961
    share = scores(world).satisfied_share
    assert (share.n, share.value) == (4, 0.5)
    assert share.ci_low == pytest.approx(0.150039, abs=1e-5)
    assert share.ci_high == pytest.approx(0.849961, abs=1e-5)


def test_satisfied_on_a_ten_point_scale(world, tiny, settings):
    settings.GANZHI_MIN_SAMPLE = 1
    questionnaire = published(world, tiny, scale=10)
    for overall in (10, 8, 7, 3):
        respond(questionnaire, world.project_a, {"overall": overall})
    share = scores(world).satisfied_share  # 8–10 count: 2 of 4
    assert (share.n, share.value) == (4, 0.5)


def test_servqual_gap(world, tiny, settings):
    settings.GANZHI_MIN_SAMPLE = 3
    questionnaire = published(world, tiny, include_expectations=True)
    assert questionnaire.questions.get(code="ct1").type == Question.Type.EXPECTATION_PERCEPTION
    # (perception, expectation): gaps ct1 −1, 0, −2 → mean −1; cr1 −2, −2, 0 → mean −4/3
    respond(questionnaire, world.project_a, {"ct1": (4, 5), "cr1": (3, 5)})
    respond(questionnaire, world.project_a, {"ct1": (5, 5), "cr1": (2, 4)})
    respond(questionnaire, world.project_a, {"ct1": (3, 5), "cr1": (4, 4)})
    gap = scores(world).gap
    assert gap is not None and not gap.suppressed and gap.n == 3 and not gap.points_100
    items = {item.code: item for item in gap.items}
    assert items["ct1"].mean_gap == pytest.approx(-1.0)
    assert items["cr1"].mean_gap == pytest.approx(-4 / 3)
    # ct1: s_d = 1, se = 1/√3 = .577350, t(.975, 2) = 4.302653 → ±2.484138
    assert items["ct1"].ci_low == pytest.approx(-3.484138, abs=1e-5)
    assert items["ct1"].ci_high == pytest.approx(1.484138, abs=1e-5)
    # dimensions: tangibles = −1 (ct1), reliability = −4/3 (cr1); score = their mean −7/6
    assert gap.dimensions == pytest.approx({"tangibles": -1.0, "reliability": -4 / 3})
    assert gap.score == pytest.approx(-7 / 6)
    # The index uses the perceptions: ct1 = 4 → 75 etc.
    assert scores(world).index.n == 3


# --- selection, suppression, periods --------------------------------------------------------


def test_only_submitted_not_excluded_responses_in_the_period_count(world, tiny, settings):
    settings.GANZHI_MIN_SAMPLE = 1
    questionnaire = published(world, tiny)
    respond(questionnaire, world.project_a, R2)
    respond(questionnaire, world.project_a, R1, excluded=True)
    respond(questionnaire, world.project_a, R1, submitted=False)
    respond(questionnaire, world.project_a, R1, when=dt.datetime(2026, 8, 1, 0, 0, tzinfo=SHANGHAI))
    respond(questionnaire, world.project_b, R1)  # another project
    result = scores(world)
    assert result.n == 1 and result.index.value == pytest.approx(50.0)
    east = scores(world, org=world.east.public_id)
    assert east.n == 2  # projects A and B are both in 华东
    assert scores(world, org=world.company.public_id, period="2026").n == 3


def test_period_boundaries_are_local_time(world, tiny, settings):
    settings.GANZHI_MIN_SAMPLE = 1
    questionnaire = published(world, tiny)
    # 2026-07-01 00:10 in Shanghai is still 30 June in UTC: it belongs to Q3.
    respond(
        questionnaire, world.project_a, R2, when=dt.datetime(2026, 7, 1, 0, 10, tzinfo=SHANGHAI)
    )
    respond(
        questionnaire, world.project_a, R2, when=dt.datetime(2026, 6, 30, 23, 50, tzinfo=SHANGHAI)
    )
    assert scores(world, period="2026-Q3").n == 1
    assert scores(world, period="2026-Q2").n == 1
    assert scores(world, period="2026-06").n == 1
    assert scores(world, period="2026").n == 2


def test_suppressed_below_the_minimum_sample(world, four, settings):
    settings.GANZHI_MIN_SAMPLE = 30
    result = scores(world)
    assert result.n == 4 and result.suppressed
    for figure in (result.index, result.nps, result.satisfied_share):
        assert figure.suppressed and figure.value is None and figure.ci_low is None
    assert result.index.n == 4 and result.nps.n == 4
    assert all(row.index.value is None for row in result.by_post)
    assert result.as_api() == {
        "n": 4,
        "index": None,
        "nps": {"value": None, "ci_low": None, "ci_high": None},
        "satisfied_share": {"value": None, "ci_low": None, "ci_high": None},
        "suppressed": True,
    }
    settings.GANZHI_MIN_SAMPLE = 4
    assert not scores(world).suppressed


def test_each_figure_is_suppressed_on_its_own_sample(world, tiny, settings):
    settings.GANZHI_MIN_SAMPLE = 3
    questionnaire = published(world, tiny)
    for _ in range(3):
        respond(questionnaire, world.project_a, {**R2, "recommend": 9})
    respond(questionnaire, world.project_a, {"overall": 5})
    result = scores(world)
    assert result.n == 4 and not result.suppressed
    assert result.nps.value == pytest.approx(100.0)
    assert result.satisfied_share.n == 1 and result.satisfied_share.suppressed
    assert result.satisfied_share.value is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", (2026, 1, 1), (2027, 1, 1)),
        ("2026-Q1", (2026, 1, 1), (2026, 4, 1)),
        ("2026-Q3", (2026, 7, 1), (2026, 10, 1)),
        ("2026-q4", (2026, 10, 1), (2027, 1, 1)),
        ("2026-07", (2026, 7, 1), (2026, 8, 1)),
        ("2026-12", (2026, 12, 1), (2027, 1, 1)),
        (" 2025-02 ", (2025, 2, 1), (2025, 3, 1)),
    ],
)
def test_parse_period(text, start, end):
    period = parse_period(text)
    assert period.start == dt.datetime(*start, tzinfo=SHANGHAI)
    assert period.end == dt.datetime(*end, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "text", ["", "26", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026/07", "2026-7", "Q3-2026"]
)
def test_bad_periods_are_refused(text):
    with pytest.raises(DomainError) as error:
        parse_period(text)
    assert error.value.status == 422 and error.value.code == "invalid_period"


# --- who may see which unit ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "unit", "allowed"),
    [
        ("hq", "company", True),
        ("hq", "east", True),
        ("hq", "project_c", True),
        ("region", "south", True),
        ("region", "project_c", True),
        ("region", "project_a", False),
        ("region", "east", False),
        ("region", "company", False),
        ("manager", "project_a", True),
        ("manager", "east", False),  # 华东 also holds B, which the manager does not see
        ("manager", "company", False),
        ("manager", "project_b", False),
        ("staff", "project_a", False),
        ("outsider", "company", False),
        ("outsider", "project_a", False),
    ],
)
def test_org_units_resolve_only_inside_the_scope(world, username, unit, allowed):
    public_id = (world.company if unit == "company" else getattr(world, unit)).public_id
    user = getattr(world, username)
    if allowed:
        assert resolve_org_unit(user, public_id).public_id == public_id
    else:
        with pytest.raises(Http404):
            resolve_org_unit(user, public_id)


def test_owner_and_frontline_may_not_see_scores(world):
    for user in (world.owner, world.frontline):
        with pytest.raises(DomainError) as error:
            scores(world, user=user)
        assert error.value.status == 403


def test_unknown_or_malformed_units_are_not_found(world):
    for value in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(Http404):
            resolve_org_unit(world.hq, value)


def test_query_count_does_not_grow_with_responses(world, tiny, settings):
    settings.GANZHI_MIN_SAMPLE = 1
    questionnaire = published(world, tiny)
    unit = resolve_org_unit(world.hq, world.company.public_id)
    period = parse_period("2026")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            compute_scores(unit=unit, period=period)
        return len(queries)

    for _ in range(3):
        respond(questionnaire, world.project_a, {**R1, "recommend": 9, "overall": 4})
    few = count()
    for _ in range(40):
        respond(questionnaire, world.project_b, {**R3, "recommend": 3, "overall": 2})
    assert count() == few <= 4
