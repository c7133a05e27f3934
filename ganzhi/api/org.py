"""Registry endpoints: regions, projects, buildings, units."""

import datetime as dt
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ganzhi.api.common import Ref, get_object, ref, resolve_reference
from ganzhi.core.scoping import visible
from ganzhi.org import services
from ganzhi.org.models import Building, Project, Region, Unit

router = Router(tags=["org"])


# --- regions -------------------------------------------------------------------


class RegionOut(Schema):
    id: UUID = Field(alias="public_id")
    code: str
    name: str


class RegionIn(Schema):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)


class RegionPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=100)


class RegionFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["name__icontains", "code__iexact"])] = None


@router.get("/regions", response=list[RegionOut])
@paginate(PageNumberPagination)
def list_regions(request, filters: RegionFilter = Query(...)):
    return filters.filter(visible(Region.objects.all(), request.user))


@router.get("/regions/{region_id}", response=RegionOut)
def get_region(request, region_id: UUID):
    return get_object(request, Region.objects.all(), region_id)


@router.post("/regions", response={201: RegionOut})
def create_region(request, payload: RegionIn):
    return Status(201, services.region_create(actor=request.user, **payload.dict()))


@router.patch("/regions/{region_id}", response=RegionOut)
def update_region(request, region_id: UUID, payload: RegionPatch):
    region = get_object(request, Region.objects.all(), region_id)
    return services.region_update(
        actor=request.user, region=region, **payload.dict(exclude_unset=True)
    )


# --- projects ------------------------------------------------------------------


class ProjectOut(Schema):
    id: UUID = Field(alias="public_id")
    code: str
    name: str
    city: str
    address: str
    delivered_on: dt.date | None
    is_active: bool
    region: Ref

    @staticmethod
    def resolve_region(obj):
        return ref(obj.region)


class ProjectIn(Schema):
    region: UUID
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    city: str = Field("", max_length=50)
    address: str = Field("", max_length=200)


class ProjectPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    city: str | None = Field(None, max_length=50)
    address: str | None = Field(None, max_length=200)
    delivered_on: dt.date | None = None
    is_active: bool | None = None


class ProjectFilter(FilterSchema):
    region: Annotated[UUID | None, FilterLookup("region__public_id")] = None
    q: Annotated[
        str | None, FilterLookup(["name__icontains", "code__iexact", "city__icontains"])
    ] = None
    is_active: bool | None = None


@router.get("/projects", response=list[ProjectOut])
@paginate(PageNumberPagination)
def list_projects(request, filters: ProjectFilter = Query(...)):
    projects = visible(Project.objects.select_related("region"), request.user)
    return filters.filter(projects)


@router.get("/projects/{project_id}", response=ProjectOut)
def get_project(request, project_id: UUID):
    return get_object(request, Project.objects.select_related("region"), project_id)


@router.post("/projects", response={201: ProjectOut})
def create_project(request, payload: ProjectIn):
    data = payload.dict()
    data["region"] = resolve_reference(request, Region.objects.all(), data["region"], "region")
    return Status(201, services.project_create(actor=request.user, **data))


@router.patch("/projects/{project_id}", response=ProjectOut)
def update_project(request, project_id: UUID, payload: ProjectPatch):
    project = get_object(request, Project.objects.select_related("region"), project_id)
    return services.project_update(
        actor=request.user, project=project, **payload.dict(exclude_unset=True)
    )


# --- buildings -----------------------------------------------------------------


class BuildingOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    floors: int | None
    project: Ref

    @staticmethod
    def resolve_project(obj):
        return ref(obj.project)


class BuildingIn(Schema):
    project: UUID
    name: str = Field(min_length=1, max_length=50)
    floors: int | None = Field(None, ge=1, le=300)


class BuildingPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=50)
    floors: int | None = Field(None, ge=1, le=300)


class BuildingFilter(FilterSchema):
    project: Annotated[UUID | None, FilterLookup("project__public_id")] = None
    q: Annotated[str | None, FilterLookup("name__icontains")] = None


@router.get("/buildings", response=list[BuildingOut])
@paginate(PageNumberPagination)
def list_buildings(request, filters: BuildingFilter = Query(...)):
    return filters.filter(visible(Building.objects.select_related("project"), request.user))


@router.get("/buildings/{building_id}", response=BuildingOut)
def get_building(request, building_id: UUID):
    return get_object(request, Building.objects.select_related("project"), building_id)


@router.post("/buildings", response={201: BuildingOut})
def create_building(request, payload: BuildingIn):
    data = payload.dict()
    data["project"] = resolve_reference(request, Project.objects.all(), data["project"], "project")
    return Status(201, services.building_create(actor=request.user, **data))


@router.patch("/buildings/{building_id}", response=BuildingOut)
def update_building(request, building_id: UUID, payload: BuildingPatch):
    building = get_object(request, Building.objects.select_related("project"), building_id)
    return services.building_update(
        actor=request.user, building=building, **payload.dict(exclude_unset=True)
    )


# --- units ---------------------------------------------------------------------


class UnitOut(Schema):
    id: UUID = Field(alias="public_id")
    label: str
    entrance: str
    number: str
    floor: int | None
    area: Decimal | None
    type: Unit.Type
    status: Unit.Status
    building: Ref
    project: Ref

    @staticmethod
    def resolve_building(obj):
        return ref(obj.building)

    @staticmethod
    def resolve_project(obj):
        return ref(obj.project)


class UnitIn(Schema):
    building: UUID
    number: str = Field(min_length=1, max_length=20)
    entrance: str = Field("", max_length=20)
    floor: int | None = Field(None, ge=-10, le=300)
    area: Decimal | None = Field(None, gt=0, lt=100000, decimal_places=2)
    type: Unit.Type = Unit.Type.RESIDENTIAL
    status: Unit.Status = Unit.Status.VACANT


class UnitPatch(Schema):
    floor: int | None = Field(None, ge=-10, le=300)
    area: Decimal | None = Field(None, gt=0, lt=100000, decimal_places=2)
    type: Unit.Type | None = None
    status: Unit.Status | None = None


class UnitFilter(FilterSchema):
    project: Annotated[UUID | None, FilterLookup("project__public_id")] = None
    building: Annotated[UUID | None, FilterLookup("building__public_id")] = None
    status: Unit.Status | None = None
    type: Unit.Type | None = None
    q: Annotated[str | None, FilterLookup("number__icontains")] = None


@router.get("/units", response=list[UnitOut])
@paginate(PageNumberPagination)
def list_units(request, filters: UnitFilter = Query(...)):
    units = visible(Unit.objects.select_related("building", "project"), request.user)
    return filters.filter(units)


@router.get("/units/{unit_id}", response=UnitOut)
def get_unit(request, unit_id: UUID):
    return get_object(request, Unit.objects.select_related("building", "project"), unit_id)


@router.post("/units", response={201: UnitOut})
def create_unit(request, payload: UnitIn):
    data = payload.dict()
    data["building"] = resolve_reference(
        request, Building.objects.select_related("project"), data["building"], "building"
    )
    return Status(201, services.unit_create(actor=request.user, **data))


@router.patch("/units/{unit_id}", response=UnitOut)
def update_unit(request, unit_id: UUID, payload: UnitPatch):
    unit = get_object(request, Unit.objects.select_related("building", "project"), unit_id)
    return services.unit_update(actor=request.user, unit=unit, **payload.dict(exclude_unset=True))
