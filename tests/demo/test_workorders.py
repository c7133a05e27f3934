"""Work orders of the demo company (ganzhi.demo.workorders), on the real test database.

Most tests share one demo of 2,500 households (generated once for the module in an
outer transaction that is rolled back at the end); each test runs in a savepoint.
"""

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import pairwise
from random import Random
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ganzhi.core.errors import DomainError
from ganzhi.demo.generator import REFERENCE_DATE, DemoSummary, generate_demo
from ganzhi.demo.workorders import WORSE_ATTAINMENT, planted_dates
from ganzhi.org.models import Company, Project, Unit
from ganzhi.owners.models import HouseholdMember
from ganzhi.workorders import services
from ganzhi.workorders.models import (
    OPEN_STATES,
    Category,
    Escalation,
    FollowUp,
    ServiceRecovery,
    SLAPolicy,
    State,
    WorkOrder,
    WorkOrderEvent,
)

HOUSEHOLDS = 2500
ZONE = ZoneInfo(settings.TIME_ZONE)
REFERENCE_END = dt.datetime.combine(REFERENCE_DATE, dt.time(23, 59, 59), tzinfo=ZONE)
PLANTED = planted_dates(REFERENCE_DATE)
FINISHED = (State.RESOLVED, State.CLOSED)


def local_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZONE)


@dataclass
class Demo:
    summary: DemoSummary
    company: Company
    now: dt.datetime
    projects: list[Project]

    @property
    def history(self):
        return WorkOrder.objects.filter(company=self.company, created_at__lte=REFERENCE_END)

    @property
    def live(self):
        return WorkOrder.objects.filter(company=self.company, created_at__gt=REFERENCE_END)

    @property
    def garage_project(self) -> Project:
        parked = Unit.objects.filter(
            company=self.company,
            type=Unit.Type.PARKING,
            status__in=[Unit.Status.OCCUPIED, Unit.Status.RENTED],
        )
        codes = set(parked.values_list("project__code", flat=True))
        return next((p for p in self.projects if p.code in codes), self.projects[0])

    @property
    def worse_project(self) -> Project:
        return next(p for p in self.projects if p != self.garage_project)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            now = timezone.now()
            summary = generate_demo(households=HOUSEHOLDS, seed=1, now=now)
            company = Company.objects.get(code="demo")
            projects = list(Project.objects.filter(company=company).order_by("code"))
            yield Demo(summary, company, now, projects)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- determinism -------------------------------------------------------------------------


def snapshot(*, live: bool) -> list[str]:
    """The work orders in an id-free, sorted form (history only unless ``live``)."""
    orders = WorkOrder.objects.filter(company__code="demo")
    if not live:
        orders = orders.filter(created_at__lte=REFERENCE_END)
    key = (
        "project__code",
        "unit__building__name",
        "unit__entrance",
        "unit__number",
        "created_at",
        "category__code",
    )
    rows = orders.values_list(
        *key,
        "kind",
        "priority",
        "channel",
        "title",
        "description",
        "location_note",
        "reporter__phone",
        "reporter_name",
        "place__name",
        "state",
        "assignee__employee_no",
        "responded_at",
        "resolved_at",
        "closed_at",
        "sla_policy__name",
        "response_due_at",
        "resolve_due_at",
        "response_breached",
        "resolve_breached",
        "escalation_level",
        "next_check_at",
        "reopen_count",
        "urge_count",
        "is_repeat",
        "escalation_risk",
    )
    events = WorkOrderEvent.objects.filter(order__in=orders).values_list(
        *(f"order__{k}" for k in key),
        "type",
        "actor_label",
        "from_state",
        "to_state",
        "note",
        "data",
        "created_at",
    )
    followups = FollowUp.objects.filter(order__in=orders).values_list(
        *(f"order__{k}" for k in key), "due_at", "done_at", "outcome", "rating", "comment"
    )
    return sorted(map(str, [*rows, *events, *followups]))


def generated(households: int, seed: int, now: dt.datetime) -> tuple[list[str], list[str]]:
    savepoint = transaction.savepoint()
    try:
        generate_demo(households=households, seed=seed, now=now)
        return snapshot(live=False), snapshot(live=True)
    finally:
        transaction.savepoint_rollback(savepoint)


