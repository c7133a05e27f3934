"""The detractor loop (贬损者转化): call back every detractor and every owner who scored
an item low, record what came of the call, and measure how many detractors moved up.

- ``create_callbacks(response)`` makes at most one task per response and reason: a
  *detractor* task when the likelihood to recommend is 0–6, a *low item* task when
  any rating (or the perception of an E/P item) is at or below
  ``GANZHI_CALLBACK_ITEM_THRESHOLD`` (default 2 on a 1–5 scale; other scales are
  mapped by position, so on 1–7 the default means ≤ 2.5). Each is due
  ``GANZHI_CALLBACK_HOURS`` (default 24) after it is created and goes to the project's
  customer-service staff member with the fewest open call-backs. Anonymous responses
  and responses not linked to a household get no task (nobody to call), but still
  count as detractors in :func:`detractor_conversion` (``uncallable``). Quality flags
  do not stop a task: a flagged detractor may still be a real, unhappy owner.
- ``callback_record`` stores the call's outcome and can open a work order for the
  household's unit.
- ``detractor_conversion`` answers "of the households that were detractors and
  answered again later, how many are now passive or promoters?" with a Wilson interval.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError
from ganzhi.core.roles import Role
from ganzhi.core.scoping import visible
from ganzhi.core.services import require_perm, require_project_in_scope
from ganzhi.org.models import Company, Project, Region, Staff
from ganzhi.stats.rates import Rate, rate
from ganzhi.surveys.models import Answer, CallbackTask, Question, Response

DETRACTOR_MAX = 6
PASSIVE_MAX = 8
DEFAULT_ITEM_THRESHOLD = 2
DEFAULT_CALLBACK_HOURS = 24

_RECOMMEND = Q(question__type=Question.Type.RECOMMEND) | Q(question__role=Question.Role.RECOMMEND)
_ITEM_TYPES = (Question.Type.RATING, Question.Type.EXPECTATION_PERCEPTION)


def item_threshold() -> float:
    return float(getattr(settings, "GANZHI_CALLBACK_ITEM_THRESHOLD", DEFAULT_ITEM_THRESHOLD))


def callback_hours() -> int:
    return int(getattr(settings, "GANZHI_CALLBACK_HOURS", DEFAULT_CALLBACK_HOURS))


def is_low_item(number: float, scale_min: int, scale_max: int, threshold: float) -> bool:
    """``number`` at or below ``threshold`` of a 1–5 scale, mapped onto the item's scale."""
    if scale_max <= scale_min:
        return False
    position = (number - scale_min) / (scale_max - scale_min)
    return position <= (threshold - 1) / 4 + 1e-9


def _is_recommend(question: Question) -> bool:
    return question.type == Question.Type.RECOMMEND or question.role == Question.Role.RECOMMEND


def _number(value: float) -> str:
    return f"{value:g}"


# --- creating tasks ------------------------------------------------------------------


def create_callbacks(
    response: Response, *, now: dt.datetime | None = None, notify: bool = True
) -> list[CallbackTask]:
    """The call-back tasks ``response`` calls for, created once (a second call returns
    the same tasks and creates nothing). The assignee is told of new tasks after commit
    unless ``notify`` is off (imports tell each assignee once, see ``notify_assignees``)."""
    if response.household_id is None or response.is_anonymous:
        return []
    reasons = _reasons(response)
    if not reasons:
        return []
    now = now or timezone.now()
    existing = {t.reason: t for t in CallbackTask.objects.filter(response=response)}
    tasks, created = [], []
    assignee = None
    for reason, detail in reasons.items():
        task = existing.get(reason)
        if task is None:
            if assignee is None:
                assignee = customer_service_for(response.project_id)
            task, is_new = _create_once(response, reason, detail, now, assignee)
            if is_new:
                created.append(task)
        tasks.append(task)
    if created and notify:
        notify_assignees(created)
    return tasks


def _reasons(response: Response) -> dict[str, str]:
    """reason → detail (which answers triggered it)."""
    threshold = item_threshold()
    detractor: list[str] = []
    low: list[str] = []
    answers = Answer.objects.filter(response=response, number__isnull=False).select_related(
        "question"
    )
    for answer in sorted(answers, key=lambda a: (a.question.sort_order, a.question_id)):
        question = answer.question
        if _is_recommend(question):
            if answer.number <= DETRACTOR_MAX:
                detractor.append(f"{question.text[:80]}: {_number(answer.number)}")
        elif question.type in _ITEM_TYPES and is_low_item(
            answer.number, question.scale_min, question.scale_max, threshold
        ):
            low.append(f"{question.text[:60]}: {_number(answer.number)}")
    reasons = {}
    if detractor:
        reasons[CallbackTask.Reason.DETRACTOR] = "；".join(detractor)[:200]
    if low:
        reasons[CallbackTask.Reason.LOW_ITEM] = "；".join(low)[:200]
    return reasons


