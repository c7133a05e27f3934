"""Import of the household registry from the spreadsheet property companies keep.

All or nothing: every row is checked (formats first, then against the database)
before anything is written, and the writes run in one transaction. Re-importing
the same file changes nothing: rows are matched on natural keys — building by
name, unit by (building, entrance, number), owner by mobile number (or, without
one, by name within the unit's household).
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError
from ganzhi.core.personal_data import is_valid_mobile, normalize_phone
from ganzhi.core.spreadsheets import Sheet
from ganzhi.org.models import Building, Project, Unit
from ganzhi.owners.models import Household, HouseholdMember, Owner

# canonical key → the headers that mean it (compared after normalising spaces/brackets)
COLUMNS: dict[str, tuple[str, ...]] = {
    "project": ("项目", "项目名称", "小区", "小区名称"),
    "building": ("楼栋", "楼号", "栋", "楼栋号"),
    "entrance": ("单元", "单元号"),
    "number": ("房号", "房间号", "门牌号", "房屋编号"),
    "floor": ("楼层",),
    "area": ("建筑面积", "面积", "建筑面积(㎡)", "建筑面积(m²)", "建筑面积(平方米)"),
    "type": ("房屋类型", "类型", "物业类型"),
    "name": ("业主姓名", "姓名", "业主", "住户姓名"),
    "phone": ("手机号", "手机", "手机号码", "联系电话", "电话"),
    "move_in": ("入住日期", "入住时间"),
    "id_number": ("证件号码", "身份证号", "身份证号码"),
    "relation": ("关系", "身份", "住户类型"),
}
REQUIRED = ("building", "number")
LABELS = {key: headers[0] for key, headers in COLUMNS.items()}

UNIT_TYPES = {
    "住宅": Unit.Type.RESIDENTIAL,
    "公寓": Unit.Type.RESIDENTIAL,
    "residential": Unit.Type.RESIDENTIAL,
    "商铺": Unit.Type.COMMERCIAL,
    "商业": Unit.Type.COMMERCIAL,
    "commercial": Unit.Type.COMMERCIAL,
    "车位": Unit.Type.PARKING,
    "车库": Unit.Type.PARKING,
    "parking": Unit.Type.PARKING,
}
RELATIONS = {
    "业主": HouseholdMember.Relation.OWNER,
    "产权人": HouseholdMember.Relation.OWNER,
    "共有人": HouseholdMember.Relation.CO_OWNER,
    "共同产权人": HouseholdMember.Relation.CO_OWNER,
    "家属": HouseholdMember.Relation.FAMILY,
    "家庭成员": HouseholdMember.Relation.FAMILY,
    "租户": HouseholdMember.Relation.TENANT,
    "租客": HouseholdMember.Relation.TENANT,
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
MAX_ROWS = 500_000
BATCH = 2000


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParsedRow:
    row: int
    building: str
    entrance: str
    number: str
    floor: int | None
    area: Decimal | None
    type: str | None
    name: str
    phone: str
    move_in: dt.date | None
    id_number: str
    relation: str

    @property
    def unit_key(self) -> tuple[str, str, str]:
        return (self.building, self.entrance, self.number)


@dataclass
class ImportResult:
    rows: int = 0
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, what: str, n: int = 1) -> None:
        bucket = self.created if kind == "created" else self.updated
        bucket[what] = bucket.get(what, 0) + n

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated}


class ImportRejected(DomainError):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            "import_rejected",
            _("The file was not imported: %(count)d problem(s) found. Nothing was changed.")
            % {"count": len(errors)},
            details=[e.as_dict() for e in errors],
        )
        self.errors = errors


Progress = Callable[[int, int], None]


def import_households(
    *, project: Project, sheet: Sheet, progress: Progress | None = None
) -> ImportResult:
    """Check every row of ``sheet``, then write all of it into ``project`` or nothing.

    ``progress(done, total)`` is called while rows are checked, outside the write
    transaction, so other connections can show it.
    """
    columns = _map_columns(sheet.header)
    rows = list(sheet.numbered_rows())
    if not rows:
        raise DomainError("empty_file", _("The file has a header but no data rows."))
    if len(rows) > MAX_ROWS:
        raise DomainError(
            "too_many_rows",
            _("A file may hold at most %(max)d rows; split it into smaller files.")
            % {"max": MAX_ROWS},
        )
    parsed, errors = _parse_rows(rows, columns, project, progress or (lambda done, total: None))
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        writer = _Writer(project)
        errors = writer.check_against_database(parsed)
        if errors:
            raise ImportRejected(errors)
        writer.write(parsed)
    return writer.result


# --- parsing ---------------------------------------------------------------


def _normalise_header(text: str) -> str:
    text = text.replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")
    return text.strip().lower()


def _map_columns(header: list[str]) -> dict[str, int]:
    lookup = {
        _normalise_header(alias): key for key, aliases in COLUMNS.items() for alias in aliases
    }
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = lookup.get(_normalise_header(title))
        if key and key not in columns:
            columns[key] = index
    missing = [LABELS[key] for key in REQUIRED if key not in columns]
    if missing:
        raise ImportRejected(
            [
                RowError(1, name, _("Required column is missing from the header row."))
                for name in missing
            ]
        )
    return columns


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_rows(
    rows: list[tuple[int, list[Any]]],
    columns: dict[str, int],
    project: Project,
    progress: Progress,
) -> tuple[list[ParsedRow], list[RowError]]:
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    seen: dict[tuple, int] = {}
    for done, (number, cells) in enumerate(rows):
        if done % 5000 == 0:
            progress(done, len(rows))
        row_errors: list[RowError] = []

        def cell(key: str, cells: list[Any] = cells) -> Any:
            index = columns.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        def fail(key: str, message: str, number: int = number, sink=row_errors) -> None:
            sink.append(RowError(number, LABELS[key], message))

        project_text = _text(cell("project"))
        if project_text and project_text not in (project.name, project.code):
            fail(
                "project",
                _("Project “%(value)s” is not the project being imported (%(project)s).")
                % {"value": project_text, "project": project.name},
            )
        building = _text(cell("building"))
        if not building:
            fail("building", _("Building is required."))
        unit_number = _text(cell("number"))
        if not unit_number:
            fail("number", _("Unit number is required."))
        entrance = _text(cell("entrance"))
        for key, value, limit in (
            ("building", building, 50),
            ("entrance", entrance, 20),
            ("number", unit_number, 20),
        ):
            if len(value) > limit:
                fail(key, _("At most %(limit)d characters.") % {"limit": limit})
        floor = _parse_floor(cell("floor"), unit_number, fail)
        area = _parse_area(cell("area"), fail)
        unit_type = None
        type_text = _text(cell("type"))
        if type_text:
            unit_type = UNIT_TYPES.get(type_text.lower())
            if unit_type is None:
                fail(
                    "type",
                    _("Unknown unit type “%(value)s”; use 住宅, 商铺 or 车位.")
                    % {"value": type_text},
                )
        name = _text(cell("name"))
        if len(name) > 50:
            fail("name", _("At most %(limit)d characters.") % {"limit": 50})
        phone = normalize_phone(_text(cell("phone")))
        if phone and not is_valid_mobile(phone):
            fail("phone", _("Not an 11-digit mainland mobile number."))
        if phone and not name:
            fail("name", _("A mobile number is given but the owner's name is empty."))
        move_in = _parse_date(cell("move_in"), fail)
        id_number = _text(cell("id_number"))
        if id_number and not re.fullmatch(r"[0-9A-Za-z]{6,30}", id_number):
            fail("id_number", _("ID number may hold only letters and digits (6–30)."))
        relation = HouseholdMember.Relation.OWNER
        relation_text = _text(cell("relation"))
        if relation_text:
            relation = RELATIONS.get(relation_text)
            if relation is None:
                fail(
                    "relation",
                    _("Unknown relation “%(value)s”; use 业主, 共有人, 家属 or 租户.")
                    % {"value": relation_text},
                )
        if not row_errors:
            key = (building, entrance, unit_number, phone or name)
            if key in seen and name:
                fail("number", _("Same unit and owner as row %(row)d.") % {"row": seen[key]})
            seen.setdefault(key, number)
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.append(
            ParsedRow(
                number,
                building,
                entrance,
                unit_number,
                floor,
                area,
                unit_type,
                name,
                phone,
                move_in,
                id_number,
                relation,
            )
        )
    return parsed, errors


def _parse_floor(value: Any, unit_number: str, fail) -> int | None:
    text = _text(value)
    if text:
        try:
            floor = int(text)
        except ValueError:
            fail("floor", _("Floor must be a whole number."))
            return None
        if not -10 <= floor <= 300:
            fail("floor", _("Floor must be between -10 and 300."))
            return None
        return floor
    digits = re.fullmatch(r"(\d{1,3})(\d{2})", unit_number or "")
    return int(digits.group(1)) if digits else None


def _parse_area(value: Any, fail) -> Decimal | None:
    text = _text(value)
    if not text:
        return None
    try:
        area = Decimal(text.replace("㎡", "").replace("m²", "").replace(",", ""))
    except InvalidOperation:
        fail("area", _("Area must be a number of square metres."))
        return None
    if not Decimal("0") < area < Decimal("100000"):
        fail("area", _("Area must be above 0 and below 100000 m²."))
        return None
    return area.quantize(Decimal("0.01"))


def _parse_date(value: Any, fail) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not dt.date(1950, 1, 1) <= parsed <= dt.date(2100, 12, 31):
            break
        return parsed
    fail("move_in", _("“%(value)s” is not a date such as 2024-03-15.") % {"value": text})
    return None


# --- writing ---------------------------------------------------------------


class _Writer:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.company_id = project.company_id
        self.result = ImportResult()
        self.owners_by_phone: dict[str, Owner] = {}

    def check_against_database(self, rows: list[ParsedRow]) -> list[RowError]:
        """Conflicts only the database can show: a mobile number registered to another name."""
        phones = sorted({row.phone for row in rows if row.phone})
        for start in range(0, len(phones), BATCH):
            chunk = phones[start : start + BATCH]
            for owner in Owner.objects.filter(company_id=self.company_id, phone__in=chunk):
                self.owners_by_phone.setdefault(owner.phone, owner)
        errors = []
        first_name_for_phone: dict[str, tuple[str, int]] = {}
        for row in rows:
            if not row.phone:
                continue
            known = self.owners_by_phone.get(row.phone)
            if known is not None and known.name != row.name:
                errors.append(
                    RowError(
                        row.row,
                        LABELS["phone"],
                        _("This mobile number is registered to another owner (%(name)s).")
                        % {"name": known.name},
                    )
                )
            name, first_row = first_name_for_phone.setdefault(row.phone, (row.name, row.row))
            if name != row.name:
                errors.append(
                    RowError(
                        row.row,
                        LABELS["phone"],
                        _("Row %(row)d gives this mobile number to a different name.")
                        % {"row": first_row},
                    )
                )
        return errors

    def write(self, rows: list[ParsedRow]) -> None:
        self.result.rows = len(rows)
        buildings = self._buildings(rows)
        units = self._units(rows, buildings)
        self._households_and_owners(rows, units)

    def _buildings(self, rows: list[ParsedRow]) -> dict[str, Building]:
        existing = {b.name: b for b in Building.objects.filter(project=self.project)}
        new = [
            Building(company_id=self.company_id, project=self.project, name=name)
            for name in dict.fromkeys(row.building for row in rows)
            if name not in existing
        ]
        Building.objects.bulk_create(new, batch_size=BATCH)
        self.result.count("created", "buildings", len(new))
        existing.update({b.name: b for b in new})
        return existing

    def _units(self, rows: list[ParsedRow], buildings: dict[str, Building]) -> dict[tuple, Unit]:
        building_names = {b.id: name for name, b in buildings.items()}
        existing = {
            (building_names[u.building_id], u.entrance, u.number): u
            for u in Unit.objects.filter(project=self.project)
        }
        new: dict[tuple, Unit] = {}
        changed: dict[tuple, Unit] = {}
        for row in rows:
            unit = existing.get(row.unit_key) or new.get(row.unit_key)
            if unit is None:
                new[row.unit_key] = Unit(
                    company_id=self.company_id,
                    project=self.project,
                    building=buildings[row.building],
                    entrance=row.entrance,
                    number=row.number,
                    floor=row.floor,
                    area=row.area,
                    type=row.type or Unit.Type.RESIDENTIAL,
                )
                continue
            updates = {"floor": row.floor, "area": row.area, "type": row.type}
            for attr, value in updates.items():
                if value is not None and getattr(unit, attr) != value:
                    setattr(unit, attr, value)
                    if row.unit_key in existing:
                        changed[row.unit_key] = unit
        Unit.objects.bulk_create(new.values(), batch_size=BATCH)
        Unit.objects.bulk_update(changed.values(), ["floor", "area", "type"], batch_size=BATCH)
        self.result.count("created", "units", len(new))
        self.result.count("updated", "units", len(changed))
        existing.update(new)
        return existing

    def _households_and_owners(self, rows: list[ParsedRow], units: dict[tuple, Unit]) -> None:
        households = {
            h.unit_id: h for h in Household.objects.filter(project=self.project, is_current=True)
        }
        members: dict[int, dict[str, Owner]] = {}  # household id → owner key → owner
        for m in HouseholdMember.objects.filter(
            household__project=self.project, household__is_current=True
        ).select_related("owner"):
            members.setdefault(m.household_id, {})[m.owner.phone or m.owner.name] = m.owner

        owner_rows = [row for row in rows if row.name]
        # 1. households for units that get owners
        new_households: dict[int, Household] = {}
        changed_households: dict[int, Household] = {}
        # A unit's move-in date is the earliest one its rows give, so row order never matters.
        move_in: dict[int, dt.date] = {}
        for row in owner_rows:
            unit_id = units[row.unit_key].id
            if row.move_in and (unit_id not in move_in or row.move_in < move_in[unit_id]):
                move_in[unit_id] = row.move_in
        for row in owner_rows:
            unit = units[row.unit_key]
            household = households.get(unit.id) or new_households.get(unit.id)
            date = move_in.get(unit.id)
            if household is None:
                new_households[unit.id] = Household(
                    company_id=self.company_id,
                    project=self.project,
                    unit=unit,
                    move_in_date=date,
                )
            elif date and household.move_in_date != date:
                household.move_in_date = date
                if unit.id in households:
                    changed_households[unit.id] = household
        Household.objects.bulk_create(new_households.values(), batch_size=BATCH)
        Household.objects.bulk_update(
            changed_households.values(), ["move_in_date"], batch_size=BATCH
        )
        self.result.count("created", "households", len(new_households))
        self.result.count("updated", "households", len(changed_households))
        households.update(new_households)

        # 2. owners (matched by mobile number, else by name within the household)
        new_owners: list[Owner] = []
        changed_owners: dict[int, Owner] = {}
        row_owner: list[tuple[ParsedRow, Owner]] = []
        pending_by_key: dict[tuple, Owner] = {}
        for row in owner_rows:
            household = households[units[row.unit_key].id]
            owner = (
                self.owners_by_phone.get(row.phone)
                if row.phone
                else members.get(household.id, {}).get(row.name)
            )
            key = ("phone", row.phone) if row.phone else ("name", row.unit_key, row.name)
            owner = owner or pending_by_key.get(key)
            if owner is None:
                owner = Owner(
                    company_id=self.company_id,
                    name=row.name,
                    phone=row.phone,
                    id_number=row.id_number,
                )
                new_owners.append(owner)
                pending_by_key[key] = owner
                if row.phone:
                    self.owners_by_phone[row.phone] = owner
            elif row.id_number and owner.id_number != row.id_number:
                owner.id_number = row.id_number
                if owner.pk:
                    changed_owners[owner.pk] = owner
            row_owner.append((row, owner))
        Owner.objects.bulk_create(new_owners, batch_size=BATCH)
        Owner.objects.bulk_update(changed_owners.values(), ["id_number"], batch_size=BATCH)
        self.result.count("created", "owners", len(new_owners))
        self.result.count("updated", "owners", len(changed_owners))

        # 3. memberships, the first one of a new household being its primary contact
        existing_pairs = set(
            HouseholdMember.objects.filter(household__project=self.project).values_list(
                "household_id", "owner_id"
            )
        )
        has_members = {hid for hid, _owner in existing_pairs}
        new_members: list[HouseholdMember] = []
        for row, owner in row_owner:
            household = households[units[row.unit_key].id]
            pair = (household.id, owner.id)
            if pair in existing_pairs:
                continue
            existing_pairs.add(pair)
            new_members.append(
                HouseholdMember(
                    company_id=self.company_id,
                    household=household,
                    owner=owner,
                    relation=row.relation,
                    is_primary_contact=household.id not in has_members,
                )
            )
            has_members.add(household.id)
        HouseholdMember.objects.bulk_create(new_members, batch_size=BATCH)
        self.result.count("created", "household_members", len(new_members))

        # 4. vacant units that now have residents become occupied (or rented)
        tenant_only = {
            units[row.unit_key].id
            for row in owner_rows
            if row.relation == HouseholdMember.Relation.TENANT
        } - {
            units[row.unit_key].id
            for row in owner_rows
            if row.relation != HouseholdMember.Relation.TENANT
        }
        occupied: dict[str, list[int]] = {Unit.Status.OCCUPIED: [], Unit.Status.RENTED: []}
        for row in owner_rows:
            unit = units[row.unit_key]
            if unit.status == Unit.Status.VACANT:
                unit.status = Unit.Status.RENTED if unit.id in tenant_only else Unit.Status.OCCUPIED
                occupied[unit.status].append(unit.id)
        for status, ids in occupied.items():  # one UPDATE per status and batch, not per unit
            for start in range(0, len(ids), BATCH):
                Unit.objects.filter(id__in=ids[start : start + BATCH]).update(status=status)
        occupied = [unit_id for ids in occupied.values() for unit_id in ids]
        self.result.count("updated", "unit_status", len(occupied))
