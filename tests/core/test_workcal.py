"""Working time across National Day 2026 (1–7 October off, Saturday 10 October a make-up
working day) with office hours 08:30–12:00 and 14:00–17:30."""

import datetime as dt
from zoneinfo import ZoneInfo

from gongzhi.core.workcal import (
    add_working_days,
    add_working_hours,
    is_working_day,
    working_hours_between,
)

CST = ZoneInfo("Asia/Shanghai")


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
