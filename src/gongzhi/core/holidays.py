"""Entering a year's holiday schedule (节假日安排): the days off and the make-up working
days the State Council publishes for the year, for ``core.workcal`` to count time limits
by when the ``chinese_calendar`` package does not know that year yet (or has it wrong).

The schedule is national: one per year for the whole deployment, not per region. Who may
enter it: operators (superusers) and whoever holds ``manage_calendar`` (subdistrict staff,
see ``accounts.rules``). Every save is audited with the schedule as it was and as it is.

A save replaces the year's schedule as a whole, in one transaction, after every row is
checked: nothing is written while anything is wrong, and the ``ValidationError`` names
each bad row (第2行：…) under ``periods`` or ``make_up_days``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit, workcal
from .models import HolidayPeriod, HolidaySchedule, MakeUpDay
from .scoping import scope_for

MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_NAME = 20
MAX_SOURCE = 200
MAX_PERIODS = 20
MAX_MAKE_UP_DAYS = 20
WEEKDAYS = "一二三四五六日"


def may_manage_calendar(user) -> bool:
    """Operators and holders of ``manage_calendar`` (subdistrict staff)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return not scope_for(user, "manage_calendar").empty


@dataclass(frozen=True)
class PeriodRow:
    name: str
    first_day: dt.date | None
    last_day: dt.date | None
    # The row's number as the person sees it on the form (1-based); the position if None.
    row: int | None = None


@dataclass(frozen=True)
class MakeUpRow:
    day: dt.date | None
    name: str = ""
    row: int | None = None


def _describe(schedule: HolidaySchedule | None) -> tuple[list[str], list[str]]:
    """The schedule's periods and make-up days as a reader of the audit log sees them."""
    if schedule is None or schedule.pk is None:
        return [], []
    periods = [
        f"{p.name} {p.first_day:%Y-%m-%d}–{p.last_day:%Y-%m-%d}"
        for p in schedule.periods.order_by("first_day")
    ]
    days = [
        f"{m.day:%Y-%m-%d}{' ' + m.name if m.name else ''}"
        for m in schedule.make_up_days.order_by("day")
    ]
    return periods, days


