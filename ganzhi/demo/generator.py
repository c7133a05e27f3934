"""The demo company: one realistic property company of any size, deterministic per seed.

``generate_demo(households=N, seed=S)`` builds company ``demo`` (示范物业集团):
city companies (regions), projects of ~1,000–6,000 households, buildings, units,
households, owners with profiles, and staff on every post with a supervisor
chain up to the HQ quality lead; then the work-order set-up (categories,
promises, calendar) and two years of work orders (``ganzhi.demo.workorders``).
docs/demo-data.md describes the data and its distributions (the "planted
effects").

How it stays deterministic and fast:

- Everything is drawn from ``random.Random`` — first a company plan (project
  sizes, names, cities, one sub-seed per project), then each project from its own
  ``Random(sub-seed)``. Nothing drawn depends on database ids or the backend.
  ``REFERENCE_DATE`` (not today) anchors every date.
- Phone numbers are unique by construction: per prefix, an affine bijection
  (a·k + b mod 10⁸, gcd(a, 10) = 1) of a counter, so no set of used numbers.
- The big tables (units, households, owners, members) are written through
  ``ganzhi.demo.bulk.FastTable`` (explicit ids, ``COPY`` / ``executemany``);
  small ones through ``bulk_create``.
- One transaction for the company skeleton (company, posts, regions, HQ and
  regional managers), then one per chunk of whole projects (~25,000
  households). A crash leaves the skeleton and the chunks written so far,
  never half a project. The company is named "示范物业集团（生成中）" until
  the last chunk is committed; a new run refuses (``demo_exists``, saying the
  last run was interrupted) — start again on a fresh database.
"""

import math
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ganzhi.core.errors import DomainError
from ganzhi.demo import names
from ganzhi.demo.bulk import FastTable, TimeOrderedIds
from ganzhi.demo.names import Weighted
from ganzhi.demo.surveys import generate_surveys
from ganzhi.demo.workorders import (
    MAX_WORKORDER_YEARS,
    WORKORDER_YEARS,
    calendar_years,
    generate_workorders,
)
from ganzhi.org.models import Building, Company, Post, Project, Region, Staff, Unit
from ganzhi.owners.models import Household, HouseholdMember, Owner
from ganzhi.workorders.services import workorder_defaults_ensure

DEMO_CODE = "demo"
DEMO_NAME = "示范物业集团"
IN_PROGRESS_MARK = "（生成中）"
REFERENCE_DATE = date(2026, 10, 31)  # "today" for the demo data: dates never depend on the clock
MAX_HOUSEHOLDS = 10_000_000
HOUSEHOLDS_PER_PROJECT = 3000  # the default number of projects: one per this many households
MIN_PROJECT_HOUSEHOLDS = 10  # with an explicit number of projects: at least this many each
MAX_PROJECTS = 9999  # project codes P0001 … P9999
MAX_SCALE = 10.0  # volume factors (work orders, survey answers) are in (0, MAX_SCALE]
# Projects are written in transactions of whole projects, about this many households
# each: fewer commits rewrite fewer index pages (SQLite WAL, PostgreSQL full pages).
CHUNK_HOUSEHOLDS = 25_000

# The six front-line posts (code, name), created for the demo company.
POSTS = [
    ("cs", "客服"),
    ("security", "秩序维护"),
    ("cleaning", "保洁"),
    ("greening", "绿化"),
    ("engineering", "工程维修"),
    ("housekeeper", "管家"),
]
# Staffing per project: one per this many households, at least the minimum.
STAFFING = {
    "cs": (800, 1),
    "security": (120, 2),
    "cleaning": (250, 1),
    "greening": (700, 1),
    "engineering": (450, 1),
    "housekeeper": (300, 1),
}
# Share of staff on each post who are men (names only).
STAFF_MALE = {
    "cs": 0.2,
    "security": 0.9,
    "cleaning": 0.25,
    "greening": 0.6,
    "engineering": 0.95,
    "housekeeper": 0.3,
}

UNDER_30, AGE_30, AGE_45, AGE_60, AGE_75 = (band.value for band in Owner.AgeBand)

