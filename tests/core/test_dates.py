"""Dates people type: parsed once, in range, refused in Chinese with a code that tells a
slip of the keyboard from a date out of range."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.core.dates import (
    check_birth_date,
    check_date,
    parse_date,
    parse_moment,
    parse_month,
)


def refusal(call, *args, **kwargs) -> tuple[list[str], str]:
    with pytest.raises(ValidationError) as refused:
        call(*args, **kwargs)
    return refused.value.messages, refused.value.error_list[0].code


def test_a_month_is_its_first_day():
    assert (parse_month("2026-03"), parse_month(" 1900-1 "), parse_month("2100-12")) == (
        dt.date(2026, 3, 1),
        dt.date(1900, 1, 1),
        dt.date(2100, 12, 1),
    )


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "March", "", "2026-03-01"])
def test_a_month_that_is_none_is_refused(text):
    assert refusal(parse_month, text, field=None) == (
        ["请输入有效的月份，例如 2026-03。"],
        "invalid",
    )


@pytest.mark.parametrize("text", ["9999-12", "0001-01", "1899-12", "2101-01"])
def test_a_month_out_of_range_is_refused_before_any_arithmetic(text):
    assert refusal(parse_month, text, field=None) == (
        ["月份须在1900年至2100年之间。"],
        "out_of_range",
    )


def test_a_refusal_names_its_field():
    with pytest.raises(ValidationError) as refused:
        parse_month("9999-12")
    assert refused.value.message_dict == {"month": ["月份须在1900年至2100年之间。"]}


def test_a_date_is_parsed_and_checked():
    assert parse_date("2026-02-28") == dt.date(2026, 2, 28)
    assert refusal(parse_date, "2026-02-30") == (
        ["请按“2026-03-01”的格式填写有效的日期。"],
        "invalid",
    )
    assert refusal(parse_date, "0001-01-01") == (["日期须在1900年至2100年之间。"], "out_of_range")
    assert check_date(None) is None


def test_a_bare_date_is_the_start_or_the_end_of_that_day_here():
    start = parse_moment("2026-03-01")
    end = parse_moment("2026-03-01", end_of_day=True)
    assert (timezone.localtime(start).isoformat(), timezone.localtime(end).time()) == (
        "2026-03-01T00:00:00+08:00",
        dt.time.max,
    )


def test_a_moment_keeps_its_offset():
    moment = parse_moment("2026-03-01T08:30:00+08:00")
    assert moment == dt.datetime(2026, 3, 1, 0, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026-13-01", "invalid"),
        ("2026-03-01T25:00:00", "invalid"),
        ("yesterday", "invalid"),
        ("9999-12-31", "out_of_range"),
        ("9999-12-31T23:59:59+08:00", "out_of_range"),
    ],
)
def test_a_moment_that_is_none_or_out_of_range_is_refused(text, code):
    assert refusal(parse_moment, text)[1] == code


def test_a_birth_date_lies_between_1900_and_today():
    today = timezone.localdate()
    assert check_birth_date(today) == today
    assert check_birth_date(dt.date(1900, 1, 1)) == dt.date(1900, 1, 1)
    assert refusal(check_birth_date, dt.date(1899, 12, 31), field=None) == (
        ["出生日期不能早于1900年。"],
        "out_of_range",
    )
    assert refusal(check_birth_date, today + dt.timedelta(days=1), field=None) == (
        ["出生日期不能晚于今天。"],
        "out_of_range",
    )
