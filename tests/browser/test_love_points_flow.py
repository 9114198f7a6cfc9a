"""The whole chain of issue 11 on phones: a resident in the large-type layout signs up for a
talk in three steps, a volunteer checks them in by their QR code, the love points the
check-in earned show in the resident's statement, and the resident redeems them in the
shop. Every page fits the phone and passes axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.activities import services as activities
from gongzhi.activities.enums import ActivityKind, OutreachFormat
from gongzhi.points import services as points
from gongzhi.points.enums import RedemptionStatus
from gongzhi.points.models import EarningRule, Redemption

from .test_venues import _fits, _phone

pytestmark = pytest.mark.browser


def test_sign_up_check_in_earn_and_redeem(live_world, browser, live_server, log_in, axe_clean):
    w = live_world
    # An earlier browser test may have emptied the database, the migration's rules with it.
    points.ensure_default_rules()
    rule = EarningRule.objects.get(code="activity_attendance")
    group = activities.group_create(actor=None, community=w.wj, name="牵手宣讲队")
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=30)
    talk = activities.activity_publish(
        actor=None,
        activity=activities.activity_create(
            actor=None,
            community=w.wj,
            kind=ActivityKind.OUTREACH,
            outreach_format=OutreachFormat.CENTRAL,
            title="反诈知识进楼栋",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            capacity=30,
            group=group,
            place="党群服务中心",
        ),
    )
    points.item_create(
        actor=None,
        community=w.wj,
        name="洗衣液一瓶",
        price=rule.points,
        stock=2,
        supplier=w.partner,
    )

    resident = _phone(browser)
    try:
        log_in(resident, "resident-zhangsan")
        resident.goto(live_server.url + "/")
        resident.get_by_role("link", name="这周身边的活动：报名、签到码").click()
        resident.get_by_role("link", name="反诈知识进楼栋").click()
        resident.get_by_role("button", name="我要报名").click()
        resident.get_by_text("报名成功！").wait_for()
        _fits(resident, axe_clean)
    finally:
        resident.context.close()

    volunteer = _phone(browser)
    try:
        log_in(volunteer, "wj-staff")
        volunteer.goto(live_server.url + f"/activities/manage/{talk.pk}/")
        volunteer.get_by_role("link", name="签到", exact=True).click()
        # What the resident's QR code carries, as the phone's scanner pastes it.
        volunteer.get_by_label("扫码内容").fill(activities.resident_token(w.residents["zhangsan"]))
        volunteer.get_by_role("button", name="扫码签到").click()
        volunteer.get_by_text("张三 签到成功。").wait_for()
        _fits(volunteer, axe_clean)
    finally:
        volunteer.context.close()

    resident = _phone(browser)
    try:
        log_in(resident, "resident-zhangsan")
        resident.goto(live_server.url + "/")
        resident.get_by_role("link", name="爱心积分：我的积分和积分超市").click()
        assert resident.get_by_test_id("balance").inner_text() == f"{rule.points} 分"
        resident.get_by_text("反诈知识进楼栋").first.wait_for()
        _fits(resident, axe_clean)
        resident.get_by_role("link", name="去积分超市兑换").click()
        resident.get_by_role("link", name="兑换洗衣液一瓶").click()
        resident.get_by_role("button", name="确认兑换").click()
        resident.get_by_text("兑换成功").wait_for()
        _fits(resident, axe_clean)
        resident.get_by_role("link", name="我的积分").click()
        assert resident.get_by_test_id("balance").inner_text() == "0 分"
    finally:
        resident.context.close()
    assert Redemption.objects.get(resident=w.residents["zhangsan"]).status == (
        RedemptionStatus.PLACED
    )
    assert points.reconcile() == []
