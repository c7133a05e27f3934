"""Import of answers exported from survey tools: 问卷星 (wjx) and 腾讯问卷 (Tencent).

Both tools export one row per submission (CSV — UTF-8 with BOM or GB18030 — or .xlsx):
wjx starts with 序号, 提交答卷时间, 所用时间 ("125秒"), 来源, 来源详情, 来自IP
("36.112.3.4(北京-北京)") and then one column per question ("3、您对小区保洁的整体满意度"),
Tencent with 编号, 开始答题时间, 结束答题时间, 答题时长, IP and "Q1 …" question columns.

**Mapping.** Each column maps to a question code, ``<code>:expectation`` (the E of an
E/P item), a meta field (``meta:external_id``, ``meta:submitted_at``, …, see
:data:`META_FIELDS`) or nothing. :func:`suggest_mapping` proposes one: meta columns by
their usual headers, questions by their text (numbering, brackets and punctuation
removed, then the closest question by ``difflib`` ratio ≥ 0.6, each question once).
A confirmed mapping is saved per questionnaire and tool (``ImportMapping``) and
reused for the next file.

**Values.** Ratings take 非常满意 5 · 满意 4 · 一般 3 · 不满意 2 · 非常不满意 1 (and the
usual variants) on 1–5 items, or numbers ("4", "4分"); likelihood to recommend 0–10;
choices match an option's label or value (multiple choices split on ┋ | , ; or new
lines); "(跳过)", "(空)" and wjx's -2/-3 codes mean "not shown". Times are read as
the tool writes them (2026/3/15 9:05:01, 2026-03-15 09:05, Excel dates) in the
server's time zone; durations as "125秒", "2分5秒", "1小时2分", "00:02:05" or seconds.

**All or nothing, idempotent.** Every row is parsed and checked first; any problem
rejects the file with a list of (row, column, reason) and nothing is written. The
submission is identified by ``external_id = "<tool>:<number>@<submitted time>"``:
the tool's number alone would collide when two surveys of the tool (say one per
project) feed one questionnaire, and the time is stable across re-exports. Rows whose
id was imported before are skipped, so importing the same file again creates nothing.

**Households.** With 楼栋 / 房号 columns (meta ``building``, ``entrance``, ``unit``)
the answer is linked to the unit's current household; else, with a phone column,
to the household of the owner with that mobile number in the project. Answers that
match no household are kept as anonymous (counted in the result, not an error: owners
write their room number freely). The phone is stored only as ``phone_hash`` for the
staff check.

**After writing** the quality checks run on the new responses, and call-back tasks
are made for detractors and low items submitted in the last ``CALLBACK_MAX_AGE_DAYS``
days (older answers are history, not a call to make).
"""

import datetime as dt
import difflib
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ganzhi.core.errors import DomainError
from ganzhi.core.personal_data import is_valid_mobile, normalize_phone
from ganzhi.core.scoping import scope_for, visible
from ganzhi.core.services import require_perm, require_project_in_scope
from ganzhi.core.spreadsheets import SUPPORTED_SUFFIXES, Sheet, is_blank, read_sheet
from ganzhi.org.models import Project, Unit
from ganzhi.owners.importing import ImportRejected, RowError
from ganzhi.owners.models import Household, HouseholdMember
from ganzhi.rollups import services as rollups
from ganzhi.surveys.callbacks import (
    DETRACTOR_MAX,
    create_callbacks,
    is_low_item,
    item_threshold,
    notify_assignees,
)
from ganzhi.surveys.models import (
    Answer,
    ImportMapping,
    Question,
    Questionnaire,
    Response,
    ResponseImport,
)
from ganzhi.surveys.quality import address_hash, flag_responses, identity_hash

logger = logging.getLogger(__name__)

Tool = ImportMapping.Tool
TOOLS = (Tool.WJX, Tool.TENCENT)
MAX_ROWS = 200_000
BATCH = 1000
SUGGEST_CUTOFF = 0.6
CALLBACK_MAX_AGE_DAYS = 14

META_FIELDS: dict[str, Any] = {
    "meta:external_id": gettext_lazy("Submission number"),
    "meta:submitted_at": gettext_lazy("Submitted at"),
    "meta:started_at": gettext_lazy("Started at"),
    "meta:duration": gettext_lazy("Time taken"),
    "meta:ip": gettext_lazy("IP address"),
    "meta:device": gettext_lazy("Device / user id"),
    "meta:phone": gettext_lazy("Phone number or ID (checked against staff)"),
    "meta:project": gettext_lazy("Project"),
    "meta:building": gettext_lazy("Building"),
    "meta:entrance": gettext_lazy("Entrance"),
    "meta:unit": gettext_lazy("Unit number"),
}
REQUIRED_META = ("meta:external_id", "meta:submitted_at")

