"""Working time on China's calendar: statutory holidays off, make-up working days
(调休, often a Saturday or Sunday) on, and office hours within each working day.

Time limits are counted here, never with plain timedeltas: "2 working days" from the eve
of National Day lands after the holiday, and a make-up Saturday counts.

Which days are off comes, for each year, from the first of:

1. a schedule operators entered (``core.models.HolidaySchedule``, on the 节假日安排
   screen): for a year the ``chinese_calendar`` package does not know yet (the State
   Council publishes each year's schedule in November or December, and the package is
   updated some time after), or to correct the package;
2. ``chinese_calendar``, which knows the published schedules up to its release;
3. Monday to Friday, with a warning in the log — and on the staff workbench and in
   ``voices_tick``'s output (``missing_schedule_year``) — until someone enters the year.

Entered schedules are read from the database once and kept in each process for
``GONGZHI_HOLIDAY_SCHEDULE_TTL`` seconds (default 300; a schedule changes once a year); the
process that saves one reads it again at once (``reset_schedules``), the others within the
TTL.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from django.conf import settings
from django.db import OperationalError, ProgrammingError
from django.utils import timezone

log = logging.getLogger(__name__)

DEFAULT_PERIODS = "08:30-12:00,14:00-17:30"
DEFAULT_SCHEDULE_TTL = 300.0
# From this day of the year on, next year's schedule is expected (the State Council
# publishes it in November or December), and its absence is worth a warning.
NEXT_YEAR_EXPECTED_FROM = (11, 1)


@lru_cache(maxsize=4)
def _periods(raw: str) -> tuple[tuple[dt.time, dt.time], ...]:
    periods = []
    for part in raw.split(","):
        start, end = part.strip().split("-")
        periods.append((dt.time.fromisoformat(start), dt.time.fromisoformat(end)))
    return tuple(sorted(periods))


def work_periods() -> tuple[tuple[dt.time, dt.time], ...]:
    return _periods(getattr(settings, "GONGZHI_WORK_PERIODS", DEFAULT_PERIODS))


# --- which days are working days ------------------------------------------------------


@dataclass(frozen=True)
class YearSchedule:
    """An entered year: its days off and its make-up working days."""

    off: frozenset[dt.date]
    on: frozenset[dt.date]


_entered: dict[int, YearSchedule] | None = None
_entered_at = 0.0


def reset_schedules(schedules: dict[int, YearSchedule] | None = None) -> None:
    """Set this process's copy of the entered schedules: ``None`` (after a save) reads them
    anew at the next lookup; tests put back what the database holds after a rollback."""
    global _entered, _entered_at
    _entered, _entered_at = schedules, time.monotonic()


def entered_schedules() -> dict[int, YearSchedule]:
    """The schedules operators entered, by year, read at most once per TTL."""
    global _entered, _entered_at
    now = time.monotonic()
    ttl = getattr(settings, "GONGZHI_HOLIDAY_SCHEDULE_TTL", DEFAULT_SCHEDULE_TTL)
    if _entered is None or now - _entered_at > ttl:
        loaded = _load_entered()
        if loaded is None:
            return {}
        _entered, _entered_at = loaded, now
    return _entered


def _load_entered() -> dict[int, YearSchedule] | None:
    # Imported here: the rest of this module is arithmetic, importable before the app
    # registry is ready.
    from django.db.models import Value

    from .models import HolidayPeriod, MakeUpDay

    periods = HolidayPeriod.objects.order_by().values_list(
        "schedule__year", "first_day", "last_day", Value(False)
    )
    make_up = MakeUpDay.objects.order_by().values_list("schedule__year", "day", "day", Value(True))
    try:
        rows = list(periods.union(make_up, all=True))
    except (OperationalError, ProgrammingError):
        # No table yet (a database being migrated): package and weekdays only, for now.
        log.warning("holiday schedules could not be read", exc_info=True)
        return None
    off: dict[int, set[dt.date]] = {}
    on: dict[int, set[dt.date]] = {}
    for year, first, last, make_up in rows:
        if make_up:
            on.setdefault(year, set()).add(first)
            continue
        days = off.setdefault(year, set())
        day = first
        while day <= last:
            days.add(day)
            day += dt.timedelta(days=1)
    return {
        year: YearSchedule(off=frozenset(off.get(year, ())), on=frozenset(on.get(year, ())))
        for year in set(off) | set(on)
    }


def package_knows(year: int) -> bool:
    """Whether ``chinese_calendar`` has the State Council's schedule of ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def schedule_known(year: int) -> bool:
    """Whether the days off of ``year`` are known (entered, or in the package)."""
    return year in entered_schedules() or package_knows(year)


def missing_schedule_year(today: dt.date | None = None) -> int | None:
    """The year whose holiday schedule is missing and matters now: this year's at any time,
    next year's from 1 November on. None when both are known."""
    today = today or timezone.localdate()
    if not schedule_known(today.year):
        return today.year
    if (today.month, today.day) >= NEXT_YEAR_EXPECTED_FROM and not schedule_known(today.year + 1):
        return today.year + 1
    return None


_years_without_schedule: set[int] = set()


@lru_cache(maxsize=4096)
def _package_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _years_without_schedule:
            _years_without_schedule.add(day.year)
            log.warning("no holiday schedule for %s; counting Monday to Friday", day.year)
        return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    entered = entered_schedules().get(day.year)
    if entered is None:
        return _package_working_day(day)
    if day in entered.off:
        return False
    return day in entered.on or day.weekday() < 5


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else timezone.make_aware(moment)


def _at(day: dt.date, t: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, t))


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment ``hours`` of office time after ``start``."""
    remaining = dt.timedelta(hours=hours)
    moment = _local(start)
    day = moment.date()
    while True:
        if is_working_day(day):
            for begin, end in work_periods():
                period_start, period_end = _at(day, begin), _at(day, end)
                if moment >= period_end:
                    continue
                cursor = max(moment, period_start)
                available = period_end - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
                moment = period_end
        day += dt.timedelta(days=1)
        moment = _at(day, dt.time(0, 0))


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The close of the ``days``-th working day after the day of ``start`` (the day an
    item arrives is not counted, as in government practice)."""
    day = _local(start).date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return _at(day, work_periods()[-1][1])


def working_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Office hours elapsed between two moments (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0.0
    total = dt.timedelta()
    start, end = _local(start), _local(end)
    day = start.date()
    while day <= end.date():
        if is_working_day(day):
            for begin, finish in work_periods():
                lo = max(start, _at(day, begin))
                hi = min(end, _at(day, finish))
                if hi > lo:
                    total += hi - lo
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600
