"""Business-time arithmetic for SLA promises: 24×7, working hours, official holidays
(chinese_calendar), years without data, DST, and the add/between round trip.

Working hours in these tests are 08:30–18:00 (570 minutes a day) unless stated.
"""

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ganzhi.workorders.sla_time import (
    TWENTY_FOUR_SEVEN,
    CalendarSpec,
    WorkingHours,
    add_minutes,
    business_minutes_between,
    missing_years,
    official_overrides,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = WorkingHours(time(8, 30), time(18, 0))
DAY_MINUTES = 570  # 08:30–18:00

# Monday–Friday, no holiday data at all: the weekday rule only.
PLAIN = CalendarSpec(tz="Asia/Shanghai", hours=OFFICE)

OVERRIDES_2026, COVERED_2026 = official_overrides([2026])
OFFICIAL = CalendarSpec(
    tz="Asia/Shanghai", hours=OFFICE, overrides=OVERRIDES_2026, covered_years=COVERED_2026
)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


# --- 24×7 -----------------------------------------------------------------------------


def test_twenty_four_seven_is_plain_elapsed_time():
    # Friday 17:00 + 240 min = Friday 21:00, weekends and hours irrelevant.
    assert add_minutes(sh(2026, 11, 20, 17, 0), 240, TWENTY_FOUR_SEVEN) == sh(2026, 11, 20, 21, 0)
    # Saturday 22:30 + 240 min = Sunday 02:30.
    assert add_minutes(sh(2026, 11, 21, 22, 30), 240, None) == sh(2026, 11, 22, 2, 30)
    assert business_minutes_between(sh(2026, 11, 20, 17), sh(2026, 11, 20, 21), None) == 240


def test_twenty_four_seven_counts_real_time_across_dst():
    # Berlin, Sunday 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET.
    # 00:00 CEST = 22:00 UTC (Oct 24); + 4 real hours = 02:00 UTC = 03:00 CET, not 04:00.
    start = datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN)
    due = add_minutes(start, 240, None)
    assert due == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)
    assert due.tzinfo is BERLIN
    assert (due.hour, due.utcoffset()) == (3, timedelta(hours=1))
    # Between 00:00 and 03:00 CET on that day lie four real hours (a naive same-tzinfo
    # subtraction would say three).
    assert business_minutes_between(start, datetime(2026, 10, 25, 3, tzinfo=BERLIN), None) == 240


def test_twenty_four_seven_between_truncates_to_whole_minutes():
    start = sh(2026, 11, 20, 9, 0, 0)
    assert business_minutes_between(start, start + timedelta(minutes=90, seconds=59), None) == 90
    assert business_minutes_between(start, start - timedelta(minutes=5), None) == 0


# --- business hours, weekday rule -------------------------------------------------------


def test_friday_afternoon_rolls_over_the_weekend():
    # Friday 2026-11-20 17:00 + 120: 60 min Friday (17:00–18:00), weekend off,
    # 60 min Monday 2026-11-23 from 08:30 → 09:30.
    start = sh(2026, 11, 20, 17, 0)
    assert start.weekday() == 4
    due = add_minutes(start, 120, PLAIN)
    assert due == sh(2026, 11, 23, 9, 30)
    assert due.weekday() == 0
    assert business_minutes_between(start, due, PLAIN) == 120


def test_start_on_saturday_begins_monday_morning():
    # Saturday 2026-11-21 10:00: the clock starts Monday 2026-11-23 08:30.
    saturday = sh(2026, 11, 21, 10, 0)
    assert saturday.weekday() == 5
    assert add_minutes(saturday, 0, PLAIN) == sh(2026, 11, 23, 8, 30)
    assert add_minutes(saturday, 30, PLAIN) == sh(2026, 11, 23, 9, 0)
    # Nothing of the weekend counts.
    assert business_minutes_between(saturday, sh(2026, 11, 23, 8, 30), PLAIN) == 0


