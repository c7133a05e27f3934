"""Rollups against the raw data: every figure the dashboards read from the rollups equals
the one computed from the raw answers and work orders (``scoring.compute_scores`` and a
plain loop over the work orders), after a rebuild and after updates and deletes
followed by an incremental refresh.

One small demo company (600 households: ~900 responses, ~2,000 work orders over two
years) is generated once for the module inside a transaction that is rolled back.
"""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from ganzhi.core.roles import Role
from ganzhi.org.models import Post, Project, Region
from ganzhi.rollups import selectors, services
from ganzhi.rollups.models import Kind, ResponseScore, RollupDirty, RollupState, SurveyRollup
from ganzhi.surveys import scoring
from ganzhi.surveys.models import Dimension, Response
from ganzhi.surveys.quality import response_review
from ganzhi.workorders.models import OPEN_STATES, State, WorkOrder
from tests.conftest import make_user
from tests.demo_company import module_demo, savepoint

APPROX = {"rel": 1e-9, "abs": 1e-9}
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    with module_demo(django_db_blocker, households=600, seed=3) as company:
        yield company


@pytest.fixture
def company(demo_module, settings):
    settings.GANZHI_MIN_SAMPLE = 5
    with savepoint(demo_module) as company:
        yield company


def units(company):
    yield scoring.OrgUnit("company", company, company.pk)
    for region in Region.objects.filter(company=company):
        yield scoring.OrgUnit("region", region, company.pk)
    for project in Project.objects.filter(company=company).order_by("code")[:2]:
        yield scoring.OrgUnit("project", project, company.pk)


def periods():
    months = sorted(set(SurveyRollup.objects.values_list("month", flat=True)))
    assert len(months) >= 3, "the demo should have survey answers in several months"
    first, last = months[0], months[-1]
    labels = {str(last.year), f"{first.year}-Q{(first.month - 1) // 3 + 1}", f"{last:%Y-%m}"}
    return [scoring.parse_period(label) for label in sorted(labels)]


def figure(f):
    return (f.n, f.suppressed, f.value, f.ci_low, f.ci_high)


def assert_same_figure(rolled, raw, what):
    assert rolled.n == raw.n and rolled.suppressed == raw.suppressed, what
    for a, b in zip(figure(rolled)[2:], figure(raw)[2:], strict=True):
        assert (a is None) == (b is None), what
        if a is not None:
            assert a == pytest.approx(b, **APPROX), what


def assert_same_scores(rolled: scoring.Scores, raw: scoring.Scores, what: str):
    assert (rolled.n, rolled.suppressed) == (raw.n, raw.suppressed), what
    assert_same_figure(rolled.index, raw.index, f"{what} index")
    assert_same_figure(rolled.nps, raw.nps, f"{what} nps")
    assert_same_figure(rolled.satisfied_share, raw.satisfied_share, f"{what} satisfied")
    assert [r.key for r in rolled.by_post] == [r.key for r in raw.by_post], what
    for a, b in zip(rolled.by_post, raw.by_post, strict=True):
        assert_same_figure(a.index, b.index, f"{what} post {a.key}")
    assert [r.key for r in rolled.by_dimension] == [r.key for r in raw.by_dimension], what
    for a, b in zip(rolled.by_dimension, raw.by_dimension, strict=True):
        assert_same_figure(a.index, b.index, f"{what} dimension {a.key}")
    assert (rolled.gap is None) == (raw.gap is None), what
    if raw.gap is not None:
        assert (rolled.gap.n, rolled.gap.suppressed, rolled.gap.points_100) == (
            raw.gap.n,
            raw.gap.suppressed,
            raw.gap.points_100,
        ), what
        assert (rolled.gap.score is None) == (raw.gap.score is None), what
        if raw.gap.score is not None:
            assert rolled.gap.score == pytest.approx(raw.gap.score, **APPROX), what
        assert rolled.gap.dimensions == pytest.approx(raw.gap.dimensions, **APPROX), what
        raw_items = {i.code: i for i in raw.gap.items}
        assert {i.code for i in rolled.gap.items} == set(raw_items), what
        for item in rolled.gap.items:
            other = raw_items[item.code]
            assert (item.n, item.suppressed, item.dimension) == (
                other.n,
                other.suppressed,
                other.dimension,
            ), what
            if not item.suppressed:
                assert (item.mean_gap, item.ci_low, item.ci_high) == pytest.approx(
                    (other.mean_gap, other.ci_low, other.ci_high), **APPROX
                ), what