# exact headers (normalised) of the tools' own columns
META_HEADERS: dict[str, tuple[str, ...]] = {
    "meta:external_id": ("序号", "编号", "答卷编号", "答卷序号", "提交序号", "id"),
    "meta:submitted_at": (
        "提交答卷时间",
        "结束答题时间",
        "提交时间",
        "答题结束时间",
        "完成时间",
    ),
    "meta:started_at": ("开始答题时间", "开始时间", "答题开始时间"),
    "meta:duration": ("所用时间", "答题时长", "答题用时", "用时", "填写用时"),
    "meta:ip": ("来自ip", "ip", "ip地址", "填写者ip", "来源ip"),
    "meta:device": ("设备id", "用户id", "openid", "微信openid", "设备标识"),
}
# question-like columns recognised by a keyword (only when not a rating question)
META_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("meta:unit", ("房号", "门牌号", "房间号")),
    ("meta:entrance", ("单元",)),
    ("meta:building", ("楼栋", "楼号", "栋号")),
    ("meta:phone", ("手机", "电话")),
    ("meta:project", ("小区", "项目")),
)
_NOT_META = ("满意", "评价", "推荐", "建议", "意见")

RATING_LABELS = {
    "非常满意": 5,
    "很满意": 5,
    "十分满意": 5,
    "满意": 4,
    "比较满意": 4,
    "较满意": 4,
    "一般": 3,
    "基本满意": 3,
    "不太满意": 2,
    "较不满意": 2,
    "不满意": 2,
    "比较不满意": 2,
    "非常不满意": 1,
    "很不满意": 1,
    "极不满意": 1,
}
SKIPPED = {"(跳过)", "(空)", "跳过", "(未填写)", "未填写", "-", "—"}
WJX_SKIP_CODES = {"-2", "-3"}
DATETIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y-%m-%d",
)
_CHOICE_SPLIT = re.compile(r"[┋|｜,，;；\n]+")


# --- mapping ------------------------------------------------------------------------


def normalise_text(text: Any) -> str:
    """A header or question text without numbering, type tags, punctuation and spaces."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip()
    text = re.sub(r"^(?:第?\s*[Qq]\s*\d+\s*[、.:)\]-]?\s*|\d+\s*[、.:)\]]\s*|\d+\s+)", "", text)
    text = re.sub(
        r"[\[(](?:单选题|多选题|填空题|量表题|评分题|矩阵[^\])]*|必填|选填|可选|单选|多选)[\])]",
        "",
        text,
    )
    return re.sub(r"[\W_]+", "", text).lower()


def detect_tool(header: list[str]) -> str | None:
    """wjx or tencent from the tool's own first columns, or None."""
    names = {normalise_text(h) for h in header}
    if {"序号", "提交答卷时间"} <= names or "来自ip" in names or "所用时间" in names:
        return Tool.WJX
    if {"编号", "结束答题时间"} <= names or "开始答题时间" in names or "答题时长" in names:
        return Tool.TENCENT
    return None


def mapping_targets(questionnaire: Questionnaire) -> list[tuple[str, str]]:
    """(target, label) of everything a column may map to, questions first."""
    targets = []
    for question in questionnaire.questions.order_by("sort_order", "id"):
        targets.append((question.code, question.text))
        if question.type == Question.Type.EXPECTATION_PERCEPTION:
            targets.append(
                (
                    f"{question.code}:expectation",
                    _("%(question)s — expectation") % {"question": question.text},
                )
            )
    targets += [(key, str(label)) for key, label in META_FIELDS.items()]
    return targets


@dataclass
class Suggestion:
    column: str
    target: str  # "" = ignore
    score: float  # 1.0 exact, else the difflib ratio; 0 for nothing


