"""Publication in a real browser: community staff find a resolved item in 待公开审核 from
the navigation, see its text with the phone and door number already masked, publish it,
and the Open311 listing shows exactly the approved words. A grid chief does the same on
a 390 px phone, where no page may be wider than the screen. axe-core checks each page."""

from __future__ import annotations

import json

import pytest

from gongzhi.voices import services
from gongzhi.voices.enums import Channel, ItemKind, Level
from gongzhi.voices.models import Category

pytestmark = pytest.mark.browser

TEXT = "1栋门口路灯坏了，我是张三，电话13812345678，住1单元101，晚上看不见路。"


@pytest.fixture
def resolved(live_world):
    lights = Category.objects.create(
        code="street_lights",
        name="路灯照明",
        keywords="路灯 灯 不亮",
        default_level=Level.GRID,
        sort_order=1,
    )
    item = services.item_submit(
        actor=live_world.users["resident"], kind=ItemKind.PROBLEM, text=TEXT, channel=Channel.ONLINE
    )
    item = services.item_accept(actor=None, item=item, category=lights, level=Level.GRID)
    return services.item_resolve(actor=None, item=item, note="已更换灯泡")


def _no_sideways_scroll(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_staff_publish_what_they_approved(page, live_server, resolved, log_in, axe_clean):
    log_in(page, "wj-staff")
    page.get_by_role("link", name="待公开审核").first.click()
    page.get_by_role("heading", name="待公开审核").wait_for()
    axe_clean(page)
    page.get_by_role("link", name=resolved.number).click()
    box = page.get_by_label("公开内容")
    suggested = box.input_value()
    assert "13812345678" not in suggested and "张三" not in suggested and "101" not in suggested
    assert "路灯坏了" in suggested
    axe_clean(page)
    box.fill("1栋门口路灯坏了，晚上看不见路。")
    page.get_by_role("button", name="审核通过，公开").click()
    page.get_by_text("已公开").first.wait_for()

    listing = page.request.get(live_server.url + "/open311/v2/requests.json")
    shown = {r["service_request_id"]: r["description"] for r in json.loads(listing.text())}
    assert shown == {resolved.number: "1栋门口路灯坏了，晚上看不见路。"}


def test_the_grid_chief_reviews_on_a_phone(browser, live_server, resolved, log_in, axe_clean):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, "wj-grid1")
        page.get_by_role("link", name="待公开审核").first.click()
        page.get_by_role("link", name=resolved.number).wait_for()
        _no_sideways_scroll(page)
        axe_clean(page)
        page.get_by_role("link", name=resolved.number).click()
        page.get_by_label("公开内容").wait_for()
        _no_sideways_scroll(page)
        axe_clean(page)
        page.screenshot(path="/tmp/publication_phone.png", full_page=True)
    finally:
        context.close()
