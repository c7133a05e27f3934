"""Writes to work orders. Every change locks the order row, checks the state machine
and the actor's rights, and records an event; notifications go out after commit."""

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ganzhi.core.errors import DomainError
from ganzhi.core.services import require_perm, require_project_in_scope
from ganzhi.notifications.channels import Recipient
from ganzhi.notifications.services import notify
from ganzhi.org.models import Company, Post, Project, Staff
from ganzhi.workorders import defaults, states
from ganzhi.workorders.calendars import calendar_for_project, calendar_seed_official, spec_of
from ganzhi.workorders.models import (
    OPEN_STATES,
    PRIORITY_RANK,
    Attachment,
    BusinessCalendar,
    Category,
    Channel,
    Escalation,
    FollowUp,
    Kind,
    Priority,
    ServiceRecovery,
    SLAPolicy,
    State,
    WorkOrder,
    WorkOrderEvent,
)
from ganzhi.workorders.sla_time import add_minutes, business_minutes_between

logger = logging.getLogger(__name__)

CLEAR_STEPS = ("control", "listen", "empathy", "apologize", "resolve")
PREVENTION_MARKS = (
    "told_in_advance",
    "followed_throughout",
    "kept_promises",
    "sincere",
    "adapted_process",
    "details_right",
)


# --- company set-up ------------------------------------------------------------


@transaction.atomic
def workorder_defaults_ensure(*, company: Company, years: list[int] | None = None) -> None:
    """Give a company the default categories, promises and calendar (idempotent)."""
    posts = {p.code: p for p in Post.objects.filter(company=company)}
    existing = set(Category.objects.filter(company=company).values_list("code", flat=True))
    Category.objects.bulk_create(
        [
            Category(
                company=company,
                code=code,
                name=name,
                kind=kind,
                post=posts.get(post),
                default_priority=priority,
                sort_order=index,
            )
            for index, (code, name, kind, post, priority) in enumerate(defaults.CATEGORIES)
            if code not in existing
        ]
    )
    if not SLAPolicy.objects.filter(company=company).exists():
        SLAPolicy.objects.bulk_create(
            [
                SLAPolicy(
                    company=company,
                    name=name,
                    kind=kind,
                    priority=priority,
                    response_minutes=response,
                    resolve_minutes=resolve,
                    clock=clock,
                    order=order,
                )
                for name, kind, priority, response, resolve, clock, order in defaults.POLICIES
            ]
        )
    calendar, created = BusinessCalendar.objects.get_or_create(
        company=company, is_default=True, defaults={"name": _("Company working calendar")}
    )
    if created:
        this_year = timezone.localdate().year
        calendar_seed_official(
            calendar=calendar, years=years or [this_year - 1, this_year, this_year + 1]
        )


def sla_policy_for(*, company_id: int, kind: str, category: Category, priority: str) -> SLAPolicy:
    """The first active policy that matches; the company's catch-all default otherwise
    (created if someone deleted it, so an order always has a promise)."""
    for policy in SLAPolicy.objects.filter(company_id=company_id, is_active=True):
        if policy.kind and policy.kind != kind:
            continue
        if policy.category_id and policy.category_id != category.id:
            continue
        if policy.priority and policy.priority != priority:
            continue
        return policy
    name, _kind, _priority, response, resolve, clock, order = defaults.POLICIES[-1]
    policy, _created = SLAPolicy.objects.get_or_create(
        company_id=company_id,
        name=name,
        defaults={
            "response_minutes": response,
            "resolve_minutes": resolve,
            "clock": clock,
            "order": order,
        },
    )
    return policy


# --- creating ------------------------------------------------------------------


@dataclass
class _Promise:
    calendar: object
    response_due_at: dt.datetime
    resolve_due_at: dt.datetime


def _promise(policy: SLAPolicy, project: Project, start: dt.datetime) -> _Promise:
    calendar = None
    if policy.clock == SLAPolicy.Clock.BUSINESS:
        business_calendar = calendar_for_project(project)
        calendar = spec_of(business_calendar) if business_calendar else None
    return _Promise(
        calendar=calendar,
        response_due_at=add_minutes(start, policy.response_minutes, calendar),
        resolve_due_at=add_minutes(start, policy.resolve_minutes, calendar),
    )


