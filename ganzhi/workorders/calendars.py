"""Business calendars as data: loading them for the SLA arithmetic, and seeding
them from the official State Council holiday schedule."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ganzhi.workorders.models import BusinessCalendar, CalendarDay, CalendarYear
from ganzhi.workorders.sla_time import CalendarSpec, WorkingHours, missing_years, official_overrides

# Admins are warned this many days before a year starts that has no official schedule yet.
WARN_DAYS_BEFORE_YEAR = 60


def calendar_for_project(project) -> BusinessCalendar | None:
    """The project's own calendar, else the company default."""
    own = project.calendars.first()
    if own is not None:
        return own
    return BusinessCalendar.objects.filter(company_id=project.company_id, is_default=True).first()


def spec_of(calendar: BusinessCalendar) -> CalendarSpec:
    weekdays = frozenset(int(d) for d in calendar.weekdays.split(",") if d.strip() != "")
    overrides = dict(calendar.days.values_list("date", "is_working"))
    return CalendarSpec(
        tz=settings.TIME_ZONE,
        hours=WorkingHours(start=_as_time(calendar.work_start), end=_as_time(calendar.work_end)),
        weekdays=weekdays,
        overrides=overrides,
        covered_years=frozenset(calendar.years.values_list("year", flat=True)),
    )


def _as_time(value) -> dt.time:
    if isinstance(value, str):
        return dt.time.fromisoformat(value)
    return value


@transaction.atomic
def calendar_seed_official(*, calendar: BusinessCalendar, years: list[int]) -> list[int]:
    """Enter the official holidays and make-up working days for ``years``; returns the
    years that had data. Days an admin entered by hand are kept."""
    overrides, covered = official_overrides(years)
    manual = set(calendar.days.filter(official=False).values_list("date", flat=True))
    CalendarDay.objects.filter(calendar=calendar, official=True, date__year__in=covered).delete()
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(
                calendar=calendar,
                date=day,
                is_working=working,
                official=True,
                name=_("make-up working day") if working else _("public holiday"),
            )
            for day, working in sorted(overrides.items())
            if day not in manual
        ]
    )
    for year in covered:
        CalendarYear.objects.get_or_create(calendar=calendar, year=year)
    return sorted(covered)


def calendar_warnings(*, company_id: int, today: dt.date | None = None) -> list[str]:
    """Messages for admins: calendars whose coming year has no official schedule yet."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=WARN_DAYS_BEFORE_YEAR)
    warnings = []
    for calendar in BusinessCalendar.objects.filter(company_id=company_id):
        for year in missing_years(spec_of(calendar), today, horizon):
            warnings.append(
                _(
                    "Calendar “%(name)s” has no official holiday schedule for %(year)d yet: "
                    "until it is entered, only weekends count as days off."
                )
                % {"name": calendar.name, "year": year}
            )
    return warnings
