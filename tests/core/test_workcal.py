"""Working time across National Day 2026 (1–7 October off, Saturday 10 October a make-up
working day) with office hours 08:30–12:00 and 14:00–17:30; and a year the package does
not know (2027), with and without a schedule entered by an operator."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongzhi.core import workcal
from gongzhi.core.holidays import MakeUpRow, PeriodRow, holiday_schedule_save
from gongzhi.core.workcal import (
    add_working_days,
    add_working_hours,
    is_working_day,
    working_hours_between,
)

CST = ZoneInfo("Asia/Shanghai")
# The entered schedules are read from the database.
pytestmark = pytest.mark.django_db


def at(*args):
    return dt.datetime(*args, tzinfo=CST)


def test_calendar_knows_the_holiday_and_the_make_up_day():
    assert not is_working_day(dt.date(2026, 10, 1))
    assert not is_working_day(dt.date(2026, 10, 7))
    assert is_working_day(dt.date(2026, 10, 8))
    assert is_working_day(dt.date(2026, 10, 10))  # Saturday, make-up day
    assert not is_working_day(dt.date(2026, 10, 11))


def test_hours_cross_the_holiday():
    # Wednesday 30 September 16:30 + 4 working hours: 1 h that day, then nothing until
    # Thursday 8 October, 08:30 + 3 h = 11:30.
    assert add_working_hours(at(2026, 9, 30, 16, 30), 4) == at(2026, 10, 8, 11, 30)


def test_hours_skip_lunch_and_land_on_the_make_up_saturday():
    # Friday 9 October 11:00 + 8 h: 1 h morning, 3.5 h afternoon, then Saturday 10
    # October (make-up) 08:30 + 3.5 h = 12:00.
    assert add_working_hours(at(2026, 10, 9, 11, 0), 8) == at(2026, 10, 10, 12, 0)


def test_days_cross_the_holiday_and_count_the_make_up_day():
    # Arrived 30 September; day 1 = 8 Oct, day 2 = 9 Oct, day 3 = Saturday 10 Oct.
    assert add_working_days(at(2026, 9, 30, 9, 0), 3) == at(2026, 10, 10, 17, 30)


def test_hours_before_office_opens_start_at_opening():
    assert add_working_hours(at(2026, 10, 12, 6, 0), 1) == at(2026, 10, 12, 9, 30)


def test_elapsed_working_hours():
    assert working_hours_between(at(2026, 9, 30, 16, 30), at(2026, 10, 8, 11, 30)) == 4.0
    assert working_hours_between(at(2026, 10, 8, 12, 0), at(2026, 10, 8, 14, 0)) == 0.0


# --- a year the package does not know -------------------------------------------------
# The dates below are a schedule made up for the tests, not the official one of 2027.


def enter_2027(**kwargs):
    return holiday_schedule_save(
        actor=None,
        year=2027,
        periods=kwargs.get(
            "periods",
            [
                PeriodRow("元旦", dt.date(2027, 1, 1), dt.date(2027, 1, 3)),
                PeriodRow("春节", dt.date(2027, 2, 6), dt.date(2027, 2, 12)),
            ],
        ),
        make_up_days=kwargs.get(
            "make_up_days",
            [MakeUpRow(dt.date(2027, 1, 9), "元旦"), MakeUpRow(dt.date(2027, 2, 13), "春节")],
        ),
    )


def test_without_a_schedule_2027_counts_monday_to_friday():
    assert workcal.package_knows(2027) is False
    assert is_working_day(dt.date(2027, 1, 1)) is True  # a Friday
    assert is_working_day(dt.date(2027, 1, 9)) is False  # a Saturday
    # Thursday 31 December 2026 16:00 + 4 working hours: 1.5 h that day, then Friday.
    assert add_working_hours(at(2026, 12, 31, 16, 0), 4) == at(2027, 1, 1, 11, 0)


def test_an_entered_schedule_is_counted_for_its_year():
    enter_2027()
    assert is_working_day(dt.date(2027, 1, 1)) is False
    assert is_working_day(dt.date(2027, 1, 4)) is True
    assert is_working_day(dt.date(2027, 1, 9)) is True  # make-up Saturday
    assert is_working_day(dt.date(2027, 1, 10)) is False  # an ordinary Sunday
    # 1.5 h on 31 December, then nothing until Monday 4 January 08:30 + 2.5 h.
    assert add_working_hours(at(2026, 12, 31, 16, 0), 4) == at(2027, 1, 4, 11, 0)
    # Arrived Friday 5 February: day 1 = make-up Saturday 13 February, day 2 = Monday 15.
    assert add_working_days(at(2027, 2, 5, 9, 0), 2) == at(2027, 2, 15, 17, 30)
    # Friday 8 January 17:00–17:30, the make-up Saturday in full, Monday 08:30–09:00.
    assert working_hours_between(at(2027, 1, 8, 17, 0), at(2027, 1, 11, 9, 0)) == 8.0


def test_an_entered_schedule_overrides_the_package():
    # An operator corrects 2026: 9 October off as well, Sunday 11 October worked.
    holiday_schedule_save(
        actor=None,
        year=2026,
        periods=[PeriodRow("国庆节、中秋节", dt.date(2026, 10, 1), dt.date(2026, 10, 9))],
        make_up_days=[MakeUpRow(dt.date(2026, 10, 11), "国庆节")],
    )
    assert is_working_day(dt.date(2026, 10, 9)) is False
    assert is_working_day(dt.date(2026, 10, 10)) is False  # the package's make-up day
    assert is_working_day(dt.date(2026, 10, 11)) is True
    # Only the year entered: 2025 still comes from the package.
    assert is_working_day(dt.date(2025, 10, 1)) is False


def test_missing_schedule_year():
    # This year's known; next year's is expected from November on.
    assert workcal.missing_schedule_year(dt.date(2026, 10, 31)) is None
    assert workcal.missing_schedule_year(dt.date(2026, 11, 1)) == 2027
    assert workcal.missing_schedule_year(dt.date(2027, 3, 1)) == 2027
    enter_2027()
    assert workcal.missing_schedule_year(dt.date(2026, 12, 3)) is None
    assert workcal.missing_schedule_year(dt.date(2027, 11, 2)) == 2028


def test_the_entered_schedules_are_read_once(django_assert_num_queries):
    enter_2027()
    workcal.reset_schedules()
    with django_assert_num_queries(1):
        days = [is_working_day(dt.date(2027, 1, day)) for day in range(1, 32)]
    # 元旦 (Friday to Sunday) and seven weekend days: Saturday 9 January is a make-up day.
    assert days.count(False) == 3 + 7