def _create_once(response, reason, detail, now, assignee) -> tuple[CallbackTask, bool]:
    try:
        with transaction.atomic():
            task = CallbackTask.objects.create(
                company_id=response.company_id,
                project_id=response.project_id,
                response=response,
                household_id=response.household_id,
                reason=reason,
                detail=detail,
                due_at=now + dt.timedelta(hours=callback_hours()),
                assigned_to=assignee,
            )
    except IntegrityError:  # created meanwhile by another process
        return CallbackTask.objects.get(response=response, reason=reason), False
    return task, True


def customer_service_for(project_id: int) -> Staff | None:
    """The project's active customer-service staff member with the fewest open call-backs
    (ties: the longest-serving record), or None when the project has none."""
    candidates = list(
        Staff.objects.filter(
            projects=project_id,
            is_active=True,
            user__is_active=True,
            user__role=Role.CUSTOMER_SERVICE,
        )
        .select_related("user")
        .order_by("id")
    )
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    load = dict(
        CallbackTask.objects.filter(done_at__isnull=True, assigned_to__in=candidates)
        .values("assigned_to_id")
        .annotate(n=Count("id"))
        .values_list("assigned_to_id", "n")
    )
    return min(candidates, key=lambda s: (load.get(s.id, 0), s.id))


def notify_assignees(tasks: list[CallbackTask]) -> None:
    """One message per assignee about their new tasks (after commit)."""
    from ganzhi.notifications.channels import Recipient
    from ganzhi.notifications.services import notify

    by_assignee: dict[int, list[CallbackTask]] = defaultdict(list)
    for task in tasks:
        if task.assigned_to_id:
            by_assignee[task.assigned_to_id].append(task)
    staff = Staff.objects.filter(id__in=list(by_assignee), user__isnull=False).select_related(
        "user"
    )
    for member in staff:
        user = member.user
        title = _("%(count)d new call-back task(s) to owners who were unhappy.") % {
            "count": len(by_assignee[member.id])
        }
        recipient = Recipient(label=str(user), user=user, email=user.email)
        transaction.on_commit(
            lambda recipient=recipient, title=title: notify(
                recipients=[recipient], event="survey_callback", title=title, link=_queue_link()
            )
        )


def _queue_link() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("surveys:callback_queue")
    except NoReverseMatch:  # the survey pages are not mounted (command-line use)
        return ""


# --- the queue and the outcome ---------------------------------------------------------


