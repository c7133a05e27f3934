"""Reads of the org registry, always through the user's scope."""

from dataclasses import dataclass

from django.db.models import Count, Q

from ganzhi.core.roles import Role
from ganzhi.core.scoping import scope_for, visible
from ganzhi.org.models import Building, Project, Region, Unit


@dataclass
class ScopeOverview:
    role_label: str
    company: str
    scope_label: str
    regions: int
    projects: int
    buildings: int
    units: int
    households: int
    owners: int
    project_names: list[str]


def scope_overview(*, user) -> ScopeOverview:
    """What the user's home page shows: who they are and how much they see."""
    from ganzhi.owners.models import Household, Owner

    scope = scope_for(user)
    projects = visible(Project.objects.all(), user)
    project_names = list(projects.order_by("name").values_list("name", flat=True)[:6])
    if scope.is_company_wide:
        scope_label = "company"
    elif scope.household_ids is not None:
        scope_label = "household"
    elif user.role == Role.REGION_MANAGER:
        scope_label = "region"
    else:
        scope_label = "project"
    return ScopeOverview(
        role_label=user.get_role_display() if user.role else "",
        company=user.company.name if user.company_id else "",
        scope_label=scope_label,
        regions=visible(Region.objects.all(), user).count(),
        projects=projects.count(),
        buildings=visible(Building.objects.all(), user).count(),
        units=visible(Unit.objects.all(), user).count(),
        households=visible(Household.objects.filter(is_current=True), user).count(),
        owners=visible(Owner.objects.all(), user).count(),
        project_names=project_names,
    )


def project_list(*, user, q: str = "", region: str = ""):
    projects = visible(Project.objects.select_related("region"), user)
    if q:
        projects = projects.filter(Q(name__icontains=q) | Q(code__iexact=q) | Q(city__icontains=q))
    if region:
        projects = projects.filter(region__public_id=region)
    return projects.order_by("region__name", "name")


def unit_counts(project_ids: list[int]) -> dict[int, dict[str, int]]:
    """Units and occupied units per project, in one grouped query over the page's projects."""
    rows = (
        Unit.objects.filter(project_id__in=project_ids)
        .values("project_id")
        .annotate(
            units=Count("id"),
            occupied=Count("id", filter=~Q(status=Unit.Status.VACANT)),
        )
    )
    return {row["project_id"]: row for row in rows}


def unit_list(*, user, project: str = "", building: str = "", status: str = "", q: str = ""):
    units = visible(Unit.objects.select_related("building", "project"), user)
    if project:
        units = units.filter(project__public_id=project)
    if building:
        units = units.filter(building__public_id=building)
    if status:
        units = units.filter(status=status)
    if q:
        units = units.filter(number__icontains=q)
    return units.order_by("project__name", "building__name", "entrance", "number")


def building_unit_counts(project: Project) -> dict[int, dict[str, int]]:
    rows = (
        Unit.objects.filter(project=project)
        .values("building_id")
        .annotate(
            units=Count("id"),
            occupied=Count("id", filter=~Q(status=Unit.Status.VACANT)),
        )
    )
    return {row["building_id"]: row for row in rows}


def staff_by_post(staff) -> list[tuple[str, int]]:
    """(post name, head count) for a project's active staff, in post order."""
    rows = (
        staff.values("post__name", "post__sort_order")
        .annotate(n=Count("id"))
        .order_by("post__sort_order", "post__name")
    )
    return [(row["post__name"] or "—", row["n"]) for row in rows]
