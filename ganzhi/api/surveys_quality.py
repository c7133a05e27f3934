"""Survey quality and the detractor loop: call-back tasks and their outcome, detractor
conversion, flagged responses and the quality lead's review."""

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ganzhi.api.common import Ref, get_object, ref, resolve_reference
from ganzhi.core.personal_data import can_see_personal_data, mask_phone
from ganzhi.core.scoping import visible
from ganzhi.core.services import require_perm
from ganzhi.org.models import Project
from ganzhi.surveys import callbacks, quality
from ganzhi.surveys.models import CallbackTask, QualityReview, Response

router = Router(tags=["survey quality"])


# --- call-backs ----------------------------------------------------------------------


class CallbackOut(Schema):
    id: UUID = Field(alias="public_id")
    project: Ref
    reason: CallbackTask.Reason
    detail: str
    unit: str | None
    contact_name: str | None
    contact_phone: str | None
    due_at: dt.datetime
    overdue: bool
    assigned_to: str | None
    outcome: str
    issue_found: str
    recovered: bool | None
    workorder: str | None
    done_at: dt.datetime | None

    @staticmethod
    def resolve_project(obj):
        return ref(obj.project)

    @staticmethod
    def resolve_unit(obj):
        return obj.household.unit.label if obj.household_id else None

    @staticmethod
    def _contact(obj):
        if not obj.household_id:
            return None
        member = (
            obj.household.memberships.select_related("owner")
            .order_by("-is_primary_contact", "id")
            .first()
        )
        return member.owner if member else None

    @staticmethod
    def resolve_contact_name(obj):
        owner = CallbackOut._contact(obj)
        return owner.name if owner else None

    @staticmethod
    def resolve_contact_phone(obj, context):
        owner = CallbackOut._contact(obj)
        if owner is None:
            return None
        if can_see_personal_data(context["request"].user):
            return owner.phone
        return mask_phone(owner.phone)

    @staticmethod
    def resolve_overdue(obj):
        return obj.done_at is None and obj.due_at < timezone.now()

    @staticmethod
    def resolve_assigned_to(obj):
        return obj.assigned_to.name if obj.assigned_to_id else None

    @staticmethod
    def resolve_workorder(obj):
        return obj.workorder.number if obj.workorder_id else None


class CallbackFilter(Schema):
    project: UUID | None = None
    status: Literal["open", "overdue", "done", "all"] = "open"
    mine: bool = False


class CallbackOutcomeIn(Schema):
    outcome: CallbackTask.Outcome
    issue_found: str = Field("", max_length=1000)
    create_workorder: bool = False
    category: UUID | None = None
    recovered: bool | None = None


class RateOut(Schema):
    rate: float
    ci_low: float
    ci_high: float
    method: str
    confidence: float


class ConversionOut(Schema):
    households: int
    promoters: int
    passives: int
    detractors: int
    converted: int
    uncallable: int
    rate: RateOut | None
    since: dt.datetime
    until: dt.datetime


class ConversionQuery(Schema):
    project: UUID | None = None
    days: int = Field(90, ge=1, le=3660)


def _task(request, task_id: UUID) -> CallbackTask:
    return get_object(
        request,
        CallbackTask.objects.select_related(
            "project", "household__unit__building", "assigned_to", "workorder"
        ),
        task_id,
    )


@router.get("/survey-callbacks", response=list[CallbackOut])
@paginate(PageNumberPagination)
def list_callbacks(request, filters: CallbackFilter = Query(...)):
    """Call-back tasks in scope, the earliest due first (done ones last)."""
    require_perm(request.user, "surveys.view_callbacktask")
    return callbacks.callback_queue(
        user=request.user,
        project=str(filters.project or ""),
        status=filters.status,
        mine=filters.mine,
    )


@router.get("/survey-callbacks/conversion", response=ConversionOut)
def get_conversion(request, query: ConversionQuery = Query(...)):
    """Detractors who answered again in the last ``days`` days: how many moved up
    (passive 7–8 or promoter 9–10), with a Wilson 95 % interval."""
    require_perm(request.user, "surveys.view_callbacktask")
    project = None
    if query.project:
        project = resolve_reference(request, Project.objects.all(), query.project, "project")
    until = timezone.now()
    since = until - dt.timedelta(days=query.days)
    result = callbacks.detractor_conversion(
        user=request.user, org=project, since=since, until=until
    )
    return {
        "households": result.households,
        "promoters": result.promoters,
        "passives": result.passives,
        "detractors": result.detractors,
        "converted": result.converted,
        "uncallable": result.uncallable,
        "rate": result.rate.to_dict() if result.rate else None,
        "since": since,
        "until": until,
    }