# --- Distributions (documented in docs/demo-data.md, "Planted effects") ---------
ELDERLY_ALONE_SHARE = 0.07  # of owner-occupied homes → ~6% of all homes
OWNER_AGE = Weighted(
    {
        UNDER_30: 9,
        AGE_30: 40,
        AGE_45: 31,
        AGE_60: 15,
        AGE_75: 5,
    }
)
TENANT_AGE = Weighted(
    {
        UNDER_30: 50,
        AGE_30: 40,
        AGE_45: 10,
    }
)
LANDLORD_AGE = Weighted(
    {
        AGE_30: 35,
        AGE_45: 45,
        AGE_60: 20,
    }
)
# Who lives in an owner-occupied home (besides the elderly living alone).
COMPOSITION = Weighted({"single": 30, "couple": 47, "couple_family": 13, "single_family": 10})
# P(children at home) by the owner's age band; halved-and-more for single owners.
CHILDREN = {
    UNDER_30: 0.3,
    AGE_30: 0.86,
    AGE_45: 0.5,
    AGE_60: 0.12,
    AGE_75: 0.03,
}
SINGLE_CHILDREN_FACTOR = 0.4
DISABILITY = {
    UNDER_30: 0.005,
    AGE_30: 0.008,
    AGE_45: 0.012,
    AGE_60: 0.03,
    AGE_75: 0.08,
}
VALUE_TYPE_BLANK = 0.15  # not profiled yet
VALUE_TYPE = {
    "working": Weighted(
        {
            Owner.ValueType.DEMANDING: 20,
            Owner.ValueType.EASY_GOING: 22,
            Owner.ValueType.ECONOMICAL: 33,
            Owner.ValueType.COMFORT: 25,
        }
    ),
    "senior": Weighted(
        {
            Owner.ValueType.DEMANDING: 22,
            Owner.ValueType.EASY_GOING: 20,
            Owner.ValueType.ECONOMICAL: 48,
            Owner.ValueType.COMFORT: 10,
        }
    ),
}
STYLE_BLANK = 0.2
STYLE = Weighted(
    {
        Owner.CommunicationStyle.PEACOCK: 22,
        Owner.CommunicationStyle.OWL: 25,
        Owner.CommunicationStyle.TIGER: 18,
        Owner.CommunicationStyle.PANDA: 35,
    }
)
# Trust grows with years in the community; tenants mostly have none yet.
TRUST = {
    "new": Weighted({"none": 70, "valued": 26, "part_of_life": 4}),  # under 2 years
    "settled": Weighted({"none": 55, "valued": 36, "part_of_life": 9}),  # 2–5 years
    "long": Weighted({"none": 40, "valued": 42, "part_of_life": 18}),  # 5 years and more
    "tenant": Weighted({"none": 80, "valued": 18, "part_of_life": 2}),
}
CHANNEL = {
    "working": Weighted({"wechat": 62, "phone": 22, "sms": 10, "visit": 2, "email": 4}),
    "senior": Weighted({"phone": 55, "wechat": 25, "visit": 15, "sms": 5}),
    "alone": Weighted({"phone": 55, "visit": 40, "wechat": 5}),
}
QUIET_HOURS_SHARE = 0.18
CONSENT_CONTACT = 0.97
CONSENT_SURVEY = 0.88
CONSENT_MARKETING = {"working": 0.33, "senior": 0.15}
SPOUSE_PRIMARY = 0.25  # couples where the spouse, not the deed owner, is the contact
SPOUSE_ON_DEED = 0.7  # co-owner (50/50) rather than family member

# Buildings: (min floors, max floors, entrances weights, homes per entrance per floor,
# mean area of an end / middle home).
BUILDING_TYPES = {
    "high": (18, 33, {1: 40, 2: 60}, {2: 55, 4: 45}, (118.0, 88.0)),  # 高层
    "mid": (11, 18, {2: 100}, {2: 100}, (108.0, 96.0)),  # 小高层
    "low": (6, 9, {1: 30, 2: 70}, {2: 100}, (142.0, 128.0)),  # 洋房
}
SENIOR_BANDS = frozenset({AGE_60, AGE_75})
OLDER_BAND = {
    UNDER_30: AGE_45,
    AGE_30: AGE_60,
}

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class DemoSummary:
    regions: int = 0
    projects: int = 0
    buildings: int = 0
    units: int = 0
    households: int = 0
    owners: int = 0
    staff: int = 0
    workorders: int = 0
    live_workorders: int = 0  # of them, created relative to the clock (see ganzhi.demo.workorders)
    workorder_events: int = 0
    followups: int = 0
    seconds: float = 0.0


@dataclass
class ProjectSpec:
    index: int
    code: str
    name: str
    region: int
    city: str
    address: str
    delivered_on: date
    households: int
    seed: int


@dataclass
class CompanyPlan:
    regions: list[tuple[str, str, str]]  # (code, name, city)
    projects: list[ProjectSpec]
    hq_name: str
    region_manager_names: list[str]
    phone_seed: int


