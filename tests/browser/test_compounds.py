"""Community staff keep a compound's owners' committee on a 390 px phone, and are told in
Chinese when a term overlaps; a resident finds who is on duty at their grid station today.
Every page fits the phone and passes axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.compounds import services
from gongzhi.compounds.models import CommitteeTerm
from gongzhi.venues.models import Venue

from .test_phone import CHECK, PHONE

pytestmark = pytest.mark.browser


def _phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _fits(page, axe_clean):
    assert page.evaluate(CHECK) == []
    axe_clean(page)


def _first_term(compound):
    return services.committee_term_create(
        actor=None,
        compound=compound,
        name="第一届",
        elected_on=dt.date(2024, 3, 1),
        starts_on=dt.date(2024, 3, 10),
        ends_on=dt.date(2029, 3, 9),
    )


def test_staff_record_a_term_and_are_refused_an_overlapping_one(
    live_world, browser, live_server, log_in, axe_clean
):
    w = live_world
    compound = w.b2.compound
    _first_term(compound)
    page = _phone(browser)
    try:
        log_in(page, "wj-staff")
        page.goto(live_server.url + "/compounds/")
        page.get_by_role("heading", name="小区自治", exact=True).wait_for()
        _fits(page, axe_clean)
        page.get_by_role("link", name=compound.name).click()
        page.get_by_role("heading", name="业主委员会").wait_for()
        _fits(page, axe_clean)
        page.get_by_role("link", name="登记任期").click()
        page.get_by_label("届次").fill("第二届")
        page.get_by_label("选举日期").fill("2028-12-01")
        page.get_by_label("任期开始").fill("2029-01-01")
        page.get_by_label("任期结束").fill("2033-12-31")
        page.get_by_role("button", name="保存").click()
        page.get_by_text("同一小区的业主委员会任期不能重叠", exact=False).first.wait_for()
        assert page.get_by_label("届次").input_value() == "第二届"
        _fits(page, axe_clean)
    finally:
        page.context.close()
    assert CommitteeTerm.objects.filter(compound=compound).count() == 1


def test_staff_end_a_term_early_after_asking_and_the_next_one_fits(
    live_world, browser, live_server, log_in, axe_clean
):
    w = live_world
    compound = w.b2.compound
    term = _first_term(compound)
    page = _phone(browser)
    try:
        log_in(page, "wj-staff")
        page.goto(live_server.url + f"/compounds/{compound.pk}/")
        page.get_by_role("link", name="提前终止这一届").click()
        page.get_by_role("heading", name="提前终止").wait_for()
        _fits(page, axe_clean)
        page.get_by_label("终止日期").fill("2028-12-31")
        page.get_by_label("终止原因").fill("提前换届选举")
        page.get_by_role("button", name="下一步：确认").click()
        page.get_by_role("heading", name="请确认：提前终止").wait_for()
        _fits(page, axe_clean)
        term.refresh_from_db()
        assert term.ends_on == dt.date(2029, 3, 9)  # nothing changed before the confirmation
        page.get_by_role("button", name="确认提前终止").click()
        page.get_by_role("heading", name="业主委员会").wait_for()
    finally:
        page.context.close()
    term.refresh_from_db()
    assert term.ends_on == dt.date(2028, 12, 31)


def test_a_resident_finds_who_is_on_duty_today(live_world, browser, live_server, log_in, axe_clean):
    w = live_world
    station = Venue.objects.create(
        community=w.wj, grid=w.g1, kind="grid_station", name="第一网格驿站", address="甘露园门口"
    )
    services.duty_shift_add(
        actor=None, station=station, on=timezone.localdate(), name="陈网格", hours="8:30-12:00"
    )
    page = _phone(browser)
    try:
        log_in(page, "resident-zhangsan")
        page.get_by_role("link", name="今天谁值班：网格驿站和小区公告").click()
        page.get_by_role("heading", name="今天谁值班", exact=True).wait_for()
        assert page.get_by_text("陈网格", exact=False).is_visible()
        _fits(page, axe_clean)
    finally:
        page.context.close()
