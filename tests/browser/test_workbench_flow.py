"""The grid chief's everyday path, in a real browser, checked with axe-core on every page."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_grid_chief_search_building_household(
    live_world, page, live_server, log_in, axe_clean, tmp_path
):
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url
    axe_clean(page)

    log_in(page, "wj-grid1")
    page.get_by_role("heading", name="我负责的社区").wait_for()
    axe_clean(page)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="查找居民").click()
    page.get_by_role("searchbox", name="查找居民").fill("zs")
    # htmx fetches results while typing, without a submit.
    result = page.locator("#results").get_by_role("link", name="张三")
    result.wait_for()
    assert page.locator("#results").inner_text().count("1栋1单元101") == 1
    axe_clean(page)

    result.click()
    page.get_by_role("heading", name="张三").wait_for()
    assert "138****5678" in page.content()
    axe_clean(page)

    page.get_by_role("navigation", name="当前位置").get_by_role(
        "link", name="1栋", exact=True
    ).click()
    page.get_by_role("table").wait_for()
    assert page.get_by_role("columnheader", name="2单元").is_visible()
    page.screenshot(path=str(tmp_path / "building.png"), full_page=True)
    axe_clean(page)

    page.get_by_role("link", name="101").first.click()
    page.get_by_role("heading", name="家庭成员").wait_for()
    axe_clean(page)

    # Reveal through htmx: the full number replaces the mask in place and is audited.
    page.get_by_role("button", name=re.compile(r"^显示完整\s*手机号：张三$")).click()
    page.get_by_text("13812345678").wait_for()
    assert page.locator(":focus").inner_text().startswith("13812345678")
    axe_clean(page)

    from gongzhi.core.models import AuditEvent

    assert (
        AuditEvent.objects.filter(
            action="places.resident.revealed", actor__username="wj-grid1"
        ).count()
        == 1
    )


def test_search_works_without_javascript(live_world, browser, live_server, axe_clean):
    from tests.world import PASSWORD

    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("手机号或用户名").fill("wj-grid1")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.goto(live_server.url + "/search/")
        page.get_by_role("searchbox", name="查找居民").fill("1-2-201")
        page.get_by_role("button", name="搜索", exact=True).click()
        assert "q=1-2-201" in page.url
        page.get_by_role("link", name="李四").wait_for()
    finally:
        context.close()


def test_stylesheet_is_served_by_the_app(live_world, page, live_server):
    response = page.goto(live_server.url + "/static/css/app.css")
    assert response.status == 200
    assert "body.resident" in response.text()
    page.goto(live_server.url + "/accounts/login/")
    # The stylesheet took effect: the login page uses the large resident type.
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "22px"