def test_history_is_deterministic_and_only_the_live_part_follows_the_clock(db):
    now = timezone.now()
    history, everything = generated(1500, 5, now)
    again, everything_again = generated(1500, 5, now)
    later, everything_later = generated(1500, 5, now + dt.timedelta(hours=5))
    other, _ = generated(1500, 6, now)
    assert len(history) > 20_000
    assert again == history
    assert everything_again == everything  # the same clock: the same live orders too
    assert later == history  # another clock: the same history …
    assert everything_later != everything  # … and other live orders
    assert other != history


# --- volume, mix, seasonality --------------------------------------------------------


def test_volume_mix_channels_and_seasons(demo):
    history = demo.history
    for project in demo.projects:
        homes = project.households.exclude(unit__type=Unit.Type.PARKING).count()
        per_year = history.filter(project=project).count() / homes / 2
        assert 1.1 <= per_year <= 2.0, (project.code, per_year)

    kinds = Counter(history.values_list("kind", flat=True))
    total = sum(kinds.values())
    assert 0.5 <= kinds["repair"] / total <= 0.7
    assert kinds["repair"] > kinds["complaint"] > kinds["enquiry"] > kinds["suggestion"]
    assert 0.01 <= kinds["praise"] / total <= 0.05
    assert set(history.values_list("channel", flat=True)) >= {
        "phone",
        "walk_in",
        "portal",
        "qr",
        "wechat",
        "patrol",
    }

    def per_month(code: str) -> Counter:
        return Counter(
            t.astimezone(ZONE).month
            for t in history.filter(category__code=code).values_list("created_at", flat=True)
        )

    def mean(counts: Counter, months) -> float:
        return sum(counts[m] for m in months) / len(months)

    leaks = per_month("repair-leak")
    assert mean(leaks, (5, 6, 7, 8)) > 2 * mean(leaks, (11, 12, 1, 2))
    power = per_month("repair-power")
    assert mean(power, (12, 1, 2)) > 1.4 * mean(power, (4, 5, 9, 10))
    decoration = per_month("complaint-decoration") + per_month("enquiry-decoration")
    assert mean(decoration, (3, 4, 9, 10)) > 2 * mean(decoration, (1, 2, 7))

    # Fewer orders in the Spring Festival week (2026-02-15 … 02-23) than usual.
    created = history.values_list("created_at", flat=True)
    days = Counter(t.astimezone(ZONE).date() for t in created)
    festival = [dt.date(2026, 2, d) for d in range(15, 24)]
    usual = [dt.date(2026, 3, d) for d in range(2, 30)]
    assert mean(days, festival) < 0.65 * mean(days, usual)


# --- consistent lives ---------------------------------------------------------------


def test_finished_orders_have_full_consistent_lives(demo):
    orders = {
        o.pk: o
        for o in demo.history.filter(state__in=FINISHED).select_related("category", "household")
    }
    assert len(orders) > 7000
    events = defaultdict(list)
    for event in WorkOrderEvent.objects.filter(order_id__in=orders).order_by("created_at", "id"):
        events[event.order_id].append(event)
    for pk, order in orders.items():
        assert order.created_at <= order.responded_at <= order.resolved_at
        if order.state == State.CLOSED:
            assert order.resolved_at <= order.closed_at
        timeline = events[pk]
        first = timeline[0]
        assert (first.type, first.to_state, first.created_at) == (
            "created",
            "new",
            order.created_at,
        )
        assert all(a.created_at <= b.created_at for a, b in pairwise(timeline))
        state = State.NEW
        for event in timeline[1:]:
            if event.type == "transition":
                assert event.from_state == state, (order.number, event.from_state, state)
                state = event.to_state
        assert state == order.state
        moves = [(e.from_state, e.to_state) for e in timeline if e.type == "transition"]
        assert ("accepted" in {to for _f, to in moves}) or ("new", "resolved") in moves
        breaches = {e.data["promise"] for e in timeline if e.type == "breach"}
        # Breached flags agree with the due times (and the sweep's breach events).
        assert order.response_breached == (order.responded_at > order.response_due_at)
        assert order.response_breached == ("response" in breaches)
        assert order.resolve_breached == ("resolve" in breaches)
        if order.reopen_count == 0:
            assert order.resolve_breached == (order.resolved_at > order.resolve_due_at)
        unsigned = {e.type for e in timeline if not e.actor_label}
        assert unsigned <= {"created", "warning", "breach", "escalation"}, order.number
        assert re.fullmatch(r"GD\d{6}\d{7,}", order.number)
        assert order.number == f"GD{order.created_at.astimezone(dt.UTC):%y%m%d}{order.pk:07d}"


