"""Reads of work orders, always through the user's scope."""

import datetime as dt

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from ganzhi.core.periods import parse_period
from ganzhi.core.scoping import visible
from ganzhi.workorders.models import (
    OPEN_STATES,
    Category,
    FollowUp,
    SLAPolicy,
    WorkOrder,
    WorkOrderEvent,
)


def workorder_queue(
    *,
    user,
    region: str = "",
    project: str = "",
    state: str = "",
    category: str = "",
    kind: str = "",
    post: str = "",
    breached: bool | None = None,
    mine: bool = False,
    q: str = "",
    open_only: bool = False,
    created_in: str = "",
) -> QuerySet[WorkOrder]:
    """Orders sorted by urgency: open before finished, then by the next promise to fall
    due (response while unanswered, else resolution), oldest first."""
    orders = visible(
        WorkOrder.objects.select_related(
            "project", "category", "assignee", "post", "unit__building"
        ),
        user,
    )
    if region:
        orders = orders.filter(project__region__public_id=region)
    if project:
        orders = orders.filter(project__public_id=project)
    if state:
        orders = orders.filter(state=state)
    elif open_only:
        orders = orders.filter(state__in=OPEN_STATES)
    if category:
        orders = orders.filter(category__public_id=category)
    if kind:
        orders = orders.filter(kind=kind)
    if post:
        orders = orders.filter(post__public_id=post)
    if breached is True:
        orders = orders.filter(Q(response_breached=True) | Q(resolve_breached=True))
    elif breached is False:
        orders = orders.filter(response_breached=False, resolve_breached=False)
    if mine:
        staff = getattr(user, "staff", None)
        orders = orders.filter(assignee=staff) if staff else orders.none()
    if q:
        orders = orders.filter(Q(number__iexact=q) | Q(title__icontains=q))
    if created_in:
        period = parse_period(created_in)
        orders = orders.filter(created_at__gte=period.start, created_at__lt=period.end)
    return orders.annotate(
        is_finished=Case(
            When(state__in=OPEN_STATES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        next_due=Case(
            When(responded_at__isnull=True, then=F("response_due_at")),
            default=F("resolve_due_at"),
        ),
    ).order_by("is_finished", Coalesce("next_due", "created_at"), "created_at")


def workorder_timeline(*, order: WorkOrder, owner_view: bool = False) -> list[WorkOrderEvent]:
    events = order.events.select_related("actor")
    if owner_view:
        events = events.filter(visible_to_owner=True)
    return list(events)


def followups_due(*, user, until: dt.datetime | None = None) -> QuerySet[FollowUp]:
    until = until or timezone.now() + dt.timedelta(days=1)
    return (
        visible(FollowUp.objects.filter(done_at__isnull=True, due_at__lte=until), user)
        .select_related("order__project")
        .order_by("due_at")
    )


def sla_policies(*, user) -> QuerySet[SLAPolicy]:
    return visible(SLAPolicy.objects.select_related("category"), user)


def categories(*, user) -> QuerySet[Category]:
    return visible(Category.objects.filter(is_active=True).select_related("post"), user)