def callback_queue(
    *, user, project: str = "", status: str = "open", mine: bool = False
) -> QuerySet[CallbackTask]:
    """Call-back tasks the user may see, the earliest due first (done ones last)."""
    tasks = visible(
        CallbackTask.objects.select_related(
            "project", "household__unit__building", "assigned_to", "workorder", "response"
        ),
        user,
    )
    if project:
        tasks = tasks.filter(project__public_id=project)
    if status == "open":
        tasks = tasks.filter(done_at__isnull=True)
    elif status == "done":
        tasks = tasks.filter(done_at__isnull=False)
    elif status == "overdue":
        tasks = tasks.filter(done_at__isnull=True, due_at__lt=timezone.now())
    if mine:
        staff = getattr(user, "staff", None)
        tasks = tasks.filter(assigned_to=staff) if staff else tasks.none()
    return tasks.annotate(
        is_done=Case(
            When(done_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("is_done", "due_at", "id")


@transaction.atomic
def callback_record(
    *,
    actor,
    task: CallbackTask,
    outcome: str,
    issue_found: str = "",
    create_workorder: bool = False,
    category=None,
    recovered: bool | None = None,
    now: dt.datetime | None = None,
) -> CallbackTask:
    """Record the call. With ``create_workorder`` a work order of ``category`` is opened
    for the household's unit, described by ``issue_found``. ``recovered`` (did the owner
    end the call satisfied?) is kept only when the owner was reached."""
    require_perm(actor, "surveys.change_callbacktask")
    task = (
        CallbackTask.objects.select_for_update(of=("self",))
        .select_related("project", "household__unit")
        .get(pk=task.pk)
    )
    require_project_in_scope(actor, task.project)
    if task.done_at is not None:
        raise DomainError("already_done", _("This call-back is already recorded."), status=409)
    if outcome not in CallbackTask.Outcome.values:
        raise DomainError(
            "invalid",
            _("Choose the outcome of the call."),
            details={"outcome": [_("Required.")]},
        )
    issue_found = (issue_found or "").strip()[:1000]
    if create_workorder:
        task.workorder = _open_workorder(actor, task, issue_found, category, now)
    reached = outcome == CallbackTask.Outcome.REACHED
    task.outcome = outcome
    task.issue_found = issue_found
    task.recovered = recovered if reached else None
    task.done_at = now or timezone.now()
    task.done_by = actor
    task.save()
    return task


def _open_workorder(actor, task: CallbackTask, issue_found: str, category, now):
    from ganzhi.workorders.models import Channel
    from ganzhi.workorders.services import workorder_create

    if category is None:
        raise DomainError(
            "invalid",
            _("Choose the category of the work order."),
            details={"category": [_("Required.")]},
        )
    unit = task.household.unit if task.household_id else None
    if unit is None:
        raise DomainError(
            "invalid",
            _("This call-back has no household, so no work order can be opened for it."),
        )
    if not issue_found:
        raise DomainError(
            "invalid",
            _("Describe the issue found so the work order can be handled."),
            details={"issue_found": [_("Required.")]},
        )
    title = issue_found.splitlines()[0][:100]
    return workorder_create(
        actor=actor,
        project=task.project,
        category=category,
        title=title,
        description=issue_found,
        channel=Channel.PHONE,
        unit=unit,
        now=now,
    )


# --- conversion ---------------------------------------------------------------------


@dataclass(frozen=True)
class Conversion:
    """Detractors who answered again: where they are now."""

    households: int  # were detractors before and answered again in the period
    promoters: int
    passives: int
    detractors: int
    uncallable: int  # detractor answers in the period with no household (anonymous)
    rate: Rate | None  # (promoters + passives) / households, Wilson interval

    @property
    def converted(self) -> int:
        return self.promoters + self.passives


def detractor_conversion(
    *, user, org=None, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> Conversion:
    """Of the households whose latest answer in [since, until) came after an earlier
    detractor answer (0–6, at any time before it), how many now answer 7–8 (passive)
    or 9–10 (promoter). Excluded responses do not count. ``org`` narrows to a company,
    region or project."""
    until = until or timezone.now()
    responses = _responses_in(user, org).filter(excluded=False, submitted_at__lt=until)
    answers = Answer.objects.filter(_RECOMMEND, number__isnull=False, response__in=responses)
    in_period = Q(response__submitted_at__gte=since) if since else Q()
    uncallable = (
        answers.filter(in_period, response__household__isnull=True, number__lte=DETRACTOR_MAX)
        .values("response_id")
        .distinct()
        .count()
    )
    was_detractor = answers.filter(
        response__household__isnull=False, number__lte=DETRACTOR_MAX
    ).values("response__household_id")
    history: dict[int, list[tuple[dt.datetime, int, float]]] = defaultdict(list)
    rows = answers.filter(response__household_id__in=was_detractor).values_list(
        "response__household_id", "response__submitted_at", "response_id", "number"
    )
    for household_id, submitted_at, response_id, number in rows:
        history[household_id].append((submitted_at, response_id, number))
    counts = {"promoter": 0, "passive": 0, "detractor": 0}
    for answers_of_household in history.values():
        answers_of_household.sort()
        latest = None
        for entry in answers_of_household:
            if since is None or entry[0] >= since:
                latest = entry
        if latest is None:
            continue
        earlier = [a for a in answers_of_household if a[0] < latest[0]]
        if not any(number <= DETRACTOR_MAX for _at, _rid, number in earlier):
            continue
        counts[_category(latest[2])] += 1
    households = sum(counts.values())
    converted = counts["promoter"] + counts["passive"]
    return Conversion(
        households=households,
        promoters=counts["promoter"],
        passives=counts["passive"],
        detractors=counts["detractor"],
        uncallable=uncallable,
        rate=rate(converted, households) if households else None,
    )


def _category(number: float) -> str:
    if number <= DETRACTOR_MAX:
        return "detractor"
    if number <= PASSIVE_MAX:
        return "passive"
    return "promoter"


def _responses_in(user, org) -> QuerySet[Response]:
    responses = visible(Response.objects.filter(submitted_at__isnull=False), user)
    if isinstance(org, Project):
        responses = responses.filter(project=org)
    elif isinstance(org, Region):
        responses = responses.filter(project__region=org)
    elif isinstance(org, Company):
        responses = responses.filter(company=org)
    return responses


@dataclass(frozen=True)
class CallbackCounts:
    open: int
    overdue: int
    done: int
    reached: int
    recovered: int
    workorders: int


def callback_counts(*, user, project: str = "") -> CallbackCounts:
    tasks = visible(CallbackTask.objects.all(), user)
    if project:
        tasks = tasks.filter(project__public_id=project)
    now = timezone.now()
    data = tasks.aggregate(
        open=Count("id", filter=Q(done_at__isnull=True)),
        overdue=Count("id", filter=Q(done_at__isnull=True, due_at__lt=now)),
        done=Count("id", filter=Q(done_at__isnull=False)),
        reached=Count("id", filter=Q(outcome=CallbackTask.Outcome.REACHED)),
        recovered=Count("id", filter=Q(recovered=True)),
        workorders=Count("id", filter=Q(workorder__isnull=False)),
    )
    return CallbackCounts(**data)
