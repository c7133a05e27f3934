"""Survey answers of the demo company (ganzhi.demo.surveys), on the real test database.

The planted effects of docs/demo-data.md are measured with the product's own scoring
(``compute_scores``), statistics (``key_drivers``), quality checks and call-back
services. Most tests share one demo of 3,000 households (generated once for the
module in an outer transaction that is rolled back at the end); each test runs in a
savepoint.
"""

import datetime as dt
import math
from collections import Counter, defaultdict

import numpy as np
import pytest
from django.db import transaction
from django.utils import timezone

from ganzhi.core.roles import Role
from ganzhi.demo import surveys as demo_surveys
from ganzhi.demo.generator import REFERENCE_DATE, generate_demo
from ganzhi.org.models import Company, Project, Staff, User
from ganzhi.stats import indices, nps
from ganzhi.stats.drivers import key_drivers
from ganzhi.surveys import scoring
from ganzhi.surveys.callbacks import create_callbacks, detractor_conversion
from ganzhi.surveys.campaigns import OVERSAMPLING, campaign_progress
from ganzhi.surveys.models import (
    Answer,
    CallbackTask,
    Campaign,
    Invitation,
    Question,
    Questionnaire,
    Response,
)
from ganzhi.surveys.quality import (
    DUPLICATE_DEVICE,
    STAFF_ACCOUNT,
    STRAIGHT_LINER,
    flag_codes,
    flag_responses,
    identity_hash,
)
from ganzhi.workorders.models import Kind, State, WorkOrder

HOUSEHOLDS = 3000
DIMENSIONS = ("tangibles", "assurance", "responsiveness", "reliability", "empathy")


class Demo:
    def __init__(self, company: Company, now: dt.datetime) -> None:
        self.company = company
        self.now = now
        self.projects = list(Project.objects.filter(company=company).order_by("code"))
        self.campaigns = list(Campaign.objects.filter(company=company).order_by("starts_on"))
        self.history = self.campaigns[:-1]
        self.live = self.campaigns[-1]

    def project(self, code: str) -> Project:
        return next(p for p in self.projects if p.code == code)

    @property
    def empathy_project(self) -> Project:
        return self.projects[min(demo_surveys.EMPATHY_PROJECT_INDEX, len(self.projects) - 1)]

    def wave(self, key: str) -> Campaign:
        return next(c for c in self.campaigns if f"{c.starts_on:%Y-%m}" == key)


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            now = timezone.now()
            generate_demo(households=HOUSEHOLDS, seed=1, now=now)
            yield Demo(Company.objects.get(code="demo"), now)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_module):
    with transaction.atomic():  # a savepoint: what a test writes is undone
        yield demo_module
        transaction.set_rollback(True)


def scores(project: Project, period: str, **filters) -> scoring.Scores:
    unit = scoring.OrgUnit("project", project, project.company_id)
    return scoring.compute_scores(unit=unit, period=scoring.parse_period(period), **filters)


def by_dimension(result: scoring.Scores) -> dict[str, float]:
    return {row.key: row.index.value for row in result.by_dimension}


def respondent_table(responses) -> tuple[np.ndarray, np.ndarray]:
    """Per respondent: the five dimension indices as the scores page computes them (the
    library tree and weights of ``ganzhi.surveys.scoring``) and the 0–10 recommendation."""
    rows = Answer.objects.filter(
        response__in=responses, number__isnull=False, question__indicator__level="item"
    ).values_list(
        "response_id",
        "question__indicator_id",
        "question__indicator__library_id",
        "number",
        "question__scale_min",
        "question__scale_max",
    )
    answered: dict[int, dict[str, float]] = defaultdict(dict)
    library_of = {}
    for response_id, indicator_id, library_id, number, lo, hi in rows:
        answered[response_id][f"n{indicator_id}"] = float(indices.to_100([number], lo, hi)[0])
        library_of[response_id] = library_id
    trees = scoring._Trees.load(set(library_of.values()), post=None, dimension="")
    recommend = dict(
        Answer.objects.filter(
            response__in=responses, question__role=Question.Role.RECOMMEND
        ).values_list("response_id", "number")
    )
    X, y = [], []
    for response_id in sorted(answered):
        dimensions = scoring._evaluate(
            trees.by_library[library_of[response_id]], answered[response_id]
        ).dimensions
        X.append([dimensions[d] for d in DIMENSIONS])
        y.append(recommend[response_id])
    return np.array(X), np.array(y)


