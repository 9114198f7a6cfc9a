"""The whole loop of residents' voice in a real browser: 张三 reports a broken street light
in four steps, the grid chief accepts and escalates it, community staff dispatch it to
市住建局, the partner accepts and replies, staff verify, 张三 rates it, and the measures
page counts it. axe-core checks the resident pages and the partner inbox."""

from __future__ import annotations

import re

import pytest

from gongzhi.voices.enums import Level
from gongzhi.voices.models import Category, Item

pytestmark = pytest.mark.browser

TEXT = "1栋门口的路灯不亮了，晚上很黑，老人出门不安全。"


@pytest.fixture
def catalogue(live_world):
    Category.objects.create(
        code="street_lights",
        name="路灯照明",
        keywords="路灯 灯 不亮",
        default_level=Level.GRID,
        respond_limit=1,
        handle_limit=3,
        sort_order=1,
    )
    Category.objects.create(code="other", name="其他", sort_order=99)


def asks(page, title, question):
    page.get_by_role("heading", name=title).wait_for()
    assert page.locator(".confirm-question").inner_text() == question


def confirm(page, axe_clean, title):
    page.get_by_role("heading", name=title).wait_for()
    axe_clean(page)
    page.get_by_role("button", name="确认", exact=True).click()


def switch_user(page, log_in, username):
    page.context.clear_cookies()
    log_in(page, username)


def test_a_report_goes_round_the_whole_loop(
    page, live_server, live_world, catalogue, log_in, axe_clean
):
    url = live_server.url

    # 1. 张三, in the large-type layout, reports in four steps.
    log_in(page, "resident-zhangsan")
    page.goto(url + "/voices/new/")
    assert page.locator("body.resident").count() == 1
    axe_clean(page)
    page.get_by_role("button", name=re.compile("反映问题")).click()  # step 1
    page.get_by_label("请说说是什么事").fill(TEXT)
    axe_clean(page)
    page.screenshot(path="/tmp/voices_intake_step2.png", full_page=True)
    page.get_by_role("button", name="下一步").click()  # step 2
    page.get_by_text("您说的是 甘露园1栋 吗？").wait_for()
    axe_clean(page)
    page.get_by_role("button", name="是的，在甘露园1栋").click()  # step 3: where
    page.get_by_text("请看一看，对吗？").wait_for()
    axe_clean(page)
    page.screenshot(path="/tmp/voices_intake_step3.png", full_page=True)
    page.get_by_role("button", name="确认提交").click()  # step 4
    number = page.get_by_test_id("item-number").inner_text().strip()
    assert re.fullmatch(r"WJ\d{4}-\d{6}", number)
    axe_clean(page)
    item = Item.objects.get(number=number)
    item_url = f"{url}/voices/{item.pk}/"

    # 2. The grid chief accepts it at the grid, then escalates it to the community.
    switch_user(page, log_in, "wj-grid1")
    page.goto(item_url)
    page.get_by_label("分类", exact=True).select_option(label="路灯照明")
    page.get_by_label("办理层级").select_option(value="grid")
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_text("已受理。").wait_for()
    page.get_by_label("上报原因").fill("需要更换灯杆，请社区协调住建局。")
    page.get_by_role("button", name="上报", exact=True).click()
    # Irreversible: a page of its own asks first; 返回 comes back with the reason kept.
    asks(page, "确认上报", f"将把诉求 {number} 上报到社区，由社区工作人员办理。确认上报吗？")
    page.get_by_role("button", name="返回").click()
    assert page.get_by_label("上报原因").input_value() == "需要更换灯杆，请社区协调住建局。"
    page.get_by_role("button", name="上报", exact=True).click()
    confirm(page, axe_clean, "确认上报")
    page.get_by_text("已上报。").wait_for()

    # 3. Community staff blow the whistle: dispatch to 市住建局.
    switch_user(page, log_in, "wj-staff")
    page.goto(item_url)
    page.screenshot(path="/tmp/voices_staff_item.png", full_page=True)
    page.get_by_label("派给哪个单位").select_option(label="攀枝花市住房和城乡建设局")
    page.get_by_label("派单说明").fill("请三个工作日内更换灯杆。")
    page.get_by_role("button", name="派单", exact=True).click()
    confirm(page, axe_clean, "确认派单")
    page.get_by_text("已派单。").wait_for()

    # 4. The partner reports for duty: accepts, then replies.
    switch_user(page, log_in, "partner-zjj")
    page.goto(url + "/voices/partner/")
    axe_clean(page)
    page.get_by_role("link", name=number).click()
    page.get_by_role("button", name="签收", exact=True).click()
    confirm(page, axe_clean, "确认签收")
    page.get_by_text("已签收，请尽快办理。").wait_for()
    page.get_by_label("办理答复").fill("已更换灯杆和灯泡，夜间照明恢复。")
    page.get_by_role("button", name="提交答复").click()
    page.get_by_text("已答复，等待社区核实。").wait_for()

    # 5. Staff verify the reply.
    switch_user(page, log_in, "wj-staff")
    page.goto(item_url)
    page.get_by_label("答复属实，通过").check()
    page.get_by_role("button", name="提交核实").click()
    confirm(page, axe_clean, "确认核实")
    page.get_by_text("已核实。").wait_for()

    # 6. 张三 sees the timeline and rates it.
    switch_user(page, log_in, "resident-zhangsan")
    page.goto(item_url)
    assert page.get_by_text("上报至社区").count() >= 1
    assert page.get_by_text("派至市住建局").count() >= 1
    axe_clean(page)
    page.get_by_label("已解决").check()
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    page.get_by_text("谢谢您的评价！").wait_for()
    assert page.locator(".badge.st-closed").count() == 1
    page.goto(url + "/voices/")
    axe_clean(page)

    # 7. The measures count it: one received, each rate 1 of 1.
    switch_user(page, log_in, "wj-staff")
    page.goto(url + "/voices/measures/")
    row = page.locator("tr", has=page.get_by_role("rowheader", name="第一网格"))
    assert row.locator('[data-measure="received"]').inner_text().strip() == "1"
    for measure in ["response", "resolution", "satisfaction", "on_time"]:
        cell = row.locator(f'[data-measure="{measure}"]')
        assert cell.locator(".frac").inner_text() == "1/1", measure
        assert cell.locator(".rate").inner_text() == "100.0%", measure
    page.goto(url + "/voices/measures/?group_by=unit")
    unit_row = page.locator("tr", has=page.get_by_role("rowheader", name="市住建局"))
    assert unit_row.locator('[data-measure="received"]').inner_text().strip() == "1"
    assert unit_row.locator('[data-measure="satisfaction"] .frac').inner_text() == "1/1"
