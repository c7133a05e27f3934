"""Work-order endpoints: the queue, one order with its timeline, and the actions on it."""

import datetime as dt
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from ganzhi.api.common import Ref, get_object, ref, resolve_reference
from ganzhi.core.errors import DomainError
from ganzhi.core.personal_data import can_see_personal_data, mask_phone
from ganzhi.core.services import require_perm
from ganzhi.org.models import Post, Project, Staff, Unit
from ganzhi.workorders import selectors, services
from ganzhi.workorders.models import (
    Category,
    Channel,
    FollowUp,
    Kind,
    Priority,
    State,
    WorkOrder,
)

router = Router(tags=["workorders"])


class EventOut(Schema):
    type: str
    at: dt.datetime = Field(alias="created_at")
    actor: str = Field(alias="actor_label")
    from_state: str
    to_state: str
    note: str
    visible_to_owner: bool


class FollowUpOut(Schema):
    id: UUID = Field(alias="public_id")
    due_at: dt.datetime
    done_at: dt.datetime | None
    outcome: str
    rating: int | None
    comment: str
    satisfied: bool | None


class WorkOrderOut(Schema):
    id: UUID = Field(alias="public_id")
    number: str
    title: str
    kind: Kind
    category: Ref
    priority: Priority
    channel: Channel
    state: State
    project: Ref
    unit: Ref | None
    location: str = Field(alias="location_note")
    reporter_name: str
    reporter_phone: str
    assignee: str | None
    post: str | None
    created_at: dt.datetime
    responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    response_due_at: dt.datetime | None
    resolve_due_at: dt.datetime | None
    breached: bool
    response_breached: bool
    resolve_breached: bool
    escalation_level: int
    urge_count: int
    is_repeat: bool
    escalation_risk: bool

    @staticmethod
    def resolve_category(obj):
        return ref(obj.category)

    @staticmethod
    def resolve_project(obj):
        return ref(obj.project)

    @staticmethod
    def resolve_unit(obj):
        return ref(obj.unit) if obj.unit_id else None

    @staticmethod
    def resolve_assignee(obj):
        return obj.assignee.name if obj.assignee_id else None

    @staticmethod
    def resolve_post(obj):
        return obj.post.name if obj.post_id else None

    @staticmethod
    def resolve_reporter_phone(obj, context):
        if can_see_personal_data(context["request"].user):
            return obj.reporter_phone
        return mask_phone(obj.reporter_phone)


class WorkOrderDetailOut(WorkOrderOut):
    description: str
    clear_steps: list[str]
    prevention_marks: list[str]
    owner_rating: int | None
    timeline: list[EventOut]
    followups: list[FollowUpOut]

    @staticmethod
    def resolve_timeline(obj):
        return selectors.workorder_timeline(order=obj)

    @staticmethod
    def resolve_followups(obj):
        return list(obj.followups.all())


class WorkOrderIn(Schema):
    project: UUID
    category: UUID
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    channel: Channel = Channel.PHONE
    priority: Priority | None = None
    unit: UUID | None = None
    location: str = Field("", max_length=100)
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)


class WorkOrderFilter(Schema):
    project: UUID | None = None
    state: State | None = None
    category: UUID | None = None
    kind: Kind | None = None
    breached: bool | None = None
    mine: bool = False
    q: str | None = Field(None, max_length=50)


class TransitionIn(Schema):
    to: State
    note: str = Field("", max_length=2000)
    assignee: UUID | None = None
    post: UUID | None = None
    visible_to_owner: bool = True


class CommentIn(Schema):
    note: str = Field(min_length=1, max_length=2000)
    visible_to_owner: bool = False


class FollowUpIn(Schema):
    outcome: FollowUp.Outcome
    rating: int | None = Field(None, ge=1, le=5)
    comment: str = Field("", max_length=1000)


class AttachmentOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str = Field(alias="original_name")
    content_type: str
    size: int


class PolicyOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    order: int
    kind: str
    category: str | None
    priority: str
    response_minutes: int
    resolve_minutes: int
    clock: str
    warn_percent: int
    is_active: bool

    @staticmethod
    def resolve_category(obj):
        return obj.category.name if obj.category_id else None


class CategoryOut(Schema):
    id: UUID = Field(alias="public_id")
    code: str
    name: str
    kind: Kind
    default_priority: Priority
    post: str | None

    @staticmethod
    def resolve_post(obj):
        return obj.post.name if obj.post_id else None