def suggest_mapping(questionnaire: Questionnaire, header: list[str]) -> list[Suggestion]:
    """A target for each column: tool columns, then questions by text, then keywords."""
    suggestions = {i: Suggestion(column, "", 0.0) for i, column in enumerate(header)}
    meta_lookup = {alias: key for key, aliases in META_HEADERS.items() for alias in aliases}
    taken: set[str] = set()
    rest = []
    for i, column in enumerate(header):
        key = meta_lookup.get(normalise_text(column))
        if key and key not in taken:
            suggestions[i] = Suggestion(column, key, 1.0)
            taken.add(key)
        else:
            rest.append(i)
    questions = list(questionnaire.questions.order_by("sort_order", "id"))
    candidates = []
    for i in rest:
        text = normalise_text(header[i])
        if not text:
            continue
        for question in questions:
            if header[i].strip() == question.code:
                score = 1.0
            else:
                wanted = normalise_text(question.text)
                score = 1.0 if text == wanted else _similarity(text, wanted)
            if score >= SUGGEST_CUTOFF:
                candidates.append((score, i, question.code))
    for score, i, code in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if suggestions[i].target or code in taken:
            continue
        suggestions[i] = Suggestion(header[i], code, round(score, 3))
        taken.add(code)
    for i in rest:
        if suggestions[i].target:
            continue
        text = normalise_text(header[i])
        if any(word in text for word in _NOT_META) or len(text) > 20:
            continue
        for key, words in META_KEYWORDS:
            if key not in taken and any(word in text for word in words):
                suggestions[i] = Suggestion(header[i], key, 0.5)
                taken.add(key)
                break
    return [suggestions[i] for i in range(len(header))]


def _similarity(a: str, b: str) -> float:
    ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    if a and b and (a in b or b in a):  # "保洁满意度" within a longer wording
        ratio = max(ratio, 0.6 + 0.4 * min(len(a), len(b)) / max(len(a), len(b)))
    return ratio


def mapping_for(questionnaire: Questionnaire, tool: str, header: list[str]) -> dict[str, str]:
    """The saved mapping for (questionnaire, tool) where it knows a column, else the
    suggestion: column → target ("" = ignore)."""
    saved = (
        ImportMapping.objects.filter(questionnaire=questionnaire, tool=tool)
        .values_list("columns", flat=True)
        .first()
        or {}
    )
    mapping = {}
    for suggestion in suggest_mapping(questionnaire, header):
        mapping[suggestion.column] = saved.get(suggestion.column, suggestion.target)
    return mapping


def check_mapping(questionnaire: Questionnaire, columns: dict[str, str]) -> dict[str, str]:
    """The mapping cleaned (blank targets dropped); DomainError if a target is unknown,
    used twice or a required meta field is missing."""
    known = {target for target, _label in mapping_targets(questionnaire)}
    errors: dict[str, list[str]] = {}
    used: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for column, target in columns.items():
        target = (target or "").strip()
        if not target:
            continue
        if target not in known:
            errors.setdefault(column, []).append(_("Unknown question or field."))
        elif target in used:
            errors.setdefault(column, []).append(
                _("Also chosen for column “%(column)s”.") % {"column": used[target]}
            )
        else:
            used[target] = column
            cleaned[column] = target
    for key in REQUIRED_META:
        if key not in used:
            errors.setdefault("", []).append(
                _("Choose the column that holds: %(field)s.") % {"field": META_FIELDS[key]}
            )
    if not any(not t.startswith("meta:") for t in used):
        errors.setdefault("", []).append(_("Map at least one column to a question."))
    if errors:
        raise DomainError(
            "invalid_mapping", _("The column mapping is not complete."), details=errors
        )
    return cleaned


@transaction.atomic
def mapping_save(*, actor, questionnaire: Questionnaire, tool: str, columns: dict[str, str]):
    """Check and save the mapping of (questionnaire, tool); earlier columns not in this
    file are kept, so one mapping serves exports of different shapes."""
    if actor is not None:
        require_perm(actor, "surveys.add_responseimport")
    if tool not in Tool.values:
        raise DomainError("invalid", _("Unknown survey tool."))
    check_mapping(questionnaire, columns)
    mapping, _created = ImportMapping.objects.select_for_update().get_or_create(
        questionnaire=questionnaire, tool=tool
    )
    merged = dict(mapping.columns)
    merged.update({c: (t or "") for c, t in columns.items()})
    mapping.columns = merged
    mapping.save()
    return mapping


# --- parsing --------------------------------------------------------------------------


@dataclass
class ParsedAnswer:
    question: Question
    number: float | None = None
    expectation: float | None = None
    text: str = ""
    choices: list[str] = field(default_factory=list)


@dataclass
class ParsedRow:
    row: int
    external_id: str
    project: Project
    submitted_at: dt.datetime
    started_at: dt.datetime
    duration: int | None
    household: Household | None
    unit: Unit | None
    phone_hash: str
    device_hash: str
    address_hash: str
    answers: dict[int, ParsedAnswer]


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    answers: int = 0
    linked: int = 0
    flagged: int = 0
    callbacks: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "unchanged": self.unchanged,
            "answers": self.answers,
            "linked": self.linked,
            "flagged": self.flagged,
            "callbacks": self.callbacks,
        }


Progress = Callable[[int, int], None]


