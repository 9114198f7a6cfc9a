"""The organisation pages and the audit log in a real browser, as the community secretary:
appoint, hand over and end posts, build a team, open a partner login, link a household —
axe-clean on the desk and on a 390 px phone, with no sideways scrolling there."""

import re

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TARGETS = "main a, main button, main input:not([type=hidden]), main select, main textarea"


def _font_px(page, selector):
    # After a click the element is in the DOM before the page's stylesheets have loaded:
    # measure the finished page.
    page.wait_for_load_state("load")
    return float(
        page.eval_on_selector(selector, "e => getComputedStyle(e).fontSize").removesuffix("px")
    )


def _small_targets(page, minimum=44):
    return page.eval_on_selector_all(
        TARGETS,
        f"""els => els.filter(e => e.offsetParent !== null).map(e => {{
            const r = e.getBoundingClientRect();
            return {{text: (e.innerText || e.value || e.name || '').trim().slice(0, 30),
                    w: Math.round(r.width), h: Math.round(r.height)}};
        }}).filter(s => s.h < {minimum} && !(s.w >= 24 && s.h >= 24 && s.text === ''))""",
    )


def named(visible_text, hidden_text):
    """A control's accessible name: the visible word, then the visually hidden context
    (Chromium puts a space between them)."""
    return re.compile(rf"^{re.escape(visible_text)}\s*{re.escape(hidden_text)}$")


def _party_member(world):
    from gongzhi.orgs.models import PartyMember, PartyOrganisation

    org = PartyOrganisation.objects.create(
        kind="community", name="望江街社区党委", community=world.wj
    )
    return PartyMember.objects.create(resident=world.residents["lisi"], organisation=org)


