"""Reads for the owner portal: an owner's orders, the owner-visible timeline, and how
staff and promises are shown to owners."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ganzhi.core.roles import Role
from ganzhi.owners.models import Household, Owner
from ganzhi.workorders.models import Category, Kind, State, WorkOrder, WorkOrderEvent

# The kinds an owner can report (praise goes through the follow-up call and surveys).
REPORT_KINDS = (Kind.REPAIR, Kind.COMPLAINT, Kind.SUGGESTION, Kind.ENQUIRY)


def owner_households(owners: list[Owner]) -> QuerySet[Household]:
    return (
        Household.objects.filter(is_current=True, memberships__owner__in=owners)
        .select_related("unit__building", "project")
        .distinct()
        .order_by("project__name", "unit__building__name", "unit__entrance", "unit__number")
    )


def owner_orders(owners: list[Owner]) -> QuerySet[WorkOrder]:
    """Orders of the owners' current households, and orders they reported themselves
    (a QR report from their phone number has no household)."""
    if not owners:
        return WorkOrder.objects.none()
    households = Household.objects.filter(is_current=True, memberships__owner__in=owners).values(
        "pk"
    )
    return (
        WorkOrder.objects.filter(Q(household__in=households) | Q(reporter__in=owners))
        .select_related("project", "unit__building", "place", "category")
        .order_by("-created_at", "-pk")
    )


def owner_order_or_404(owners: list[Owner], public_id) -> WorkOrder:
    """One of the owners' orders; 404 for any other id, also one that exists."""
    try:
        return owner_orders(owners).get(public_id=public_id)
    except (WorkOrder.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def report_categories(company_id: int) -> list[Category]:
    return list(
        Category.objects.filter(company_id=company_id, is_active=True, kind__in=REPORT_KINDS)
    )


# --- how things look to an owner ---------------------------------------------------

_COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容"}
    | {"令狐", "长孙", "夏侯", "轩辕", "端木", "司徒", "申屠", "宇文", "独孤"}
)
_MANAGER_ROLES = frozenset({Role.HQ, Role.REGION_MANAGER, Role.PROJECT_MANAGER})


def surname(name: str) -> str:
    """The family name of a Chinese name (first one or two characters); for other names
    the last word."""
    name = (name or "").strip()
    if not name:
        return ""
    if not name.isascii():
        return name[:2] if name[:2] in _COMPOUND_SURNAMES else name[:1]
    return name.split()[-1]


def staff_public_name(user) -> str:
    """How a staff member appears to owners: post and family name only — "工程维修 王师傅",
    never the full name."""
    staff = getattr(user, "staff", None) if user is not None else None
    if staff is None:
        return _("Property service centre")
    family = surname(user.last_name or staff.name)
    post = staff.post.name if staff.post_id else (Role(user.role).label if user.role else "")
    if not family:
        return post or _("Property service centre")
    if user.role == Role.FRONTLINE:
        return _("%(post)s Master %(surname)s") % {"post": post, "surname": family}
    if user.role in _MANAGER_ROLES:
        return _("%(post)s Manager %(surname)s") % {"post": post, "surname": family}
    return _("%(post)s Officer %(surname)s") % {"post": post, "surname": family}


@dataclass
class TimelineEntry:
    at: dt.datetime
    what: str
    who: str
    note: str
    stars: int | None = None


def owner_timeline(order: WorkOrder) -> list[TimelineEntry]:
    """The events an owner may see, oldest first. Staff-internal events and notes
    (``visible_to_owner`` false) are never read."""
    events = order.events.filter(visible_to_owner=True).select_related("actor__staff__post")
    entries = []
    for event in events:
        # staff as post and family name; "业主" for the owner's own actions; "" for the system
        who = staff_public_name(event.actor) if event.actor_id else event.actor_label
        stars = None
        if event.type == WorkOrderEvent.Type.CREATED:
            what = _("Request received (%(channel)s)") % {"channel": order.get_channel_display()}
        elif event.type == WorkOrderEvent.Type.TRANSITION and event.to_state:
            what = _("Status: %(state)s") % {"state": State(event.to_state).label}
        elif event.type == WorkOrderEvent.Type.RATING:
            what = event.get_type_display()
            stars = (event.data or {}).get("rating")
        elif event.type == WorkOrderEvent.Type.ATTACHMENT:
            what = _("Photo added")
        else:
            what = event.get_type_display()
        entries.append(
            TimelineEntry(at=event.created_at, what=what, who=who, note=event.note, stars=stars)
        )
    return entries


_STATE_TONE = {
    State.WAITING_OWNER: "warn",
    State.RESOLVED: "good",
    State.CLOSED: "good",
}


def state_tone(order: WorkOrder) -> str:
    return _STATE_TONE.get(order.state, "")


@dataclass
class Promise:
    text: str
    tone: str
    due_at: dt.datetime | None


def promise(order: WorkOrder, now: dt.datetime) -> Promise | None:
    """The resolution promise as owners read it: "剩余 3 小时", "已超时", or paused."""
    if not order.is_open:
        return None
    if order.paused_at is not None:
        return Promise(_("Clock paused while we wait for you"), "warn", None)
    due = order.resolve_due_at
    if due is None:
        return None
    seconds = (due - now).total_seconds()
    if seconds <= 0:
        return Promise(_("Overdue"), "bad", due)
    minutes = int(seconds // 60)
    if minutes < 60:
        text = ngettext("%(n)d minute left", "%(n)d minutes left", minutes) % {"n": minutes}
    elif minutes < 48 * 60:
        hours = minutes // 60
        text = ngettext("%(n)d hour left", "%(n)d hours left", hours) % {"n": hours}
    else:
        days = minutes // (24 * 60)
        text = ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}
    return Promise(text, "warn" if minutes < 60 else "", due)
