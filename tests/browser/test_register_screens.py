"""The register's screens in a real browser: community staff at a desk add, refuse, move out
and list; the grid chief does the same rounds on a 390 px phone. axe-core on every page, no
sideways scroll on the phone, and a screenshot of each."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from gongzhi.core.identity import make_id_number
from tests.workbench.test_menu import STAFF as STAFF_MENU

pytestmark = pytest.mark.browser

NEW_ID = make_id_number("510402", dt.date(1938, 2, 3), 91)


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: a temporary folder, or GONGZHI_SCREENSHOTS to keep them."""
    folder = Path(os.environ.get("GONGZHI_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_community_staff_register_a_newcomer_and_a_move_out(
    live_world, page, live_server, log_in, axe_clean, shots
):
    log_in(page, "wj-staff")
    nav = page.get_by_role("navigation", name="主导航")
    # The community staff's menu, as the menu test writes it out.
    assert nav.get_by_role("link").all_inner_texts() == [label for label, _url in STAFF_MENU]
    household = live_world.households["1-1-101"]
    page.goto(f"{live_server.url}/household/{household.pk}/")
    page.get_by_role("heading", name="家庭成员").wait_for()
    axe_clean(page)
    shots(page, "staff-household")

    page.get_by_role("link", name="添加家庭成员（迁入）").click()
    page.get_by_role("heading", name="添加家庭成员").wait_for()
    axe_clean(page)
    page.get_by_label("姓名").fill("孙奶奶")
    wrong = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    page.get_by_label("身份证号").fill(wrong)
    page.get_by_label("与户主关系").select_option("parent")
    page.get_by_label("独居").check()
    page.get_by_role("button", name="保存登记").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "身份证号" in summary.inner_text()
    # What was typed is still there.
    assert page.get_by_label("姓名").input_value() == "孙奶奶"
    assert page.get_by_label("身份证号").input_value() == wrong
    assert page.get_by_label("独居").is_checked()
    axe_clean(page)
    shots(page, "staff-resident-refused")

    page.get_by_label("身份证号").fill(NEW_ID)
    page.get_by_role("button", name="保存登记").click()
    page.get_by_role("heading", name=re.compile("^孙奶奶")).wait_for()
    assert "已登记孙奶奶" in page.locator(".messages").inner_text()
    axe_clean(page)
    shots(page, "staff-resident")

    page.get_by_role("link", name="办理迁出").click()
    page.get_by_label("迁往何处").fill("成都市武侯区")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("heading", name="请确认：为孙奶奶办理迁出").wait_for()
    axe_clean(page)
    shots(page, "staff-move-out-confirm")
    page.get_by_role("button", name="确认迁出").click()
    page.get_by_text("已办理孙奶奶迁出。").wait_for()
    assert "成都市武侯区" in page.locator("main").inner_text()

    nav.get_by_role("link", name="关爱名单").click()
    page.get_by_role("heading", name="关爱名单", exact=True).wait_for()
    assert page.get_by_role("button", name="打印本页").is_visible()
    names = page.locator("table.care tbody th").all_inner_texts()
    assert names == ["张三"]  # 孙奶奶 moved out; 张三 lives alone
    axe_clean(page)
    shots(page, "staff-care-list")

    page.goto(live_server.url + "/no-such-page/")
    page.get_by_role("heading", name="找不到这个页面").wait_for()
    axe_clean(page)
    shots(page, "staff-404")


def test_grid_chief_on_a_phone(live_world, browser, live_server, log_in, axe_clean, shots):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, "wj-grid1")
        zhang = live_world.residents["zhangsan"]
        household = live_world.households["1-1-101"]
        pages = [
            ("grid-home", "/", "我负责的社区"),
            ("grid-care", "/care/", "关爱名单"),
            ("grid-household", f"/household/{household.pk}/", "家庭成员"),
            ("grid-resident", f"/resident/{zhang.pk}/", "状态变更记录"),
            ("grid-edit", f"/resident/{zhang.pk}/edit/", "修改张三的信息"),
            ("grid-visit", f"/resident/{zhang.pk}/visits/new/", "记录走访：张三"),
            ("grid-death", f"/resident/{zhang.pk}/death/", "登记死亡：张三"),
            ("grid-measures", "/voices/measures/", None),
        ]
        for name, path, heading in pages:
            page.goto(live_server.url + path)
            if heading:
                page.get_by_role("heading", name=heading).first.wait_for()
            _no_sideways_scroll(page)
            axe_clean(page)
            shots(page, name)

        # A visit from the care list comes back to it.
        page.goto(live_server.url + "/care/?category=alone")
        page.get_by_role("link", name=re.compile("^记录走访")).first.click()
        page.get_by_label("情况记录").fill("腿脚不便，想要助餐")
        page.get_by_role("button", name="保存走访记录").click()
        page.wait_for_url(re.compile(r"/care/\?category=alone$"))
        assert "已记录对张三的走访。" in page.locator(".messages").inner_text()
        cards = page.locator("table.care tbody tr")
        assert cards.count() == 1
        # One card per resident: the row is a block no wider than the screen.
        box = cards.first.bounding_box()
        assert box["width"] <= 390
        _no_sideways_scroll(page)
        axe_clean(page)
        shots(page, "grid-care-visited")

        # The refused move out, on a phone: the message and the date come back.
        page.goto(f"{live_server.url}/resident/{zhang.pk}/move-out/")
        page.get_by_label("迁出日期").fill("2001-01-01")
        page.get_by_role("button", name="下一步").click()
        page.locator(".error-summary").wait_for()
        assert "迁出日期不能早于迁入登记日期" in page.locator(".error-summary").inner_text()
        _no_sideways_scroll(page)
        axe_clean(page)
        shots(page, "grid-move-out-refused")
    finally:
        context.close()