def _raise_priority(priority: str) -> str:
    order = sorted(PRIORITY_RANK, key=PRIORITY_RANK.get)
    return order[max(PRIORITY_RANK[priority] - 1, 0)]


def _is_repeat(*, household, category: Category, now: dt.datetime) -> bool:
    if household is None:
        return False
    since = now - dt.timedelta(days=settings.GANZHI_REPEAT_COMPLAINT_DAYS)
    return WorkOrder.objects.filter(
        household=household, category=category, created_at__gte=since, kind=Kind.COMPLAINT
    ).exists()


def _next_number(order: WorkOrder) -> str:
    return f"GD{order.created_at:%y%m%d}{order.pk:07d}"


@transaction.atomic
def workorder_create(
    *,
    actor,
    project: Project,
    category: Category,
    title: str,
    channel: str,
    description: str = "",
    kind: str | None = None,
    priority: str | None = None,
    unit=None,
    place=None,
    location_note: str = "",
    reporter=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Open an order. ``actor`` is a staff user, or None for the owner portal (the portal
    has checked the owner's right to report on ``unit`` / ``place``)."""
    if actor is not None:
        require_perm(actor, "workorders.add_workorder")
        require_project_in_scope(actor, project)
    now = now or timezone.now()
    if category.company_id != project.company_id or not category.is_active:
        raise DomainError(
            "invalid",
            _("Choose an active category of this company."),
            details={"category": [_("Not available.")]},
        )
    if unit is not None and unit.project_id != project.id:
        raise DomainError(
            "invalid",
            _("The unit is not in this project."),
            details={"unit": [_("Not in this project.")]},
        )
    if place is not None and place.project_id != project.id:
        raise DomainError(
            "invalid",
            _("The place is not in this project."),
            details={"place": [_("Not in this project.")]},
        )
    title = (title or "").strip()
    if not title:
        raise DomainError(
            "invalid",
            _("Some fields are not valid."),
            details={"title": [_("Describe the problem in a few words.")]},
        )
    kind = kind or category.kind
    priority = priority or category.default_priority
    if kind not in Kind.values or priority not in Priority.values or channel not in Channel.values:
        raise DomainError("invalid", _("Unknown type, priority or channel."))
    household = unit.households.filter(is_current=True).first() if unit is not None else None
    if reporter is None and household is not None and actor is None:
        reporter = household.members.first()
    repeat = kind == Kind.COMPLAINT and _is_repeat(household=household, category=category, now=now)
    if repeat:
        priority = _raise_priority(priority)
    policy = sla_policy_for(
        company_id=project.company_id, kind=kind, category=category, priority=priority
    )
    promise = _promise(policy, project, now)
    order = WorkOrder.objects.create(
        number=uuid.uuid4().hex[:20],  # replaced by the readable number below
        company_id=project.company_id,
        project=project,
        unit=unit,
        place=place,
        location_note=location_note[:100],
        household=household,
        reporter=reporter,
        reporter_name=(reporter_name or (reporter.name if reporter else ""))[:50],
        reporter_phone=reporter_phone[:20],
        kind=kind,
        category=category,
        priority=priority,
        channel=channel,
        title=title[:100],
        description=description[:2000],
        post=category.post,
        created_by=actor,
        created_at=now,
        sla_policy=policy,
        response_due_at=promise.response_due_at,
        resolve_due_at=promise.resolve_due_at,
        is_repeat=repeat,
        escalation_risk=repeat or (kind == Kind.COMPLAINT and priority == Priority.EMERGENCY),
        next_check_at=now,
    )
    order.number = _next_number(order)
    order.save(update_fields=["number"])
    _event(
        order,
        WorkOrderEvent.Type.CREATED,
        actor,
        now,
        to_state=State.NEW,
        note=description[:2000],
        visible_to_owner=True,
        data={"repeat": repeat, "policy": policy.name},
    )
    return order


# --- moving through the lifecycle ---------------------------------------------


def _event(
    order,
    type_,
    actor,
    now,
    *,
    from_state="",
    to_state="",
    note="",
    visible_to_owner=False,
    data=None,
    actor_label="",
) -> WorkOrderEvent:
    return WorkOrderEvent.objects.create(
        order=order,
        type=type_,
        actor=actor,
        actor_label=actor_label or _label(actor),
        from_state=from_state,
        to_state=to_state,
        note=note,
        visible_to_owner=visible_to_owner,
        data=data or {},
        created_at=now,
    )


def _label(actor) -> str:
    if actor is None:
        return ""
    return (actor.get_full_name() or actor.username)[:50]


def _staff_of(actor) -> Staff | None:
    return getattr(actor, "staff", None) if actor is not None else None


def _locked(order: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("project", "post")
        .get(pk=order.pk)
    )


def _may_work_on(actor, order: WorkOrder) -> bool:
    """Assignee, staff of the order's post queue in its project, or a dispatcher."""
    if actor.has_perm("workorders.dispatch_workorder"):
        return True
    staff = _staff_of(actor)
    if staff is None:
        return False
    if order.assignee_id is not None:
        return order.assignee_id == staff.id
    return order.post_id is not None and staff.post_id == order.post_id


@transaction.atomic
def workorder_transition(
    *,
    actor,
    order: WorkOrder,
    to: str,
    note: str = "",
    assignee: Staff | None = None,
    post: Post | None = None,
    visible_to_owner: bool = True,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Move an order to state ``to``. Illegal moves and moves the actor may not make
    are refused with a message saying why; nothing changes then."""
    require_perm(actor, "workorders.change_workorder")
    require_project_in_scope(actor, order.project)
    now = now or timezone.now()
    order = _locked(order)
    current = order.state
    if to not in State.values:
        raise DomainError("invalid", _("Unknown state “%(state)s”.") % {"state": to})
    if not states.is_allowed(current, to):
        raise DomainError(
            "illegal_transition",
            _("An order that is “%(from)s” cannot become “%(to)s”.")
            % {"from": State(current).label, "to": State(to).label},
            status=409,
        )
    if (current, to) in states.DISPATCHER_MOVES:
        require_perm(actor, "workorders.dispatch_workorder")
    elif not _may_work_on(actor, order):
        raise DomainError("forbidden", _("This order is assigned to someone else."), status=403)
    if to == State.CANCELLED and not note.strip():
        raise DomainError(
            "invalid",
            _("Say why the order is cancelled."),
            details={"note": [_("A reason is required.")]},
        )
    if to == State.DISPATCHED:
        _dispatch(actor, order, assignee=assignee, post=post)
    if to == State.ACCEPTED and order.assignee_id is None:
        order.assignee = _staff_of(actor)
    if current == State.WAITING_OWNER:
        _resume_clock(order, now)
    if to == State.WAITING_OWNER:
        _pause_clock(order, now)
    if to == State.ACCEPTED and order.responded_at is None:
        order.responded_at = now
    if to == State.RESOLVED:
        order.resolved_at = now
        if order.responded_at is None:
            order.responded_at = now
    if to == State.CLOSED:
        order.closed_at = now
    if states.is_reopen(current, to):
        _reopen(order, now)
    order.state = to
    order.next_check_at = now if order.is_open and order.paused_at is None else None
    order.save()
    _event(
        order,
        WorkOrderEvent.Type.TRANSITION,
        actor,
        now,
        from_state=current,
        to_state=to,
        note=note,
        visible_to_owner=visible_to_owner,
        data={"assignee": order.assignee.name if order.assignee else ""},
    )
    if to == State.RESOLVED:
        _schedule_followup(order, now)
    if to == State.CLOSED:
        _after_close(order)
    if visible_to_owner and to in (State.ACCEPTED, State.RESOLVED):
        _tell_owner(
            order,
            _("Your request %(number)s is %(state)s.")
            % {"number": order.number, "state": State(to).label},
            note,
        )
    return order


def _dispatch(actor, order: WorkOrder, *, assignee: Staff | None, post: Post | None) -> None:
    if assignee is None and post is None:
        raise DomainError(
            "invalid",
            _("Choose a staff member or a post queue."),
            details={"assignee": [_("Required when dispatching.")]},
        )
    if assignee is not None:
        if not assignee.is_active or not assignee.projects.filter(pk=order.project_id).exists():
            raise DomainError(
                "invalid",
                _("That staff member does not work in this project."),
                details={"assignee": [_("Not in this project.")]},
            )
        order.assignee = assignee
        order.post = assignee.post or order.post
    else:
        if post.company_id != order.company_id:
            raise DomainError("invalid", _("Unknown post."), details={"post": [_("Unknown.")]})
        order.assignee = None
        order.post = post


def _pause_clock(order: WorkOrder, now: dt.datetime) -> None:
    promise = _promise(order.sla_policy, order.project, now)
    order.paused_at = now
    order.resolve_minutes_left = (
        business_minutes_between(now, order.resolve_due_at, promise.calendar)
        if order.resolve_due_at and order.resolve_due_at > now
        else 0
    )


def _resume_clock(order: WorkOrder, now: dt.datetime) -> None:
    if order.paused_at is None:
        return
    promise = _promise(order.sla_policy, order.project, now)
    order.resolve_due_at = add_minutes(now, order.resolve_minutes_left or 0, promise.calendar)
    order.paused_at = None
    order.resolve_minutes_left = None


def _reopen(order: WorkOrder, now: dt.datetime) -> None:
    promise = _promise(order.sla_policy, order.project, now)
    order.reopen_count += 1
    order.resolved_at = None
    order.closed_at = None
    order.resolve_due_at = promise.resolve_due_at
    order.escalation_risk = True
    Escalation.objects.filter(order=order, step__startswith="resolve").delete()


def _after_close(order: WorkOrder) -> None:
    """After commit: the after-service (moment-of-truth) survey, when one is configured."""
    from ganzhi.surveys.hooks import on_workorder_closed

    transaction.on_commit(lambda: on_workorder_closed(order))


def _schedule_followup(order: WorkOrder, now: dt.datetime) -> None:
    if order.followups.filter(done_at__isnull=True).exists():
        return
    FollowUp.objects.create(
        order=order, due_at=now + dt.timedelta(hours=settings.GANZHI_FOLLOWUP_HOURS)
    )


@transaction.atomic
def workorder_comment(
    *,
    actor,
    order: WorkOrder,
    note: str,
    visible_to_owner: bool = False,
    now: dt.datetime | None = None,
) -> WorkOrderEvent:
    require_perm(actor, "workorders.change_workorder")
    require_project_in_scope(actor, order.project)
    note = (note or "").strip()
    if not note:
        raise DomainError(
            "invalid", _("Write the progress note."), details={"note": [_("Required.")]}
        )
    now = now or timezone.now()
    order = _locked(order)
    event = _event(
        order,
        WorkOrderEvent.Type.COMMENT,
        actor,
        now,
        note=note[:2000],
        visible_to_owner=visible_to_owner,
    )
    if visible_to_owner:
        _tell_owner(
            order, _("Progress on your request %(number)s") % {"number": order.number}, note
        )
    return event


@transaction.atomic
def workorder_urge(*, order: WorkOrder, now: dt.datetime | None = None) -> WorkOrder:
    """The owner's 催单: recorded, raises visibility (risk flag, priority after repeats)."""
    now = now or timezone.now()
    order = _locked(order)
    if not order.is_open:
        raise DomainError("not_open", _("This request is already finished."), status=409)
    if order.last_urged_at and now - order.last_urged_at < dt.timedelta(minutes=30):
        raise DomainError(
            "too_soon",
            _("You urged this request less than 30 minutes ago; we are on it."),
            status=429,
        )
    order.urge_count += 1
    order.last_urged_at = now
    if order.urge_count >= 2:
        order.escalation_risk = True
        order.priority = _raise_priority(order.priority)
    order.save(update_fields=["urge_count", "last_urged_at", "escalation_risk", "priority"])
    _event(
        order,
        WorkOrderEvent.Type.URGE,
        None,
        now,
        actor_label=_("Owner"),
        visible_to_owner=True,
        data={"count": order.urge_count},
    )
    _tell_staff(
        order,
        "urge",
        _("Owner urged %(number)s (%(count)d×)")
        % {"number": order.number, "count": order.urge_count},
    )
    return order


ALLOWED_UPLOADS = {  # content type → magic bytes at the start of the file
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_ORDER = 20


def _sniff(upload) -> str | None:
    """The content type the file's first bytes prove, or None (the name is not trusted)."""
    head = upload.read(16)
    upload.seek(0)
    for content_type, signatures in ALLOWED_UPLOADS.items():
        if any(head.startswith(sig) for sig in signatures):
            if content_type == "image/webp" and head[8:12] != b"WEBP":
                continue
            return content_type
    return None


@transaction.atomic
def workorder_attach(*, actor, order: WorkOrder, upload, from_owner: bool = False) -> Attachment:
    """Attach a photo or PDF. Checked by size and by content (not by its name)."""
    if actor is not None:
        require_perm(actor, "workorders.change_workorder")
        require_project_in_scope(actor, order.project)
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(
            "file_too_large", _("A file may be at most 10 MB."), details={"file": [upload.name]}
        )
    if upload.size == 0:
        raise DomainError("empty_file", _("The file is empty."), details={"file": [upload.name]})
    content_type = _sniff(upload)
    if content_type is None:
        raise DomainError(
            "unsupported_file",
            _("Only photos (JPEG, PNG, WebP, GIF) and PDF files can be attached."),
            details={"file": [upload.name]},
        )
    order = _locked(order)
    if order.attachments.count() >= MAX_ATTACHMENTS_PER_ORDER:
        raise DomainError(
            "too_many_files", _("This order already has the most attachments allowed.")
        )
    attachment = Attachment(
        order=order,
        original_name=(upload.name or "")[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
        from_owner=from_owner,
    )
    attachment.file.save(f"{uuid.uuid4().hex}{_EXTENSIONS[content_type]}", upload, save=False)
    attachment.save()
    _event(
        order,
        WorkOrderEvent.Type.ATTACHMENT,
        actor,
        timezone.now(),
        actor_label=_("Owner") if from_owner else "",
        visible_to_owner=True,
        data={"name": attachment.original_name},
    )
    return attachment


_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
}


@transaction.atomic
def workorder_rate_by_owner(
    *, order: WorkOrder, rating: int, comment: str = "", now: dt.datetime | None = None
) -> WorkOrder:
    """The owner's own rating of a finished order (1–5); a low one reopens the loop via a
    follow-up call."""
    now = now or timezone.now()
    if rating not in (1, 2, 3, 4, 5):
        raise DomainError("invalid", _("Choose 1 to 5 stars."), details={"rating": [_("1 to 5.")]})
    order = _locked(order)
    if order.state not in (State.RESOLVED, State.CLOSED):
        raise DomainError(
            "not_finished", _("You can rate a request once it is resolved."), status=409
        )
    if order.owner_rating is not None:
        raise DomainError("already_rated", _("You have already rated this request."), status=409)
    order.owner_rating = rating
    order.owner_comment = comment.strip()[:500]
    order.save(update_fields=["owner_rating", "owner_comment"])
    _event(
        order,
        WorkOrderEvent.Type.RATING,
        None,
        now,
        actor_label=_("Owner"),
        note=order.owner_comment,
        visible_to_owner=True,
        data={"rating": rating},
    )
    if rating <= 2 and not order.followups.filter(done_at__isnull=True).exists():
        FollowUp.objects.create(order=order, due_at=now + dt.timedelta(hours=4))
    return order


@transaction.atomic
def complaint_checklist_update(
    *, actor, order: WorkOrder, clear_steps: list[str], prevention_marks: list[str]
) -> WorkOrder:
    require_perm(actor, "workorders.change_workorder")
    require_project_in_scope(actor, order.project)
    unknown = (set(clear_steps) - set(CLEAR_STEPS)) | (
        set(prevention_marks) - set(PREVENTION_MARKS)
    )
    if unknown:
        raise DomainError(
            "invalid", _("Unknown checklist items."), details={"items": sorted(unknown)}
        )
    order = _locked(order)
    order.clear_steps = [s for s in CLEAR_STEPS if s in clear_steps]
    order.prevention_marks = [m for m in PREVENTION_MARKS if m in prevention_marks]
    order.save(update_fields=["clear_steps", "prevention_marks"])
    return order


@transaction.atomic
def followup_record(
    *,
    actor,
    followup: FollowUp,
    outcome: str,
    rating: int | None = None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> FollowUp:
    """Record the follow-up call. A satisfied owner closes the order; an unsatisfied one
    (rating 1–2) reopens it."""
    require_perm(actor, "workorders.change_followup")
    order = _locked(followup.order)
    require_project_in_scope(actor, order.project)
    now = now or timezone.now()
    if followup.done_at is not None:
        raise DomainError("already_done", _("This follow-up call is already recorded."), status=409)
    if outcome not in FollowUp.Outcome.values:
        raise DomainError(
            "invalid", _("Choose the outcome of the call."), details={"outcome": [_("Required.")]}
        )
    if outcome == FollowUp.Outcome.REACHED and rating not in (1, 2, 3, 4, 5):
        raise DomainError(
            "invalid", _("Give the owner's rating from 1 to 5."), details={"rating": [_("1 to 5.")]}
        )
    followup.outcome = outcome
    followup.rating = rating if outcome == FollowUp.Outcome.REACHED else None
    followup.comment = comment[:1000]
    followup.done_at = now
    followup.done_by = actor
    followup.satisfied = None if followup.rating is None else followup.rating >= 3
    followup.save()
    _event(
        order,
        WorkOrderEvent.Type.FOLLOW_UP,
        actor,
        now,
        note=comment[:2000],
        data={"outcome": outcome, "rating": followup.rating},
    )
    if followup.satisfied is True and order.state == State.RESOLVED:
        order.state, order.closed_at = State.CLOSED, now
        order.save(update_fields=["state", "closed_at"])
        _after_close(order)
        _event(
            order,
            WorkOrderEvent.Type.TRANSITION,
            actor,
            now,
            from_state=State.RESOLVED,
            to_state=State.CLOSED,
            note=_("Closed after a satisfied follow-up call."),
            visible_to_owner=True,
        )
    elif followup.satisfied is False and order.state in (State.RESOLVED, State.CLOSED):
        previous = order.state
        _reopen(order, now)
        order.state = State.IN_PROGRESS
        order.next_check_at = now
        order.save()
        _event(
            order,
            WorkOrderEvent.Type.TRANSITION,
            actor,
            now,
            from_state=previous,
            to_state=State.IN_PROGRESS,
            note=_("Reopened: the owner was not satisfied."),
            visible_to_owner=True,
        )
    return followup


@transaction.atomic
def service_recovery_record(
    *,
    actor,
    order: WorkOrder,
    emotional_measures: list[str],
    root_cause: str = "",
    lesson: str = "",
    prevention: str = "",
    goodwill: str = "",
    goodwill_amount=None,
    recovered: bool | None = None,
) -> ServiceRecovery:
    require_perm(actor, "workorders.add_servicerecovery")
    require_project_in_scope(actor, order.project)
    unknown = set(emotional_measures) - set(ServiceRecovery.Emotional.values)
    if unknown:
        raise DomainError(
            "invalid",
            _("Unknown recovery measures."),
            details={"emotional_measures": sorted(unknown)},
        )
    if goodwill_amount is not None and goodwill_amount < 0:
        raise DomainError(
            "invalid",
            _("Goodwill value cannot be negative."),
            details={"goodwill_amount": [_("≥ 0.")]},
        )
    recovery = ServiceRecovery.objects.create(
        order=order,
        emotional_measures=list(emotional_measures),
        root_cause=root_cause[:1000],
        lesson=lesson[:1000],
        prevention=prevention[:1000],
        goodwill=goodwill[:200],
        goodwill_amount=goodwill_amount,
        recovered=recovered,
        created_by=actor,
    )
    _event(
        order,
        WorkOrderEvent.Type.RECOVERY,
        actor,
        timezone.now(),
        data={"measures": list(emotional_measures), "recovered": recovered},
    )
    return recovery


# --- the promise sweep ------------------------------------------------------------

ESCALATION_CHAIN = ("assignee", "supervisor", "project_manager", "region_manager", "hq")
ESCALATION_LABELS = {
    "assignee": gettext_lazy("the assignee"),
    "supervisor": gettext_lazy("the post supervisor"),
    "project_manager": gettext_lazy("the project manager"),
    "region_manager": gettext_lazy("the regional manager"),
    "hq": gettext_lazy("HQ"),
}


@dataclass
class SweepResult:
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0


def _warn_at(order: WorkOrder, due: dt.datetime) -> dt.datetime:
    return order.created_at + (due - order.created_at) * (order.sla_policy.warn_percent / 100)


def _escalation_interval(order: WorkOrder) -> dt.timedelta:
    """After a resolution breach, one more level up every half of the original target."""
    return max((order.resolve_due_at - order.created_at) / 2, dt.timedelta(minutes=30))


def _check_times(order: WorkOrder) -> list[dt.datetime]:
    """Every moment at which the sweep may have something to do for this order."""
    times = []
    if order.responded_at is None and order.response_due_at:
        times += [_warn_at(order, order.response_due_at), order.response_due_at]
    if order.resolve_due_at:
        interval = _escalation_interval(order)
        times += [_warn_at(order, order.resolve_due_at), order.resolve_due_at]
        times += [
            order.resolve_due_at + interval * (level - 1)
            for level in range(2, len(ESCALATION_CHAIN))
        ]
    return times


def _next_check(order: WorkOrder, now: dt.datetime) -> dt.datetime | None:
    if not order.is_open or order.paused_at is not None:
        return None
    upcoming = [t for t in _check_times(order) if t > now]
    return min(upcoming) if upcoming else None


def sla_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Mark breaches and fire the warnings and escalation steps that are due.

    Only orders whose ``next_check_at`` has come are read (an indexed range), so the
    sweep stays cheap with millions of orders. Each step is an ``Escalation`` row,
    unique per (order, step), written in the same transaction as the order change:
    a sweep that runs twice, or a worker restarted in the middle, fires nothing
    twice and loses nothing.
    """
    now = now or timezone.now()
    result = SweepResult()
    due = WorkOrder.objects.filter(state__in=OPEN_STATES, next_check_at__lte=now)
    for pk in list(due.values_list("pk", flat=True)[:5000]):
        with transaction.atomic():
            order = (
                WorkOrder.objects.select_for_update(of=("self",))
                .select_related("sla_policy", "project", "assignee__supervisor", "post")
                .get(pk=pk)
            )
            if order.next_check_at is None or order.next_check_at > now:
                continue  # another sweep got here first
            if order.is_open and order.paused_at is None:
                _sweep_order(order, now, result)
            order.next_check_at = _next_check(order, now)
            order.save(
                update_fields=[
                    "response_breached",
                    "resolve_breached",
                    "escalation_level",
                    "next_check_at",
                ]
            )
    return result


def _fire(order: WorkOrder, step: str, level: int, now: dt.datetime, who: str) -> bool:
    """Record step ``step`` once; notify ``who`` after commit. False if already fired."""
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                order=order, step=step, level=level, fired_at=now
            )
    except IntegrityError:
        return False
    escalation.notified = _notify_step(order, who)
    escalation.save(update_fields=["notified"])
    return True


_PROMISE_NOTES = {
    ("response", "warning"): gettext_lazy("Response due soon."),
    ("response", "breach"): gettext_lazy("Response promise broken."),
    ("resolve", "warning"): gettext_lazy("Resolution due soon."),
    ("resolve", "breach"): gettext_lazy("Resolution promise broken."),
}


def _check_promise(
    order: WorkOrder, promise: str, due: dt.datetime, now: dt.datetime, result: SweepResult
) -> bool:
    """Warn the assignee at the warning point; at the due time mark the breach and tell the
    supervisor. True once the promise is broken."""
    if now < due:
        if now >= _warn_at(order, due) and _fire(order, f"{promise}_warning", 0, now, "assignee"):
            result.warnings += 1
            _event(
                order,
                WorkOrderEvent.Type.WARNING,
                None,
                now,
                note=str(_PROMISE_NOTES[promise, "warning"]),
                data={"promise": promise},
            )
        return False
    setattr(order, f"{promise}_breached", True)
    if _fire(order, f"{promise}_breach", 1, now, "supervisor"):
        result.breaches += 1
        _event(
            order,
            WorkOrderEvent.Type.BREACH,
            None,
            now,
            note=str(_PROMISE_NOTES[promise, "breach"]),
            data={"promise": promise},
        )
    return True


def _sweep_order(order: WorkOrder, now: dt.datetime, result: SweepResult) -> None:
    if order.responded_at is None and order.response_due_at:
        _check_promise(order, "response", order.response_due_at, now, result)
    if not order.resolve_due_at or not _check_promise(
        order, "resolve", order.resolve_due_at, now, result
    ):
        return
    due = order.resolve_due_at
    interval = _escalation_interval(order)
    for level in range(2, len(ESCALATION_CHAIN)):
        if now < due + interval * (level - 1):
            break
        who = ESCALATION_CHAIN[level]
        if _fire(order, f"resolve_escalation_{level}", level, now, who):
            result.escalations += 1
            order.escalation_level = max(order.escalation_level, level)
            _event(
                order,
                WorkOrderEvent.Type.ESCALATION,
                None,
                now,
                note=_("Escalated to %(who)s.") % {"who": ESCALATION_LABELS[who]},
                data={"level": level},
            )


def _notify_step(order: WorkOrder, who: str) -> list[str]:
    """Notify the people of escalation step ``who`` (after commit); returns their names."""
    from ganzhi.core.roles import Role
    from ganzhi.org.models import User

    users = []
    if who == "assignee" and order.assignee and order.assignee.user_id:
        users = [order.assignee.user]
    elif who == "supervisor":
        supervisor = order.assignee.supervisor if order.assignee else None
        if supervisor is None and order.post_id:
            supervisor = Staff.objects.filter(
                projects=order.project, post__code=order.post.code, reports__isnull=False
            ).first()
        if supervisor is None:
            supervisor = Staff.objects.filter(
                projects=order.project, user__role=Role.PROJECT_MANAGER
            ).first()
        users = [supervisor.user] if supervisor and supervisor.user_id else []
    elif who == "project_manager":
        users = list(
            User.objects.filter(
                role=Role.PROJECT_MANAGER, staff__projects=order.project, is_active=True
            )
        )
    elif who == "region_manager":
        users = list(
            User.objects.filter(
                role=Role.REGION_MANAGER, staff__regions=order.project.region_id, is_active=True
            )
        )
    elif who == "hq":
        users = list(User.objects.filter(role=Role.HQ, company_id=order.company_id, is_active=True))
    title = _("Work order %(number)s needs attention: %(title)s") % {
        "number": order.number,
        "title": order.title,
    }
    recipients = [Recipient(label=str(u), user=u, email=u.email) for u in users]
    if recipients:
        transaction.on_commit(
            lambda: notify(recipients=recipients, event=f"sla_{who}", title=title)
        )
    return [str(u) for u in users]


def _tell_staff(order: WorkOrder, event: str, title: str) -> None:
    users = []
    if order.assignee and order.assignee.user_id:
        users.append(order.assignee.user)
    recipients = [Recipient(label=str(u), user=u, email=u.email) for u in users]
    if recipients:
        transaction.on_commit(lambda: notify(recipients=recipients, event=event, title=title))


def _tell_owner(order: WorkOrder, title: str, body: str = "") -> None:
    owner = order.reporter
    if owner is None and not order.reporter_phone:
        return
    recipient = Recipient(
        label=order.reporter_name or (owner.name if owner else ""),
        user=owner.user if owner and owner.user_id else None,
        phone=(owner.phone if owner else "") or order.reporter_phone,
    )
    if owner is not None and not owner.consent_contact:
        return
    transaction.on_commit(
        lambda: notify(recipients=[recipient], event="owner_update", title=title, body=body)
    )