def test_reporters_places_and_households(demo):
    history = demo.history
    primary = dict(
        HouseholdMember.objects.filter(company=demo.company, is_primary_contact=True).values_list(
            "household_id", "owner_id"
        )
    )
    on_units = history.filter(unit__isnull=False).values_list(
        "unit_id",
        "household_id",
        "household__unit_id",
        "reporter_id",
        "created_at",
        "household__move_in_date",
    )
    for unit, household, household_unit, reporter, created, move_in in on_units:
        assert household_unit == unit
        assert reporter == primary[household]
        assert created.astimezone(ZONE).date() >= move_in
    public = history.filter(unit__isnull=True)
    assert public.count() > 0.1 * history.count()
    assert not public.filter(location_note="").exists()
    assert not public.filter(household__isnull=False).exists()
    assert not history.filter(channel="qr", place__isnull=True).exists()
    assert not history.filter(channel="patrol", reporter__isnull=False).exists()
    assert not history.filter(channel="patrol", reporter_name="").exists()
    numbers = list(WorkOrder.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)


def test_due_times_are_what_the_services_compute(demo):
    orders = list(
        WorkOrder.objects.filter(company=demo.company)
        .select_related("sla_policy", "project", "category")
        .order_by("id")
    )
    sample = Random(7).sample(orders, 400) + [o for o in orders if o.reopen_count or o.paused_at]
    reopened = defaultdict(list)
    for order_id, at in WorkOrderEvent.objects.filter(
        order__in=[o for o in sample if o.reopen_count],
        type="transition",
        to_state="in_progress",
        from_state__in=["resolved", "closed"],
    ).values_list("order_id", "created_at"):
        reopened[order_id].append(at)
    for order in sample:
        promise = services._promise(order.sla_policy, order.project, order.created_at)
        assert order.response_due_at == promise.response_due_at, order.number
        if order.reopen_count:
            again = services._promise(order.sla_policy, order.project, max(reopened[order.pk]))
            assert order.resolve_due_at == again.resolve_due_at, order.number
        elif order.paused_at is None and order.state != State.WAITING_OWNER:
            assert order.resolve_due_at == promise.resolve_due_at, order.number
        created_priority = order.category.default_priority
        if order.is_repeat:
            created_priority = services._raise_priority(created_priority)
        policy = services.sla_policy_for(
            company_id=order.company_id,
            kind=order.kind,
            category=order.category,
            priority=created_priority,
        )
        assert order.sla_policy == policy, order.number
        if order.urge_count < 2:
            assert order.priority == created_priority
    # Both clocks are used, and the business one follows the official calendar.
    clocks = Counter(o.sla_policy.clock for o in orders)
    assert clocks[SLAPolicy.Clock.BUSINESS] > clocks[SLAPolicy.Clock.ALWAYS] > 0


def test_sla_attainment_per_project(demo):
    finished = demo.history.filter(state__in=FINISHED)
    kept = Q(response_breached=False, resolve_breached=False)
    change = local_start(PLANTED["worse_from"])
    worse = demo.worse_project

    def attainment(orders) -> float:
        return orders.filter(kept).count() / orders.count()

    rates = []
    for project in demo.projects:
        orders = finished.filter(project=project)
        if project == worse:
            before = attainment(orders.filter(created_at__lt=change))
            after = attainment(orders.filter(created_at__gte=change))
            assert 0.85 <= before <= 0.95, before
            assert WORSE_ATTAINMENT - 0.07 <= after <= WORSE_ATTAINMENT + 0.07, after
        else:
            rates.append(attainment(orders))
            assert 0.85 <= rates[-1] <= 0.95, (project.code, rates[-1])
    # Breached orders are rated lower.
    ratings = FollowUp.objects.filter(order__in=finished, rating__isnull=False)
    low_kept = ratings.filter(order__response_breached=False, order__resolve_breached=False)
    breached = ratings.exclude(pk__in=low_kept)

    def mean(qs) -> float:
        values = list(qs.values_list("rating", flat=True))
        return sum(values) / len(values)

    assert mean(low_kept) > mean(breached) + 0.5


