"""A resident on a 390 px phone signs up for an activity in three steps from home and opens
their check-in code; community staff on a phone check them in by that code and an elder by
name. Every page fits the phone and passes axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.activities import services
from gongzhi.activities.enums import ActivityKind, ServiceArea
from gongzhi.activities.models import CheckIn, Signup

from .test_venues import _fits, _phone

pytestmark = pytest.mark.browser


def test_sign_up_in_three_steps_and_check_in_on_a_phone(
    live_world, browser, live_server, log_in, axe_clean
):
    w = live_world
    group = services.group_create(actor=None, community=w.wj, name="“银河”志愿队")
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=30)
    activity = services.activity_create(
        actor=None,
        community=w.wj,
        kind=ActivityKind.VOLUNTEER,
        service_area=ServiceArea.CARE,
        title="独居老人探访",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=20,
        group=group,
        place="甘露园1栋",
    )
    activity = services.activity_publish(actor=None, activity=activity)
    # An elder without a phone, signed up by the staff.
    services.signup_create(actor=w.users["staff"], activity=activity, resident=w.residents["lisi"])

    resident = _phone(browser)
    try:
        log_in(resident, "resident-zhangsan")
        resident.goto(live_server.url + "/")
        # 1: home → the week's list
        resident.get_by_role("link", name="这周身边的活动：报名、签到码").click()
        resident.get_by_role("heading", name="这周身边的活动").wait_for()
        _fits(resident, axe_clean)
        # 2: the activity
        resident.get_by_role("link", name="独居老人探访").click()
        resident.get_by_role("heading", name="独居老人探访").wait_for()
        _fits(resident, axe_clean)
        # 3: sign up
        resident.get_by_role("button", name="我要报名").click()
        resident.get_by_text("报名成功！").wait_for()
        _fits(resident, axe_clean)
        resident.get_by_role("link", name="我的签到码").first.click()
        resident.get_by_role("heading", name="我的签到码").wait_for()
        assert resident.locator(".qr-box svg").is_visible()
        _fits(resident, axe_clean)
    finally:
        resident.context.close()
    assert Signup.objects.filter(activity=activity, cancelled_at=None).count() == 2

    staff = _phone(browser)
    try:
        log_in(staff, "wj-staff")
        staff.goto(live_server.url + "/activities/manage/")
        _fits(staff, axe_clean)
        staff.get_by_role("link", name="独居老人探访").click()
        staff.get_by_role("link", name="签到", exact=True).click()
        staff.get_by_role("heading", name="签到：独居老人探访").wait_for()
        _fits(staff, axe_clean)
        # The volunteer's scanner pastes the resident's code into the box.
        staff.get_by_label("扫码内容").fill(services.resident_token(w.residents["zhangsan"]))
        staff.get_by_role("button", name="扫码签到").click()
        staff.get_by_text("张三 签到成功。").wait_for()
        staff.get_by_role("button", name="为李四签到").click()
        staff.get_by_text("李四 签到成功。").wait_for()
        _fits(staff, axe_clean)
    finally:
        staff.context.close()
    assert sorted(CheckIn.objects.values_list("resident__name", "method")) == [
        ("张三", "qr"),
        ("李四", "name"),
    ]
