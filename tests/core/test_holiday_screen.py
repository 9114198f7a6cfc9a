"""The 节假日安排 screen: who reaches it, entering a year, refusals that keep what was
typed, the workbench's warning while a year is missing. Test dates, not an official
schedule."""

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.core import workcal
from gongzhi.core.holidays import PeriodRow, holiday_schedule_save
from gongzhi.core.models import HolidayPeriod, HolidaySchedule, MakeUpDay

URL = "/calendar/"


def form(year=2027, periods=(), days=(), rows=8, day_rows=6, source=""):
    data = {
        "year": str(year),
        "source": source,
        "periods-TOTAL_FORMS": str(rows),
        "periods-INITIAL_FORMS": "0",
        "days-TOTAL_FORMS": str(day_rows),
        "days-INITIAL_FORMS": "0",
    }
    for i, (name, first, last) in enumerate(periods):
        data |= {
            f"periods-{i}-name": name,
            f"periods-{i}-first_day": first,
            f"periods-{i}-last_day": last,
        }
    for i, (day, name) in enumerate(days):
        data |= {f"days-{i}-day": day, f"days-{i}-name": name}
    return data


@pytest.mark.parametrize("role", ["admin", "subdistrict"])
def test_operators_and_subdistrict_staff_open_it(world, login, role):
    response = login(world.users[role]).get(URL, {"year": "2027"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2027年的安排" in html
    assert "尚未录入：暂按周一至周五上班计算" in html
    assert "内置日历" in html  # 2026 comes from the package


@pytest.mark.parametrize(
    "role", ["secretary", "staff", "grid", "building", "resident", "partner", "nobody"]
)
def test_anyone_else_finds_nothing(world, login, role):
    client = login(world.users[role])
    assert client.get(URL).status_code == 404
    assert client.post(URL, form(periods=[("元旦", "2027-01-01", "2027-01-03")])).status_code == 404
    assert HolidaySchedule.objects.count() == 0


def test_entering_a_year(world, login):
    client = login(world.users["subdistrict"])
    response = client.post(
        URL,
        form(
            periods=[
                ("元旦", "2027-01-01", "2027-01-03"),
                ("", "", ""),
                ("春节", "2027-02-06", "2027-02-12"),
            ],
            days=[("2027-02-13", "春节")],
            source="测试用安排",
        ),
    )
    assert (response.status_code, response.url) == (302, f"{URL}?year=2027")
    assert list(HolidayPeriod.objects.values_list("name", "first_day")) == [
        ("元旦", dt.date(2027, 1, 1)),
        ("春节", dt.date(2027, 2, 6)),
    ]
    assert list(MakeUpDay.objects.values_list("day", flat=True)) == [dt.date(2027, 2, 13)]
    assert workcal.is_working_day(dt.date(2027, 1, 1)) is False
    page = client.get(response.url).content.decode()
    assert "已保存2027年的节假日安排" in page
    assert 'value="2027-02-06"' in page  # the form shows what is entered, to correct it


def test_overlapping_periods_answer_in_chinese_and_keep_what_was_typed(world, login):
    client = login(world.users["subdistrict"])
    response = client.post(
        URL,
        form(
            periods=[("春节", "2027-02-06", "2027-02-12"), ("春节后", "2027-02-10", "2027-02-14")],
            days=[("2027-02-07", "春节")],
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "第1行与第2行的放假日期重叠（2027-02-10）。" in html
    assert "第1行：2027-02-07在“春节”放假期间，不能同时是调休上班日。" in html
    assert 'value="春节后"' in html and 'value="2027-02-14"' in html
    assert HolidaySchedule.objects.count() == 0


def test_a_date_that_is_not_one_is_named_by_its_row(world, login):
    response = login(world.users["admin"]).post(
        URL,
        form(periods=[("元旦", "2027-01-01", "2027-01-03"), ("春节", "2027-02-30", "2027-02-12")]),
    )
    assert response.status_code == 400
    assert "第2行：放假第一天：请按“2027-01-01”的格式填写日期。" in response.content.decode()
    assert HolidaySchedule.objects.count() == 0


def test_a_year_out_of_range_is_refused(world, login):
    response = login(world.users["admin"]).post(
        URL, form(year=1999, periods=[("元旦", "1999-01-01", "1999-01-03")])
    )
    assert response.status_code == 400
    assert "年份须在2000年至2100年之间。" in response.content.decode()


def test_the_years_list_costs_the_same_for_one_or_many(world, login, django_assert_num_queries):
    client = login(world.users["subdistrict"])
    holiday_schedule_save(
        actor=None,
        year=2026,
        periods=[PeriodRow("国庆节", dt.date(2026, 10, 1), dt.date(2026, 10, 7))],
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(URL, {"year": "2026"})
    for year in (2025, 2027):
        holiday_schedule_save(
            actor=None,
            year=year,
            periods=[PeriodRow("元旦", dt.date(year, 1, 1), dt.date(year, 1, 1))],
        )
    with django_assert_num_queries(len(first.captured_queries)):
        html = client.get(URL, {"year": "2026"}).content.decode()
    assert html.count("已录入（") == 3


def test_the_workbench_warns_while_a_year_is_missing(world, login, monkeypatch):
    monkeypatch.setattr(workcal.timezone, "localdate", lambda: dt.date(2026, 12, 3))
    html = login(world.users["subdistrict"]).get(reverse("home")).content.decode()
    assert "还没有2027年的节假日安排。" in html
    assert 'href="/calendar/?year=2027"' in html
    grid = login(world.users["grid"]).get(reverse("home")).content.decode()
    assert "还没有2027年的节假日安排。" in grid
    assert "请街道工作人员或系统管理员按国务院办公厅的通知录入。" in grid
    assert "/calendar/" not in grid
    holiday_schedule_save(
        actor=None, year=2027, periods=[PeriodRow("元旦", dt.date(2027, 1, 1), dt.date(2027, 1, 3))]
    )
    html = login(world.users["subdistrict"]).get(reverse("home")).content.decode()
    assert "节假日安排。" not in html