def _day(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


def check_schedule(
    *, year: int, periods: Sequence[PeriodRow], make_up_days: Sequence[MakeUpRow], source: str
) -> tuple[list[PeriodRow], list[MakeUpRow], str]:
    """The schedule cleaned, or a ValidationError naming every problem: a date outside
    the year, a period that ends before it starts or overlaps another, a make-up day inside
    a holiday, on a weekday or given twice, a name too long."""
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {"year": _("年份须在%(min)d年至%(max)d年之间。") % {"min": MIN_YEAR, "max": MAX_YEAR}}
        )
    source = (source or "").strip()
    if len(source) > MAX_SOURCE:
        err("source", _("依据不能超过%(limit)d字。") % {"limit": MAX_SOURCE})
    outside = _("日期须在%(year)d年内；跨年的假期请在两年的安排里分别填写各自年份的日期。") % {
        "year": year
    }

    clean_periods: list[PeriodRow] = []
    if not periods:
        err("periods", _("请至少填写一段放假安排。"))
    if len(periods) > MAX_PERIODS:
        err("periods", _("放假安排最多%(limit)d段。") % {"limit": MAX_PERIODS})
    for i, p in enumerate(periods, start=1):
        n = p.row or i
        name = (p.name or "").strip()

        def row_err(message: str, n=n) -> None:
            err("periods", _("第%(n)d行：%(message)s") % {"n": n, "message": message})

        if not name:
            row_err(_("请填写节日名称。"))
        elif len(name) > MAX_NAME:
            row_err(_("节日名称不能超过%(limit)d字。") % {"limit": MAX_NAME})
        if p.first_day is None or p.last_day is None:
            row_err(_("请填写放假的第一天和最后一天。"))
            continue
        if p.first_day.year != year or p.last_day.year != year:
            row_err(outside)
            continue
        if p.last_day < p.first_day:
            row_err(_("放假最后一天不能早于第一天。"))
            continue
        clean_periods.append(
            PeriodRow(name=name, first_day=p.first_day, last_day=p.last_day, row=n)
        )
    ordered = sorted(clean_periods, key=lambda p: (p.first_day, p.row))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.first_day <= before.last_day:
            err(
                "periods",
                _("第%(a)d行与第%(b)d行的放假日期重叠（%(day)s）。")
                % {
                    "a": min(before.row, after.row),
                    "b": max(before.row, after.row),
                    "day": _day(after.first_day),
                },
            )

    clean_days: list[MakeUpRow] = []
    seen: dict[dt.date, int] = {}
    if len(make_up_days) > MAX_MAKE_UP_DAYS:
        err("make_up_days", _("调休上班日最多%(limit)d天。") % {"limit": MAX_MAKE_UP_DAYS})
    for i, m in enumerate(make_up_days, start=1):
        n = m.row or i
        name = (m.name or "").strip()

        def day_err(message: str, n=n) -> None:
            err("make_up_days", _("第%(n)d行：%(message)s") % {"n": n, "message": message})

        if len(name) > MAX_NAME:
            day_err(_("节日名称不能超过%(limit)d字。") % {"limit": MAX_NAME})
        if m.day is None:
            day_err(_("请填写调休上班的日期。"))
            continue
        if m.day.year != year:
            day_err(outside)
            continue
        holiday = next((p for p in clean_periods if p.first_day <= m.day <= p.last_day), None)
        if holiday is not None:
            day_err(
                _("%(day)s在“%(name)s”放假期间，不能同时是调休上班日。")
                % {"day": _day(m.day), "name": holiday.name}
            )
        elif m.day.weekday() < 5:
            day_err(
                _("%(day)s是星期%(weekday)s，本来就上班；调休上班日应是星期六或星期日。")
                % {"day": _day(m.day), "weekday": WEEKDAYS[m.day.weekday()]}
            )
        if m.day in seen:
            day_err(_("%(day)s与第%(other)d行重复。") % {"day": _day(m.day), "other": seen[m.day]})
            continue
        seen[m.day] = n
        clean_days.append(MakeUpRow(day=m.day, name=name, row=n))
    if errors:
        raise ValidationError(errors)
    return ordered, sorted(clean_days, key=lambda m: m.day), source


@transaction.atomic
def holiday_schedule_save(
    *,
    actor,
    year: int,
    periods: Sequence[PeriodRow],
    make_up_days: Sequence[MakeUpRow] = (),
    source: str = "",
) -> HolidaySchedule:
    """Enter or correct ``year``'s schedule as a whole. ``actor=None`` is an operator's
    command or a data migration. From the moment it is saved, time limits that touch the
    year are counted by it (in this process at once, in the others within
    ``GONGZHI_HOLIDAY_SCHEDULE_TTL``); deadlines already set stay as they were."""
    if actor is not None and not may_manage_calendar(actor):
        raise PermissionDenied(_("没有权限执行此操作。"))
    periods, make_up_days, source = check_schedule(
        year=year, periods=periods, make_up_days=make_up_days, source=source
    )
    schedule = HolidaySchedule.objects.select_for_update().filter(year=year).first()
    before = _describe(schedule)
    if schedule is None:
        schedule = HolidaySchedule(year=year)
    schedule.source = source
    schedule.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    schedule.save()
    schedule.periods.all().delete()
    schedule.make_up_days.all().delete()
    HolidayPeriod.objects.bulk_create(
        HolidayPeriod(schedule=schedule, name=p.name, first_day=p.first_day, last_day=p.last_day)
        for p in periods
    )
    MakeUpDay.objects.bulk_create(
        MakeUpDay(schedule=schedule, day=m.day, name=m.name) for m in make_up_days
    )
    after = _describe(schedule)
    audit.record(
        actor=actor,
        action="core.holiday_schedule.saved",
        obj=schedule,
        changes={
            "year": year,
            "periods": [before[0], after[0]],
            "make_up_days": [before[1], after[1]],
            "source": source,
        },
    )
    # This process counts by the new schedule at once, and reads it again once committed
    # (a lookup in between may have kept what another transaction saw).
    workcal.reset_schedules()
    transaction.on_commit(workcal.reset_schedules)
    return schedule
