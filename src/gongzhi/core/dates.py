"""Dates people type: parsed and range-checked in one place, refused with Chinese words.

Python's dates run from year 1 to 9999, and adding a month to 9999-12 or a day to
9999-12-31 overflows; nothing in a community's register or its time limits lies outside
1900–2100, so a date outside that range is a typing slip, answered as one before any
arithmetic can overflow."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date as _parse_date
from django.utils.dateparse import parse_datetime as _parse_datetime
from django.utils.translation import gettext as _

MIN_YEAR = 1900
MAX_YEAR = 2100
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_DAY_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def out_of_range_message() -> str:
    return _("日期须在%(min)d年至%(max)d年之间。") % {"min": MIN_YEAR, "max": MAX_YEAR}


def check_date(value: dt.date | None, *, field: str | None = None) -> dt.date | None:
    """``value`` unchanged when it lies in 1900–2100; a ValidationError (on ``field`` if
    named) otherwise. ``None`` passes: whether a date is required is the caller's rule."""
    if value is None or MIN_YEAR <= value.year <= MAX_YEAR:
        return value
    raise _error(out_of_range_message(), field, code="out_of_range")


def check_birth_date(value: dt.date | None, *, field: str | None = "birth_date") -> dt.date | None:
    """A birth date: not before 1900 and not after today."""
    if value is None:
        return value
    if value.year < MIN_YEAR:
        raise _error(
            _("出生日期不能早于%(year)d年。") % {"year": MIN_YEAR}, field, code="out_of_range"
        )
    if value > timezone.localdate():
        raise _error(_("出生日期不能晚于今天。"), field, code="out_of_range")
    return value


def parse_date(text: str, *, field: str | None = None) -> dt.date:
    """``YYYY-MM-DD`` → a date in range, or a Chinese ValidationError."""
    try:
        day = _parse_date((text or "").strip())
    except ValueError:
        day = None  # well formed, but no such day (2026-13-01, 2026-02-30)
    if day is None:
        raise _error(_("请按“2026-03-01”的格式填写有效的日期。"), field)
    return check_date(day, field=field)


def parse_moment(text: str, *, field: str | None = None, end_of_day: bool = False) -> dt.datetime:
    """An ISO 8601 moment (``2026-03-01T08:00:00+08:00``) or a bare date, which means the
    start of that day (its end with ``end_of_day``) in local time. Always aware."""
    text = (text or "").strip()
    if _DAY_RE.match(text):
        # Checked before the moment: Python reads a bare date as its midnight.
        day = parse_date(text, field=field)
        moment = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min)
    else:
        try:
            moment = _parse_datetime(text)
        except ValueError:
            moment = None  # well formed, but no such moment (hour 25, offset +99:00)
        if moment is None:
            raise _error(_("请填写有效的日期和时间。"), field)
    check_date(moment.date(), field=field)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_month(text: str, *, field: str | None = "month") -> dt.date:
    """``YYYY-MM`` → the first day of that month, in range, or a Chinese ValidationError."""
    found = _MONTH_RE.match((text or "").strip())
    month = int(found.group(2)) if found else 0
    if not found or not 1 <= month <= 12:
        raise _error(_("请输入有效的月份，例如 2026-03。"), field)
    year = int(found.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _error(
            _("月份须在%(min)d年至%(max)d年之间。") % {"min": MIN_YEAR, "max": MAX_YEAR},
            field,
            code="out_of_range",
        )
    return dt.date(year, month, 1)


def _error(message: str, field: str | None, code: str = "invalid") -> ValidationError:
    """Out of range and malformed carry different codes, for callers that word them apart."""
    error = ValidationError(message, code=code)
    return ValidationError({field: [error]}) if field else error
