"""A resident makes a wish in three steps in a real browser; every resident page and the
public wall are large, axe-clean and show nobody's private details."""

import pytest

pytestmark = pytest.mark.browser

TARGETS = (
    "main a, main button, main input:not([type=hidden]), main textarea, header a, header button"
)


def _check_large(page):
    assert page.evaluate("document.body.classList.contains('resident')")
    body_px = float(page.eval_on_selector("body", "e => getComputedStyle(e).fontSize")[:-2])
    assert body_px >= 22
    small = page.eval_on_selector_all(
        TARGETS,
        """els => els.map(e => {
            const r = e.getBoundingClientRect();
            return {text: (e.innerText || e.value || e.name || '').trim(), w: r.width, h: r.height};
        }).filter(s => s.h < 60 || s.w < 60)""",
    )
    assert small == []
    # Nothing wider than the window: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_makes_a_wish_in_three_steps(live_world, page, live_server, log_in, axe_clean):
    log_in(page, "resident-zhangsan")
    page.goto(live_server.url + "/wishes/")
    page.get_by_role("heading", name="我的心愿").wait_for()
    _check_large(page)
    axe_clean(page)
    page.get_by_role("link", name="许个心愿").click()

    transitions = []
    page.on("framenavigated", lambda frame: transitions.append(frame.url))

    page.get_by_role("heading", name="您的心愿是哪一类？").wait_for()
    _check_large(page)
    axe_clean(page)
    page.screenshot(path="/tmp/wishes-1-category.png", full_page=True)
    page.get_by_role("button", name="生活用品").click()  # 1

    page.get_by_label("说说您的心愿").fill("想要一个放大镜，看报纸用。")
    _check_large(page)
    axe_clean(page)
    page.screenshot(path="/tmp/wishes-2-text.png", full_page=True)
    page.get_by_role("button", name="下一步").click()  # 2

    page.get_by_role("heading", name="请看一看，对吗？").wait_for()
    assert "想要一个放大镜，看报纸用。" in page.locator("main").inner_text()
    _check_large(page)
    axe_clean(page)
    page.screenshot(path="/tmp/wishes-3-confirm.png", full_page=True)
    page.get_by_role("button", name="确认提交").click()  # 3

    page.get_by_role("heading", name="心愿已提交").wait_for()
    assert len(transitions) == 3, transitions
    _check_large(page)
    axe_clean(page)
    page.screenshot(path="/tmp/wishes-4-done.png", full_page=True)

    page.get_by_role("link", name="查看我的心愿").click()
    page.get_by_role("heading", name="我的心愿").wait_for()
    text = page.locator("main").inner_text()
    assert "想要一个放大镜，看报纸用。" in text and "待审核" in text
    _check_large(page)
    axe_clean(page)
    page.screenshot(path="/tmp/wishes-5-mine.png", full_page=True)


def test_an_empty_wish_is_refused_and_keeps_nothing_lost(
    live_world, page, live_server, log_in, axe_clean
):
    log_in(page, "resident-zhangsan")
    page.goto(live_server.url + "/wishes/new/?category=health")
    page.get_by_role("button", name="下一步").click()
    assert page.get_by_role("alert").inner_text() == "请说说您的心愿。"
    _check_large(page)
    axe_clean(page)


def test_the_public_wall_is_large_clean_and_anonymous(live_world, browser, live_server, axe_clean):
    from gongzhi.wishes import services

    w = live_world
    wish = services.wish_submit(
        actor=w.users["resident"],
        resident=w.residents["zhangsan"],
        category="daily_goods",
        text="想要一个放大镜，看报纸用。",
    )
    services.wish_publish(actor=w.users["grid"], wish=wish)
    other = services.wish_submit(
        actor=w.users["resident"],
        resident=w.residents["zhangsan"],
        category="repair",
        text="电视机坏了，想请人修一修。",
    )
    services.wish_publish(actor=w.users["grid"], wish=other)
    services.wish_claim(actor=w.users["partner"], wish=other)

    for viewport in [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        try:
            page.goto(live_server.url + "/wishes/wall/")
            page.get_by_role("heading", name="心愿墙", exact=True).wait_for()
            text = page.locator("body").inner_text()
            assert "望江街社区 1栋 的一位老人" in text and "市住建局认领" in text
            for private in ["张三", "13812345678", "5678", "101"]:
                assert private not in text
            _check_large(page)
            axe_clean(page)
            page.screenshot(path=f"/tmp/wishes-wall-{viewport['width']}.png", full_page=True)
        finally:
            context.close()
