"""Personas shared by the whole suite.

``world`` builds two companies. In company 示范物业: region 华东 with projects A
(翠湖花园) and B (锦绣华庭), region 华南 with project C. Users: ``hq`` (sees the
company), ``region`` (manager of 华南), ``manager`` (project manager of A),
``staff`` (customer service of B), ``frontline`` (cleaner in A), ``owner``
(lives in unit X of A). In the other company: ``outsider`` (its HQ lead).
All passwords are ``pw-123456``.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client

from ganzhi.core.roles import Role
from ganzhi.org.models import Building, Company, Post, Project, Region, Staff, Unit, User
from ganzhi.owners.models import Household, HouseholdMember, Owner

PASSWORD = "pw-123456"

pytest_plugins = ["tests.browser"]


@dataclass
class World:
    company: Company
    other_company: Company
    east: Region
    south: Region
    project_a: Project
    project_b: Project
    project_c: Project
    project_z: Project
    building_a: Building
    building_b: Building
    unit_x: Unit
    unit_y: Unit
    unit_b: Unit
    unit_z: Unit
    owner_x: Owner
    owner_y: Owner
    owner_b: Owner
    household_x: Household
    hq: User
    region: User
    manager: User
    staff: User
    frontline: User
    owner: User
    outsider: User

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def make_user(company, username, role, *, projects=(), regions=(), post=None, is_staff=False):
    user = User.objects.create_user(
        username=username, password=PASSWORD, company=company, role=role, is_staff=is_staff
    )
    if role != Role.OWNER:
        staff = Staff.objects.create(
            company=company, user=user, name=username, employee_no=username, post=post
        )
        staff.projects.set(projects)
        staff.regions.set(regions)
    return user


def make_project(company, region, code, name, buildings=("1栋",)):
    project = Project.objects.create(company=company, region=region, code=code, name=name)
    made = [Building.objects.create(company=company, project=project, name=b) for b in buildings]
    return project, made


def make_unit(building, number, entrance="1", area="89.50"):
    return Unit.objects.create(
        company_id=building.company_id,
        project_id=building.project_id,
        building=building,
        entrance=entrance,
        number=number,
        floor=int(number[:-2]) if len(number) > 2 else None,
        area=Decimal(area),
        status=Unit.Status.OCCUPIED,
    )


def make_owner(unit, name, phone, user=None):
    owner = Owner.objects.create(company_id=unit.company_id, name=name, phone=phone, user=user)
    household = Household.objects.filter(unit=unit, is_current=True).first()
    if household is None:
        household = Household.objects.create(
            company_id=unit.company_id, project_id=unit.project_id, unit=unit
        )
    HouseholdMember.objects.create(
        company_id=unit.company_id, household=household, owner=owner, is_primary_contact=True
    )
    return owner, household


@pytest.fixture
def world(db) -> World:
    company = Company.objects.create(code="shifan", name="示范物业")
    other = Company.objects.create(code="other", name="别家物业")
    east = Region.objects.create(company=company, code="east", name="华东区域")
    south = Region.objects.create(company=company, code="south", name="华南区域")
    other_region = Region.objects.create(company=other, code="east", name="华东区域")
    cleaning = Post.objects.create(company=company, code="cleaning", name="保洁")
    Post.objects.create(company=company, code="cs", name="客服")
    Post.objects.create(company=other, code="cs", name="客服")

    project_a, (building_a,) = make_project(company, east, "A", "翠湖花园")
    project_b, (building_b,) = make_project(company, east, "B", "锦绣华庭")
    project_c, _ = make_project(company, south, "C", "南湾一号")
    project_z, (building_z,) = make_project(other, other_region, "Z", "别家小区")

    unit_x = make_unit(building_a, "1201")
    unit_y = make_unit(building_a, "1202")
    unit_b = make_unit(building_b, "0301")
    unit_z = make_unit(building_z, "0101")

    owner_user = make_user(company, "owner", Role.OWNER)
    owner_x, household_x = make_owner(unit_x, "张伟", "13812341234", user=owner_user)
    owner_y, _ = make_owner(unit_y, "李娜", "13912345678")
    owner_b, _ = make_owner(unit_b, "王芳", "13612345678")
    make_owner(unit_z, "赵敏", "13512345678")

    return World(
        company=company,
        other_company=other,
        east=east,
        south=south,
        project_a=project_a,
        project_b=project_b,
        project_c=project_c,
        project_z=project_z,
        building_a=building_a,
        building_b=building_b,
        unit_x=unit_x,
        unit_y=unit_y,
        unit_b=unit_b,
        unit_z=unit_z,
        owner_x=owner_x,
        owner_y=owner_y,
        owner_b=owner_b,
        household_x=household_x,
        hq=make_user(company, "hq", Role.HQ, is_staff=True),
        region=make_user(company, "region", Role.REGION_MANAGER, regions=[south], is_staff=True),
        manager=make_user(
            company, "manager", Role.PROJECT_MANAGER, projects=[project_a], is_staff=True
        ),
        staff=make_user(company, "staff", Role.CUSTOMER_SERVICE, projects=[project_b]),
        frontline=make_user(
            company, "frontline", Role.FRONTLINE, projects=[project_a], post=cleaning
        ),
        owner=owner_user,
        outsider=make_user(other, "outsider", Role.HQ, is_staff=True),
    )


@pytest.fixture
def wo(world) -> World:
    """The world plus work-order defaults, an engineering post with two fixers (reporting
    to the manager of A) and ``cs_a``, customer service of project A."""
    from ganzhi.workorders.models import Category
    from ganzhi.workorders.services import workorder_defaults_ensure

    company = world.company
    engineering = Post.objects.create(company=company, code="engineering", name="工程维修")
    Post.objects.create(company=company, code="security", name="秩序维护")
    workorder_defaults_ensure(company=company, years=[2026])
    world.fixer = make_user(
        company, "fixer", Role.FRONTLINE, projects=[world.project_a], post=engineering
    )
    world.fixer2 = make_user(
        company, "fixer2", Role.FRONTLINE, projects=[world.project_a], post=engineering
    )
    manager_staff = Staff.objects.get(user=world.manager)
    Staff.objects.filter(user__in=[world.fixer, world.fixer2]).update(supervisor=manager_staff)
    world.cs_a = make_user(company, "cs_a", Role.CUSTOMER_SERVICE, projects=[world.project_a])
    world.categories = {c.code: c for c in Category.objects.filter(company=company)}
    return world