def generate_demo(
    *,
    households: int,
    seed: int = 1,
    progress: ProgressCallback | None = None,
    workorders: bool = True,
    workorder_years: int = WORKORDER_YEARS,
    now: datetime | None = None,
    projects: int | None = None,
    workorder_scale: float = 1.0,
    survey_scale: float = 1.0,
    after_service_scale: float | None = None,
) -> DemoSummary:
    """Build the demo company with about ``households`` households (exactly that many).

    Sizing (for benchmark tiers; the defaults are the ordinary demo): ``projects``
    sets the number of projects (default one per ``HOUSEHOLDS_PER_PROJECT``
    households); ``workorder_scale`` multiplies the work-order volume (history and
    live orders); ``survey_scale`` multiplies the chance that an invited household
    answers a relationship wave, ``after_service_scale`` (default: ``survey_scale``)
    the share of after-service invitations answered. Everything else keeps its
    distribution.

    After the registry, the company gets its work-order defaults
    (``workorder_defaults_ensure``: categories, promises, the calendar with the
    official holidays of the years covered) and, unless ``workorders`` is False,
    ``workorder_years`` years of work orders up to ``REFERENCE_DATE`` plus a few
    live ones relative to ``now`` (default: the clock).

    Raises DomainError("demo_exists") if a company with code "demo" exists.
    ``progress(stage, done, total)`` is called after the skeleton ("company"),
    for each project once it is committed ("projects"), and for each project's
    work orders ("workorders").
    """
    if not isinstance(households, int) or not 1 <= households <= MAX_HOUSEHOLDS:
        raise DomainError("demo_invalid_size", f"演示数据的户数须在 1 到 {MAX_HOUSEHOLDS:,} 之间。")
    if not isinstance(workorder_years, int) or not 1 <= workorder_years <= MAX_WORKORDER_YEARS:
        raise DomainError(
            "demo_invalid_years", f"工单历史的年数须在 1 到 {MAX_WORKORDER_YEARS} 之间。"
        )
    if projects is not None and (
        not isinstance(projects, int)
        or not 2 <= projects <= min(MAX_PROJECTS, households // MIN_PROJECT_HOUSEHOLDS)
    ):
        raise DomainError(
            "demo_invalid_projects",
            f"项目数须在 2 到 {MAX_PROJECTS} 之间，且每个项目至少 {MIN_PROJECT_HOUSEHOLDS} 户。",
        )
    if after_service_scale is None:
        after_service_scale = survey_scale
    for scale in (workorder_scale, survey_scale, after_service_scale):
        if not isinstance(scale, int | float) or not 0 < scale <= MAX_SCALE:
            raise DomainError("demo_invalid_scale", f"数量倍数须大于 0、不超过 {MAX_SCALE:g}。")
    now = now or timezone.now()
    started = time.perf_counter()
    plan = plan_company(households=households, seed=seed, projects=projects)
    summary = DemoSummary()
    notify = progress or (lambda stage, done, total: None)

    with transaction.atomic():
        existing = Company.objects.filter(code=DEMO_CODE).first()
        if existing is not None:
            raise _exists(existing)
        try:
            with transaction.atomic():
                company = Company.objects.create(code=DEMO_CODE, name=DEMO_NAME + IN_PROGRESS_MARK)
        except IntegrityError:  # another run created it a moment ago
            raise _exists(None) from None
        writer = _Writer(company, plan)
        writer.write_skeleton()
    summary.regions = len(plan.regions)
    notify("company", 1, 1)

    phones = PhoneBook(Random(plan.phone_seed))
    chunk: list[tuple[ProjectSpec, ProjectRows]] = []

    def write_chunk() -> None:
        with transaction.atomic():
            for spec, rows in chunk:
                writer.write_project(spec, rows)
        for spec, rows in chunk:
            summary.projects += 1
            summary.buildings += len(rows.buildings)
            summary.units += len(rows.units)
            summary.households += len(rows.households)
            summary.owners += len(rows.owners)
            summary.staff += len(rows.staff)
            notify("projects", spec.index + 1, len(plan.projects))
        chunk.clear()

    with _bulk_load_cache():
        for spec in plan.projects:
            chunk.append((spec, ProjectBuilder(spec, phones, writer.next_employee_no).build()))
            if sum(s.households for s, _rows in chunk) >= CHUNK_HOUSEHOLDS:
                write_chunk()
        if chunk:
            write_chunk()

    summary.staff += 1 + len(plan.regions)  # HQ lead and regional managers

    workorder_defaults_ensure(
        company=company, years=calendar_years(REFERENCE_DATE, workorder_years, now)
    )
    if workorders:
        with _bulk_load_cache():
            made = generate_workorders(
                company=company,
                projects=plan.projects,
                reference=REFERENCE_DATE,
                years=workorder_years,
                now=now,
                progress=notify,
                scale=workorder_scale,
            )
            generate_surveys(
                company=company,
                projects=plan.projects,
                reference=REFERENCE_DATE,
                now=now,
                scale=survey_scale,
                after_service_scale=after_service_scale,
            )
        summary.workorders = made.orders
        summary.live_workorders = made.live
        summary.workorder_events = made.events
        summary.followups = made.followups
    Company.objects.filter(pk=company.pk).update(name=DEMO_NAME)
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary


@contextmanager
def _bulk_load_cache(megabytes: int = 256):
    """On SQLite, a bigger page cache while loading: randomly ordered keys (the
    owners' phone index) otherwise thrash the default 2 MB cache. This connection
    only, restored afterwards; durability settings are untouched."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{megabytes * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _exists(company: Company | None) -> DomainError:
    if company is not None and company.name.endswith(IN_PROGRESS_MARK):
        message = (
            "演示公司（代码 demo）已存在，但上次生成未完成。"
            "演示数据无法续写，请换一个新的数据库重新生成。"
        )
    else:
        message = "演示公司（代码 demo）已存在，不能重复生成；如需重建，请使用新的数据库。"
    return DomainError("demo_exists", message)


# --- The plan ---------------------------------------------------------------------


def plan_company(*, households: int, seed: int, projects: int | None = None) -> CompanyPlan:
    """Regions, and projects with their sizes, names and places — pure, no database.
    ``projects``: how many (default one per ``HOUSEHOLDS_PER_PROJECT`` households, at
    least two); their sizes keep their spread around the mean."""
    rng = Random(seed)
    if projects is None:
        n_projects = max(2, round(households / HOUSEHOLDS_PER_PROJECT))
    else:
        n_projects = projects
    n_regions = max(2, min(len(names.CITY_COMPANIES), math.ceil(n_projects / 12)))
    sizes = _apportion(households, [rng.triangular(1000, 6000, 2000) for _ in range(n_projects)])

    companies = names.CITY_COMPANIES[:n_regions]
    regions = [
        (f"{area_code}-{city_code}", f"{area}区域·{city}公司", city)
        for area, area_code, city, city_code, _cities in companies
    ]
    # Every region gets a project first; then bigger (earlier) city companies get more.
    region_of = Weighted([(i, 1.0 / (1 + 0.1 * i)) for i in range(n_regions)])
    assignment = list(range(n_regions)) + [region_of(rng) for _ in range(n_projects - n_regions)]

    combos = [p + s for p in names.PROJECT_PREFIXES for s in names.PROJECT_SUFFIXES]
    if n_projects <= len(combos):
        project_names = rng.sample(combos, n_projects)
    else:
        rng.shuffle(combos)
        project_names = list(combos)
        for phase in names.PHASES:
            project_names += [c + phase for c in combos]
            if len(project_names) >= n_projects:
                break
        project_names = project_names[:n_projects]

    projects = []
    for i in range(n_projects):
        region = assignment[i]
        cities = companies[region][4]
        city = cities[0] if len(cities) == 1 or rng.random() < 0.6 else rng.choice(cities[1:])
        road = rng.choice(names.ROADS) + rng.choice(names.ROAD_KINDS)
        address = f"{city}市{road}{rng.randint(1, 999)}号"
        days_ago = int(rng.triangular(400, 22 * 365, 6 * 365))
        projects.append(
            ProjectSpec(
                index=i,
                code=f"P{i + 1:04d}",
                name=project_names[i],
                region=region,
                city=city,
                address=address,
                delivered_on=REFERENCE_DATE - timedelta(days=days_ago),
                households=sizes[i],
                seed=rng.getrandbits(64),
            )
        )
    hq_name = names.person_name(rng, male=rng.random() < 0.5, era="mid")
    managers = [names.person_name(rng, male=rng.random() < 0.7, era="mid") for _ in regions]
    return CompanyPlan(
        regions=regions,
        projects=projects,
        hq_name=hq_name,
        region_manager_names=managers,
        phone_seed=rng.getrandbits(64),
    )


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to ``weights`` summing to ``total``; leftovers from the first."""
    scale = total / sum(weights)
    sizes = [int(w * scale) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % len(sizes)] += 1
    return sizes


class PhoneBook:
    """Unique, deterministic mainland mobile numbers (1[3-9]x + 8 digits)."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.steps: dict[str, tuple[int, int]] = {}
        self.counts: dict[str, int] = {}
        for prefix in names.PHONE_PREFIXES.values:
            a = rng.randrange(10_000_001, 99_999_999)
            while a % 2 == 0 or a % 5 == 0:  # coprime to 10⁸: a bijection of 8 digits
                a += 1
            self.steps[prefix] = (a, rng.randrange(100_000_000))
            self.counts[prefix] = 0

    def next(self, rng: Random) -> str:
        prefix = names.PHONE_PREFIXES(rng)
        k = self.counts[prefix]
        self.counts[prefix] = k + 1
        a, b = self.steps[prefix]
        return f"{prefix}{(a * k + b) % 100_000_000:08d}"


# --- One project's rows, built in memory ------------------------------------------


@dataclass
class ProjectRows:
    buildings: list[tuple[str, int]] = field(default_factory=list)  # (name, floors)
    # (building index, entrance, number, floor, area, type, status)
    units: list[tuple] = field(default_factory=list)
    households: list[tuple[int, str]] = field(default_factory=list)  # (unit index, move-in)
    owners: list[tuple] = field(default_factory=list)  # Owner profile values, OWNER_COLUMNS
    # (household index, owner index, relation, share, primary contact)
    members: list[tuple] = field(default_factory=list)
    staff: list[tuple[str | None, str, str]] = field(default_factory=list)  # (post, name, no.)


OWNER_COLUMNS = (
    "name",
    "phone",
    "age_band",
    "occupation",
    "elderly_alone",
    "has_children",
    "has_disability",
    "care_notes",
    "value_type",
    "communication_style",
    "trust_level",
    "preferred_channel",
    "quiet_hours",
    "consent_contact",
    "consent_survey",
    "consent_marketing",
)

OWNER = HouseholdMember.Relation.OWNER.value
CO_OWNER = HouseholdMember.Relation.CO_OWNER.value
FAMILY = HouseholdMember.Relation.FAMILY.value
TENANT = HouseholdMember.Relation.TENANT.value
RESIDENTIAL = Unit.Type.RESIDENTIAL.value
COMMERCIAL = Unit.Type.COMMERCIAL.value
PARKING = Unit.Type.PARKING.value
VACANT = Unit.Status.VACANT.value
OCCUPIED = Unit.Status.OCCUPIED.value
RENTED = Unit.Status.RENTED.value


class ProjectBuilder:
    """Draws one project's buildings, units, households, owners and staff."""

    def __init__(self, spec: ProjectSpec, phones: PhoneBook, employee_no: Callable[[], str]):
        self.spec = spec
        self.rng = Random(spec.seed)
        self.phones = phones
        self.employee_no = employee_no
        self.rows = ProjectRows()
        self.delivered = spec.delivered_on.toordinal()
        self.today = REFERENCE_DATE.toordinal()

    def build(self) -> ProjectRows:
        rng = self.rng
        total = self.spec.households
        age_years = (self.today - self.delivered) / 365.25
        shops = garage = 0
        if total >= 300 and rng.random() < 0.7:
            shops = max(1, round(total * rng.uniform(0.005, 0.02)))
        if total >= 300 and age_years < 16 and rng.random() < 0.8:
            garage = max(1, round(total * rng.uniform(0.03, 0.08)))
        homes = total - shops - garage
        occupancy = rng.uniform(0.86, 0.97)
        rent_share = min(0.3, rng.uniform(0.04, 0.12) + 0.008 * age_years)

        units_needed = math.ceil(homes / occupancy) if homes else rng.randint(24, 96)
        self._residential_buildings(units_needed, age_years)
        resident_units = self._fill(RESIDENTIAL, 0, homes, rent_share)
        if shops:
            first = len(self.rows.units)
            self._shop_building(shops + round(shops * rng.uniform(0.05, 0.3)))
            self._fill(COMMERCIAL, first, shops, 0.65)
        if garage:
            first = len(self.rows.units)
            self._garage(math.ceil(garage / rng.uniform(0.6, 0.85)))
            self._fill(PARKING, first, garage, 0.2)
        self._people(resident_units)
        self._staff()
        return self.rows

    # -- buildings and units --

    def _residential_buildings(self, needed: int, age_years: float) -> None:
        rng = self.rng
        if age_years > 15:
            mix = Weighted({"high": 15, "mid": 45, "low": 40})
        elif age_years > 8:
            mix = Weighted({"high": 45, "mid": 40, "low": 15})
        else:
            mix = Weighted({"high": 65, "mid": 20, "low": 15})
        made = 0
        number = 0
        while made < needed:
            number += 1
            kind = mix(rng)
            low, high, entrances_w, per_floor_w, (end_area, middle_area) = BUILDING_TYPES[kind]
            entrances = Weighted(entrances_w)(rng)
            rooms = Weighted(per_floor_w)(rng)
            floors = rng.randint(low, high)
            per_floor = entrances * rooms
            remaining = needed - made
            if floors * per_floor > remaining:  # the last building: just big enough
                floors = max(3, math.ceil(remaining / per_floor))
            building = len(self.rows.buildings)
            self.rows.buildings.append((f"{number}栋", floors))
            # Homes on top of each other share a layout, so one area per stack.
            layouts = []
            for _entrance in range(entrances):
                for room in range(1, rooms + 1):
                    end = room in (1, rooms)
                    area = rng.gauss(end_area if end else middle_area, 12.0)
                    layouts.append(f"{min(180.0, max(60.0, area)):.2f}")
            units = self.rows.units
            for entrance in range(1, entrances + 1):
                label = str(entrance)
                base = (entrance - 1) * rooms
                for floor in range(1, floors + 1):
                    for room in range(1, rooms + 1):
                        units.append(
                            (
                                building,
                                label,
                                f"{floor}{room:02d}",
                                floor,
                                layouts[base + room - 1],
                                RESIDENTIAL,
                                VACANT,
                            )
                        )
            made += floors * per_floor

    def _shop_building(self, count: int) -> None:
        rng = self.rng
        floors = 1 if count <= 40 else 2
        building = len(self.rows.buildings)
        self.rows.buildings.append(("商业街", floors))
        per_floor = math.ceil(count / floors)
        for i in range(count):
            floor, position = divmod(i, per_floor)
            area = f"{rng.uniform(30.0, 200.0):.2f}"
            self.rows.units.append(
                (
                    building,
                    "",
                    f"{floor + 1}{position + 1:02d}",
                    floor + 1,
                    area,
                    COMMERCIAL,
                    VACANT,
                )
            )

    def _garage(self, count: int) -> None:
        levels = 1 if count <= 300 else 2
        building = len(self.rows.buildings)
        self.rows.buildings.append(("地下车库", levels))
        per_level = math.ceil(count / levels)
        areas = ("12.50", "13.20", "15.00")
        for i in range(count):
            level, position = divmod(i, per_level)
            self.rows.units.append(
                (
                    building,
                    "",
                    f"B{level + 1}-{position + 1:03d}",
                    -(level + 1),
                    areas[int(self.rng.random() * 3)],
                    PARKING,
                    VACANT,
                )
            )

    def _fill(self, kind: str, first: int, lived_in: int, rent_share: float) -> list[int]:
        """Mark ``lived_in`` units from ``first`` on occupied or rented; add their households."""
        rng = self.rng
        units = self.rows.units
        chosen = sorted(rng.sample(range(first, len(units)), lived_in))
        for index in chosen:
            unit = units[index]
            status = RENTED if rng.random() < rent_share else OCCUPIED
            units[index] = (*unit[:6], status)
            self.rows.households.append((index, self._move_in(kind, status)))
        return chosen

    def _move_in(self, kind: str, status: str) -> str:
        rng = self.rng
        start, today = self.delivered, self.today
        if status == RENTED:
            day = rng.randint(max(start, today - 4 * 365), today)
        elif kind == RESIDENTIAL and rng.random() < 0.3 and start + 365 < today:
            day = rng.randint(start + 365, today)  # bought later, from a previous owner
        else:
            day = min(today, start + int(rng.triangular(0, 3 * 365, 90)))
        return date.fromordinal(day).isoformat()

    # -- people --

    def _people(self, resident_units: list[int]) -> None:
        rng = self.rng
        rows = self.rows
        units = rows.units
        today = self.today
        contacts: list[int] = []  # owners of owner-occupied homes (parking buyers come from them)
        garages = []
        for household, (unit_index, move_in) in enumerate(rows.households):
            unit = units[unit_index]
            kind, status = unit[5], unit[6]
            if kind == PARKING:
                garages.append((household, status))
                continue
            years = (today - date.fromisoformat(move_in).toordinal()) / 365.25
            tenure = "new" if years < 2 else "settled" if years < 5 else "long"
            if kind == COMMERCIAL:
                self._shop_household(household, status, tenure)
            elif status == RENTED:
                self._rented_home(household, tenure)
            else:
                contacts.append(self._owned_home(household, tenure))
        if garages:
            # Residents buy (or rent) the parking spaces; one space each.
            buyers = contacts or [owner for _h, owner, *_ in rows.members]
            if len(buyers) >= len(garages):
                picked = rng.sample(buyers, len(garages))
            else:
                picked = [buyers[int(rng.random() * len(buyers))] for _ in garages]
            for (household, status), owner in zip(garages, picked, strict=True):
                relation = TENANT if status == RENTED else OWNER
                share = None if status == RENTED else "100.00"
                rows.members.append((household, owner, relation, share, True))

    def _owned_home(self, household: int, tenure: str) -> int:
        rng = self.rng
        members = self.rows.members
        if rng.random() < ELDERLY_ALONE_SHARE:
            age = AGE_60 if rng.random() < 0.55 else AGE_75
            owner = self._person(age, rng.random() < 0.4, tenure, alone=True)
            members.append((household, owner, OWNER, "100.00", True))
            return owner
        age = OWNER_AGE(rng)
        shape = COMPOSITION(rng)
        partner = shape.startswith("couple")
        p_children = CHILDREN[age] * (1.0 if partner else SINGLE_CHILDREN_FACTOR)
        children = rng.random() < p_children
        male = rng.random() < 0.55
        surname = names.SURNAMES(rng)
        owner = self._person(age, male, tenure, children=children, surname=surname)
        spouse = None
        if partner:
            spouse_age = age if rng.random() < 0.8 else OWNER_AGE(rng)
            spouse = self._person(spouse_age, not male, tenure, children=children)
        family = None
        if shape.endswith("family"):
            if age in OLDER_BAND:  # a parent lives with a younger owner
                family = self._person(OLDER_BAND[age], rng.random() < 0.4, tenure, surname=surname)
            else:  # a grown-up child
                family = self._person(UNDER_30, rng.random() < 0.5, tenure, surname=surname)
        spouse_primary = spouse is not None and rng.random() < SPOUSE_PRIMARY
        if spouse is not None and rng.random() < SPOUSE_ON_DEED:
            members.append((household, owner, OWNER, "50.00", not spouse_primary))
            members.append((household, spouse, CO_OWNER, "50.00", spouse_primary))
        else:
            members.append((household, owner, OWNER, "100.00", not spouse_primary))
            if spouse is not None:
                members.append((household, spouse, FAMILY, None, spouse_primary))
        if family is not None:
            members.append((household, family, FAMILY, None, False))
        return owner

    def _rented_home(self, household: int, tenure: str) -> None:
        rng = self.rng
        members = self.rows.members
        landlord = self._person(LANDLORD_AGE(rng), rng.random() < 0.55, "long")
        members.append((household, landlord, OWNER, "100.00", False))
        age = TENANT_AGE(rng)
        children = rng.random() < (0.4 if age == AGE_30 else 0.08)
        tenant = self._person(age, rng.random() < 0.5, "tenant", children=children)
        members.append((household, tenant, TENANT, None, True))
        if rng.random() < 0.4:
            other = self._person(TENANT_AGE(rng), rng.random() < 0.5, "tenant", children=children)
            members.append((household, other, TENANT, None, False))

    def _shop_household(self, household: int, status: str, tenure: str) -> None:
        rng = self.rng
        members = self.rows.members
        owner = self._person(LANDLORD_AGE(rng), rng.random() < 0.6, tenure, occupation="企业主")
        if status == RENTED:
            members.append((household, owner, OWNER, "100.00", False))
            age = AGE_30 if rng.random() < 0.6 else TENANT_AGE(rng)
            tenant = self._person(age, rng.random() < 0.55, "tenant", occupation="个体经营")
            members.append((household, tenant, TENANT, None, True))
        else:
            members.append((household, owner, OWNER, "100.00", True))

    def _person(
        self,
        age: str,
        male: bool,
        tenure: str,
        *,
        alone: bool = False,
        children: bool = False,
        surname: str | None = None,
        occupation: str | None = None,
    ) -> int:
        """Append one owner (a person) and return their index in ``rows.owners``."""
        rng = self.rng
        senior = age in SENIOR_BANDS
        group = "senior" if senior else "working"
        era = "old" if senior else "young" if age == UNDER_30 else "mid"
        name = names.person_name(rng, male=male, era=era, surname=surname)
        if occupation is None:
            if rng.random() < 0.1:
                occupation = ""  # unknown
            elif senior:
                occupation = names.OCCUPATIONS_RETIRED(rng)
            elif age == UNDER_30:
                occupation = names.OCCUPATIONS_YOUNG(rng)
            else:
                occupation = names.OCCUPATIONS_WORKING(rng)
        disability = rng.random() < DISABILITY[age]
        if alone:
            care = names.ELDERLY_CARE_NOTES[int(rng.random() * len(names.ELDERLY_CARE_NOTES))]
        elif disability:
            care = names.DISABILITY_CARE_NOTES[int(rng.random() * len(names.DISABILITY_CARE_NOTES))]
        else:
            care = ""
        value_type = "" if rng.random() < VALUE_TYPE_BLANK else VALUE_TYPE[group](rng)
        style = "" if rng.random() < STYLE_BLANK else STYLE(rng)
        channel = CHANNEL["alone" if alone else group](rng)
        quiet = names.QUIET_HOURS(rng) if rng.random() < QUIET_HOURS_SHARE else ""
        self.rows.owners.append(
            (
                name,
                self.phones.next(rng),
                age,
                occupation,
                alone,
                children,
                disability,
                care,
                value_type,
                style,
                TRUST[tenure](rng),
                channel,
                quiet,
                rng.random() < CONSENT_CONTACT,
                rng.random() < CONSENT_SURVEY,
                rng.random() < CONSENT_MARKETING[group],
            )
        )
        return len(self.rows.owners) - 1

    # -- staff --

    def _staff(self) -> None:
        rng = self.rng
        total = self.spec.households
        staff = self.rows.staff
        pm_name = names.person_name(rng, male=rng.random() < 0.65, era="mid")
        staff.append((None, pm_name, self.employee_no()))
        for post, _label in POSTS:
            per, minimum = STAFFING[post]
            for _ in range(max(minimum, round(total / per))):
                era = "young" if rng.random() < 0.4 else "mid"
                name = names.person_name(rng, male=rng.random() < STAFF_MALE[post], era=era)
                staff.append((post, name, self.employee_no()))


# --- Writing ----------------------------------------------------------------------


class _Writer:
    def __init__(self, company: Company, plan: CompanyPlan) -> None:
        self.company = company
        self.plan = plan
        self.employees = 0
        self.public_ids = TimeOrderedIds()
        self.posts: dict[str, int] = {}
        self.region_ids: list[int] = []
        self.region_manager_ids: list[int] = []
        self.units = FastTable(
            Unit,
            (
                "id",
                "public_id",
                "company_id",
                "project_id",
                "building_id",
                "entrance",
                "number",
                "floor",
                "area",
                "type",
                "status",
            ),
        )
        self.households = FastTable(
            Household,
            (
                "id",
                "public_id",
                "company_id",
                "project_id",
                "unit_id",
                "move_in_date",
                "is_current",
            ),
        )
        self.owners = FastTable(Owner, ("id", "public_id", "company_id", *OWNER_COLUMNS))
        self.members = FastTable(
            HouseholdMember,
            ("company_id", "household_id", "owner_id", "relation", "share", "is_primary_contact"),
        )

    def next_employee_no(self) -> str:
        self.employees += 1
        return f"E{self.employees:06d}"

    def write_skeleton(self) -> None:
        company = self.company
        for order, (code, name) in enumerate(POSTS, start=1):
            post, _ = Post.objects.get_or_create(
                company=company, code=code, defaults={"name": name, "sort_order": order}
            )
            self.posts[code] = post.id
        regions = Region.objects.bulk_create(
            [
                Region(company=company, code=code, name=name)
                for code, name, _city in self.plan.regions
            ]
        )
        self.region_ids = [r.id for r in regions]
        hq = Staff.objects.create(
            company=company, name=self.plan.hq_name, employee_no=self.next_employee_no()
        )
        managers = Staff.objects.bulk_create(
            [
                Staff(
                    company=company, name=name, employee_no=self.next_employee_no(), supervisor=hq
                )
                for name in self.plan.region_manager_names
            ]
        )
        self.region_manager_ids = [m.id for m in managers]
        Staff.regions.through.objects.bulk_create(
            [
                Staff.regions.through(staff_id=m, region_id=r)
                for m, r in zip(self.region_manager_ids, self.region_ids, strict=True)
            ]
        )

    def write_project(self, spec: ProjectSpec, rows: ProjectRows) -> None:
        company_id = self.company.id
        project = Project.objects.create(
            company_id=company_id,
            region_id=self.region_ids[spec.region],
            code=spec.code,
            name=spec.name,
            city=spec.city,
            address=spec.address,
            delivered_on=spec.delivered_on,
        )
        project_id = project.id
        buildings = Building.objects.bulk_create(
            [
                Building(company_id=company_id, project_id=project_id, name=name, floors=floors)
                for name, floors in rows.buildings
            ],
            batch_size=500,
        )
        building_ids = [b.id for b in buildings]

        take = self.public_ids.take
        unit_ids = self.units.allocate_ids(len(rows.units))
        self.units.insert(
            [
                (uid, pub, company_id, project_id, building_ids[b], *rest)
                for uid, pub, (b, *rest) in zip(
                    unit_ids, take(len(rows.units)), rows.units, strict=True
                )
            ]
        )
        household_ids = self.households.allocate_ids(len(rows.households))
        self.households.insert(
            [
                (hid, pub, company_id, project_id, unit_ids[u], move_in, True)
                for hid, pub, (u, move_in) in zip(
                    household_ids, take(len(rows.households)), rows.households, strict=True
                )
            ]
        )
        owner_ids = self.owners.allocate_ids(len(rows.owners))
        self.owners.insert(
            [
                (oid, pub, company_id, *values)
                for oid, pub, values in zip(
                    owner_ids, take(len(rows.owners)), rows.owners, strict=True
                )
            ]
        )
        self.members.insert(
            [
                (company_id, household_ids[h], owner_ids[o], relation, share, primary)
                for h, o, relation, share, primary in rows.members
            ]
        )
        self._write_staff(project_id, spec, rows.staff)

    def _write_staff(self, project_id: int, spec: ProjectSpec, staff: list[tuple]) -> None:
        company_id = self.company.id
        (_none, pm_name, pm_no), *team = staff
        manager = Staff.objects.create(
            company_id=company_id,
            name=pm_name,
            employee_no=pm_no,
            supervisor_id=self.region_manager_ids[spec.region],
        )
        members = Staff.objects.bulk_create(
            [
                Staff(
                    company_id=company_id,
                    name=name,
                    employee_no=number,
                    post_id=self.posts[post],
                    supervisor_id=manager.id,
                )
                for post, name, number in team
            ],
            batch_size=500,
        )
        Through = Staff.projects.through
        Through.objects.bulk_create(
            [Through(staff_id=s.id, project_id=project_id) for s in [manager, *members]],
            batch_size=500,
        )
