"""Business-time arithmetic for work-order promises (SLA).

A promise (response or resolution target) is a number of minutes counted on a clock:
either the plain 24×7 clock (``calendar is None``, see :data:`TWENTY_FOUR_SEVEN`) or a
business calendar (:class:`CalendarSpec`): one working interval per working day, where a
day is a working day by the weekday rule unless an override says otherwise (Chinese
public holidays off, official make-up working days 调休 on).

Everything here is pure Python (``datetime`` and ``zoneinfo`` only; the
``chinese_calendar`` package is imported lazily by :func:`official_overrides`), so it
can be used from services, tasks and tests without Django.

Time-zone rules:

* inputs must be aware datetimes; results keep the tzinfo of the input;
* elapsed time is always real (UTC) time: a 24×7 target of 240 minutes is four real
  hours even across a DST change;
* working intervals are local wall times in the calendar's zone, computed per day and
  converted to UTC, so a day on which the clocks change still opens and closes at the
  right wall-clock times.

The walk goes day by day (never minute by minute) and is capped at
:data:`MAX_WALK_DAYS`, so a misconfigured calendar cannot loop forever.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import index
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "MAX_WALK_DAYS",
    "TWENTY_FOUR_SEVEN",
    "CalendarSpec",
    "WorkingHours",
    "add_minutes",
    "business_minutes_between",
    "missing_years",
    "official_overrides",
]

TWENTY_FOUR_SEVEN: None = None
"""The 24×7 clock: pass ``calendar=TWENTY_FOUR_SEVEN`` (i.e. ``None``)."""

MAX_WALK_DAYS = 3660
"""How many calendar days :func:`add_minutes` walks at most (ten years)."""

_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class WorkingHours:
    """The single working interval of a working day, as local wall-clock times.

    ``start`` is inclusive, ``end`` exclusive; ``end`` must be later than ``start``
    (no intervals across midnight).
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time):
                raise TypeError(f"WorkingHours.{name} must be a datetime.time, got {value!r}")
            if value.tzinfo is not None:
                raise ValueError(
                    f"WorkingHours.{name} is a local wall time and must not carry a tzinfo"
                )
        if self.end <= self.start:
            raise ValueError(
                f"working hours must end after they start (got {self.start}–{self.end})"
            )


@dataclass(frozen=True)
class CalendarSpec:
    """A business calendar: time zone, working hours, working weekdays and overrides.

    ``weekdays`` uses Monday=0 … Sunday=6. ``overrides`` maps a date to ``True``
    (working, e.g. a make-up day 调休) or ``False`` (day off, e.g. a public holiday) and
    wins over the weekday rule. ``covered_years`` lists the years whose official holiday
    schedule has been entered into ``overrides``; other years fall back to the weekday
    rule (see :func:`missing_years`).

    The collections are copied on construction (``overrides`` into a read-only
    mapping), so a spec is a snapshot and safe to share.
    """

    tz: str
    hours: WorkingHours
    weekdays: frozenset[int] = frozenset(range(5))
    overrides: Mapping[date, bool] = field(default_factory=dict, hash=False)
    covered_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        if not isinstance(self.hours, WorkingHours):
            raise TypeError(f"hours must be WorkingHours, got {self.hours!r}")
        weekdays = frozenset(self.weekdays)
        if not weekdays <= frozenset(range(7)):
            raise ValueError(f"weekdays must be within 0 (Monday) … 6 (Sunday), got {weekdays}")
        overrides: dict[date, bool] = {}
        for day, working in self.overrides.items():
            if isinstance(day, datetime) or not isinstance(day, date):
                raise TypeError(f"override keys must be dates, got {day!r}")
            if not isinstance(working, bool):
                raise TypeError(f"override for {day} must be True or False, got {working!r}")
            overrides[day] = working
        object.__setattr__(self, "weekdays", weekdays)
        object.__setattr__(self, "overrides", MappingProxyType(overrides))
        object.__setattr__(self, "covered_years", frozenset(self.covered_years))

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone (``ZoneInfo`` caches instances by key)."""
        return ZoneInfo(self.tz)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` (a local date) is a working day.

        An override decides if there is one; otherwise the weekday rule does. Years
        without official data (not in ``covered_years``) therefore simply follow the
        weekday rule.
        """
        if isinstance(day, datetime):
            raise TypeError("is_working_day takes a date; convert the datetime to local time first")
        working = self.overrides.get(day)
        if working is not None:
            return working
        return day.weekday() in self.weekdays

    def has_working_days(self) -> bool:
        """Whether any day can ever be a working day (a working weekday or a make-up day)."""
        return bool(self.weekdays) or any(self.overrides.values())


