"""长者模式 in a real browser: large type, large targets, axe-clean."""

import pytest

pytestmark = pytest.mark.browser

TARGETS = "a, button, input, select, textarea, [role=button]"


def _sizes(page):
    return page.eval_on_selector_all(
        TARGETS,
        """els => els.map(e => {
            const r = e.getBoundingClientRect();
            return {text: (e.innerText || e.value || e.name || '').trim(), type: e.type || e.tagName,
                    w: r.width, h: r.height};
        // Not rendered (a closed menu, a link left out on a phone): not a target.
        }).filter(s => s.type !== 'hidden' && s.w > 0 && s.h > 0)""",
    )


def _font_px(page, selector):
    # After a click the element is in the DOM before the page's stylesheets have loaded:
    # measure the finished page.
    page.wait_for_load_state("load")
    return float(
        page.eval_on_selector(selector, "e => getComputedStyle(e).fontSize").removesuffix("px")
    )


def _check_elderly_layout(page):
    assert page.evaluate("document.body.classList.contains('resident')")
    assert _font_px(page, "body") >= 20
    for selector in ["main p", "main h1"]:
        assert _font_px(page, selector) >= 20
    line_height = page.eval_on_selector(
        "main p",
        "e => parseFloat(getComputedStyle(e).lineHeight) / parseFloat(getComputedStyle(e).fontSize)",
    )
    assert line_height >= 1.5
    small = [s for s in _sizes(page) if s["h"] < 60 or s["w"] < 60]
    assert small == []


def test_resident_home_is_large_and_accessible(
    live_world, page, live_server, log_in, axe_clean, tmp_path
):
    page.goto(live_server.url + "/accounts/login/")
    _check_elderly_layout(page)
    axe_clean(page)

    log_in(page, "resident-zhangsan")
    page.get_by_role("heading", name="我的家").wait_for()
    text = page.locator("main").inner_text()
    assert "1栋1单元101" in text and "138****5678" in text
    assert "13812345678" not in text
    _check_elderly_layout(page)
    page.screenshot(path=str(tmp_path / "resident-home.png"), full_page=True)
    axe_clean(page)


def test_resident_home_on_a_phone(live_world, browser, live_server, log_in, axe_clean, tmp_path):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        locale="zh-CN",
    )
    page = context.new_page()
    try:
        log_in(page, "resident-zhangsan")
        page.get_by_role("heading", name="我的家").wait_for()
        _check_elderly_layout(page)
        # Nothing wider than the screen: no sideways scrolling for a shaky hand.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(tmp_path / "resident-home-phone.png"), full_page=True)
        axe_clean(page)
    finally:
        context.close()


def test_wrong_password_shows_the_chinese_error(live_world, page, live_server, axe_clean):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("手机号或用户名").fill("resident-zhangsan")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert (
        page.get_by_role("alert").inner_text() == "账号或密码不正确，或尝试次数过多，请稍后再试。"
    )
    _check_elderly_layout(page)
    axe_clean(page)
