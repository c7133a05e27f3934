"""Work-order lifecycle, promises and the sweep, through the services (real database)."""

import datetime as dt
import itertools

import pytest

from ganzhi.core.errors import DomainError
from ganzhi.notifications.models import Notification
from ganzhi.org.models import Staff
from ganzhi.workorders import services
from ganzhi.workorders.calendars import calendar_warnings
from ganzhi.workorders.models import Escalation, FollowUp, State, WorkOrder, WorkOrderEvent
from ganzhi.workorders.states import TRANSITIONS
from tests.workorders.conftest import local


def create(wo, code="repair-water", when=None, actor=None, **extra):
    return services.workorder_create(
        actor=actor or wo.cs_a,
        project=wo.project_a,
        category=wo.categories[code],
        title="厨房水管漏水",
        channel="phone",
        unit=wo.unit_x,
        now=when or local(2026, 11, 18, 10, 0),
        **extra,
    )


def move(wo, order, to, actor=None, when=None, **extra):
    return services.workorder_transition(
        actor=actor or wo.cs_a,
        order=order,
        to=to,
        now=when or local(2026, 11, 18, 10, 5),
        **extra,
    )


def test_defaults_give_at_least_30_categories_and_a_default_policy(wo):
    assert len(wo.categories) >= 30
    kinds = {c.kind for c in wo.categories.values()}
    assert kinds == {"repair", "complaint", "enquiry", "suggestion", "praise"}
    for needed in ("complaint-throwing", "repair-leak", "repair-lift", "complaint-pet"):
        assert needed in wo.categories


def test_complaint_promise_across_a_weekend(wo):
    # Friday 2026-11-20 17:00; complaint policy: 30 business minutes to respond, one working
    # day (570 minutes, 08:30–18:00) to resolve. 60 minutes are left on Friday, so the
    # remaining 510 run from Monday 08:30 → Monday 17:00.
    order = create(wo, "complaint-service", when=local(2026, 11, 20, 17, 0))
    assert order.response_due_at == local(2026, 11, 20, 17, 30)
    assert order.resolve_due_at == local(2026, 11, 23, 17, 0)
    assert order.number.startswith("GD261120")


def test_repair_promise_across_national_day_2026(wo):
    # Repair (normal): 60 minutes to respond, two working days (1140 minutes) to resolve.
    # 2026-09-30 17:00: 60 minutes that day; Oct 1–7 are holidays; Oct 8 gives 570; the last
    # 510 run on Oct 9 from 08:30 → 17:00.
    order = create(wo, "repair-water", when=local(2026, 9, 30, 17, 0))
    assert order.response_due_at == local(2026, 9, 30, 18, 0)
    assert order.resolve_due_at == local(2026, 10, 9, 17, 0)


def test_make_up_working_day_counts(wo):
    # Friday 2026-10-09 17:30 + 60 business minutes: 30 on Friday, then Saturday Oct 10 is an
    # official make-up working day → 09:00 on Saturday.
    order = create(wo, "repair-water", when=local(2026, 10, 9, 17, 30))
    assert order.response_due_at == local(2026, 10, 10, 9, 0)


def test_order_into_a_year_without_official_data(wo):
    # 2026-12-31 17:00, complaint: 60 minutes on Dec 31, then 2027-01-01 (a Friday) counts as
    # a working day because 2027's schedule is not published yet → 08:30 + 510 = 17:00.
    order = create(wo, "complaint-service", when=local(2026, 12, 31, 17, 0))
    assert order.resolve_due_at == local(2027, 1, 1, 17, 0)
    warnings = calendar_warnings(company_id=wo.company.id, today=dt.date(2026, 11, 24))
    assert len(warnings) == 1 and "2027" in warnings[0]
    assert calendar_warnings(company_id=wo.company.id, today=dt.date(2026, 6, 1)) == []


def test_emergency_runs_on_the_24x7_clock(wo):
    order = create(wo, "repair-lift", when=local(2026, 11, 21, 23, 0))  # Saturday night
    assert order.response_due_at == local(2026, 11, 21, 23, 15)
    assert order.resolve_due_at == local(2026, 11, 22, 3, 0)


def test_clock_pauses_while_waiting_on_the_owner(wo):
    order = create(wo, "repair-water", when=local(2026, 11, 16, 9, 0))  # Monday
    # due: 1140 business minutes → Monday 09:00 + 540 (to 18:00) + Tuesday 570 → Wed 09:00
    assert order.resolve_due_at == local(2026, 11, 18, 9, 0)
    move(
        wo,
        order,
        "dispatched",
        when=local(2026, 11, 16, 9, 5),
        assignee=Staff.objects.get(user=wo.fixer),
    )
    move(wo, order, "accepted", actor=wo.fixer, when=local(2026, 11, 16, 9, 10))
    move(wo, order, "waiting_owner", actor=wo.fixer, when=local(2026, 11, 16, 10, 0))
    order.refresh_from_db()
    # left at 10:00 Monday: 480 (to 18:00) + 570 (Tuesday) + 30 (Wed) = 1080 minutes
    assert order.resolve_minutes_left == 1080
    assert order.next_check_at is None  # the sweep ignores a paused order
    move(wo, order, "in_progress", actor=wo.fixer, when=local(2026, 11, 19, 14, 0))  # Thursday
    order.refresh_from_db()
    # 1080 from Thursday 14:00: 240 that day, 570 Friday, 270 Monday → 2026-11-23 13:00
    assert order.resolve_due_at == local(2026, 11, 23, 13, 0)
    assert order.paused_at is None


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s, t in itertools.product(State.values, State.values) if t not in TRANSITIONS[s]],
)
def test_every_illegal_transition_is_refused(wo, source, target):
    order = create(wo)
    WorkOrder.objects.filter(pk=order.pk).update(state=source)
    order.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        move(wo, order, target, actor=wo.manager)
    assert caught.value.code == "illegal_transition"
    assert caught.value.status == 409
    order.refresh_from_db()
    assert order.state == source


