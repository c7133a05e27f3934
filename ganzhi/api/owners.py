"""Owner registry endpoints. Phone and ID numbers come masked unless the role needs them."""

from typing import Annotated
from uuid import UUID

from django.db.models import Prefetch
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ganzhi.api.common import get_object, resolve_reference
from ganzhi.core.personal_data import can_see_personal_data, mask_id_number, mask_phone
from ganzhi.core.scoping import visible
from ganzhi.org.models import Unit
from ganzhi.owners import services
from ganzhi.owners.models import HouseholdMember, Owner

router = Router(tags=["owners"])


class MembershipOut(Schema):
    household: UUID
    unit: UUID
    unit_label: str
    project: str
    relation: HouseholdMember.Relation
    is_primary_contact: bool

    @staticmethod
    def resolve_household(obj):
        return obj.household.public_id

    @staticmethod
    def resolve_unit(obj):
        return obj.household.unit.public_id

    @staticmethod
    def resolve_unit_label(obj):
        return obj.household.unit.label

    @staticmethod
    def resolve_project(obj):
        return obj.household.project.name


class OwnerOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    phone: str
    id_number: str
    age_band: str
    occupation: str
    elderly_alone: bool
    has_children: bool
    has_disability: bool
    care_notes: str
    value_type: str
    communication_style: str
    trust_level: str
    preferred_channel: str
    consent_contact: bool
    consent_survey: bool
    consent_marketing: bool
    households: list[MembershipOut]

    @staticmethod
    def resolve_phone(obj, context):
        return (
            obj.phone if can_see_personal_data(context["request"].user) else mask_phone(obj.phone)
        )

    @staticmethod
    def resolve_id_number(obj, context):
        if can_see_personal_data(context["request"].user):
            return obj.id_number
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_households(obj):
        return obj.visible_memberships


class _Profile(Schema):
    age_band: Owner.AgeBand | None = None
    occupation: str | None = Field(None, max_length=50)
    elderly_alone: bool | None = None
    has_children: bool | None = None
    has_disability: bool | None = None
    care_notes: str | None = Field(None, max_length=200)
    value_type: Owner.ValueType | None = None
    communication_style: Owner.CommunicationStyle | None = None
    trust_level: Owner.TrustLevel | None = None
    preferred_channel: Owner.Channel | None = None
    consent_contact: bool | None = None
    consent_survey: bool | None = None
    consent_marketing: bool | None = None


class OwnerIn(_Profile):
    unit: UUID
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field("", max_length=20)
    relation: HouseholdMember.Relation = HouseholdMember.Relation.OWNER


class OwnerPatch(_Profile):
    name: str | None = Field(None, min_length=1, max_length=50)
    phone: str | None = Field(None, max_length=20)
    id_number: str | None = Field(None, max_length=30)


class OwnerFilter(FilterSchema):
    project: Annotated[UUID | None, FilterLookup("memberships__household__project__public_id")] = (
        None
    )
    unit: Annotated[UUID | None, FilterLookup("memberships__household__unit__public_id")] = None
    q: Annotated[str | None, FilterLookup(["name__icontains", "phone__endswith"])] = None
    value_type: Owner.ValueType | None = None
    communication_style: Owner.CommunicationStyle | None = None


def _owners(request):
    memberships = visible(
        HouseholdMember.objects.select_related("household__unit__building", "household__project"),
        request.user,
    )
    return visible(Owner.objects.all(), request.user).prefetch_related(
        Prefetch("memberships", queryset=memberships, to_attr="visible_memberships")
    )


@router.get("/owners", response=list[OwnerOut])
@paginate(PageNumberPagination)
def list_owners(request, filters: OwnerFilter = Query(...)):
    return filters.filter(_owners(request)).distinct()


@router.get("/owners/{owner_id}", response=OwnerOut)
def get_owner(request, owner_id: UUID):
    return get_object(request, _owners(request), owner_id)


@router.post("/owners", response={201: OwnerOut})
def create_owner(request, payload: OwnerIn):
    data = payload.dict(exclude_none=True)
    unit = resolve_reference(
        request, Unit.objects.select_related("project"), data.pop("unit"), "unit"
    )
    owner = services.owner_create(actor=request.user, unit=unit, **data)
    return Status(201, get_object(request, _owners(request), owner.public_id))


@router.patch("/owners/{owner_id}", response=OwnerOut)
def update_owner(request, owner_id: UUID, payload: OwnerPatch):
    owner = get_object(request, Owner.objects.all(), owner_id)
    services.owner_update(actor=request.user, owner=owner, **payload.dict(exclude_unset=True))
    return get_object(request, _owners(request), owner_id)