def test_zero_minutes_and_the_edges_of_the_working_day():
    inside = sh(2026, 11, 20, 10, 15, 42)
    assert add_minutes(inside, 0, PLAIN) == inside
    # Before opening → opening the same day; at closing (end is exclusive) → next opening.
    assert add_minutes(sh(2026, 11, 20, 7, 0), 0, PLAIN) == sh(2026, 11, 20, 8, 30)
    assert add_minutes(sh(2026, 11, 20, 8, 30), 0, PLAIN) == sh(2026, 11, 20, 8, 30)
    assert add_minutes(sh(2026, 11, 19, 18, 0), 0, PLAIN) == sh(2026, 11, 20, 8, 30)
    # A target used up exactly at closing is due at closing, not the next morning:
    # Friday 17:00 + 60 = Friday 18:00.
    assert add_minutes(sh(2026, 11, 20, 17, 0), 60, PLAIN) == sh(2026, 11, 20, 18, 0)
    # Before opening + 570 = one whole working day: 08:30 → 18:00.
    assert add_minutes(sh(2026, 11, 20, 6, 0), DAY_MINUTES, PLAIN) == sh(2026, 11, 20, 18, 0)


def test_result_keeps_the_input_tzinfo():
    # Friday 2026-11-20 17:00 Shanghai = 09:00 UTC; due Monday 09:30 Shanghai = 01:30 UTC.
    due = add_minutes(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), 120, PLAIN)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


def test_business_minutes_between_hand_values():
    # Thursday 2026-11-19 12:00 → Monday 2026-11-23 10:00:
    # Thu 12:00–18:00 = 360, Fri = 570, weekend 0, Mon 08:30–10:00 = 90 → 1020.
    assert business_minutes_between(sh(2026, 11, 19, 12), sh(2026, 11, 23, 10), PLAIN) == 1020
    # Entirely outside working time.
    assert business_minutes_between(sh(2026, 11, 20, 18), sh(2026, 11, 23, 8, 30), PLAIN) == 0
    # end < start.
    assert business_minutes_between(sh(2026, 11, 23, 10), sh(2026, 11, 19, 12), PLAIN) == 0


# --- the official 2026 schedule ---------------------------------------------------------


def test_package_2026_schedule_around_national_day():
    # What chinese-calendar 1.11.0 says about 2026 (September–October):
    #   Mid-Autumn: Fri 09-25 off (Sat 09-26, Sun 09-27 are weekend anyway);
    #   National Day: Thu 10-01 … Wed 10-07 off (the weekdays among them: 10-01, 10-02,
    #   10-05, 10-06, 10-07), Thu 10-08 is a normal working day;
    #   make-up working days (调休): Sun 09-20 and Sat 10-10.
    assert frozenset({2026}) == COVERED_2026
    autumn = {
        d: w for d, w in OVERRIDES_2026.items() if date(2026, 9, 1) <= d <= date(2026, 10, 31)
    }
    assert autumn == {
        date(2026, 9, 20): True,
        date(2026, 9, 25): False,
        date(2026, 10, 1): False,
        date(2026, 10, 2): False,
        date(2026, 10, 5): False,
        date(2026, 10, 6): False,
        date(2026, 10, 7): False,
        date(2026, 10, 10): True,
    }
    assert OFFICIAL.is_working_day(date(2026, 10, 8))
    assert not OFFICIAL.is_working_day(date(2026, 10, 3))  # Saturday, weekday rule
    assert not OFFICIAL.is_working_day(date(2026, 10, 11))  # Sunday after the make-up day
    # Overrides are only deviations from Monday–Friday: weekend holidays and ordinary
    # weekends are left to the weekday rule.
    for day, working in OVERRIDES_2026.items():
        assert working == (day.weekday() >= 5)


def test_order_before_national_day_lands_after_the_holiday():
    # Wednesday 2026-09-30 17:00 + 480 (8 working hours):
    # 60 min on 09-30 (17:00–18:00); 10-01 … 10-07 off; Thursday 10-08 is the first
    # working day: 420 min from 08:30 → 15:30.
    start = sh(2026, 9, 30, 17, 0)
    due = add_minutes(start, 480, OFFICIAL)
    assert due == sh(2026, 10, 8, 15, 30)
    assert business_minutes_between(start, due, OFFICIAL) == 480
    # Without the official schedule the same order would be due Thursday 10-01 15:30.
    assert add_minutes(start, 480, PLAIN) == sh(2026, 10, 1, 15, 30)


