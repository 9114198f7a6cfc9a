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

    # Reveal through htmx: one tap opens the reasons, one tap on a reason shows the full
    # number in place of the mask; the reveal is audited with its reason.
    box = page.locator(f"#pii-{live_world.residents['zhangsan'].pk}-phone")
    box.locator("summary", has_text=re.compile(r"^显示完整\s*手机号：张三$")).click()
    axe_clean(page)
    box.get_by_role("button", name="入户走访").click()
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


def test_a_refused_reveal_says_why_in_place(live_world, page, live_server, log_in):
    log_in(page, "wj-grid1")
    zhangsan = live_world.residents["zhangsan"]
    page.goto(f"{live_server.url}/resident/{zhangsan.pk}/")
    box = page.locator(f"#pii-{zhangsan.pk}-id_number")
    box.locator("summary", has_text=re.compile(r"^显示完整\s*身份证号：张三$")).click()
    # "其他" needs words: the browser asks for them before anything is sent.
    box.get_by_role("button", name="其他（请说明）").click()
    assert box.get_by_label("补充说明（选择“其他”时必填）").evaluate("e => !e.validity.valid")
    # Should the browser not ask, the server refuses and the answer shows in place, focused.
    box.get_by_label("补充说明（选择“其他”时必填）").evaluate("e => e.removeAttribute('required')")
    box.get_by_role("button", name="其他（请说明）").click()
    error = box.get_by_role("alert")
    error.wait_for()
    assert error.inner_text() == "选择“其他”时，请写明查看事由。"
    assert page.locator(":focus").inner_text() == "选择“其他”时，请写明查看事由。"
    box.get_by_label("补充说明（选择“其他”时必填）").fill("核对低保申请")
    box.get_by_role("button", name="其他（请说明）").click()
    page.get_by_text(zhangsan.id_number).wait_for()


def test_search_by_phone_keeps_it_out_of_the_address_bar(live_world, page, live_server, log_in):
    log_in(page, "wj-grid1")
    page.goto(live_server.url + "/search/")
    page.get_by_role("searchbox", name="查找居民").fill("13812345678")
    page.locator("#results").get_by_role("link", name="张三").wait_for()
    page.wait_for_url(re.compile(r"/search/\?k="))
    assert "13812345678" not in page.url
    page.locator("#results").get_by_role("link", name="张三").click()
    page.get_by_role("heading", name="张三").wait_for()
    page.go_back()
    page.locator("#results").get_by_role("link", name="张三").wait_for()
    assert "13812345678" not in page.url


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
        assert "/search/?k=" in page.url and "1-2-201" not in page.url
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
