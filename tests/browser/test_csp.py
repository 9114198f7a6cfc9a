"""Pages work under the Content-Security-Policy: Chromium reports no violation on the
login page, the tokens page, an htmx search, the API docs and the admin."""

import pytest

pytestmark = pytest.mark.browser


def test_pages_run_under_the_policy_without_violations(
    live_world, page, live_server, log_in, axe_clean
):
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(live_server.url + "/accounts/login/")
    # The listener hears a violation when there is one (and the policy refuses it).
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<style>p{}</style>')")
    page.wait_for_timeout(200)
    assert len(violations) == 1 and "style-src" in violations[0], violations
    violations.clear()
    axe_clean(page)
    log_in(page, "wj-grid1")
    page.get_by_role("link", name="接口令牌").click()
    page.get_by_label("令牌名称（用途）").fill("巡查App")
    page.get_by_role("button", name="生成令牌").click()
    page.get_by_role("heading", name="新令牌已生成").wait_for()
    axe_clean(page)
    page.get_by_role("button", name="吊销“巡查App”").click()
    page.get_by_text("已吊销令牌“巡查App”。").wait_for()
    # htmx search (it would inject its indicator style without the meta config).
    page.goto(live_server.url + "/search/")
    page.get_by_role("searchbox", name="查找居民").fill("zs")
    page.locator("#results").get_by_role("link", name="张三").wait_for()
    # The API docs: Swagger UI from our static files.
    page.goto(live_server.url + "/api/v1/docs")
    page.get_by_text("gongzhi 共治 API").first.wait_for()
    page.locator(".opblock").first.wait_for()
    # The Django admin, for operators.
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="退出登录").click()
    log_in(page, "admin")
    page.goto(live_server.url + "/admin/accounts/user/")
    page.get_by_role("link", name="wj-grid1").click()
    page.get_by_text("登录失败过多而受限的来源地址").wait_for()
    assert violations == []
