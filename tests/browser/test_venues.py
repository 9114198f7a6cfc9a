"""A building chief books the party position on a 390 px phone, community staff approve
it, and every venue page fits the phone and passes axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.venues import services
from gongzhi.venues.enums import BookingStatus, VenueKind
from gongzhi.venues.models import Booking

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


def test_book_on_a_phone_and_approve(live_world, browser, live_server, log_in, axe_clean):
    venue = services.venue_create(
        actor=None,
        community=live_world.wj,
        kind=VenueKind.PARTY_POSITION,
        name="党群服务中心活动室",
        capacity=40,
    )
    services.venue_set_hours(actor=None, venue=venue, text="1-7 08:00-21:00")
    day = timezone.localdate() + dt.timedelta(days=2)
    chief = _phone(browser)
    try:
        log_in(chief, "wj-building1")
        chief.goto(live_server.url + "/venues/")
        _fits(chief, axe_clean)
        chief.get_by_role("link", name="党群服务中心活动室").click()
        chief.get_by_role("heading", name="预约这个场地").wait_for()
        _fits(chief, axe_clean)
        chief.get_by_label("日期").fill(day.isoformat())
        chief.get_by_label("开始时间").fill("19:00")
        chief.get_by_label("结束时间").fill("20:30")
        chief.get_by_label("用途").fill("楼栋议事会")
        chief.get_by_label("预计人数").fill("18")
        chief.get_by_label("组织方").fill("1栋居民代表")
        chief.get_by_role("button", name="提交预约").click()
        chief.get_by_text("预约已提交，等待社区审批。").wait_for()
        assert chief.get_by_text("1栋居民代表 · 楼栋议事会").is_visible()
        _fits(chief, axe_clean)
    finally:
        chief.context.close()
    booking = Booking.objects.get(venue=venue)
    assert (booking.status, booking.expected) == (BookingStatus.REQUESTED, 18)

    staff = _phone(browser)
    try:
        log_in(staff, "wj-staff")
        staff.goto(live_server.url + "/venues/bookings/")
        staff.get_by_role("heading", name="待审批 1 条").wait_for()
        _fits(staff, axe_clean)
        staff.get_by_role("button", name="批准", exact=True).click()
        staff.get_by_text("已批准。").wait_for()
        _fits(staff, axe_clean)
    finally:
        staff.context.close()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED
