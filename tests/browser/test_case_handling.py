"""Case handling in a real browser, with axe-core on every new page: the grid chief asks for
more time and confirms it, community staff find it under 延期审批, approve it and 督办
another item; subdistrict staff enter a holiday schedule (test dates, not an official one)."""

from __future__ import annotations

import pytest

from gongzhi.core import workcal
from gongzhi.voices import services
from gongzhi.voices.enums import Channel, ItemKind, Level
from gongzhi.voices.models import Category, ExtensionRequest

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _no_holiday_schedule_outlives_its_test():
    """The database is emptied after each of these tests; this process's copy of the
    entered holiday schedules must be too."""
    yield
    workcal.reset_schedules({})


def _accepted(world):
    lights = Category.objects.create(
        code="street_lights", name="路灯照明", default_level=Level.GRID, handle_limit=3
    )
    item = services.item_submit(
        actor=world.users["resident"],
        kind=ItemKind.PROBLEM,
        text="楼下路灯不亮",
        channel=Channel.ONLINE,
    )
    return services.item_accept(actor=world.users["grid"], item=item, category=lights)


def test_an_extension_is_asked_for_confirmed_and_approved(
    page, live_server, live_world, log_in, axe_clean
):
    item = _accepted(live_world)
    url = live_server.url
    log_in(page, "wj-grid1")
    page.goto(f"{url}/voices/{item.pk}/")
    page.get_by_label("延长几个工作日").fill("2")
    page.get_by_label("延期理由").fill("灯具要等厂家发货")
    page.get_by_role("button", name="申请延期…").click()
    page.get_by_role("heading", name="确认申请延期").wait_for()
    axe_clean(page)
    assert ExtensionRequest.objects.count() == 0
    page.get_by_role("button", name="确认申请延期").click()
    page.get_by_text("已提交延期申请，等待上一级审批。").wait_for()

    page.context.clear_cookies()
    log_in(page, "wj-staff")
    page.get_by_role("link", name="延期审批").click()
    page.get_by_role("link", name=item.number).click()
    page.get_by_role("heading", name="审批延期申请").wait_for()
    axe_clean(page)
    page.get_by_role("button", name="提交审批…").click()
    page.get_by_role("heading", name="确认审批延期申请").wait_for()
    page.get_by_role("button", name="确认审批延期申请").click()
    page.get_by_text("已审批延期申请。").wait_for()
    assert ExtensionRequest.objects.get().decision.outcome == "approved"

    page.get_by_label("督办意见").fill("居民多次来电，请尽快")
    page.get_by_role("button", name="督办…").click()
    page.get_by_role("heading", name="确认督办").wait_for()
    axe_clean(page)
    page.get_by_role("button", name="确认督办").click()
    page.get_by_text("已督办，办理人员已收到通知。").wait_for()
    page.goto(f"{url}/voices/inbox/")
    axe_clean(page)


def test_subdistrict_staff_enter_a_holiday_schedule(
    page, live_server, live_world, log_in, axe_clean
):
    log_in(page, "sd-staff")
    page.get_by_role("link", name="节假日安排").click()
    page.goto(f"{live_server.url}/calendar/?year=2027")
    axe_clean(page)
    page.get_by_label("第1行 节日").fill("元旦")
    page.get_by_label("第1行 放假第一天").fill("2027-01-01")
    page.get_by_label("第1行 放假最后一天").fill("2027-01-03")
    page.get_by_role("button", name="保存2027年的安排").click()
    page.get_by_text("已保存2027年的节假日安排").wait_for()
    axe_clean(page)
    # What the page confirmed is what the calendar now reads.
    from gongzhi.core.models import HolidayPeriod

    saved = HolidayPeriod.objects.get(schedule__year=2027, name="元旦")
    assert (saved.first_day.isoformat(), saved.last_day.isoformat()) == (
        "2027-01-01",
        "2027-01-03",
    )
    assert saved.schedule.updated_by.username == "sd-staff"
