"""The work report in Chromium: the secretary opens it from the menu, reads its figures
(each opening its rows), the page passes axe-core and fits a 390 px phone, and Chromium
prints the print page to PDF."""

from __future__ import annotations

import pytest

from tests.figures.conftest import make_activities

from .test_phone import CHECK, PHONE

pytestmark = pytest.mark.browser
QUERY = "community=510402001001&from=2026-01-01&to=2026-11-30"


def test_the_secretary_reads_the_report_and_opens_a_figure(
    live_world, page, live_server, log_in, axe_clean
):
    make_activities(live_world)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, "wj-staff")
    page.get_by_role("link", name="工作报告").click()
    page.get_by_role("heading", name="工作报告", level=1).wait_for()
    page.goto(f"{live_server.url}/reports/work/?{QUERY}")
    for label in ("一核引领", "二融共促", "三维并举", "五微"):
        page.get_by_role("heading", name=label, level=3).wait_for()
    talks = page.locator('[data-figure="outreach_talks"]')
    assert talks.inner_text() == "2场"
    axe_clean(page)
    talks.click()
    page.get_by_role("heading", name="宣讲：2场").wait_for()
    assert errors == []


def test_the_report_fits_a_phone(live_world, browser, live_server, log_in, axe_clean):
    make_activities(live_world)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        log_in(phone, "wj-staff")
        phone.goto(f"{live_server.url}/reports/work/?{QUERY}")
        phone.locator('[data-figure="households"]').wait_for()
        assert phone.evaluate(CHECK) == []
        axe_clean(phone)
    finally:
        context.close()


def test_chromium_prints_the_print_page_to_pdf(live_world, page, live_server, log_in, axe_clean):
    make_activities(live_world)
    log_in(page, "wj-staff")
    page.goto(f"{live_server.url}/reports/work/print/?{QUERY}")
    page.locator("#note-1").wait_for()
    axe_clean(page)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