def compare_everything(company) -> int:
    """Every unit × period × filter combination; returns how many were compared."""
    posts = list(Post.objects.filter(company=company).order_by("sort_order")[:3])
    filters = [
        {},
        *({"post": p} for p in posts),
        *({"dimension": d.value} for d in Dimension),
        {"post": posts[0], "dimension": Dimension.RESPONSIVENESS.value},
        {"post": posts[1], "dimension": Dimension.EMPATHY.value},
    ]
    compared = 0
    for unit in units(company):
        for period in periods():
            for chosen in filters:
                raw = scoring.compute_scores(unit=unit, period=period, **chosen)
                rolled = selectors.survey_scores(unit, period, **chosen)
                assert_same_scores(rolled, raw, f"{unit.name} {period.label} {chosen}")
                compared += raw.n > 0
    return compared


def raw_workorders(unit, period) -> dict[str, Counter]:
    """Per month, counted the plain way from the work orders."""
    orders = WorkOrder.objects.filter(
        company_id=unit.company_id, created_at__gte=period.start, created_at__lt=period.end
    )
    if unit.kind == "region":
        orders = orders.filter(project__region=unit.obj)
    elif unit.kind == "project":
        orders = orders.filter(project=unit.obj)
    counts: dict[str, Counter] = defaultdict(Counter)
    for order in orders:
        c = counts[f"{timezone.localtime(order.created_at):%Y-%m}"]
        c["created"] += 1
        c["open"] += order.state in OPEN_STATES
        c["closed"] += order.state == State.CLOSED
        c["cancelled"] += order.state == State.CANCELLED
        c["response_measured"] += bool(order.responded_at or order.response_breached)
        c["response_kept"] += bool(order.responded_at and not order.response_breached)
        c["resolve_measured"] += bool(order.resolved_at or order.resolve_breached)
        c["resolve_kept"] += bool(order.resolved_at and not order.resolve_breached)
        c["breached"] += order.response_breached or order.resolve_breached
        c["reopened"] += order.reopen_count > 0
        c["repeats"] += order.is_repeat
        c["rated"] += order.owner_rating is not None
        c["rating_sum"] += order.owner_rating or 0
    return counts


def compare_workorders(company) -> int:
    compared = 0
    for unit in units(company):
        for label in ("2025", "2026"):
            period = scoring.parse_period(label)
            rolled = {
                f"{row['month']:%Y-%m}": Counter({k: row[k] for k in selectors.WORKORDER_SUMS})
                for row in selectors.workorders_by(unit, period, ("month",))
            }
            raw = raw_workorders(unit, period)
            assert {m: +c for m, c in rolled.items()} == {m: +c for m, c in raw.items()}, (
                unit.name,
                label,
            )
            compared += sum(c["created"] for c in raw.values())
    return compared


def test_survey_rollups_equal_the_raw_scores(company):
    assert compare_everything(company) > 30


def test_survey_rollups_equal_the_raw_scores_with_the_default_minimum(company, settings):
    settings.GANZHI_MIN_SAMPLE = 30
    assert compare_everything(company) > 30


def test_workorder_rollups_equal_the_raw_counts(company):
    assert compare_workorders(company) > 1000