# --- determinism -------------------------------------------------------------------------


def snapshot() -> tuple[list[str], list[str]]:
    """(history, live wave): responses and answers in an id-free, sorted form."""
    responses = Response.objects.filter(company__code="demo")
    key = (
        "campaign__status",
        "questionnaire__name",
        "campaign__name",
        "household__unit__building__name",
        "household__unit__entrance",
        "household__unit__number",
        "workorder__created_at",
        "submitted_at",
    )
    rows = responses.values_list(*key, "started_at", "duration_seconds", "source", "excluded")
    answers = Answer.objects.filter(response__in=responses).values_list(
        *(f"response__{k}" for k in key), "question__code", "number", "expectation", "text"
    )
    history, live = [], []
    for row in [*rows, *answers]:
        (live if row[0] == Campaign.Status.OPEN else history).append(str(row))
    return sorted(history), sorted(live)


def generated(households: int, seed: int, now: dt.datetime) -> tuple[list[str], list[str]]:
    savepoint = transaction.savepoint()
    try:
        # A demo generated by the module fixture stays out of the way (rolled back below).
        Company.objects.filter(code="demo").update(code="demo-module")
        generate_demo(households=households, seed=seed, now=now)
        return snapshot()
    finally:
        transaction.savepoint_rollback(savepoint)


def test_history_is_deterministic_and_only_the_live_wave_follows_the_clock(db):
    now = timezone.make_aware(dt.datetime(2026, 11, 25, 9, 30))
    history, live = generated(600, 5, now)
    again, live_again = generated(600, 5, now)
    later, live_later = generated(600, 5, now + dt.timedelta(days=2))
    other, _ = generated(600, 6, now)
    assert len(history) > 10_000 and live
    assert (again, live_again) == (history, live)
    assert later == history  # another clock: the same history …
    assert live_later != live  # … and another live wave
    assert other != history


# --- set-up through the services --------------------------------------------------------


def test_questionnaires_campaigns_and_invitations(demo):
    company = demo.company
    questionnaires = {q.name: q for q in Questionnaire.objects.filter(company=company)}
    half = questionnaires[demo_surveys.QUESTIONNAIRE_HALF]
    annual = questionnaires[demo_surveys.QUESTIONNAIRE_ANNUAL]
    mot = questionnaires[demo_surveys.QUESTIONNAIRE_MOT]
    assert {q.status for q in questionnaires.values()} == {Questionnaire.Status.PUBLISHED}
    assert half.library_id == annual.library_id and half.library.is_locked
    assert annual.questions.filter(type=Question.Type.EXPECTATION_PERCEPTION).count() >= 50
    assert not half.questions.filter(type=Question.Type.EXPECTATION_PERCEPTION).exists()
    assert mot.kind == Questionnaire.Kind.TRANSACTIONAL and mot.library_id is None
    assert sorted(mot.questions.values_list("code", flat=True)) == [
        "comment",
        "overall",
        "recommend",
    ]
    assert set(mot.workorder_categories.values_list("kind", flat=True)) == {Kind.REPAIR}

    assert [f"{c.starts_on:%Y-%m}" for c in demo.history] == ["2025-05", "2025-11", "2026-05"]
    assert [c.questionnaire_id for c in demo.campaigns] == [half.id, annual.id, half.id, annual.id]
    assert {c.status for c in demo.history} == {Campaign.Status.CLOSED}
    assert demo.live.status == Campaign.Status.OPEN
    today = timezone.localdate(demo.now)
    assert demo.live.starts_on <= today <= demo.live.ends_on
    for campaign in demo.campaigns:
        for stratum in campaign.strata.all():
            assert stratum.building_id is None  # project-level waves
            invited = Invitation.objects.filter(campaign=campaign, stratum=stratum)
            assert invited.count() == math.ceil(stratum.target * OVERSAMPLING - 1e-9)
            answered = Response.objects.filter(campaign=campaign, project=stratum.project)
            assert answered.count() == invited.filter(completed_at__isnull=False).count()
            if campaign != demo.live:
                homes = invited.exclude(household__unit__type="parking").count()
                rate = answered.filter(excluded=False).count() / homes
                assert 0.22 <= rate <= 0.46, (campaign.name, stratum.project.code, rate)
    assert not Response.objects.filter(company=company, is_anonymous=True).exists()
    assert not Response.objects.filter(household__isnull=True).exists()