def test_only_the_assignee_or_the_post_queue_may_work(wo):
    order = create(wo)
    fixer, fixer2 = (Staff.objects.get(user=u) for u in (wo.fixer, wo.fixer2))
    move(wo, order, "dispatched", assignee=fixer)
    with pytest.raises(DomainError) as caught:
        move(wo, order, "accepted", actor=wo.fixer2)
    assert caught.value.code == "forbidden"
    with pytest.raises(DomainError):  # front-line staff cannot dispatch
        move(wo, order, "dispatched", actor=wo.fixer, assignee=fixer2)
    move(wo, order, "accepted", actor=wo.fixer)
    order.refresh_from_db()
    assert order.assignee == fixer and order.responded_at == local(2026, 11, 18, 10, 5)


def test_grab_from_the_post_queue(wo):
    order = create(wo)  # repair-water belongs to the engineering post
    assert order.post.code == "engineering"
    move(wo, order, "accepted", actor=wo.fixer2)
    order.refresh_from_db()
    assert order.assignee.user == wo.fixer2


def test_cancel_needs_a_reason_and_staff_outside_the_project_are_refused(wo):
    order = create(wo)
    with pytest.raises(DomainError) as caught:
        move(wo, order, "cancelled")
    assert caught.value.code == "invalid"
    with pytest.raises(DomainError) as caught:
        move(wo, order, "cancelled", actor=wo.staff, note="重复")  # customer service of B
    assert caught.value.status == 404
    move(wo, order, "cancelled", note="业主已自行处理")
    order.refresh_from_db()
    assert order.state == "cancelled"


def test_every_transition_is_audited(wo):
    order = create(wo)
    move(wo, order, "accepted", actor=wo.fixer, note="马上到")
    move(wo, order, "resolved", actor=wo.fixer, note="已更换水管")
    events = list(order.events.values_list("type", "from_state", "to_state", "actor_label"))
    assert events == [
        ("created", "", "new", "cs_a"),
        ("transition", "new", "accepted", "fixer"),
        ("transition", "accepted", "resolved", "fixer"),
    ]


def test_resolving_schedules_a_follow_up_that_closes_or_reopens(wo):
    order = create(wo)
    move(wo, order, "accepted", actor=wo.fixer)
    move(wo, order, "resolved", actor=wo.fixer, when=local(2026, 11, 18, 15, 0))
    followup = FollowUp.objects.get(order=order)
    assert followup.due_at == local(2026, 11, 19, 15, 0)
    services.followup_record(
        actor=wo.cs_a, followup=followup, outcome="reached", rating=2, comment="还在滴水"
    )
    order.refresh_from_db()
    assert order.state == "in_progress" and order.reopen_count == 1
    move(wo, order, "resolved", actor=wo.fixer)
    second = FollowUp.objects.get(order=order, done_at__isnull=True)
    services.followup_record(actor=wo.cs_a, followup=second, outcome="reached", rating=5)
    order.refresh_from_db()
    assert order.state == "closed"
    with pytest.raises(DomainError) as caught:
        services.followup_record(actor=wo.cs_a, followup=second, outcome="reached", rating=5)
    assert caught.value.code == "already_done"


def test_follow_up_needs_a_valid_rating(wo):
    order = create(wo)
    move(wo, order, "accepted", actor=wo.fixer)
    move(wo, order, "resolved", actor=wo.fixer)
    followup = FollowUp.objects.get(order=order)
    with pytest.raises(DomainError):
        services.followup_record(actor=wo.cs_a, followup=followup, outcome="reached", rating=7)
    with pytest.raises(DomainError):
        services.followup_record(actor=wo.fixer, followup=followup, outcome="reached", rating=4)


def test_repeat_complaint_is_flagged_and_raised(wo):
    first = create(wo, "complaint-cleaning", when=local(2026, 11, 1, 10, 0))
    assert not first.is_repeat and first.priority == "normal"
    second = create(wo, "complaint-cleaning", when=local(2026, 11, 20, 10, 0))
    assert second.is_repeat and second.escalation_risk and second.priority == "high"
    third = create(wo, "complaint-cleaning", when=local(2026, 12, 15, 10, 0))
    assert third.is_repeat  # 25 days after the second
    later = create(wo, "complaint-cleaning", when=local(2027, 3, 1, 10, 0))
    assert not later.is_repeat