def test_updates_and_deletes_are_refreshed_and_still_equal_the_raw_data(company):
    before = RollupState.objects.get(kind=Kind.SURVEYS).as_of
    assert not RollupDirty.objects.exists()
    responses = list(
        Response.objects.filter(company=company, submitted_at__isnull=False).order_by("pk")
    )
    # excluded through the quality review service (a save: the signal marks it) …
    hq = make_user(company, "quality-lead", Role.HQ)
    for response in responses[:15]:
        response_review(actor=hq, response=response, action="exclude", reason="测试")
    # … deleted (cascade to the answers) …
    Response.objects.filter(pk__in=[r.pk for r in responses[20:40]]).delete()
    # … re-weighted in bulk (bypasses save: the writer marks it)
    reweighted = Response.objects.filter(pk__in=[r.pk for r in responses[50:120]])
    reweighted.update(weight=2.5)
    services.mark_responses(reweighted)
    # … and after-service answers re-attributed to another post in bulk: their stored
    # scores no longer match the responses, so they are scored again
    first_post = Post.objects.filter(company=company).order_by("sort_order").first()
    moved = Response.objects.filter(
        pk__in=[r.pk for r in responses[130:] if r.post_id not in (None, first_post.pk)][:10]
    )
    assert moved.count() == 10
    moved.update(post=first_post)
    services.mark_responses(moved)
    orders = list(WorkOrder.objects.filter(company=company).order_by("pk"))
    for order in orders[:30]:
        order.is_repeat = not order.is_repeat
        order.save()
    for order in orders[40:60]:
        order.delete()
    assert RollupDirty.objects.filter(kind=Kind.SURVEYS).exists()
    assert RollupDirty.objects.filter(kind=Kind.WORKORDERS).exists()

    result = services.refresh()

    assert result.slices[Kind.SURVEYS] > 0 and result.slices[Kind.WORKORDERS] > 0
    assert not RollupDirty.objects.exists()
    assert RollupState.objects.get(kind=Kind.SURVEYS).as_of > before
    assert compare_everything(company) > 30
    assert compare_workorders(company) > 1000


def test_a_project_moved_to_another_region_is_counted_there_after_a_refresh(company):
    project = Project.objects.filter(company=company).order_by("code").first()
    other = Region.objects.filter(company=company).exclude(pk=project.region_id).first()
    project.region = other
    project.save()
    marked = set(RollupDirty.objects.filter(project=project).values_list("kind", "month"))
    assert {kind for kind, _month in marked} == set(Kind.values) and len(marked) > 20

    services.refresh()

    assert compare_everything(company) > 30
    assert compare_workorders(company) > 1000


def test_a_refresh_reuses_stored_scores_and_a_rebuild_scores_again(company):
    detractor = ResponseScore.objects.filter(recommend__lte=6).order_by("pk").first()
    response = Response.objects.get(pk=detractor.pk)
    unit = scoring.OrgUnit("project", response.project, company.pk)
    period = scoring.parse_period(f"{timezone.localtime(response.submitted_at):%Y-%m}")
    raw = scoring.compute_scores(unit=unit, period=period).nps
    assert figure(selectors.survey_scores(unit, period).nps) == pytest.approx(figure(raw))
    # a stored score is what a refresh reads (the answers are fixed once submitted) …
    ResponseScore.objects.filter(pk=detractor.pk).update(recommend=10.0)
    services.mark_responses(Response.objects.filter(pk=response.pk))
    services.refresh()
    tampered = selectors.survey_scores(unit, period).nps
    assert tampered.n == raw.n and tampered.value > raw.value
    # … and a rebuild starts from the answers again
    services.rebuild()
    assert figure(selectors.survey_scores(unit, period).nps) == pytest.approx(figure(raw))
    scored = Response.objects.filter(company=company, submitted_at__isnull=False, excluded=False)
    assert ResponseScore.objects.count() == scored.count()


def test_a_rebuild_from_scratch_equals_the_incremental_rollups(company):
    def snapshot():
        return sorted(
            (
                tuple(row)
                for row in SurveyRollup.objects.values_list(
                    "scope",
                    "region_id",
                    "project_id",
                    "month",
                    "level",
                    "post_id",
                    "dimension",
                    "responses",
                    "index_n",
                    "promoters",
                    "detractors",
                    "satisfied_k",
                    "gap_n",
                )
            ),
            key=repr,
        )

    Response.objects.filter(company=company).order_by("-pk")[0].delete()
    services.refresh()
    incremental = snapshot()
    services.rebuild()
    assert snapshot() == incremental


def test_month_of_uses_local_time():
    # 16:30 UTC on 31 March is already 1 April in Shanghai
    moment = dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC)
    assert services.month_of(moment) == dt.date(2026, 4, 1)
    start, end = services.month_bounds(dt.date(2026, 12, 1))
    assert (start.year, start.month, end.year, end.month) == (2026, 12, 2027, 1)