class _Skip(Exception):
    """The cell holds the tool's "not shown" marker."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _meta(value: Any) -> str:
    """A meta cell's text, "" for the tools' "not shown" markers."""
    text = _text(value)
    return "" if text in SKIPPED else text


def parse_datetime(value: Any) -> dt.datetime:
    """A survey tool's time as an aware datetime (ValueError if it is not one)."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        moment = dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))  # Excel serial
        moment = moment.replace(microsecond=0)
    else:
        text = re.sub(r"\s+", " ", _text(value))
        for fmt in DATETIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


_DURATION_PARTS = re.compile(
    r"^(?:(?P<h>\d+)\s*(?:小时|时|h))?\s*(?:(?P<m>\d+)\s*(?:分钟|分|min|m))?\s*"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:秒钟|秒|s|sec))?$",
    re.IGNORECASE,
)


def parse_duration(value: Any) -> int:
    """Seconds from "125秒", "2分5秒", "1小时2分5秒", "00:02:05", "2:05", "125" or 125."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(value)
        return round(value)
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, dt.timedelta):
        return round(value.total_seconds())
    text = _text(value).replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return round(float(text))
    clock = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", text)
    if clock:
        hours, minutes, seconds = (int(g or 0) for g in clock.groups())
        return hours * 3600 + minutes * 60 + seconds
    match = _DURATION_PARTS.match(text)
    if text and match and any(match.groupdict().values()):
        parts = {k: float(v or 0) for k, v in match.groupdict().items()}
        return round(parts["h"] * 3600 + parts["m"] * 60 + parts["s"])
    raise ValueError(text)


def parse_score(value: Any, question: Question, tool: str) -> float:
    """A rating / 0–10 answer: a label on 1–5 items, or a number on the item's scale."""
    text = _text(value)
    if text in SKIPPED or (tool == Tool.WJX and text in WJX_SKIP_CODES):
        raise _Skip
    low, high = (
        (0, 10)
        if question.type == Question.Type.RECOMMEND
        else (question.scale_min, question.scale_max)
    )
    if text in RATING_LABELS and question.type != Question.Type.RECOMMEND:
        if (low, high) != (1, 5):
            raise ValueError(
                _("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high}
            )
        return float(RATING_LABELS[text])
    match = re.fullmatch(r"(-?\d+(?:\.0+)?)\s*分?\s*(?:[(（].*[)）])?", text)
    if match:
        number = float(match.group(1))
        if low <= number <= high:
            return number
    if question.type == Question.Type.RECOMMEND:
        raise ValueError(_("Likelihood to recommend must be a whole number from 0 to 10."))
    raise ValueError(
        _(
            "“%(value)s” is not a score: use 非常满意, 满意, 一般, 不满意, 非常不满意 "
            "or %(low)d–%(high)d."
        )
        % {"value": text, "low": low, "high": high}
    )


def _option_lookup(question: Question) -> dict[str, str]:
    lookup = {}
    for option in question.options or []:
        if isinstance(option, dict):
            value = str(option.get("value", ""))
            label = str(option.get("label", value))
        else:
            value = label = str(option)
        lookup[normalise_text(value)] = value
        lookup[normalise_text(label)] = value
    return lookup


def parse_choices(value: Any, question: Question) -> list[str]:
    text = _text(value)
    if text in SKIPPED:
        raise _Skip
    parts = [text] if question.type == Question.Type.SINGLE else _CHOICE_SPLIT.split(text)
    parts = [p.strip() for p in parts if p.strip()]
    lookup = _option_lookup(question)
    if not lookup:
        return parts
    chosen = []
    for part in parts:
        value = lookup.get(
            normalise_text(re.sub(r"[〖\[(（].*?[)）\]〗]$", "", part))
        ) or lookup.get(normalise_text(part))
        if value is None:
            raise ValueError(_("“%(value)s” is not one of the options.") % {"value": part})
        if value not in chosen:
            chosen.append(value)
    return chosen


class _Context:
    """What the rows are checked against: projects, units and owners' phones."""

    def __init__(self, questionnaire: Questionnaire, project: Project | None, user) -> None:
        self.company_id = questionnaire.company_id
        self.project = project
        projects = Project.objects.filter(company_id=self.company_id)
        if user is not None:
            projects = visible(projects, user)
        self.projects = list(projects)
        self.by_name = {}
        for p in self.projects:
            self.by_name.setdefault(normalise_text(p.name), p)
            self.by_name.setdefault(normalise_text(p.code), p)
        self._units: dict[int, dict] = {}
        self._phones: dict[int, dict[str, Household | None]] = {}

    def project_for(self, text: str) -> Project | None:
        return self.by_name.get(normalise_text(text))

    def units(self, project: Project) -> dict[tuple[str, str], list[Unit]]:
        """(building key, number key) → units, and ("", number key) → units of any
        building, for the project (loaded once)."""
        if project.id not in self._units:
            index: dict[tuple[str, str], list[Unit]] = {}
            households = {
                h.unit_id: h for h in Household.objects.filter(project=project, is_current=True)
            }
            for unit in Unit.objects.filter(project=project).select_related("building"):
                unit.current_household = households.get(unit.id)
                number = _number_key(unit.number)
                index.setdefault((_building_key(unit.building.name), number), []).append(unit)
                index.setdefault(("", number), []).append(unit)
            self._units[project.id] = index
        return self._units[project.id]

    def unit_for(self, project: Project, building: str, entrance: str, number: str):
        """The one unit the answer names, or None (unknown or ambiguous). A bare room
        number is enough when only one building of the project has it."""
        if not number:
            return None
        if not building:
            building, entrance, number = _split_room(number, entrance)
        key = _building_key(building) if building else ""
        matches = self.units(project).get((key, _number_key(number)), [])
        if entrance and len(matches) > 1:
            matches = [u for u in matches if _number_key(u.entrance) == _number_key(entrance)]
        return matches[0] if len(matches) == 1 else None

    def household_by_phone(self, project: Project, phone: str) -> Household | None:
        if project.id not in self._phones:
            found: dict[str, Household | None] = {}
            members = HouseholdMember.objects.filter(
                household__project=project, household__is_current=True
            ).select_related("owner", "household__unit")
            for member in members:
                if member.owner.phone:
                    known = found.get(member.owner.phone, member.household)
                    # a phone on two homes of the project is ambiguous
                    found[member.owner.phone] = (
                        member.household if known == member.household else None
                    )
            self._phones[project.id] = found
        return self._phones[project.id].get(phone)


def _building_key(text: str) -> str:
    text = normalise_text(text)
    return re.sub(r"(号楼|栋|幢|座|号|楼)$", "", text) or text


def _number_key(text: str) -> str:
    text = normalise_text(text)
    text = re.sub(r"(室|号|房)$", "", text)
    return text.lstrip("0") or text


def _split_room(text: str, entrance: str) -> tuple[str, str, str]:
    """ "3栋2单元1501" / "3-2-1501" / "3栋1501" → (building, entrance, number)."""
    text = unicodedata.normalize("NFKC", text).strip()
    match = re.fullmatch(
        r"(\w+?)\s*(?:号楼|栋|幢|座|#|-)\s*(?:(\w+?)\s*(?:单元|-)\s*)?(\w+?)\s*(?:室|号)?", text
    )
    if not match:
        return "", entrance, text
    return match.group(1), match.group(2) or entrance, match.group(3)


def _parse_rows(
    sheet: Sheet,
    mapping: dict[str, str],
    questionnaire: Questionnaire,
    tool: str,
    context: _Context,
    progress: Progress,
) -> tuple[list[ParsedRow], list[RowError]]:
    questions = {q.code: q for q in questionnaire.questions.all()}
    columns: dict[str, int] = {}
    for index, header in enumerate(sheet.header):
        target = mapping.get(header)
        if target and target not in columns:
            columns[target] = index
    label = {target: sheet.header[index] for target, index in columns.items()}
    rows = list(sheet.numbered_rows())
    if not rows:
        raise DomainError("empty_file", _("The file has a header but no data rows."))
    if len(rows) > MAX_ROWS:
        raise DomainError(
            "too_many_rows",
            _("A file may hold at most %(max)d rows; split it into smaller files.")
            % {"max": MAX_ROWS},
        )
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    latest = timezone.now() + dt.timedelta(hours=1)
    for done, (number, cells) in enumerate(rows):
        if done % 2000 == 0:
            progress(done, len(rows))
        row_errors: list[RowError] = []

        def cell(target: str, cells=cells) -> Any:
            index = columns.get(target)
            return cells[index] if index is not None and index < len(cells) else None

        def fail(target: str, message: str, number=number, sink=row_errors) -> None:
            sink.append(RowError(number, label.get(target, ""), str(message)))

        submission = _text(cell("meta:external_id"))
        if not submission:
            fail("meta:external_id", _("The submission number is empty."))
        elif len(submission) > 40:
            fail("meta:external_id", _("At most %(limit)d characters.") % {"limit": 40})
        submitted_at = started_at = None
        raw = cell("meta:submitted_at")
        if is_blank(raw):
            fail("meta:submitted_at", _("The submission time is empty."))
        else:
            try:
                submitted_at = parse_datetime(raw)
            except ValueError:
                fail(
                    "meta:submitted_at",
                    _("“%(value)s” is not a time such as 2026/3/15 10:23:11.")
                    % {"value": _text(raw)},
                )
        if submitted_at and submitted_at > latest:
            fail("meta:submitted_at", _("The submission time is in the future."))
        raw = cell("meta:started_at")
        if not is_blank(raw):
            try:
                started_at = parse_datetime(raw)
            except ValueError:
                fail(
                    "meta:started_at",
                    _("“%(value)s” is not a time such as 2026/3/15 10:23:11.")
                    % {"value": _text(raw)},
                )
        duration = None
        raw = cell("meta:duration")
        if not is_blank(raw):
            try:
                duration = parse_duration(raw)
            except ValueError:
                fail(
                    "meta:duration",
                    _("“%(value)s” is not a duration such as 125秒 or 2分5秒.")
                    % {"value": _text(raw)},
                )
            else:
                if duration > 7 * 24 * 3600:
                    fail("meta:duration", _("The time taken is longer than a week."))
        if submitted_at and started_at:
            if started_at > submitted_at:
                fail("meta:started_at", _("The survey was started after it was submitted."))
            elif duration is None:
                duration = int((submitted_at - started_at).total_seconds())
        if submitted_at and started_at is None:
            started_at = submitted_at - dt.timedelta(seconds=duration or 0)

        project = context.project
        project_text = _meta(cell("meta:project"))
        if project is None:
            if not project_text:
                fail(
                    "meta:project",
                    _("No project: choose the project of the file or map a project column."),
                )
            else:
                project = context.project_for(project_text)
                if project is None:
                    fail(
                        "meta:project",
                        _("Unknown project “%(value)s”.") % {"value": project_text},
                    )

        answers: dict[int, ParsedAnswer] = {}
        for target, index in columns.items():
            if target.startswith("meta:"):
                continue
            code, _sep, part = target.partition(":")
            question = questions.get(code)
            value = cells[index] if index < len(cells) else None
            if question is None or is_blank(value):
                continue
            answer = answers.get(question.id) or ParsedAnswer(question)
            try:
                _fill(answer, question, value, part, tool)
            except _Skip:
                continue
            except ValueError as exc:
                row_errors.append(RowError(number, sheet.header[index], str(exc)))
                continue
            answers[question.id] = answer
        if not answers and not row_errors:
            fail("", _("The row holds no answer to any mapped question."))

        phone = normalize_phone(_meta(cell("meta:phone")))
        unit = household = None
        if project is not None:
            unit = context.unit_for(
                project,
                _meta(cell("meta:building")),
                _meta(cell("meta:entrance")),
                _meta(cell("meta:unit")),
            )
            household = unit.current_household if unit is not None else None
            if household is None and is_valid_mobile(phone):
                household = context.household_by_phone(project, phone)
        device = _meta(cell("meta:device"))
        external_id = ""
        if submission and submitted_at:
            local = timezone.localtime(submitted_at)
            external_id = f"{tool}:{submission}@{local:%Y%m%d%H%M%S}"
            if external_id in seen:
                fail(
                    "meta:external_id",
                    _("Same submission as row %(row)d.") % {"row": seen[external_id]},
                )
            seen.setdefault(external_id, number)
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.append(
            ParsedRow(
                row=number,
                external_id=external_id,
                project=project,
                submitted_at=submitted_at,
                started_at=started_at,
                duration=duration,
                household=household,
                unit=unit,
                phone_hash=identity_hash(phone) if phone else "",
                device_hash=identity_hash(f"device:{device}") if device else "",
                address_hash=address_hash(_meta(cell("meta:ip"))),
                answers=answers,
            )
        )
    return parsed, errors


def _fill(answer: ParsedAnswer, question: Question, value: Any, part: str, tool: str) -> None:
    kind = question.type
    if kind in (Question.Type.RATING, Question.Type.RECOMMEND):
        answer.number = parse_score(value, question, tool)
    elif kind == Question.Type.EXPECTATION_PERCEPTION:
        score = parse_score(value, question, tool)
        if part == "expectation":
            answer.expectation = score
        else:
            answer.number = score
    elif kind in (Question.Type.SINGLE, Question.Type.MULTIPLE):
        answer.choices = parse_choices(value, question)
    else:
        text = _text(value)
        if text in SKIPPED:
            raise _Skip
        if len(text) > 2000:
            raise ValueError(_("At most %(limit)d characters.") % {"limit": 2000})
        answer.text = text


# --- importing ---------------------------------------------------------------------------


def import_responses(
    *,
    questionnaire: Questionnaire,
    sheet: Sheet,
    tool: str | None = None,
    project: Project | None = None,
    mapping: dict[str, str] | None = None,
    user=None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check every row of ``sheet``, then write all of it or nothing.

    ``tool`` defaults to the one the header shows; ``mapping`` to :func:`mapping_for`.
    With ``user`` the rows' projects must be in their scope. ``progress(done, total)``
    is called while rows are checked, outside the write transaction.
    """
    tool = tool or detect_tool(sheet.header)
    if tool not in Tool.values:
        raise DomainError(
            "unknown_tool",
            _("Cannot tell which survey tool wrote this file; choose 问卷星 or 腾讯问卷."),
        )
    if project is not None and project.company_id != questionnaire.company_id:
        raise DomainError("not_found", _("Project not found."), status=404)
    if mapping is None:
        mapping = mapping_for(questionnaire, tool, sheet.header)
    try:
        mapping = check_mapping(questionnaire, mapping)
    except DomainError as exc:
        raise ImportRejected(
            [
                RowError(1, column, message)
                for column, messages in exc.details.items()
                for message in messages
            ]
        ) from exc
    context = _Context(questionnaire, project, user)
    parsed, errors = _parse_rows(
        sheet, mapping, questionnaire, tool, context, progress or (lambda done, total: None)
    )
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        return _write(questionnaire, parsed)


def _write(questionnaire: Questionnaire, rows: list[ParsedRow]) -> ImportResult:
    result = ImportResult(rows=len(rows))
    ids = [row.external_id for row in rows]
    known: set[str] = set()
    for start in range(0, len(ids), BATCH):
        known.update(
            Response.objects.filter(
                questionnaire=questionnaire, external_id__in=ids[start : start + BATCH]
            ).values_list("external_id", flat=True)
        )
    new_rows = [row for row in rows if row.external_id not in known]
    result.unchanged = len(rows) - len(new_rows)
    responses = [
        Response(
            company_id=questionnaire.company_id,
            questionnaire=questionnaire,
            project=row.project,
            household=row.household,
            is_anonymous=row.household is None,
            building_id=(
                row.unit.building_id
                if row.unit is not None
                else (row.household.unit.building_id if row.household else None)
            ),
            source=Response.Source.IMPORT,
            external_id=row.external_id,
            started_at=row.started_at,
            submitted_at=row.submitted_at,
            duration_seconds=row.duration,
            device_hash=row.device_hash,
            address_hash=row.address_hash,
            phone_hash=row.phone_hash,
        )
        for row in new_rows
    ]
    Response.objects.bulk_create(responses, batch_size=BATCH)
    answers = [
        Answer(
            response=response,
            question=answer.question,
            number=answer.number,
            expectation=answer.expectation,
            text=answer.text,
            choices=answer.choices,
        )
        for response, row in zip(responses, new_rows, strict=True)
        for answer in row.answers.values()
    ]
    Answer.objects.bulk_create(answers, batch_size=BATCH)
    rollups.mark_dirty(rollups.Kind.SURVEYS, [(r.project_id, r.submitted_at) for r in responses])
    result.created = len(responses)
    result.answers = len(answers)
    result.linked = sum(1 for r in responses if r.household_id)
    flags = flag_responses(responses)
    result.flagged = sum(1 for codes in flags.values() if codes)
    threshold = item_threshold()
    created: list = []
    recent = timezone.now() - dt.timedelta(days=CALLBACK_MAX_AGE_DAYS)
    for response, row in zip(responses, new_rows, strict=True):
        if response.household_id is None or response.submitted_at < recent:
            continue
        if any(_calls_for_callback(a, threshold) for a in row.answers.values()):
            tasks = create_callbacks(response, notify=False)
            created.extend(tasks)
    result.callbacks = len(created)
    notify_assignees(created)
    return result


def _calls_for_callback(answer: ParsedAnswer, threshold: float) -> bool:
    """Whether the answer makes a call-back task (the rule of ``create_callbacks``, checked
    in memory so that only those responses are looked at again)."""
    question = answer.question
    if answer.number is None:
        return False
    if question.type == Question.Type.RECOMMEND or question.role == Question.Role.RECOMMEND:
        return answer.number <= DETRACTOR_MAX
    if question.type in (Question.Type.RATING, Question.Type.EXPECTATION_PERCEPTION):
        return is_low_item(answer.number, question.scale_min, question.scale_max, threshold)
    return False


# --- imports from the web, run by the worker --------------------------------------------


def imports_visible(*, user):
    """Import jobs the user may see: company-wide roles all of the company's, others
    those for their projects and their own."""
    jobs = visible(
        ResponseImport.objects.select_related("questionnaire", "project", "created_by"), user
    )
    scope = scope_for(user)
    if scope.project_ids is not None and not scope.everything:
        jobs = jobs.filter(Q(project_id__in=scope.project_ids) | Q(created_by=user))
    return jobs


def response_import_create(
    *, actor, questionnaire: Questionnaire, tool: str, upload, project: Project | None = None
) -> ResponseImport:
    """Store an uploaded export; it is imported once its column mapping is confirmed
    (:func:`response_import_start`)."""
    require_perm(actor, "surveys.add_responseimport")
    if not visible(Questionnaire.objects.filter(pk=questionnaire.pk), actor).exists():
        raise DomainError("not_found", _("Questionnaire not found."), status=404)
    if project is not None:
        require_project_in_scope(actor, project)
    if tool not in Tool.values:
        raise DomainError("invalid", _("Unknown survey tool."))
    name = upload.name or ""
    if not name.lower().endswith(SUPPORTED_SUFFIXES):
        raise DomainError("unsupported_file", _("Only .csv and .xlsx files can be imported."))
    limit = getattr(settings, "GANZHI_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
    if upload.size > limit:
        raise DomainError(
            "file_too_large",
            _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
        )
    with transaction.atomic():
        job = ResponseImport(
            company_id=questionnaire.company_id,
            questionnaire=questionnaire,
            project=project,
            tool=tool,
            created_by=actor,
            original_name=name[:200],
            summary={"stage": "mapping"},
        )
        job.file.save(name, upload, save=False)
        job.save()
    return job


def response_import_sheet(job: ResponseImport) -> Sheet:
    with job.file.open("rb") as handle:
        return read_sheet(handle, original_name=job.original_name)


def response_import_start(*, actor, job: ResponseImport, columns: dict[str, str]) -> ResponseImport:
    """Save the confirmed mapping and queue the import for the worker."""
    from ganzhi.surveys.import_tasks import run_response_import

    require_perm(actor, "surveys.add_responseimport")
    if job.project_id is not None:
        require_project_in_scope(actor, job.project)
    if job.status != ResponseImport.Status.PENDING or job.summary.get("stage") != "mapping":
        raise DomainError("already_started", _("This import has already started."), status=409)
    with transaction.atomic():
        mapping_save(actor=actor, questionnaire=job.questionnaire, tool=job.tool, columns=columns)
        updated = ResponseImport.objects.filter(
            pk=job.pk, status=ResponseImport.Status.PENDING, summary__stage="mapping"
        ).update(summary={"stage": "queued", "mapping": check_mapping(job.questionnaire, columns)})
        if not updated:
            raise DomainError("already_started", _("This import has already started."), status=409)
        transaction.on_commit(lambda: run_response_import.enqueue(job.pk))
    job.refresh_from_db()
    return job


def response_import_failed(job_id: int, exc: DomainError) -> None:
    ResponseImport.objects.filter(pk=job_id).update(
        status=ResponseImport.Status.FAILED,
        summary={"code": exc.code, "message": str(exc.message)},
        errors=exc.details if isinstance(exc.details, list) else [],
        finished_at=timezone.now(),
    )


def response_import_run(*, job_id: int) -> None:
    """Run one queued import; the outcome (summary or row errors) is stored on the job."""
    job = ResponseImport.objects.select_related("questionnaire", "project", "created_by").get(
        pk=job_id
    )
    if job.status != ResponseImport.Status.PENDING or job.summary.get("stage") != "queued":
        return  # already run, or not confirmed (a task delivered twice imports once)
    mapping = job.summary.get("mapping") or {}
    ResponseImport.objects.filter(pk=job.pk).update(
        status=ResponseImport.Status.RUNNING, summary={"rows_done": 0, "rows_total": 0}
    )

    def progress(done: int, total: int) -> None:
        ResponseImport.objects.filter(pk=job.pk).update(
            summary={"rows_done": done, "rows_total": total}
        )

    try:
        result = import_responses(
            questionnaire=job.questionnaire,
            sheet=response_import_sheet(job),
            tool=job.tool,
            project=job.project,
            mapping=mapping,
            user=job.created_by,
            progress=progress,
        )
    except DomainError as exc:
        response_import_failed(job.pk, exc)
        return
    except Exception:
        logger.exception("response import %s crashed", job.public_id)
        response_import_failed(
            job.pk,
            DomainError(
                "import_crashed", _("The import failed unexpectedly; nothing was changed.")
            ),
        )
        raise
    ResponseImport.objects.filter(pk=job.pk).update(
        status=ResponseImport.Status.SUCCEEDED,
        summary=result.as_dict(),
        finished_at=timezone.now(),
    )
