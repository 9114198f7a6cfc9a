"""Entering a year's holiday schedule: what is refused (in Chinese, with nothing written),
who may, and the audit trail. The dates are made up for the tests, not an official
schedule."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core import workcal
from gongzhi.core.holidays import MakeUpRow, PeriodRow, holiday_schedule_save
from gongzhi.core.models import AuditEvent, HolidayPeriod, HolidaySchedule, MakeUpDay

D = dt.date
NEW_YEAR = PeriodRow("元旦", D(2027, 1, 1), D(2027, 1, 3))
SPRING = PeriodRow("春节", D(2027, 2, 6), D(2027, 2, 12))


def save(actor=None, **kwargs):
    return holiday_schedule_save(
        actor=actor,
        year=kwargs.pop("year", 2027),
        periods=kwargs.pop("periods", [NEW_YEAR, SPRING]),
        make_up_days=kwargs.pop("make_up_days", [MakeUpRow(D(2027, 2, 13), "春节")]),
        **kwargs,
    )


def refusal(**kwargs) -> dict:
    with pytest.raises(ValidationError) as exc:
        save(**kwargs)
    return exc.value.message_dict


def stored() -> list:
    return [
        *HolidayPeriod.objects.values_list("name", "first_day", "last_day"),
        *MakeUpDay.objects.values_list("name", "day"),
    ]


def test_a_schedule_is_saved_and_audited(world):
    schedule = save(actor=world.users["subdistrict"], source="测试用安排")
    assert (schedule.year, schedule.source, schedule.updated_by) == (
        2027,
        "测试用安排",
        world.users["subdistrict"],
    )
    assert stored() == [
        ("元旦", D(2027, 1, 1), D(2027, 1, 3)),
        ("春节", D(2027, 2, 6), D(2027, 2, 12)),
        ("春节", D(2027, 2, 13)),
    ]
    event = AuditEvent.objects.get(action="core.holiday_schedule.saved")
    assert event.actor == world.users["subdistrict"]
    assert event.changes == {
        "year": 2027,
        "periods": [[], ["元旦 2027-01-01–2027-01-03", "春节 2027-02-06–2027-02-12"]],
        "make_up_days": [[], ["2027-02-13 春节"]],
        "source": "测试用安排",
    }


def test_a_correction_replaces_the_year_as_a_whole(world):
    save()
    save(periods=[PeriodRow("元旦", D(2027, 1, 1), D(2027, 1, 1))], make_up_days=[])
    assert HolidaySchedule.objects.count() == 1
    assert stored() == [("元旦", D(2027, 1, 1), D(2027, 1, 1))]
    assert workcal.is_working_day(D(2027, 2, 8)) is True
    last = AuditEvent.objects.filter(action="core.holiday_schedule.saved").first()
    assert last.changes["periods"][0] == [
        "元旦 2027-01-01–2027-01-03",
        "春节 2027-02-06–2027-02-12",
    ]


def test_overlapping_periods_are_refused_and_nothing_is_written(world):
    save()
    before = stored()
    errors = refusal(
        periods=[NEW_YEAR, SPRING, PeriodRow("春节补", D(2027, 2, 12), D(2027, 2, 14))],
        make_up_days=[],
    )
    assert errors == {"periods": ["第2行与第3行的放假日期重叠（2027-02-12）。"]}
    assert stored() == before


def test_a_make_up_day_inside_a_holiday_is_refused(world):
    errors = refusal(make_up_days=[MakeUpRow(D(2027, 2, 7), "春节")])
    assert errors == {"make_up_days": ["第1行：2027-02-07在“春节”放假期间，不能同时是调休上班日。"]}
    assert stored() == []


def test_dates_outside_the_year_are_refused(world):
    errors = refusal(
        periods=[PeriodRow("元旦", D(2026, 12, 31), D(2027, 1, 2))],
        make_up_days=[MakeUpRow(D(2026, 12, 27), "元旦")],
    )
    outside = "日期须在2027年内；跨年的假期请在两年的安排里分别填写各自年份的日期。"
    assert errors == {"periods": [f"第1行：{outside}"], "make_up_days": [f"第1行：{outside}"]}
    assert HolidaySchedule.objects.count() == 0


def test_every_bad_row_is_named_at_once(world):
    errors = refusal(
        periods=[
            PeriodRow("", D(2027, 5, 1), D(2027, 5, 5), row=2),
            PeriodRow("国庆", D(2027, 10, 7), D(2027, 10, 1), row=4),
            PeriodRow("端午", None, D(2027, 6, 1), row=5),
        ],
        make_up_days=[
            MakeUpRow(D(2027, 5, 6), row=1),
            MakeUpRow(D(2027, 5, 8), row=2),
            MakeUpRow(D(2027, 5, 8), row=3),
        ],
    )
    assert errors == {
        "periods": [
            "第2行：请填写节日名称。",
            "第4行：放假最后一天不能早于第一天。",
            "第5行：请填写放假的第一天和最后一天。",
        ],
        "make_up_days": [
            "第1行：2027-05-06是星期四，本来就上班；调休上班日应是星期六或星期日。",
            "第3行：2027-05-08与第2行重复。",
        ],
    }


def test_a_year_needs_a_period_and_a_sensible_number(world):
    assert refusal(periods=[], make_up_days=[]) == {"periods": ["请至少填写一段放假安排。"]}
    assert refusal(year=1999) == {"year": ["年份须在2000年至2100年之间。"]}


@pytest.mark.parametrize("role", ["secretary", "staff", "grid", "resident", "partner", "nobody"])
def test_only_operators_and_subdistrict_staff_enter_it(world, role):
    with pytest.raises(PermissionDenied):
        save(actor=world.users[role])
    assert HolidaySchedule.objects.count() == 0
    assert save(actor=world.users["admin"]).year == 2027
