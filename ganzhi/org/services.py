"""Writes to the org registry. Each function checks permission and scope, validates, saves."""

from decimal import Decimal

from django.db import transaction

from ganzhi.core.services import require_perm, require_project_in_scope, validated_save
from ganzhi.org.models import Building, Project, Region, Unit


def apply_changes(instance, changes: dict) -> None:
    for field, value in changes.items():
        setattr(instance, field, value)


@transaction.atomic
def region_create(*, actor, code: str, name: str) -> Region:
    require_perm(actor, "org.add_region")
    return validated_save(Region(company_id=actor.company_id, code=code, name=name))


@transaction.atomic
def region_update(*, actor, region: Region, **changes) -> Region:
    require_perm(actor, "org.change_region")
    apply_changes(region, changes)
    return validated_save(region)


@transaction.atomic
def project_create(
    *, actor, region: Region, code: str, name: str, city: str = "", address: str = ""
) -> Project:
    require_perm(actor, "org.add_project")
    project = Project(
        company_id=region.company_id,
        region=region,
        code=code,
        name=name,
        city=city,
        address=address,
    )
    return validated_save(project)


@transaction.atomic
def project_update(*, actor, project: Project, **changes) -> Project:
    require_perm(actor, "org.change_project")
    require_project_in_scope(actor, project)
    apply_changes(project, changes)
    return validated_save(project)


@transaction.atomic
def building_create(*, actor, project: Project, name: str, floors: int | None = None) -> Building:
    require_perm(actor, "org.add_building")
    require_project_in_scope(actor, project)
    building = Building(company_id=project.company_id, project=project, name=name, floors=floors)
    return validated_save(building)


@transaction.atomic
def building_update(*, actor, building: Building, **changes) -> Building:
    require_perm(actor, "org.change_building")
    require_project_in_scope(actor, building.project)
    apply_changes(building, changes)
    return validated_save(building)


@transaction.atomic
def unit_create(
    *,
    actor,
    building: Building,
    number: str,
    entrance: str = "",
    floor: int | None = None,
    area: Decimal | None = None,
    type: str = Unit.Type.RESIDENTIAL,
    status: str = Unit.Status.VACANT,
) -> Unit:
    require_perm(actor, "org.add_unit")
    require_project_in_scope(actor, building.project)
    unit = Unit(
        company_id=building.company_id,
        project_id=building.project_id,
        building=building,
        entrance=entrance,
        number=number,
        floor=floor,
        area=area,
        type=type,
        status=status,
    )
    return validated_save(unit)


@transaction.atomic
def unit_update(*, actor, unit: Unit, **changes) -> Unit:
    require_perm(actor, "org.change_unit")
    require_project_in_scope(actor, unit.project)
    apply_changes(unit, changes)
    return validated_save(unit)