def test_answers_look_like_owners_answers(demo):
    relationship = Response.objects.filter(campaign__isnull=False, excluded=False)
    items = Counter(
        Answer.objects.filter(
            response__in=relationship, question__indicator__isnull=False
        ).values_list("number", flat=True)
    )
    total = sum(items.values())
    assert (items[4.0] + items[5.0]) / total >= 0.75
    assert 0.002 <= (items[1.0] + items[2.0]) / total <= 0.05
    durations = sorted(
        relationship.filter(duration_seconds__isnull=False).values_list(
            "duration_seconds", flat=True
        )
    )
    assert 150 <= durations[len(durations) // 2] <= 220  # about three minutes
    assert relationship.filter(source=Response.Source.PAPER).exists()
    web = relationship.filter(source=Response.Source.WEB)
    assert not web.filter(device_hash="").exists() and not web.filter(address_hash="").exists()
    # Every figure of the busiest project of each wave is shown (n ≥ 30), NPS +15 … +55.
    for campaign in demo.campaigns:
        period = f"{campaign.starts_on:%Y-%m}"
        counts = Counter(
            Response.objects.filter(campaign=campaign, excluded=False).values_list(
                "project_id", flat=True
            )
        )
        busiest = Project.objects.get(pk=counts.most_common(1)[0][0])
        result = scores(busiest, period)
        assert not result.suppressed and not result.index.suppressed
        assert result.index.n >= 30 and result.nps.n >= 30
        assert 70 <= result.index.value <= 92
        if campaign.questionnaire.name == demo_surveys.QUESTIONNAIRE_ANNUAL:
            assert result.gap is not None and not result.gap.suppressed
            assert result.gap.score < 0  # perceptions below expectations …
            if campaign.starts_on < demo_surveys.EMPATHY_FROM:
                gaps = result.gap.dimensions
                assert gaps["responsiveness"] == min(gaps.values())  # … most on responsiveness
        for project in demo.projects:
            values = Answer.objects.filter(
                response__campaign=campaign,
                response__project=project,
                response__excluded=False,
                question__role=Question.Role.RECOMMEND,
            ).values_list("number", flat=True)
            score = nps.nps(list(values)).nps
            assert 15 <= score <= 55, (campaign.name, project.code, score)


# --- planted effects --------------------------------------------------------------------------


def test_planted_responsiveness_drives_recommendation(demo):
    """(1) Shapley key drivers of recommendation over the five dimension indices."""
    waves = [(1.6, Response.objects.filter(campaign=c, excluded=False)) for c in demo.campaigns]
    pooled = (2.5, Response.objects.filter(campaign__isnull=False, excluded=False))
    for margin, responses in [*waves, pooled]:
        X, y = respondent_table(responses)
        result = key_drivers(X, y, names=list(DIMENSIONS), method="shapley")
        shares = dict(zip(DIMENSIONS, result.rescaled, strict=True))
        ranked = sorted(shares, key=shares.get, reverse=True)
        assert ranked[0] == "responsiveness", shares
        assert shares["responsiveness"] >= margin * shares[ranked[1]], shares
        assert result.n >= 300


def test_planted_empathy_falls_after_the_staff_change(demo):
    """(2) The empathy project: 2026-05 against 2025-11, per dimension."""
    project = demo.empathy_project
    before, after = (
        by_dimension(scores(project, "2025-11")),
        by_dimension(scores(project, "2026-05")),
    )
    assert after["empathy"] <= before["empathy"] - 7, (before, after)
    for dimension in DIMENSIONS[:-1]:
        assert abs(after[dimension] - before[dimension]) <= 3.5, (dimension, before, after)
    # The customer-service and housekeeper posts carry the fall.
    posts_before = scores(project, "2025-11", dimension="empathy").by_post
    posts_after = scores(project, "2026-05", dimension="empathy").by_post
    fall = {
        b.key: b.index.value - a.index.value for b, a in zip(posts_before, posts_after, strict=True)
    }
    others = max(v for k, v in fall.items() if k not in ("cs", "housekeeper"))
    assert min(fall["cs"], fall["housekeeper"]) >= max(15, 2 * others), fall
    for other in demo.projects:
        if other != project:
            b, a = by_dimension(scores(other, "2025-11")), by_dimension(scores(other, "2026-05"))
            assert abs(a["empathy"] - b["empathy"]) <= 4, (other.code, b, a)


def test_planted_staff_batch_is_caught_by_the_quality_checks(demo):
    """(3) The first project's 2026-05 wave: answers submitted with staff accounts."""
    company = demo.company
    staff_hashes = {
        identity_hash(number)
        for number in Staff.objects.filter(company=company).values_list("employee_no", flat=True)
    }
    wave = demo.wave("2026-05")
    batch = list(Response.objects.filter(campaign=wave, phone_hash__in=staff_hashes))
    assert len(batch) == demo_surveys.STAFF_BATCH
    assert {r.project.code for r in batch} == {demo.projects[0].code}
    times = sorted(r.submitted_at for r in batch)
    assert times[-1] - times[0] <= dt.timedelta(hours=1)
    assert len({r.device_hash for r in batch}) == 1
    assert all(r.excluded for r in batch)
    for response in batch:
        assert {STAFF_ACCOUNT, STRAIGHT_LINER, DUPLICATE_DEVICE} <= set(flag_codes(response))
        numbers = set(
            response.answers.filter(number__isnull=False).values_list("number", flat=True)
        )
        assert numbers == {5.0, 10.0}
    # Nothing else is flagged; running the checks again changes nothing.
    flagged = Response.objects.filter(company=company).exclude(quality_flags=[])
    assert set(flagged.values_list("pk", flat=True)) == {r.pk for r in batch}
    assert Response.objects.filter(company=company, excluded=True).count() == len(batch)
    same_wave = list(Response.objects.filter(campaign=wave, project=demo.projects[0]))
    again = flag_responses(same_wave)
    assert {pk for pk, codes in again.items() if codes} == {r.pk for r in batch}
    assert (
        not Response.objects.filter(campaign=wave, excluded=True)
        .exclude(pk__in=[r.pk for r in batch])
        .exists()
    )
    # The scores leave them out.
    result = scores(demo.projects[0], "2026-05")
    in_period = Response.objects.filter(
        project=demo.projects[0], campaign=wave, excluded=False
    ).count()
    assert result.index.n == in_period


def test_planted_detractors_call_backs_and_conversion(demo):
    """(4) Detractors in every wave; call-back tasks for the live wave's; conversion."""
    company = demo.company
    for campaign in demo.campaigns:
        detractors = Answer.objects.filter(
            response__campaign=campaign,
            question__role=Question.Role.RECOMMEND,
            number__lte=6,
        )
        assert detractors.count() >= 10, campaign.name
    live_detractors = Response.objects.filter(
        campaign=demo.live,
        answers__question__role=Question.Role.RECOMMEND,
        answers__number__lte=6,
    )
    tasks = CallbackTask.objects.filter(company=company)
    assert set(tasks.values_list("response__campaign", flat=True)) == {demo.live.id}
    detractor_tasks = tasks.filter(reason=CallbackTask.Reason.DETRACTOR)
    assert set(detractor_tasks.values_list("response_id", flat=True)) == set(
        live_detractors.values_list("pk", flat=True)
    )
    for task in tasks:
        assert task.due_at == task.response.submitted_at + dt.timedelta(hours=24)
        assert task.assigned_to.post.code == "cs"
        assert task.assigned_to.projects.filter(pk=task.project_id).exists()
    done = tasks.filter(done_at__isnull=False)
    assert done.exists() and not done.filter(done_at__gt=demo.now).exists()
    assert done.filter(outcome=CallbackTask.Outcome.REACHED, recovered=True).exists()
    assert done.filter(outcome=CallbackTask.Outcome.NOT_REACHED).exists()
    open_tasks = tasks.filter(done_at__isnull=True)
    assert open_tasks.filter(due_at__lt=demo.now).exists()  # overdue
    assert open_tasks.filter(due_at__gte=demo.now).exists() or open_tasks.count() >= 5
    # The product makes no second task for the same answer.
    before = tasks.count()
    for response in live_detractors[:5]:
        create_callbacks(response, notify=False)
    assert tasks.count() == before

    hq = User.objects.create(username="hq-surveys-test", company=company, role=Role.HQ)
    may = scoring.parse_period("2026-05")
    conversion = detractor_conversion(user=hq, org=company, since=may.start, until=may.end)
    assert conversion.households >= 10
    assert conversion.converted >= 5 and conversion.detractors >= 1
    assert 0.3 <= conversion.rate.rate <= 0.95


def test_after_service_surveys_follow_the_orders(demo):
    company = demo.company
    end = timezone.make_aware(dt.datetime.combine(REFERENCE_DATE, dt.time(23, 59, 59)))
    closed = WorkOrder.objects.filter(
        company=company,
        category__kind=Kind.REPAIR,
        state=State.CLOSED,
        household__isnull=False,
        closed_at__lte=end,
    )
    mot = Response.objects.filter(company=company, workorder__isnull=False)
    assert 0.25 <= mot.count() / closed.count() <= 0.36
    assert (
        mot.count()
        == Invitation.objects.filter(workorder__isnull=False, completed_at__isnull=False).count()
    )
    for response in mot.select_related("workorder", "invitation")[:300]:
        order = response.workorder
        assert response.post_id == order.post_id and response.staff_id == order.assignee_id
        assert response.household_id == order.household_id
        assert order.closed_at < response.submitted_at <= response.invitation.expires_at
    overall = defaultdict(list)
    for number, response_breached, resolve_breached in Answer.objects.filter(
        response__in=mot, question__role=Question.Role.OVERALL
    ).values_list(
        "number", "response__workorder__response_breached", "response__workorder__resolve_breached"
    ):
        overall[response_breached or resolve_breached].append(number)
    kept, broken = np.mean(overall[False]), np.mean(overall[True])
    assert kept >= 4.2 and broken <= kept - 0.6, (kept, broken)


def test_live_wave_shows_progress_by_stratum(demo):
    live = demo.live
    progress = campaign_progress(live)
    assert progress.responses > 0 and len(progress.strata) == len(demo.projects)
    assert any(not row.reached for row in progress.strata)
    assert all(0 < row.responses < row.invited for row in progress.strata)
    assert not Response.objects.filter(campaign=live, submitted_at__gt=demo.now).exists()
    invitations = Invitation.objects.filter(campaign=live)
    assert not invitations.filter(sent_at__gt=demo.now).exists()
    assert not invitations.filter(reminded_at__gt=demo.now).exists()
    assert invitations.filter(reminder_count__gte=1, completed_at__isnull=True).exists()