def test_owner_urge_is_recorded_and_throttled(wo):
    order = create(wo)
    services.workorder_urge(order=order, now=local(2026, 11, 18, 11, 0))
    with pytest.raises(DomainError) as caught:
        services.workorder_urge(order=order, now=local(2026, 11, 18, 11, 10))
    assert caught.value.code == "too_soon"
    services.workorder_urge(order=order, now=local(2026, 11, 18, 12, 0))
    order.refresh_from_db()
    assert order.urge_count == 2 and order.escalation_risk and order.priority == "high"
    assert order.events.filter(type="urge").count() == 2


# --- the sweep ----------------------------------------------------------------------


def sweep(when):
    return services.sla_sweep(now=when)


def test_sweep_warns_breaches_and_escalates_step_by_step(wo, django_capture_on_commit_callbacks):
    # complaint on Monday 2026-11-16 09:00: respond by 09:30, resolve by 18:00 (540 minutes
    # that day... the policy's 570 run into Tuesday 08:30+30 → Tuesday 09:00).
    order = create(wo, "complaint-service", when=local(2026, 11, 16, 9, 0))
    assert order.resolve_due_at == local(2026, 11, 17, 9, 0)
    fixer = Staff.objects.get(user=wo.fixer)
    move(wo, order, "dispatched", assignee=fixer, when=local(2026, 11, 16, 9, 1))
    assert sweep(local(2026, 11, 16, 9, 10)).warnings == 0
    # 80 % of the 30-minute response window: 09:24
    assert sweep(local(2026, 11, 16, 9, 25)).warnings == 1
    result = sweep(local(2026, 11, 16, 9, 31))
    assert result.breaches == 1
    order.refresh_from_db()
    assert order.response_breached and not order.resolve_breached
    move(wo, order, "accepted", actor=wo.fixer, when=local(2026, 11, 16, 9, 40))
    # resolution: created 09:00 Mon, due 09:00 Tue (24 h of wall time) → warning at 80 %
    assert sweep(local(2026, 11, 17, 4, 13)).warnings == 1
    assert sweep(local(2026, 11, 17, 9, 1)).breaches == 1
    order.refresh_from_db()
    assert order.resolve_breached
    # then one level up every half of the target (12 h): 21:00 PM, 09:00 region, 21:00 HQ
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(local(2026, 11, 17, 21, 1)).escalations == 1
        assert sweep(local(2026, 11, 18, 21, 1)).escalations == 2
    order.refresh_from_db()
    assert order.escalation_level == 4
    steps = list(
        Escalation.objects.filter(order=order)
        .order_by("fired_at", "level")
        .values_list("step", flat=True)
    )
    assert steps == [
        "response_warning",
        "response_breach",
        "resolve_warning",
        "resolve_breach",
        "resolve_escalation_2",
        "resolve_escalation_3",
        "resolve_escalation_4",
    ]
    assert Notification.objects.filter(recipient=wo.manager).exists()  # supervisor / PM
    assert Notification.objects.filter(recipient=wo.hq).exists()
    assert Notification.objects.filter(recipient=wo.region).count() == 0  # south region only


def test_sweeping_again_fires_nothing_twice(wo):
    order = create(wo, "complaint-service", when=local(2026, 11, 16, 9, 0))
    first = sweep(local(2026, 11, 18, 21, 1))
    assert (first.breaches, first.escalations) == (2, 3)
    WorkOrder.objects.filter(pk=order.pk).update(next_check_at=local(2026, 11, 16, 9, 0))
    again = sweep(local(2026, 11, 18, 21, 2))
    assert (again.warnings, again.breaches, again.escalations) == (0, 0, 0)
    assert Escalation.objects.filter(order=order).count() == 5
    assert order.events.filter(type__in=["breach", "escalation"]).count() == 5


def test_a_sweep_that_dies_midway_loses_nothing(wo):
    from django.db import transaction

    order = create(wo, "complaint-service", when=local(2026, 11, 16, 9, 0))

    class WorkerKilled(Exception):
        pass

    with pytest.raises(WorkerKilled), transaction.atomic():
        sweep(local(2026, 11, 17, 9, 1))
        raise WorkerKilled  # the transaction is rolled back, as when the process dies
    assert not Escalation.objects.filter(order=order).exists()
    assert sweep(local(2026, 11, 17, 9, 2)).breaches == 2
    assert Escalation.objects.filter(order=order, step="resolve_breach").count() == 1


def test_paused_and_finished_orders_are_not_swept(wo):
    order = create(wo, "complaint-service", when=local(2026, 11, 16, 9, 0))
    move(wo, order, "accepted", actor=wo.manager, when=local(2026, 11, 16, 9, 5))
    move(wo, order, "resolved", actor=wo.manager, when=local(2026, 11, 16, 9, 10))
    assert sweep(local(2026, 11, 20, 9, 0)).breaches == 0
    assert not WorkOrderEvent.objects.filter(order=order, type="breach").exists()