@router.get("/survey-callbacks/{task_id}", response=CallbackOut)
def get_callback(request, task_id: UUID):
    require_perm(request.user, "surveys.view_callbacktask")
    return _task(request, task_id)


@router.post("/survey-callbacks/{task_id}/outcome", response=CallbackOut)
def record_callback(request, task_id: UUID, payload: CallbackOutcomeIn):
    """Record the call; ``create_workorder`` opens a work order of ``category`` for the
    household's unit, described by ``issue_found``."""
    require_perm(request.user, "surveys.change_callbacktask")
    task = _task(request, task_id)
    category = None
    if payload.category:
        from ganzhi.workorders.models import Category

        category = resolve_reference(request, Category.objects.all(), payload.category, "category")
    callbacks.callback_record(
        actor=request.user,
        task=task,
        outcome=payload.outcome,
        issue_found=payload.issue_found,
        create_workorder=payload.create_workorder,
        category=category,
        recovered=payload.recovered,
    )
    return _task(request, task_id)


# --- flagged responses -------------------------------------------------------------------


class FlagOut(Schema):
    code: str
    reason: str
    data: dict[str, Any]


class ReviewOut(Schema):
    action: QualityReview.Action
    reason: str
    by: str | None
    at: dt.datetime

    @staticmethod
    def resolve_by(obj):
        return obj.by.username if obj.by_id else None


class FlaggedOut(Schema):
    id: UUID = Field(alias="public_id")
    project: Ref
    questionnaire: Ref
    source: str
    submitted_at: dt.datetime | None
    anonymous: bool = Field(alias="is_anonymous")
    excluded: bool
    flags: list[FlagOut]
    reviews: list[ReviewOut]

    @staticmethod
    def resolve_project(obj):
        return ref(obj.project)

    @staticmethod
    def resolve_questionnaire(obj):
        return ref(obj.questionnaire)

    @staticmethod
    def resolve_submitted_at(obj):
        if obj.is_anonymous and obj.submitted_at:  # the day only: nothing to match it with
            local = timezone.localtime(obj.submitted_at)
            return local.replace(hour=0, minute=0, second=0, microsecond=0)
        return obj.submitted_at

    @staticmethod
    def resolve_flags(obj):
        return [
            {
                "code": f.get("code", ""),
                "reason": quality.describe_flag(f),
                "data": f.get("data") or {},
            }
            for f in obj.quality_flags or []
        ]

    @staticmethod
    def resolve_reviews(obj):
        return list(obj.reviews.select_related("by"))


class FlaggedFilter(Schema):
    project: UUID | None = None
    status: Literal["", "excluded", "restored", "unreviewed"] = ""
    flag: str = Field("", max_length=30)


class ReviewIn(Schema):
    action: QualityReview.Action
    reason: str = Field(min_length=1, max_length=200)


@router.get("/survey-responses/flagged", response=list[FlaggedOut])
@paginate(PageNumberPagination)
def list_flagged(request, filters: FlaggedFilter = Query(...)):
    """Responses the quality checks flagged or a lead reviewed, in scope, newest first."""
    require_perm(request.user, "surveys.review_response")
    project = None
    if filters.project:
        project = resolve_reference(request, Project.objects.all(), filters.project, "project")
    return quality.flagged_responses(
        user=request.user, project=project, status=filters.status, flag=filters.flag
    )


@router.post("/survey-responses/{response_id}/reviews", response={201: FlaggedOut})
def review_response(request, response_id: UUID, payload: ReviewIn):
    """Exclude the response from scores or restore it, with a reason (audited)."""
    require_perm(request.user, "surveys.review_response")
    queryset = Response.objects.select_related("project", "questionnaire")
    response = get_object(request, queryset, response_id)
    quality.response_review(
        actor=request.user, response=response, action=payload.action, reason=payload.reason
    )
    return Status(201, visible(queryset, request.user).get(pk=response.pk))
