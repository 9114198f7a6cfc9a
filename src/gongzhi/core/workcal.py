"""Working time on China's calendar: statutory holidays off, make-up working days
(调休, often a Saturday or Sunday) on, and office hours within each working day.

Time limits are counted here, never with plain timedeltas: "2 working days" from the eve
of National Day lands after the holiday, and a make-up Saturday counts.

``chinese_calendar`` knows the State Council's published schedule; for a year it does not
know yet (the schedule is published each November or December for the next year), days
fall back to Monday–Friday until the package is updated.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache

import chinese_calendar
from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)

DEFAULT_PERIODS = "08:30-12:00,14:00-17:30"


@lru_cache(maxsize=4)
def _periods(raw: str) -> tuple[tuple[dt.time, dt.time], ...]:
    periods = []
    for part in raw.split(","):
        start, end = part.strip().split("-")
        periods.append((dt.time.fromisoformat(start), dt.time.fromisoformat(end)))
    return tuple(sorted(periods))


def work_periods() -> tuple[tuple[dt.time, dt.time], ...]:
    return _periods(getattr(settings, "GONGZHI_WORK_PERIODS", DEFAULT_PERIODS))


_years_without_schedule: set[int] = set()


@lru_cache(maxsize=4096)
def is_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _years_without_schedule:
            _years_without_schedule.add(day.year)
            log.warning("no holiday schedule for %s; counting Monday to Friday", day.year)
        return day.weekday() < 5


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
