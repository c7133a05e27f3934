"""The scoping chokepoint: each persona sees exactly its part of the registry."""

import pytest

from ganzhi.core.scoping import get_visible_or_404, visible
from ganzhi.org.models import Building, Project, Region, Staff, Unit
from ganzhi.owners.models import Household, Owner


def names(queryset):
    return sorted(str(obj) for obj in queryset)


def test_hq_sees_the_whole_company_and_nothing_of_the_other(world):
    assert names(visible(Project.objects.all(), world.hq)) == ["南湾一号", "翠湖花园", "锦绣华庭"]
    assert names(visible(Region.objects.all(), world.hq)) == ["华东区域", "华南区域"]
    assert visible(Unit.objects.all(), world.hq).count() == 3
    assert world.unit_z not in visible(Unit.objects.all(), world.hq)


def test_region_manager_sees_the_projects_of_their_region(world):
    assert names(visible(Project.objects.all(), world.region)) == ["南湾一号"]
    assert names(visible(Region.objects.all(), world.region)) == ["华南区域"]
    assert visible(Unit.objects.all(), world.region).count() == 0


def test_project_manager_sees_only_their_project(world):
    assert names(visible(Project.objects.all(), world.manager)) == ["翠湖花园"]
    assert names(visible(Region.objects.all(), world.manager)) == ["华东区域"]
    assert set(visible(Unit.objects.all(), world.manager)) == {world.unit_x, world.unit_y}
    assert names(visible(Owner.objects.all(), world.manager)) == ["张伟", "李娜"]
    assert names(visible(Building.objects.all(), world.manager)) == ["1栋"]


def test_staff_of_b_sees_b_only(world):
    assert names(visible(Project.objects.all(), world.staff)) == ["锦绣华庭"]
    assert names(visible(Owner.objects.all(), world.staff)) == ["王芳"]


def test_owner_sees_only_their_own_household(world):
    assert list(visible(Household.objects.all(), world.owner)) == [world.household_x]
    assert list(visible(Unit.objects.all(), world.owner)) == [world.unit_x]
    assert list(visible(Owner.objects.all(), world.owner)) == [world.owner_x]
    assert list(visible(Project.objects.all(), world.owner)) == [world.project_a]
    assert visible(Staff.objects.all(), world.owner).count() == 0
    assert visible(Building.objects.all(), world.owner).count() == 0


def test_outsider_sees_only_their_company(world):
    assert names(visible(Project.objects.all(), world.outsider)) == ["别家小区"]
    assert list(visible(Owner.objects.all(), world.outsider).values_list("name", flat=True)) == [
        "赵敏"
    ]


def test_anonymous_and_unassigned_users_see_nothing(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert visible(Project.objects.all(), AnonymousUser()).count() == 0
    loose = django_user_model.objects.create_user(
        "loose", password="x", company=world.company, role="project_manager"
    )
    assert visible(Project.objects.all(), loose).count() == 0


def test_owner_in_two_households_is_listed_once(world):
    from ganzhi.owners.models import HouseholdMember

    household_y = Household.objects.get(unit=world.unit_y)
    HouseholdMember.objects.create(
        company=world.company, household=household_y, owner=world.owner_x
    )
    assert names(visible(Owner.objects.all(), world.manager)) == ["张伟", "李娜"]


def test_cross_scope_object_is_not_found(world):
    from django.http import Http404

    with pytest.raises(Http404):
        get_visible_or_404(Unit.objects.all(), world.manager, public_id=world.unit_b.public_id)
    with pytest.raises(Http404):
        get_visible_or_404(Unit.objects.all(), world.manager, public_id="not-a-uuid")
    assert get_visible_or_404(Unit.objects.all(), world.manager, public_id=world.unit_x.public_id)