def add_minutes(start: datetime, minutes: int, calendar: CalendarSpec | None) -> datetime:
    """The moment ``minutes`` minutes of clock time after ``start``.

    With ``calendar=None`` (24×7) this is ``start`` plus real elapsed time. With a
    business calendar the working intervals are walked day by day; a ``start`` outside
    working time begins at the next working start, and ``0`` minutes gives ``start``
    itself if it is inside working time, else the next working start. A target that is
    used up exactly at the end of a working day is due at that end (e.g. Friday 18:00),
    not at the next opening.

    The result has the same tzinfo as ``start``.

    Raises ``ValueError`` for a naive ``start``, negative ``minutes``, a calendar
    without any working day, or a target that does not fit in :data:`MAX_WALK_DAYS`.
    """
    _require_aware(start, "start")
    minutes = _check_minutes(minutes)
    remaining = timedelta(minutes=minutes)
    cursor = start.astimezone(UTC)
    if calendar is None:
        return (cursor + remaining).astimezone(start.tzinfo)
    _require_working_days(calendar)
    zone = calendar.zone
    day = cursor.astimezone(zone).date()
    try:
        for _ in range(MAX_WALK_DAYS):
            if calendar.is_working_day(day):
                opens, closes = _interval(calendar, day, zone)
                if cursor < closes:
                    begin = max(cursor, opens)
                    available = closes - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(start.tzinfo)
                    remaining -= available
                    cursor = closes
            day += _DAY
    except OverflowError:
        pass
    raise ValueError(
        f"{minutes} business minutes from {start.isoformat()} do not fit in "
        f"{MAX_WALK_DAYS} days of calendar {calendar.tz} {calendar.hours.start}–"
        f"{calendar.hours.end}; check the calendar's working days"
    )


def business_minutes_between(start: datetime, end: datetime, calendar: CalendarSpec | None) -> int:
    """Whole minutes of clock time in ``[start, end)``; ``0`` if ``end <= start``.

    With ``calendar=None`` this is the real elapsed time; with a business calendar only
    time inside working intervals counts. Partial minutes are truncated, so
    ``business_minutes_between(s, add_minutes(s, m, cal), cal) == m``.

    Raises ``ValueError`` for naive datetimes or a calendar without any working day.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    lo = start.astimezone(UTC)
    hi = end.astimezone(UTC)
    if calendar is not None:
        _require_working_days(calendar)
    if hi <= lo:
        return 0
    if calendar is None:
        return (hi - lo) // _MINUTE
    zone = calendar.zone
    day = lo.astimezone(zone).date()
    last = hi.astimezone(zone).date()
    total = timedelta(0)
    while day <= last:
        if calendar.is_working_day(day):
            opens, closes = _interval(calendar, day, zone)
            overlap = min(hi, closes) - max(lo, opens)
            if overlap > timedelta(0):
                total += overlap
        if day == last:
            break
        day += _DAY
    return total // _MINUTE


def missing_years(calendar: CalendarSpec, start: date, end: date) -> list[int]:
    """Years in ``[start.year, end.year]`` whose official schedule is not in ``calendar``.

    For the "holiday schedule not yet entered" warning: in those years holidays and
    make-up days are unknown and only the weekday rule applies. Empty if ``end`` is in
    an earlier year than ``start``.
    """
    return [y for y in range(start.year, end.year + 1) if y not in calendar.covered_years]


def official_overrides(years: Iterable[int]) -> tuple[dict[date, bool], frozenset[int]]:
    """The official Chinese holiday schedule for ``years``, as calendar overrides.

    Uses the ``chinese_calendar`` package (pip ``chinese-calendar``). For every
    requested year it has data for, the result holds each public holiday that falls on
    a weekday (``False``) and each make-up working day that falls on a weekend
    (``True``) — i.e. the deviations from a Monday–Friday week. Years the package has
    no data for (it raises ``NotImplementedError``, e.g. before the State Council has
    published the schedule) are left out of the returned covered years; this function
    never raises for them.
    """
    import chinese_calendar as cc

    overrides: dict[date, bool] = {}
    covered: set[int] = set()
    for year in sorted(set(years)):
        year_overrides: dict[date, bool] = {}
        try:
            day = date(year, 1, 1)
            while day.year == year:
                working = cc.is_workday(day)
                weekend = day.weekday() >= 5
                if weekend and working:
                    year_overrides[day] = True
                elif not weekend and not working:
                    year_overrides[day] = False
                if day.month == 12 and day.day == 31:
                    break
                day += _DAY
        except (NotImplementedError, ValueError, OverflowError):
            continue
        overrides.update(year_overrides)
        covered.add(year)
    return overrides, frozenset(covered)


def _interval(calendar: CalendarSpec, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The working interval of local ``day`` as UTC datetimes.

    Wall times are resolved with ``fold=0`` (the first of two ambiguous readings; a
    nonexistent reading uses the offset before the change). If a DST gap makes the
    interval empty or inverted, ``closes <= opens`` and callers see no working time.
    """
    opens = datetime.combine(day, calendar.hours.start, tzinfo=zone).astimezone(UTC)
    closes = datetime.combine(day, calendar.hours.end, tzinfo=zone).astimezone(UTC)
    return opens, closes


def _require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (got naive {moment.isoformat()})")


def _check_minutes(minutes: int) -> int:
    if isinstance(minutes, bool):
        raise TypeError("minutes must be an integer, not a bool")
    try:
        minutes = index(minutes)
    except TypeError:
        raise TypeError(f"minutes must be an integer, got {minutes!r}") from None
    if minutes < 0:
        raise ValueError(f"minutes must not be negative (got {minutes})")
    return minutes


def _require_working_days(calendar: CalendarSpec) -> None:
    if not calendar.has_working_days():
        raise ValueError(
            "the business calendar has no working days: no working weekdays and no "
            "make-up working days; add working weekdays or use the 24×7 clock"
        )
