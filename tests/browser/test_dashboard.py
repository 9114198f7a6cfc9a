"""The secretary's dashboard in Chromium: the charts draw from the app's own copy of
ECharts (no request leaves the machine), a click on a figure lands on its rows, and both
pages pass axe-core at a desk and fit a 390 px phone."""

from __future__ import annotations

import pytest

from tests.figures.conftest import make_activities

from .test_phone import CHECK, PHONE

pytestmark = pytest.mark.browser


def test_the_secretary_opens_a_figure_and_lands_on_its_rows(
    live_world, page, live_server, log_in, axe_clean
):
    make_activities(live_world)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, "wj-staff")
    page.get_by_role("link", name="数据看板").click()
    page.get_by_role("heading", name="数据看板", level=1).wait_for()
    page.goto(live_server.url + "/figures/?from=2026-01-01")
    # ECharts drew the trend (an SVG inside the chart's box) from the table's numbers.
    page.locator("#trend-held svg").wait_for()
    assert page.locator("#trend-held svg text").count() > 0
    axe_clean(page)
    card = page.locator('[data-figure="outreach_talks"]')
    assert card.locator(".figure-value").inner_text().startswith("2")
    card.click()
    page.get_by_role("heading", name="宣讲：2场").wait_for()
    assert page.locator("table.figure-rows tbody tr").count() == 2
    assert page.get_by_text("共 2 条记录").is_visible()
    axe_clean(page)
    page.get_by_role("link", name="返回数据看板").click()
    page.locator("#trend-held svg").wait_for()
    assert errors == []


def test_the_dashboard_fits_a_phone(live_world, browser, live_server, log_in, axe_clean):
    make_activities(live_world)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        log_in(phone, "wj-staff")
        phone.goto(live_server.url + "/figures/?community=510402001001&from=2026-01-01")
        phone.locator("#trend-reached svg").wait_for()
        assert phone.evaluate(CHECK) == []
        axe_clean(phone)
        phone.locator('[data-figure="households"]').click()
        phone.get_by_role("heading", name="住户：3户").wait_for()
        assert phone.evaluate(CHECK) == []
        axe_clean(phone)
    finally:
        context.close()
