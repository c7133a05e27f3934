"""The demo company generator and the demo logins, on the real test database."""

import hashlib
import re
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Count, F, Q

from ganzhi.core.errors import DomainError
from ganzhi.core.personal_data import is_valid_mobile
from ganzhi.core.roles import Role
from ganzhi.core.scoping import visible
from ganzhi.demo.generator import POSTS, generate_demo, plan_company
from ganzhi.demo.logins import DEMO_PASSWORD, USERNAMES, ensure_demo_logins
from ganzhi.org.models import Building, Company, Post, Project, Region, Staff, Unit, User
from ganzhi.owners.models import Household, HouseholdMember, Owner

SIX_POSTS = {code for code, _name in POSTS}


def snapshot() -> list[tuple]:
    """The demo data in a canonical, id-free form (sorted, so ordering-independent)."""
    members = HouseholdMember.objects.filter(company__code="demo").values_list(
        "household__project__code",
        "household__project__name",
        "household__unit__building__name",
        "household__unit__entrance",
        "household__unit__number",
        "household__move_in_date",
        "owner__name",
        "owner__phone",
        "owner__age_band",
        "owner__occupation",
        "owner__elderly_alone",
        "owner__has_children",
        "owner__value_type",
        "owner__communication_style",
        "owner__trust_level",
        "owner__preferred_channel",
        "owner__consent_survey",
        "relation",
        "is_primary_contact",
    )
    units = Unit.objects.filter(company__code="demo").values_list(
        "project__code", "building__name", "entrance", "number", "floor", "area", "type", "status"
    )
    staff = Staff.objects.filter(company__code="demo").values_list(
        "employee_no", "name", "post__code", "supervisor__employee_no"
    )
    projects = Project.objects.filter(company__code="demo").values_list(
        "code", "name", "region__code", "city", "address", "delivered_on"
    )
    return [
        *sorted(map(str, members)),
        *sorted(map(str, units)),
        *sorted(map(str, staff)),
        *sorted(map(str, projects)),
    ]


def generated(households: int, seed: int) -> list[tuple]:
    """Generate inside a savepoint, snapshot, and roll back: the next run starts clean."""
    savepoint = transaction.savepoint()
    try:
        generate_demo(households=households, seed=seed)
        return snapshot()
    finally:
        transaction.savepoint_rollback(savepoint)


def test_same_seed_same_data_other_seed_other_data(db):
    first = generated(1500, seed=1)
    assert not Company.objects.filter(code="demo").exists()
    again = generated(1500, seed=1)
    other = generated(1500, seed=2)
    assert first == again
    assert len(first) > 4000
    assert other != first
    assert {row for row in first if "'P0001'" in row} != {row for row in other if "'P0001'" in row}


# sha256 of snapshot() for households=300, seed=7. The same on SQLite and PostgreSQL:
# the data never depends on the backend. Update it (and say so in the change) only
# when the generator's output is meant to change.
FINGERPRINT_300_7 = "6372b259f1b0594e810e84040a5a16d62ee1c23a840d08c91a4b2aa127ad5978"


def test_data_does_not_depend_on_the_database(db):
    rows = generated(300, seed=7)
    digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    assert digest == FINGERPRINT_300_7


def test_plan_is_pure_and_sized():
    plan = plan_company(households=1_000_000, seed=1)
    assert len(plan.projects) == 333
    assert sum(p.households for p in plan.projects) == 1_000_000
    assert len({p.name for p in plan.projects}) == 333
    assert min(p.households for p in plan.projects) >= 800
    assert max(p.households for p in plan.projects) <= 6000
    assert len(plan.regions) >= 5
    assert plan == plan_company(households=1_000_000, seed=1)


@pytest.fixture
def demo(db):
    summary = generate_demo(households=3000, seed=1)
    return summary, Company.objects.get(code="demo")


def test_counts_are_consistent(demo):
    summary, company = demo
    assert company.name == "示范物业集团"
    assert summary.households == 3000
    assert summary.regions == Region.objects.filter(company=company).count() >= 2
    assert summary.projects == Project.objects.filter(company=company).count() >= 2
    assert summary.buildings == Building.objects.filter(company=company).count()
    assert summary.units == Unit.objects.filter(company=company).count()
    assert summary.households == Household.objects.filter(company=company).count()
    assert summary.owners == Owner.objects.filter(company=company).count()
    assert summary.staff == Staff.objects.filter(company=company).count()
    assert summary.seconds > 0

    lived_in = Q(status__in=[Unit.Status.OCCUPIED, Unit.Status.RENTED])
    per_unit = Unit.objects.filter(company=company).annotate(
        current=Count("households", filter=Q(households__is_current=True))
    )
    assert set(per_unit.filter(lived_in).values_list("current", flat=True)) == {1}
    assert set(per_unit.exclude(lived_in).values_list("current", flat=True)) == {0}

    per_household = Household.objects.filter(company=company).annotate(
        primary=Count("memberships", filter=Q(memberships__is_primary_contact=True)),
        n_members=Count("memberships"),
    )
    assert set(per_household.values_list("primary", flat=True)) == {1}
    assert set(per_household.values_list("n_members", flat=True)) <= {1, 2, 3}
    rented_homes = per_household.filter(
        unit__status=Unit.Status.RENTED, unit__type=Unit.Type.RESIDENTIAL
    )
    assert rented_homes.exists()
    assert not rented_homes.exclude(memberships__relation="tenant").exists()
    # a home's move-in is after its project's delivery
    assert not Household.objects.filter(
        company=company, move_in_date__lt=F("project__delivered_on")
    ).exists()


