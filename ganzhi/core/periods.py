"""Reporting periods: a calendar year, quarter or month in the installation's time zone."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:[Qq](?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


@dataclass(frozen=True)
class Period:
    """A calendar year, quarter or month: [start, end) in the installation's time zone."""

    label: str
    start: dt.datetime
    end: dt.datetime


def parse_period(text: str) -> Period:
    """ "2026", "2026-Q3" (or q3) or "2026-07"; anything else is DomainError ``invalid_period``
    (status 422)."""
    match = _PERIOD.match((text or "").strip())
    year = int(match["year"]) if match else 0
    if match is None or not 1970 <= year <= 2999:
        raise DomainError(
            "invalid_period",
            _("Give the period as a year (2026), a quarter (2026-Q3) or a month (2026-07)."),
            details={"period": [str(text)]},
            status=422,
        )
    if match["quarter"]:
        quarter = int(match["quarter"])
        first, months, label = 3 * quarter - 2, 3, f"{year}-Q{quarter}"
    elif match["month"]:
        first, months, label = int(match["month"]), 1, f"{year}-{match['month']}"
    else:
        first, months, label = 1, 12, f"{year}"
    zone = timezone.get_default_timezone()
    start = dt.datetime(year, first, 1, tzinfo=zone)
    last = first + months
    end = dt.datetime(year + (last - 1) // 12, (last - 1) % 12 + 1, 1, tzinfo=zone)
    return Period(label=label, start=start, end=end)


def current_period_label(now: dt.datetime | None = None) -> str:
    """The current calendar year, the default period of the scores page."""
    return str(timezone.localtime(now).year)


def previous_period(period: Period) -> Period:
    """The period of the same length just before: 2026 → 2025, 2026-Q1 → 2025-Q4,
    2026-01 → 2025-12."""
    label = period.label
    year = int(label[:4])
    if "-Q" in label:
        quarter = int(label[-1])
        return parse_period(f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}")
    if "-" in label:
        month = int(label[5:])
        return parse_period(f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}")
    return parse_period(str(year - 1))


def months_back(end: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` months ending with the month of ``end``, oldest first."""
    months = []
    year, month = end.year, end.month
    for _index in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]
