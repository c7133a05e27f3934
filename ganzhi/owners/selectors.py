"""Reads of the owner registry, always through the user's scope."""

from django.db.models import Prefetch, Q

from ganzhi.core.scoping import visible
from ganzhi.owners.models import Household, HouseholdMember, ImportJob, Owner


def owner_list(*, user, q: str = "", project: str = ""):
    owners = visible(Owner.objects.all(), user)
    if q:
        owners = owners.filter(Q(name__icontains=q) | Q(phone__endswith=q))
    if project:
        owners = owners.filter(
            pk__in=HouseholdMember.objects.filter(household__project__public_id=project).values(
                "owner_id"
            )
        )
    return owners.order_by("name", "id").prefetch_related(
        Prefetch("memberships", queryset=_memberships(user), to_attr="visible_memberships")
    )


def owner_detail_memberships(*, user, owner: Owner):
    return list(_memberships(user).filter(owner=owner))


def unit_households(*, user, unit):
    """The unit's households, current first, each with its members (as the user may see)."""
    members = visible(HouseholdMember.objects.select_related("owner"), user)
    return list(
        visible(Household.objects.filter(unit=unit), user)
        .order_by("-is_current", "-move_in_date")
        .prefetch_related(Prefetch("memberships", queryset=members, to_attr="visible_members"))
    )


def import_jobs(*, user):
    return visible(ImportJob.objects.select_related("project", "created_by"), user)


def _memberships(user):
    return visible(
        HouseholdMember.objects.select_related(
            "household__unit__building", "household__project"
        ).order_by("-is_primary_contact"),
        user,
    )
