"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

Playwright's sync API keeps an event loop running in the test thread, which Django's
async-safety check mistakes for async code touching the database; the tests are plain
synchronous code, so the check is switched off here."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium package is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    # Nothing may leave the test server: the app is used on intranets without internet.
    outside = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:", "about:"))
            else outside.append(request.url)
        ),
    )
    yield page
    context.close()
    assert outside == []


@pytest.fixture
def live_world(transactional_db, world):
    # The session's world while it is still there (the first browser test of a run),
    # a fresh one once a transactional test has emptied the database: ``world`` knows which.
    return world


@pytest.fixture
def axe_clean():
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()

    return check


@pytest.fixture
def log_in(live_server):
    from tests.world import PASSWORD

    def _log_in(page, username):
        page.goto(live_server.url + "/")
        page.get_by_label("手机号或用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(live_server.url + "/")

    return _log_in
