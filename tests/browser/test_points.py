"""A resident on a 390 px phone sees the love points a volunteer check-in gave them, redeems
them in the shop after confirming, and community staff hand the goods over; every page
fits the phone and passes axe-core."""

from __future__ import annotations

import pytest

from gongzhi.points import services
from gongzhi.points.enums import RedemptionStatus
from gongzhi.points.models import EarningRule, Redemption

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


def test_a_resident_sees_points_and_redeems_them(
    live_world, browser, live_server, log_in, axe_clean
):
    EarningRule.objects.get_or_create(
        code="service_hour", defaults={"label": "志愿服务", "unit": "小时", "points": 10}
    )
    zhangsan = live_world.residents["zhangsan"]
    services.award(
        actor=None, resident=zhangsan, rule_code="service_hour", quantity=5, key="check-in:1"
    )
    services.item_create(
        actor=None,
        community=live_world.wj,
        name="理发一次",
        price=40,
        stock=3,
        supplier=live_world.partner,
    )
    resident = _phone(browser)
    try:
        log_in(resident, "resident-zhangsan")
        resident.goto(live_server.url + "/")
        resident.get_by_role("link", name="爱心积分：我的积分和积分超市").click()
        resident.get_by_test_id("balance").wait_for()
        assert resident.get_by_test_id("balance").inner_text() == "50 分"
        _fits(resident, axe_clean)
        resident.get_by_role("link", name="去积分超市兑换").click()
        resident.get_by_role("heading", name="理发一次").wait_for()
        _fits(resident, axe_clean)
        resident.get_by_role("link", name="兑换理发一次").click()
        resident.get_by_role("heading", name="请确认兑换").wait_for()
        _fits(resident, axe_clean)
        resident.get_by_role("button", name="确认兑换").click()
        resident.get_by_text("兑换成功").wait_for()
        assert resident.get_by_role("heading", name="理发一次 × 1").is_visible()
        _fits(resident, axe_clean)
        resident.get_by_role("link", name="我的积分").click()
        assert resident.get_by_test_id("balance").inner_text() == "10 分"
    finally:
        resident.context.close()
    redemption = Redemption.objects.get()
    assert redemption.points == 40

    staff = _phone(browser)
    try:
        log_in(staff, "wj-staff")
        staff.goto(live_server.url + "/points/manage/")
        staff.get_by_role("link", name="待领取兑换 1 条").click()
        _fits(staff, axe_clean)
        staff.get_by_role("button", name="张三已领取").click()
        staff.get_by_role("heading", name="请确认：居民已领取").wait_for()
        _fits(staff, axe_clean)
        staff.get_by_role("button", name="确认已领取").click()
        staff.get_by_text("已登记领取。").wait_for()
        _fits(staff, axe_clean)
    finally:
        staff.context.close()
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.HANDED_OVER
    assert services.reconcile() == []