def test_repeat_complaints_are_flagged_as_the_service_would(demo):
    complaints = WorkOrder.objects.filter(
        company=demo.company, kind="complaint", household__isnull=False
    )
    rows = sorted(
        complaints.values_list("household_id", "category_id", "created_at", "is_repeat", "pk"),
        key=lambda r: (r[2], r[4]),
    )
    window = dt.timedelta(days=settings.GANZHI_REPEAT_COMPLAINT_DAYS)
    last: dict[tuple, dt.datetime] = {}
    repeats = 0
    for household, category, created, is_repeat, _pk in rows:
        previous = last.get((household, category))
        assert is_repeat == (previous is not None and previous >= created - window)
        repeats += is_repeat
        last[household, category] = created
    assert repeats > 50
    repeat_orders = WorkOrder.objects.filter(company=demo.company, is_repeat=True)
    assert not repeat_orders.filter(escalation_risk=False).exists()
    assert repeat_orders.filter(title__startswith="再次反映").exists()


def test_follow_ups_reopens_and_recoveries(demo):
    finished = demo.history.filter(state__in=FINISHED)
    calls = FollowUp.objects.filter(order__in=finished)
    assert not finished.filter(followups__isnull=True).exists()  # every resolution is called
    rated = calls.filter(rating__isnull=False)
    assert rated.count() > 0.75 * finished.count()
    ratings = Counter(rated.values_list("rating", flat=True))
    assert (ratings[4] + ratings[5]) / sum(ratings.values()) > 0.75
    assert not calls.filter(rating__isnull=False).exclude(outcome="reached").exists()
    assert not calls.filter(rating__lt=3, satisfied=True).exists()
    reopened = finished.filter(reopen_count__gt=0)
    assert 0.01 * finished.count() < reopened.count() < 0.1 * finished.count()
    for order in reopened[:50]:
        assert order.followups.count() == 2
        assert order.followups.filter(satisfied=False).count() == 1
        assert order.escalation_risk
    recoveries = ServiceRecovery.objects.filter(order__company=demo.company)
    assert recoveries.count() > 20
    assert (
        not recoveries.exclude(order__kind="complaint")
        .exclude(order__location_note__startswith="地下车库")
        .exists()
    )
    assert not recoveries.filter(emotional_measures=[]).exists()
    for recovery in recoveries[:50]:
        assert recovery.order.events.filter(
            type="recovery", created_at=recovery.created_at
        ).exists()
    # Escalation rows match the sweep's events (minus resolution steps undone by reopening).
    escalations = Escalation.objects.filter(order__in=finished.filter(reopen_count=0))
    events = WorkOrderEvent.objects.filter(
        order__in=finished.filter(reopen_count=0), type__in=["warning", "breach", "escalation"]
    )
    assert escalations.count() == events.count() > 0


# --- planted problems ----------------------------------------------------------------


def test_planted_garage_leak_stays_unresolved_for_months(demo):
    garage = demo.garage_project
    leaks = demo.history.filter(
        project=garage,
        category__code__in=["complaint-leak", "repair-leak"],
        location_note__startswith="地下车库",
    )
    assert leaks.count() >= 20
    first = min(leaks.values_list("created_at", flat=True))
    assert first.astimezone(ZONE).date() >= PLANTED["garage_from"]
    still_open = leaks.filter(state__in=OPEN_STATES)
    assert still_open.count() >= 5
    assert not still_open.filter(resolve_breached=False).exists()
    assert still_open.filter(escalation_level=4).count() >= 5
    assert still_open.filter(kind="complaint", is_repeat=True).exists()
    assert still_open.filter(urge_count__gte=1).exists()
    oldest = min(still_open.values_list("created_at", flat=True))
    assert REFERENCE_END - first > dt.timedelta(days=150)  # reported again and again for months
    assert REFERENCE_END - oldest > dt.timedelta(days=50)  # and open for weeks
    assert oldest.astimezone(ZONE).date() >= PLANTED["garage_open_from"]
    if garage.units.filter(type=Unit.Type.PARKING).exists():
        assert not leaks.filter(unit__isnull=True).exists()
        assert set(leaks.values_list("unit__type", flat=True)) == {Unit.Type.PARKING}
    # Nowhere else is a history order left open.
    assert not demo.history.filter(state__in=OPEN_STATES).exclude(pk__in=still_open).exists()