def test_friday_before_make_up_saturday():
    # Friday 2026-10-09 17:30 + 60: 30 min Friday (17:30–18:00), then Saturday 10-10 is a
    # make-up working day: 30 min from 08:30 → 09:00.
    due = add_minutes(sh(2026, 10, 9, 17, 30), 60, OFFICIAL)
    assert due == sh(2026, 10, 10, 9, 0)
    assert due.weekday() == 5


def test_mid_autumn_friday_off_and_sunday_make_up_day():
    # Thursday 2026-09-24 17:00 + 120: 60 min Thursday, Fri 09-25 (Mid-Autumn) and the
    # weekend off, 60 min Monday 09-28 → 09:30.
    assert add_minutes(sh(2026, 9, 24, 17, 0), 120, OFFICIAL) == sh(2026, 9, 28, 9, 30)
    # Saturday 2026-09-19 10:00: the clock starts on the make-up Sunday 09-20 at 08:30.
    assert add_minutes(sh(2026, 9, 19, 10, 0), 0, OFFICIAL) == sh(2026, 9, 20, 8, 30)


# --- a year without official data -------------------------------------------------------


def test_year_without_data_falls_back_to_the_weekday_rule():
    # chinese-calendar 1.11.0 has no data for 2027 (it raises NotImplementedError):
    overrides, covered = official_overrides([2026, 2027])
    assert covered == frozenset({2026})
    assert overrides == OVERRIDES_2026
    assert not any(day.year == 2027 for day in overrides)
    calendar = CalendarSpec(
        tz="Asia/Shanghai", hours=OFFICE, overrides=overrides, covered_years=covered
    )
    # Thursday 2026-12-31 17:00 + 480: 60 min on 12-31; 2027-01-01 is a Friday and, with
    # no 2027 data, an ordinary working day: 420 min from 08:30 → 15:30.
    # (08:30 + 7 h = 15:30; New Year's Day would really be a holiday once 2027 is entered.)
    start = sh(2026, 12, 31, 17, 0)
    assert start.weekday() == 3
    due = add_minutes(start, 480, calendar)
    assert due == sh(2027, 1, 1, 15, 30)
    assert due.weekday() == 4
    assert business_minutes_between(start, due, calendar) == 480
    # The admin warning: 2027's schedule has not been entered.
    assert missing_years(calendar, start.date(), due.date()) == [2027]
    assert missing_years(calendar, date(2026, 1, 1), date(2026, 12, 31)) == []
    assert missing_years(PLAIN, date(2025, 6, 1), date(2027, 1, 1)) == [2025, 2026, 2027]
    assert missing_years(calendar, date(2027, 1, 1), date(2026, 1, 1)) == []


def test_official_overrides_never_raises_for_unknown_years():
    # The package covers 2004 onwards; 2003 and far-future years are simply not covered.
    overrides, covered = official_overrides([2003, 2099, 2027])
    assert (overrides, covered) == ({}, frozenset())
    assert official_overrides([]) == ({}, frozenset())


# --- DST ---------------------------------------------------------------------------------

BERLIN_OFFICE = CalendarSpec(tz="Europe/Berlin", hours=OFFICE)
# Every day 01:00–05:00 local, so that the working interval contains the clock change.
BERLIN_NIGHT = CalendarSpec(
    tz="Europe/Berlin", hours=WorkingHours(time(1, 0), time(5, 0)), weekdays=frozenset(range(7))
)


def test_berlin_office_hours_across_the_october_change():
    # Friday 2026-10-23 17:00 CEST (UTC+2) + 120: 60 min Friday; clocks go back on Sunday
    # 10-25; 60 min Monday 10-26 from 08:30 CET (UTC+1) → 09:30 CET = 08:30 UTC.
    start = datetime(2026, 10, 23, 17, 0, tzinfo=BERLIN)
    due = add_minutes(start, 120, BERLIN_OFFICE)
    assert due == datetime(2026, 10, 26, 9, 30, tzinfo=BERLIN)
    assert due == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)
    assert business_minutes_between(start, due, BERLIN_OFFICE) == 120