def _order(request, order_id: UUID) -> WorkOrder:
    return get_object(
        request,
        WorkOrder.objects.select_related(
            "project", "category", "assignee", "post", "unit__building"
        ),
        order_id,
    )


@router.get("/workorders", response=list[WorkOrderOut])
@paginate(PageNumberPagination)
def list_workorders(request, filters: WorkOrderFilter = Query(...)):
    require_perm(request.user, "workorders.view_workorder")
    data = filters.dict()
    return selectors.workorder_queue(
        user=request.user,
        project=str(data["project"] or ""),
        state=data["state"] or "",
        category=str(data["category"] or ""),
        kind=data["kind"] or "",
        breached=data["breached"],
        mine=data["mine"],
        q=data["q"] or "",
    )


@router.post("/workorders", response={201: WorkOrderDetailOut})
def create_workorder(request, payload: WorkOrderIn):
    data = payload.dict()
    project = resolve_reference(request, Project.objects.all(), data["project"], "project")
    category = resolve_reference(request, Category.objects.all(), data["category"], "category")
    unit = None
    if data["unit"]:
        unit = resolve_reference(request, Unit.objects.all(), data["unit"], "unit")
    order = services.workorder_create(
        actor=request.user,
        project=project,
        category=category,
        title=data["title"],
        description=data["description"],
        channel=data["channel"],
        priority=data["priority"],
        unit=unit,
        location_note=data["location"],
        reporter_name=data["reporter_name"],
        reporter_phone=data["reporter_phone"],
    )
    return Status(201, _order(request, order.public_id))


@router.get("/workorders/{order_id}", response=WorkOrderDetailOut)
def get_workorder(request, order_id: UUID):
    require_perm(request.user, "workorders.view_workorder")
    return _order(request, order_id)


@router.post("/workorders/{order_id}/transitions", response=WorkOrderDetailOut)
def transition_workorder(request, order_id: UUID, payload: TransitionIn):
    order = _order(request, order_id)
    assignee = post = None
    if payload.assignee:
        assignee = resolve_reference(request, Staff.objects.all(), payload.assignee, "assignee")
    if payload.post:
        post = resolve_reference(request, Post.objects.all(), payload.post, "post")
    services.workorder_transition(
        actor=request.user,
        order=order,
        to=payload.to,
        note=payload.note,
        assignee=assignee,
        post=post,
        visible_to_owner=payload.visible_to_owner,
    )
    return _order(request, order_id)


@router.post("/workorders/{order_id}/comments", response={201: EventOut})
def comment_workorder(request, order_id: UUID, payload: CommentIn):
    order = _order(request, order_id)
    event = services.workorder_comment(
        actor=request.user,
        order=order,
        note=payload.note,
        visible_to_owner=payload.visible_to_owner,
    )
    return Status(201, event)


@router.post("/workorders/{order_id}/attachments", response={201: AttachmentOut})
def attach_to_workorder(request, order_id: UUID, file: File[UploadedFile]):
    order = _order(request, order_id)
    return Status(201, services.workorder_attach(actor=request.user, order=order, upload=file))


@router.get("/workorders/{order_id}/followups", response=list[FollowUpOut])
def list_followups(request, order_id: UUID):
    require_perm(request.user, "workorders.view_followup")
    return list(_order(request, order_id).followups.all())


@router.post("/workorders/{order_id}/followups", response={201: FollowUpOut})
def record_followup(request, order_id: UUID, payload: FollowUpIn):
    order = _order(request, order_id)
    followup = order.followups.filter(done_at__isnull=True).first()
    if followup is None:
        raise DomainError(
            "no_followup_due", _("No follow-up call is due for this order."), status=409
        )
    return Status(
        201,
        services.followup_record(
            actor=request.user,
            followup=followup,
            outcome=payload.outcome,
            rating=payload.rating,
            comment=payload.comment,
        ),
    )


@router.get("/sla-policies", response=list[PolicyOut])
@paginate(PageNumberPagination)
def list_policies(request):
    require_perm(request.user, "workorders.view_slapolicy")
    return selectors.sla_policies(user=request.user)


@router.get("/workorder-categories", response=list[CategoryOut])
@paginate(PageNumberPagination)
def list_categories(request):
    require_perm(request.user, "workorders.view_category")
    return selectors.categories(user=request.user)