def test_the_secretary_runs_the_organisations(
    live_world, page, live_server, log_in, axe_clean, tmp_path
):
    member = _party_member(live_world)
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    log_in(page, "wj-secretary")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="组织管理").click()
    page.get_by_role("heading", name="岗位", exact=True).wait_for()
    assert _font_px(page, "main p.lead") >= 19
    page.screenshot(path=str(tmp_path / "posts.png"), full_page=True)
    axe_clean(page)

    # A vacant 楼栋长 of building 2: appoint 王五, found in the register.
    page.get_by_role("link", name=named("任命", "：2栋楼栋长")).click()
    page.get_by_role("heading", name="任命：2栋").wait_for()
    page.get_by_label("查找居民").fill("王五")
    page.get_by_label("查找居民").press("Enter")
    page.get_by_role("radio", name=re.compile("王五")).check()
    axe_clean(page)
    page.get_by_role("button", name="确认任命").click()
    page.get_by_text("已任命王五为2栋楼栋长。").wait_for()
    # Back on the board, at building 2's grid.
    assert page.url.endswith(f"#grid-{live_world.g2.pk}")
    row = page.get_by_role("row", name=re.compile(r"^2栋\s+楼栋长\s+王五"))
    assert row.count() == 1

    # A second 楼栋长 for building 1 is refused in Chinese, what was typed kept.
    page.goto(f"{live_server.url}/orgs/posts/new/building/{live_world.b1.pk}/")
    page.get_by_label("任职人姓名").fill("第二个楼栋长")
    page.get_by_role("button", name="确认任命").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "1栋已有楼栋长：wj-building1" in alert.inner_text()
    assert page.get_by_label("任职人姓名").input_value() == "第二个楼栋长"
    axe_clean(page)

    # Hand over building 1 to 李四, then end 王五's post after the confirmation page.
    page.goto(f"{live_server.url}/orgs/posts/")
    page.get_by_role("link", name=named("交接", "：1栋楼栋长 wj-building1")).click()
    page.get_by_role("heading", name="交接：1栋楼栋长").wait_for()
    page.get_by_label("查找接任的居民").fill("lisi")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("radio", name=re.compile("李四")).check()
    axe_clean(page)
    page.get_by_role("button", name="确认交接").click()
    page.get_by_text("1栋楼栋长已由wj-building1交接给李四。").wait_for()
    page.get_by_role("link", name=named("离任", "：2栋楼栋长 王五")).click()
    page.get_by_text("王五将不再担任2栋楼栋长。").wait_for()
    axe_clean(page)
    page.get_by_role("button", name="确认离任").click()
    page.get_by_text("王五已离任2栋楼栋长。").wait_for()

    # A team, with 张三 as its 队长.
    page.get_by_role("navigation", name="组织管理").get_by_role("link", name="队伍").click()
    page.get_by_role("link", name="新建队伍").click()
    page.get_by_label("队伍名称").fill("楼道清洁志愿队")
    page.get_by_label("类别").select_option(label="党员志愿服务队")
    page.get_by_role("button", name="新建").click()
    page.get_by_role("heading", name="楼道清洁志愿队").wait_for()
    page.get_by_label("查找居民").fill("zs")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("radio", name=re.compile("张三")).check()
    page.get_by_label("角色").select_option(label="队长")
    page.get_by_role("button", name="加入队伍").click()
    page.get_by_text("张三已加入楼道清洁志愿队。").wait_for()
    axe_clean(page)
    page.get_by_role("link", name=named("移出", "：张三")).click()
    page.get_by_text("张三将移出楼道清洁志愿队。").wait_for()
    axe_clean(page)
    page.get_by_role("link", name="取消，返回").click()

    # A login for the partner unit: the password is shown once.
    page.get_by_role("navigation", name="组织管理").get_by_role("link", name="共建单位").click()
    page.get_by_role("link", name="攀枝花市住房和城乡建设局").click()
    axe_clean(page)
    page.get_by_role("link", name="开通账号").click()
    page.get_by_label("使用人姓名").fill("王工")
    page.get_by_label("登录用户名").fill("zjj-wang")
    page.get_by_role("button", name="开通账号").click()
    page.get_by_role("heading", name="账号已开通").wait_for()
    password = page.locator(".secret").nth(1).inner_text()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    axe_clean(page)

    # 李四 looks after 1栋1单元101.
    page.goto(f"{live_server.url}/orgs/party/{member.pk}/")
    page.get_by_label("按地址查找住户").fill("1-1-101")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("button", name=named("建立联系", "：1栋1单元101")).click()
    page.get_by_text("李四已联系1栋1单元101。").wait_for()
    axe_clean(page)

    # Everything above is in the audit log, in words.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审计日志").click()
    page.get_by_role("heading", name="审计日志").wait_for()
    log = page.locator("main").inner_text()
    for sentence in [
        "wj-secretary 任命岗位：楼栋长 王五（2栋）",
        "wj-secretary 岗位交接：楼栋长 wj-building1（1栋）",
        "wj-secretary 为共建单位开通账号：王工",
        "wj-secretary 党员联系户：建立联系：李四",
    ]:
        assert sentence in log
    assert password not in log
    page.get_by_label("动作").select_option(label="组织与岗位（全部）")
    page.get_by_role("button", name="筛选", exact=True).click()
    page.wait_for_url(re.compile(r"action=orgs&"))
    assert "为共建单位开通账号" not in page.locator("main ol").inner_text()
    page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
    axe_clean(page)
    assert violations == []


def test_the_pages_on_a_phone(live_world, browser, live_server, log_in, axe_clean, tmp_path):
    from gongzhi.orgs import services

    member = _party_member(live_world)
    team = services.team_create(actor=None, community=live_world.wj, name="巡逻队", kind="service")
    services.team_member_add(actor=None, team=team, resident=live_world.residents["zhangsan"])
    post = live_world.users["building"].posts.get()
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, locale="zh-CN"
    )
    page = context.new_page()
    try:
        log_in(page, "wj-secretary")
        for name, path in [
            ("posts", "/orgs/posts/"),
            ("post-new", f"/orgs/posts/new/building/{live_world.b2.pk}/"),
            ("post-end", f"/orgs/posts/{post.pk}/end/"),
            ("hand-over", f"/orgs/posts/{post.pk}/hand-over/"),
            ("teams", "/orgs/teams/"),
            ("team", f"/orgs/teams/{team.pk}/"),
            ("partners", "/orgs/partners/"),
            ("partner", f"/orgs/partners/{live_world.partner.pk}/"),
            ("party", "/orgs/party/"),
            ("member", f"/orgs/party/{member.pk}/"),
            ("audit", "/audit/"),
        ]:
            page.goto(live_server.url + path)
            page.locator("main h1").wait_for()
            # Nothing wider than the screen: tables became cards, no sideways scrolling.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (path, width)
            assert _font_px(page, "main h1") >= 24, path
            assert _font_px(page, "main .manage") >= 19, path
            assert _small_targets(page) == [], path
            page.screenshot(path=str(tmp_path / f"phone-{name}.png"), full_page=True)
            axe_clean(page)
    finally:
        context.close()