def test_cleaning_complaints_rise_in_the_last_quarter(demo):
    months = Counter(
        (t.astimezone(ZONE).year, t.astimezone(ZONE).month)
        for t in demo.history.filter(category__code="complaint-cleaning").values_list(
            "created_at", flat=True
        )
    )
    start = PLANTED["cleaning_from"]
    last = [n for (y, m), n in months.items() if dt.date(y, m, 1) >= start]
    before = [n for (y, m), n in months.items() if dt.date(y, m, 1) < start]
    assert len(last) == 3
    assert sum(last) / 3 > 2 * sum(before) / len(before)


# --- live orders ---------------------------------------------------------------------


def test_live_orders_show_countdowns_and_breaches_and_the_sweep_takes_over(demo):
    live = demo.live
    assert demo.summary.live_workorders == live.count()
    for project in demo.projects:
        mine = live.filter(project=project, state__in=OPEN_STATES)
        breached = mine.filter(Q(response_breached=True) | Q(resolve_breached=True))
        assert breached.filter(response_breached=True).exists()
        assert breached.filter(resolve_breached=True).exists()
        counting = mine.filter(response_breached=False, resolve_breached=False)
        assert counting.filter(resolve_due_at__gt=demo.now).count() >= 3
        assert mine.filter(state=State.NEW).exists()
        waiting = mine.get(state=State.WAITING_OWNER)
        assert waiting.paused_at and waiting.resolve_minutes_left > 0
        assert waiting.next_check_at is None
    assert not live.filter(created_at__gt=demo.now).exists()
    assert not live.filter(created_at__lt=demo.now - dt.timedelta(days=40)).exists()
    # next_check_at is services._next_check at generation time.
    for order in live.filter(state__in=OPEN_STATES).select_related("sla_policy"):
        assert order.next_check_at == services._next_check(order, demo.now), order.number
    # The owner1 demo login's household has a live order.
    first = demo.projects[0]
    assert live.filter(project=first, channel="portal", household__isnull=False).exists()

    # Sweeping at generation time finds nothing new for live orders: it already happened.
    before = Escalation.objects.filter(order__in=live).count()
    services.sla_sweep(now=demo.now)
    assert Escalation.objects.filter(order__in=live).count() == before
    # The real sweep runs over them without errors, and takes them on from here.
    services.sla_sweep(now=timezone.now())
    later = services.sla_sweep(now=demo.now + dt.timedelta(days=3))
    assert later.breaches > 0
    assert services.sla_sweep(now=demo.now + dt.timedelta(days=3)).breaches == 0


def test_defaults_are_there_and_work_orders_can_be_left_out(db):
    summary = generate_demo(households=300, seed=2, workorders=False)
    company = Company.objects.get(code="demo")
    assert summary.workorders == 0
    assert not WorkOrder.objects.exists()
    assert Category.objects.filter(company=company).count() >= 30
    assert SLAPolicy.objects.filter(company=company).exists()
    with pytest.raises(DomainError) as error:
        generate_demo(households=300, seed=2, workorder_years=0)
    assert error.value.code == "demo_invalid_years"


def test_one_year_of_history(db):
    summary = generate_demo(households=400, seed=3, workorder_years=1)
    first = WorkOrder.objects.order_by("created_at").first().created_at
    assert first.astimezone(ZONE).date() > REFERENCE_DATE - dt.timedelta(days=366)
    assert summary.workorders == WorkOrder.objects.count() > 0