def test_phones_valid_and_unique(demo):
    _summary, company = demo
    phones = list(Owner.objects.filter(company=company).values_list("phone", flat=True))
    assert phones and all(is_valid_mobile(p) for p in phones)
    assert len(set(phones)) == len(phones)
    names = list(Owner.objects.filter(company=company).values_list("name", flat=True))
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", n) for n in names)
    assert len(set(names)) > len(names) / 3  # varied, with some namesakes


def test_units_look_real(demo):
    _summary, company = demo
    units = Unit.objects.filter(company=company)
    residential = units.filter(type=Unit.Type.RESIDENTIAL)
    assert residential.count() > 0.9 * units.count()
    assert units.filter(type=Unit.Type.COMMERCIAL).exists()
    assert units.filter(type=Unit.Type.PARKING).exists()
    share = residential.exclude(status=Unit.Status.VACANT).count() / residential.count()
    assert 0.85 <= share <= 0.98
    rented = residential.filter(status=Unit.Status.RENTED).count() / residential.count()
    assert 0.03 <= rented <= 0.3
    for building, entrance, number, floor, area in residential.values_list(
        "building__name", "entrance", "number", "floor", "area"
    )[:2000]:
        assert re.fullmatch(r"\d+栋", building)
        assert entrance in {"1", "2"}
        assert int(number[:-2]) == floor and 1 <= int(number[-2:]) <= 4
        assert 60 <= area <= 180
    projects = Project.objects.filter(company=company)
    assert len({p.name for p in projects}) == projects.count()
    assert all(re.fullmatch(r"P\d{4}", p.code) and p.city and p.delivered_on for p in projects)


def test_profiles_follow_the_documented_distributions(demo):
    _summary, company = demo
    homes = Household.objects.filter(company=company, unit__type=Unit.Type.RESIDENTIAL)
    n = homes.count()
    alone = homes.filter(memberships__owner__elderly_alone=True).distinct().count()
    assert 0.035 <= alone / n <= 0.09
    children = homes.filter(memberships__owner__has_children=True).distinct().count()
    assert 0.27 <= children / n <= 0.43
    owners = Owner.objects.filter(company=company)
    assert set(owners.values_list("age_band", flat=True)) == set(Owner.AgeBand.values)
    styles = Counter(owners.values_list("communication_style", flat=True))
    assert set(styles) == {"", *Owner.CommunicationStyle.values}
    assert set(owners.values_list("trust_level", flat=True)) == set(Owner.TrustLevel.values)
    assert 0.8 <= owners.filter(consent_survey=True).count() / owners.count() <= 0.95
    assert owners.filter(elderly_alone=True).exclude(age_band__in=["60_74", "75_plus"]).count() == 0


def test_staff_on_every_post_with_a_chain_to_hq(demo):
    _summary, company = demo
    assert set(Post.objects.filter(company=company).values_list("code", flat=True)) == SIX_POSTS
    for project in Project.objects.filter(company=company):
        team = Staff.objects.filter(projects=project)
        assert set(team.exclude(post=None).values_list("post__code", flat=True)) == SIX_POSTS
        managers = team.filter(post=None)
        assert managers.count() == 1
        manager = managers.get()
        assert not team.exclude(pk=manager.pk).exclude(supervisor=manager).exists()
        households = project.households.count()
        housekeepers = team.filter(post__code="housekeeper").count()
        assert housekeepers == max(1, round(households / 300))

    staff = {s.id: s for s in Staff.objects.filter(company=company)}
    roots = [s for s in staff.values() if s.supervisor_id is None]
    assert len(roots) == 1
    hq = roots[0]
    for member in staff.values():
        seen = 0
        while member.supervisor_id is not None:
            member = staff[member.supervisor_id]
            seen += 1
            assert seen <= 3
        assert member == hq
    region_managers = Staff.objects.filter(company=company, supervisor=hq)
    assert region_managers.count() == Region.objects.filter(company=company).count()
    assert len({s.employee_no for s in staff.values()}) == len(staff)


