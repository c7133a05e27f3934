"""Pieces the API routers share: lookups through the scope, reference resolution."""

from uuid import UUID

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Schema

from ganzhi.core.errors import DomainError
from ganzhi.core.scoping import get_visible_or_404, visible


class Ref(Schema):
    id: UUID
    name: str


def ref(obj) -> dict:
    return {"id": obj.public_id, "name": str(obj)}


def get_object(request, queryset: QuerySet, public_id: UUID):
    return get_visible_or_404(queryset, request.user, public_id=public_id)


def resolve_reference(request, queryset: QuerySet, public_id: UUID, field: str):
    """An object named in a request body; unknown or out-of-scope ids answer 422."""
    obj = visible(queryset, request.user).filter(public_id=public_id).first()
    if obj is None:
        raise DomainError(
            "invalid_reference",
            _("The referenced object does not exist or is outside your scope."),
            details={field: [str(public_id)]},
            status=422,
        )
    return obj