def test_working_interval_containing_the_october_change_is_five_real_hours():
    # Sunday 2026-10-25, 01:00–05:00 wall time: 01:00 CEST = 23:00 UTC (10-24);
    # 05:00 CET = 04:00 UTC → 5 real hours = 300 minutes (the hour 02:00–03:00 happens twice).
    opens = datetime(2026, 10, 25, 1, 0, tzinfo=BERLIN)
    closes = datetime(2026, 10, 25, 5, 0, tzinfo=BERLIN)
    assert business_minutes_between(opens, closes, BERLIN_NIGHT) == 300
    assert add_minutes(opens, 300, BERLIN_NIGHT) == closes
    # 180 min from 01:00 CEST = 02:00 UTC = 03:00 CET (the second pass through 02:xx).
    assert add_minutes(opens, 180, BERLIN_NIGHT) == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)
    # The whole day from midnight to midnight still holds 300 working minutes.
    assert (
        business_minutes_between(
            datetime(2026, 10, 25, tzinfo=BERLIN),
            datetime(2026, 10, 26, tzinfo=BERLIN),
            BERLIN_NIGHT,
        )
        == 300
    )


def test_working_interval_containing_the_march_change_is_three_real_hours():
    # Sunday 2026-03-29: at 02:00 CET the clocks jump to 03:00 CEST.
    # 01:00 CET = 00:00 UTC; 05:00 CEST = 03:00 UTC → 180 minutes.
    opens = datetime(2026, 3, 29, 1, 0, tzinfo=BERLIN)
    closes = datetime(2026, 3, 29, 5, 0, tzinfo=BERLIN)
    assert business_minutes_between(opens, closes, BERLIN_NIGHT) == 180
    assert add_minutes(opens, 180, BERLIN_NIGHT) == closes
    # 181 minutes spill into Monday 03-30 01:00 CEST: 1 minute → 01:01.
    assert add_minutes(opens, 181, BERLIN_NIGHT) == datetime(2026, 3, 30, 1, 1, tzinfo=BERLIN)


# --- properties --------------------------------------------------------------------------

CALENDARS = st.sampled_from([PLAIN, OFFICIAL, BERLIN_OFFICE, BERLIN_NIGHT])
STARTS = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2026, 12, 31, 23, 59),
    timezones=st.sampled_from([SHANGHAI, BERLIN, UTC]),
    allow_imaginary=False,
)
MINUTES = st.integers(min_value=0, max_value=20 * DAY_MINUTES)  # up to ~20 working days


@settings(max_examples=300)
@given(calendar=CALENDARS, raw_start=STARTS, minutes=MINUTES)
def test_between_inverts_add(calendar, raw_start, minutes):
    start = add_minutes(raw_start, 0, calendar)  # snapped inside working time
    assert start >= raw_start
    due = add_minutes(start, minutes, calendar)
    assert business_minutes_between(start, due, calendar) == minutes
    # Time before the first working start does not count either.
    assert add_minutes(raw_start, minutes, calendar) == due
    assert business_minutes_between(raw_start, due, calendar) == minutes
    # The due time is on a working day, within (or at the close of) working hours.
    local = due.astimezone(calendar.zone)
    assert calendar.is_working_day(local.date())
    assert calendar.hours.start <= local.time().replace(fold=0) <= calendar.hours.end


@settings(max_examples=300)
@given(calendar=CALENDARS, start=STARTS, a=MINUTES, b=MINUTES)
def test_more_minutes_never_come_due_earlier(calendar, start, a, b):
    low, high = sorted((a, b))
    assert add_minutes(start, low, calendar) <= add_minutes(start, high, calendar)
    # Additive: continuing from the earlier due time for the difference reaches the later
    # one (for a positive difference; a due time at closing + 0 would snap to the next
    # opening).
    if high > low:
        due_low = add_minutes(start, low, calendar)
        assert add_minutes(due_low, high - low, calendar) == add_minutes(start, high, calendar)


@settings(max_examples=200)
@given(start=STARTS, minutes=st.integers(min_value=0, max_value=60 * 24 * 60))
def test_twenty_four_seven_round_trip(start, minutes):
    due = add_minutes(start, minutes, None)
    assert due.tzinfo is start.tzinfo
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=minutes)
    assert business_minutes_between(start, due, None) == minutes


# --- performance --------------------------------------------------------------------------


