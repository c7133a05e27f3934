"""Survey-wave endpoints: waves with their progress, invitations, and the public submit.

``POST /responses`` needs no login: the invitation token is the credential. It is
rate-limited per client address like the answering page, and answers errors with the
codes ``invalid_token`` (404), ``expired`` (410), ``already_answered`` (409), ``invalid``
(422, details per question code) and ``rate_limited`` (429).
"""

import datetime as dt
from typing import Any
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ganzhi.api.common import Ref, get_object, ref
from ganzhi.core import ratelimit
from ganzhi.core.errors import DomainError
from ganzhi.core.scoping import visible
from ganzhi.core.services import require_perm
from ganzhi.surveys import answering, campaigns
from ganzhi.surveys.models import Campaign, Invitation
from ganzhi.surveys.tokens import invitation_for_token
from ganzhi.surveys.views_owner import Limited, count_invalid, count_request

router = Router(tags=["surveys"])


class StratumOut(Schema):
    project: Ref
    building: Ref | None
    population: int
    target: int
    invited: int
    responses: int
    share: float
    margin: float | None
    weight: float | None


class CampaignOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    questionnaire: Ref
    status: Campaign.Status
    starts_on: dt.date
    ends_on: dt.date
    margin_of_error: float
    confidence: float
    created_at: dt.datetime

    @staticmethod
    def resolve_questionnaire(obj):
        return ref(obj.questionnaire)


class ProgressOut(Schema):
    population: int
    target: int
    invited: int
    responses: int
    share: float
    strata: list[StratumOut]


class CampaignDetailOut(CampaignOut):
    projects: list[Ref]
    progress: ProgressOut

    @staticmethod
    def resolve_projects(obj):
        return [ref(p) for p in obj.projects.order_by("name")]

    @staticmethod
    def resolve_progress(obj, context):
        progress = campaigns.campaign_progress(obj, user=context["request"].user)
        return {
            "population": progress.population,
            "target": progress.target,
            "invited": progress.invited,
            "responses": progress.responses,
            "share": progress.share,
            "strata": [
                {
                    "project": ref(row.stratum.project),
                    "building": ref(row.stratum.building) if row.stratum.building_id else None,
                    "population": row.population,
                    "target": row.target,
                    "invited": row.invited,
                    "responses": row.responses,
                    "share": row.share,
                    "margin": row.margin,
                    "weight": row.weight,
                }
                for row in progress.strata
            ],
        }


class InvitationOut(Schema):
    id: UUID = Field(alias="public_id")
    project: Ref
    building: str
    unit: str
    created_at: dt.datetime
    expires_at: dt.datetime
    sent_at: dt.datetime | None
    reminded_at: dt.datetime | None
    reminder_count: int
    opened: bool
    completed: bool
    link: str | None

    @staticmethod
    def resolve_project(obj):
        return ref(obj.project)

    @staticmethod
    def resolve_building(obj):
        return obj.household.unit.building.name

    @staticmethod
    def resolve_unit(obj):
        return obj.household.unit.label

    @staticmethod
    def resolve_opened(obj):
        return obj.opened_at is not None

    @staticmethod
    def resolve_completed(obj):
        return obj.completed_at is not None

    @staticmethod
    def resolve_link(obj, context):
        """The answering link, only for those who send invitations (it is a credential)."""
        request = context["request"]
        if not request.user.has_perm("surveys.add_invitation"):
            return None
        return request.build_absolute_uri(campaigns.answer_path(obj))


class InvitationFilter(Schema):
    pending: bool | None = None


class SubmitIn(Schema):
    token: str = Field(max_length=200)
    answers: dict[str, Any] = Field(default_factory=dict)
    anonymous: bool = False


class SubmitOut(Schema):
    id: UUID
    submitted_at: dt.datetime
    anonymous: bool


def _campaign(request, campaign_id: UUID) -> Campaign:
    return get_object(request, Campaign.objects.select_related("questionnaire"), campaign_id)


@router.get("/campaigns", response=list[CampaignOut])
@paginate(PageNumberPagination)
def list_campaigns(request):
    require_perm(request.user, "surveys.view_campaign")
    return campaigns.campaigns_visible(request.user).order_by("-starts_on", "-id")


@router.get("/campaigns/{campaign_id}", response=CampaignDetailOut)
def get_campaign(request, campaign_id: UUID):
    require_perm(request.user, "surveys.view_campaign")
    return _campaign(request, campaign_id)


@router.get("/campaigns/{campaign_id}/invitations", response=list[InvitationOut])
@paginate(PageNumberPagination)
def list_invitations(request, campaign_id: UUID, pending: bool | None = None):
    require_perm(request.user, "surveys.view_invitation")
    campaign = _campaign(request, campaign_id)
    invitations = (
        visible(Invitation.objects.filter(campaign=campaign), request.user)
        .select_related("project", "household__unit__building")
        .order_by("household__unit__building__name", "household__unit__number", "id")
    )
    if pending is True:
        invitations = invitations.filter(completed_at__isnull=True, expires_at__gt=timezone.now())
    elif pending is False:
        invitations = invitations.filter(completed_at__isnull=False)
    return invitations


@router.post(
    "/responses",
    auth=None,
    response={201: SubmitOut},
    url_name="survey_response_submit",
)
def submit_response(request, payload: SubmitIn):
    """Submit an owner's answers with the invitation token (no login)."""
    try:
        count_request(request)
        count_request(request, "submit")
    except Limited:
        raise DomainError(
            "rate_limited", _("Too many requests. Please wait."), status=429
        ) from None
    try:
        invitation = invitation_for_token(payload.token)
    except DomainError as exc:
        if exc.code == "invalid_token":
            count_invalid(request)
        raise
    response = answering.response_open(invitation)
    response = answering.survey_response_submit(
        response=response,
        answers=payload.answers,
        anonymous=payload.anonymous,
        device=request.headers.get("X-Device-Id", "")[:64],
        address=ratelimit.client_address(request),
    )
    return Status(
        201,
        {
            "id": response.public_id,
            "submitted_at": response.submitted_at,
            "anonymous": response.is_anonymous,
        },
    )
