"""我要反映 on a 390 px phone, the where step above all: 张三 (1栋) writes about 2栋's
stairwell, is asked "您说的是 民安巷小区2栋 吗？", tries a public place without saying where
(refused, the words kept), then picks 2栋 from the community's buildings and files the
case there. Every page is axe-clean, no wider than the screen, and its targets big."""

from __future__ import annotations

import re

import pytest

from gongzhi.voices.enums import Level
from gongzhi.voices.models import Category, Item

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TEXT = "2栋楼道灯坏了，晚上上下楼看不见。"


@pytest.fixture
def catalogue(live_world):
    Category.objects.create(
        code="street_lights",
        name="路灯照明",
        keywords="路灯 灯 不亮",
        default_level=Level.GRID,
        sort_order=1,
    )
    Category.objects.create(code="other", name="其他", sort_order=99)


def _fits(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def _small_targets(page) -> list[str]:
    """Visible buttons and summaries of the main area smaller than 48 px in height."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main button, main summary')]
            .filter(e => e.offsetParent !== null)
            .filter(e => e.getBoundingClientRect().height < 48)
            .map(e => e.textContent.trim())"""
    )


def test_a_case_about_another_building_on_a_phone(
    browser, live_server, live_world, catalogue, log_in, axe_clean, tmp_path
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, "resident-zhangsan")
        page.goto(live_server.url + "/voices/new/")
        page.get_by_role("button", name=re.compile("反映问题")).click()
        page.get_by_label("请说说是什么事").fill(TEXT)
        page.get_by_role("button", name="下一步").click()

        # Step 3: the place the text names is offered first; four big choices below.
        page.get_by_text("您说的是 民安巷小区2栋 吗？").wait_for()
        assert page.locator(".step-count").inner_text().startswith("第3步")
        for name in ["我家", "我住的楼"]:
            assert page.get_by_role("button", name=re.compile(name)).is_visible()
        assert page.get_by_text("另一栋楼或单元").is_visible()
        assert page.get_by_text("小区或公共场所").is_visible()
        _fits(page)
        assert _small_targets(page) == []
        axe_clean(page)
        page.screenshot(path=str(tmp_path / "where.png"), full_page=True)

        # A public place needs its words: refused, what was typed kept.
        page.get_by_text("小区或公共场所").click()
        page.get_by_role("button", name="社区的公共场所").click()
        page.get_by_text("请说一说在哪里，例如：小区大门口、广场。").wait_for()
        assert page.get_by_role("textbox", name="在哪里").is_visible()  # the section is open again
        _fits(page)
        axe_clean(page)

        # Another building, from the community's list grouped by compound.
        page.get_by_text("另一栋楼或单元").click()
        page.get_by_role("heading", name="民安巷小区").wait_for()
        entrance = page.get_by_role("button", name=re.compile(r"^甘露园1栋\s*2单元$"))
        assert entrance.is_visible()
        _fits(page)
        assert _small_targets(page) == []
        axe_clean(page)
        page.screenshot(path=str(tmp_path / "where-buildings.png"), full_page=True)
        page.get_by_role("button", name="民安巷小区2栋", exact=True).click()

        # Step 4: said back with its place; filed there.
        page.get_by_text("请看一看，对吗？").wait_for()
        assert page.get_by_test_id("where").inner_text() == "地点：民安巷小区2栋"
        _fits(page)
        axe_clean(page)
        page.get_by_role("button", name="确认提交").click()
        number = page.get_by_test_id("item-number").inner_text().strip()
        item = Item.objects.get(number=number)
        assert (item.building, item.grid, item.household_id) == (
            live_world.b2,
            live_world.g2,
            None,
        )
        assert item.text == TEXT
    finally:
        context.close()