def test_thirty_day_target_is_walked_day_by_day():
    # 30 × 24 × 60 = 43,200 business minutes ≈ 76 working days ≈ 3½ months of calendar.
    start = sh(2026, 3, 2, 9, 0)
    runs = 200
    began = clock.perf_counter()
    for _ in range(runs):
        due = add_minutes(start, 43_200, OFFICIAL)
    per_call = (clock.perf_counter() - began) / runs
    assert business_minutes_between(start, due, OFFICIAL) == 43_200
    # Measured ≈ 0.15 ms; a minute-by-minute walk would be two orders of magnitude slower.
    assert per_call < 0.005


# --- degenerate input ----------------------------------------------------------------------


def test_negative_minutes_are_rejected():
    with pytest.raises(ValueError, match="negative"):
        add_minutes(sh(2026, 11, 20, 9), -1, PLAIN)
    with pytest.raises(ValueError, match="negative"):
        add_minutes(sh(2026, 11, 20, 9), -1, None)


def test_non_integer_minutes_are_rejected():
    with pytest.raises(TypeError):
        add_minutes(sh(2026, 11, 20, 9), 1.5, PLAIN)
    with pytest.raises(TypeError):
        add_minutes(sh(2026, 11, 20, 9), True, PLAIN)


def test_naive_datetimes_are_rejected():
    naive = datetime(2026, 11, 20, 9, 0)
    for calendar in (PLAIN, None):
        with pytest.raises(ValueError, match="aware"):
            add_minutes(naive, 10, calendar)
        with pytest.raises(ValueError, match="aware"):
            business_minutes_between(naive, sh(2026, 11, 21), calendar)
        with pytest.raises(ValueError, match="aware"):
            business_minutes_between(sh(2026, 11, 19), naive, calendar)


def test_calendar_without_working_days_is_rejected():
    never = CalendarSpec(tz="Asia/Shanghai", hours=OFFICE, weekdays=frozenset())
    with pytest.raises(ValueError, match="no working days"):
        add_minutes(sh(2026, 11, 20, 9), 10, never)
    with pytest.raises(ValueError, match="no working days"):
        business_minutes_between(sh(2026, 11, 20, 9), sh(2026, 11, 27, 9), never)
    # Only a make-up day long ago: the walk gives up after ten years instead of looping.
    stale = CalendarSpec(
        tz="Asia/Shanghai", hours=OFFICE, weekdays=frozenset(), overrides={date(2020, 1, 19): True}
    )
    with pytest.raises(ValueError, match="do not fit"):
        add_minutes(sh(2026, 11, 20, 9), 10, stale)
    # A target longer than ten years of working time is refused the same way.
    with pytest.raises(ValueError, match="do not fit"):
        add_minutes(sh(2026, 11, 20, 9), 10**9, PLAIN)


def test_invalid_specs_are_rejected():
    with pytest.raises(ValueError):
        WorkingHours(time(18, 0), time(8, 30))
    with pytest.raises(ValueError):
        WorkingHours(time(9, 0), time(9, 0))
    with pytest.raises(TypeError):
        WorkingHours("08:30", "18:00")
    with pytest.raises(ValueError, match="time zone"):
        CalendarSpec(tz="Mars/Olympus_Mons", hours=OFFICE)
    with pytest.raises(ValueError, match="weekdays"):
        CalendarSpec(tz="Asia/Shanghai", hours=OFFICE, weekdays=frozenset({7}))
    with pytest.raises(TypeError):
        CalendarSpec(tz="Asia/Shanghai", hours=OFFICE, overrides={datetime(2026, 10, 1): False})
    with pytest.raises(TypeError):
        PLAIN.is_working_day(datetime(2026, 11, 20, 9))


def test_spec_is_a_snapshot_and_hashable():
    source = {date(2026, 11, 20): False}
    calendar = CalendarSpec(
        tz="Asia/Shanghai", hours=OFFICE, weekdays={0, 1, 2, 3, 4}, overrides=source
    )
    source[date(2026, 11, 23)] = False
    assert calendar.is_working_day(date(2026, 11, 23))
    assert not calendar.is_working_day(date(2026, 11, 20))
    with pytest.raises(TypeError):
        calendar.overrides[date(2026, 11, 24)] = False  # type: ignore[index]
    assert isinstance(calendar.weekdays, frozenset)
    assert hash(calendar) == hash(
        CalendarSpec(tz="Asia/Shanghai", hours=OFFICE, overrides={date(2026, 11, 20): False})
    )