def test_small_company_still_has_two_projects_and_regions(db):
    calls = []
    summary = generate_demo(households=200, seed=3, progress=lambda *a: calls.append(a))
    assert (summary.projects, summary.regions, summary.households) == (2, 2, 200)
    assert ("projects", 2, 2) in calls
    assert calls[-1] == ("workorders", 2, 2)  # the work orders come after the registry
    assert (
        Project.objects.filter(company__code="demo", households__isnull=False).distinct().count()
        == 2
    )


def test_refuses_a_second_demo_and_writes_nothing(db):
    generate_demo(households=200, seed=1)
    before = [m.objects.count() for m in (Company, Region, Project, Unit, Owner, Staff, Post)]
    with pytest.raises(DomainError) as error:
        generate_demo(households=200, seed=2)
    assert error.value.code == "demo_exists"
    assert "已存在" in error.value.message
    after = [m.objects.count() for m in (Company, Region, Project, Unit, Owner, Staff, Post)]
    assert after == before


def test_refuses_impossible_sizes(db):
    for households in (0, -5, 10**9):
        with pytest.raises(DomainError) as error:
            generate_demo(households=households)
        assert error.value.code == "demo_invalid_size"
    assert not Company.objects.exists()


# --- logins ----------------------------------------------------------------------


def test_logins_refused_outside_demo_mode(demo, settings):
    settings.GANZHI_DEMO = False
    users = User.objects.count()
    with pytest.raises(DomainError) as error:
        ensure_demo_logins(demo[1])
    assert error.value.code == "demo_mode_off"
    assert User.objects.count() == users


def test_logins_see_their_slice(demo, settings, client):
    settings.GANZHI_DEMO = True
    company = demo[1]
    logins = ensure_demo_logins(company)
    assert [login.username for login in logins] == list(USERNAMES)
    assert all(login.description for login in logins)
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    assert set(users) == set(USERNAMES)
    for username in USERNAMES:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()

    projects = Project.objects.filter(company=company).order_by("code")
    first, second = projects[0], projects[1]
    assert users["hq"].role == Role.HQ and users["hq"].is_staff
    assert set(visible(Project.objects.all(), users["hq"])) == set(projects)
    assert list(visible(Project.objects.all(), users["manager"])) == [first]
    assert users["manager"].staff.post is None and users["manager"].is_staff
    assert list(visible(Project.objects.all(), users["manager2"])) == [second]
    assert list(visible(Project.objects.all(), users["staff"])) == [first]
    assert users["staff"].staff.post.code == "cs"
    assert list(visible(Project.objects.all(), users["staff2"])) == [second]
    assert list(visible(Project.objects.all(), users["frontline1"])) == [first]
    assert users["frontline1"].staff.post.code == "cleaning"
    region_projects = set(visible(Project.objects.all(), users["region1"]))
    assert first in region_projects
    assert region_projects == set(projects.filter(region=first.region))

    owner = users["owner1"].owner
    homes = visible(Household.objects.all(), users["owner1"])
    assert homes.exists()
    assert all(h.project_id == first.id for h in homes)
    assert HouseholdMember.objects.filter(
        owner=owner, household__in=homes, is_primary_contact=True
    ).exists()
    assert visible(Owner.objects.all(), users["owner1"]).count() < 5


def test_logins_are_idempotent(demo, settings):
    settings.GANZHI_DEMO = True
    company = demo[1]
    first = ensure_demo_logins(company)
    state = sorted(
        User.objects.values_list("username", "password", "role", "is_staff", "company_id")
    )
    links = sorted(Staff.objects.exclude(user=None).values_list("id", "user_id"))
    owners = sorted(Owner.objects.exclude(user=None).values_list("id", "user_id"))
    assert ensure_demo_logins(company) == first
    assert (
        sorted(User.objects.values_list("username", "password", "role", "is_staff", "company_id"))
        == state
    )
    assert sorted(Staff.objects.exclude(user=None).values_list("id", "user_id")) == links
    assert sorted(Owner.objects.exclude(user=None).values_list("id", "user_id")) == owners
    hashes = {u.password for u in User.objects.filter(username__in=USERNAMES)}
    assert len(hashes) == 1  # hashed once


def test_logins_do_not_take_over_another_companys_user(demo, settings):
    settings.GANZHI_DEMO = True
    other = Company.objects.create(code="other", name="别家物业")
    User.objects.create_user(username="hq", password="x-123456789", company=other)
    with pytest.raises(DomainError) as error:
        ensure_demo_logins(demo[1])
    assert error.value.code == "demo_login_taken"
    assert User.objects.count() == 1
