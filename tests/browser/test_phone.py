"""Every page of every role, in Chromium, where that role works: the grid chief, the building
chief, community staff, the partner unit and the resident on a 390×844 phone; the secretary,
community staff and the subdistrict at a desk. Each page reachable from the role's menu
(``workbench.menu``) and the record pages under it must fit the screen (no sideways
scrolling of the page: a wide grid scrolls inside its own labelled box), keep text at 16 px
or more (body text 18 px), give every control a 44 px target, and pass axe-core.
Screenshots go to GONGZHI_SCREENSHOTS when it is set."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from gongzhi.voices import services as voices
from gongzhi.voices.enums import Channel, EventFormat, ItemKind, Level
from gongzhi.voices.models import Category
from gongzhi.wishes import services as wishes
from gongzhi.workbench.menu import menu_for

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}

# What each page is held to, measured in the page itself. Text is every visible text node;
# a target is every visible control, except a link inside a sentence (WCAG 2.5.8's inline
# exception) and a checkbox or radio whose label is the target. A box that scrolls sideways
# must be a focusable region with a name, so that a keyboard or screen-reader user can
# reach what is off to the side. It first waits for the page's load event: a test that waits
# only for a heading can measure before a page's own stylesheet has arrived.
CHECK = """async () => {
  if (document.readyState !== 'complete')
    await new Promise(done => window.addEventListener('load', done, {once: true}));
  const problems = [];
  const shown = e => {
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && !e.closest('.visually-hidden');
  };
  const width = document.scrollingElement.scrollWidth;
  if (width > window.innerWidth) problems.push(`page ${width}px wide`);
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  if (body < 18) problems.push(`body text ${body}px`);
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode;
    const e = node.parentElement;
    if (!node.textContent.trim() || !e || !shown(e)) continue;
    const px = parseFloat(getComputedStyle(e).fontSize);
    if (px < 16) problems.push(`text ${px}px: ${node.textContent.trim().slice(0, 20)}`);
  }
  const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const e of document.querySelectorAll(controls)) {
    if (!shown(e)) continue;
    let box = e.getBoundingClientRect();
    if (e.type === 'checkbox' || e.type === 'radio') {
      const label = e.closest('label') || (e.labels && e.labels[0]);
      if (label) box = label.getBoundingClientRect();
    }
    if (e.tagName === 'A' && getComputedStyle(e).display === 'inline') {
      const around = e.parentElement.textContent.replace(e.textContent, '').trim();
      if (around.length > 0) continue;
    }
    if (box.height < 44 || box.width < 44) {
      const name = (e.innerText || e.value || e.name || e.type || '').trim().slice(0, 20);
      problems.push(`target ${Math.round(box.width)}×${Math.round(box.height)}: ${e.tagName} ${name}`);
    }
  }
  for (const e of document.querySelectorAll('main *')) {
    const s = getComputedStyle(e);
    if (!['auto', 'scroll'].includes(s.overflowX) || e.scrollWidth <= e.clientWidth + 1) continue;
    const named = e.getAttribute('aria-label') || e.getAttribute('aria-labelledby');
    if (e.tabIndex < 0 || !named || e.getAttribute('role') !== 'region')
      problems.push(`scroll box without a focusable, named region: ${e.className}`);
  }
  return problems;
}"""


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("GONGZHI_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    take.folder = folder
    return take


@pytest.fixture
def busy_world(live_world):
    """Work on every list: items in each state, a dispatch to 市住建局, a resolved item for
    张三 to rate, a wish and an event with its opinions."""
    w, u = live_world, live_world.users
    lights = Category.objects.create(
        code="street_lights", name="路灯照明", keywords="路灯 不亮", sort_order=1
    )

    def report(text, resident="zhangsan"):
        return voices.item_submit(
            actor=u["admin"],
            kind=ItemKind.PROBLEM,
            text=text,
            channel=Channel.VISIT,
            on_behalf_of=w.residents[resident],
        )

    report("1栋门口的路灯不亮了，晚上很黑，老人出门不安全。")
    report("2栋楼道里堆满了杂物，消防通道被堵住了。", resident="wangwu")
    at_grid = report("1栋2单元楼道灯一直闪，晚上吓人。", resident="lisi")
    voices.item_accept(actor=u["grid"], item=at_grid, category=lights, level=Level.GRID)
    sent = report("1栋外墙瓷砖脱落，砸到了楼下的电动车。")
    voices.item_accept(actor=u["staff"], item=sent, category=lights, level=Level.COMMUNITY)
    voices.item_dispatch(actor=u["staff"], item=sent, unit=w.partner, instructions="请尽快处理")
    done = report("1栋门口下水道堵了，污水漫到路上。")
    voices.item_accept(actor=u["staff"], item=done, category=lights, level=Level.COMMUNITY)
    voices.item_resolve(actor=u["staff"], item=done, note="已疏通下水道。")
    wishes.wish_submit(
        actor=u["admin"],
        resident=w.residents["zhangsan"],
        category="daily_goods",
        text="想要一个放大镜，看报纸用。",
    )
    session = voices.event_session_create(
        actor=u["staff"],
        community=w.wj,
        title="甘露园加装电梯坝坝会",
        format=EventFormat.BABA_LONGMENZHEN,
        held_on=dt.date.today(),
        place="甘露园院坝",
        attendance=30,
    )
    voices.items_submit_from_event(
        actor=u["staff"],
        event_session=session,
        rows=[{"text": "希望1栋加装电梯，老人上下楼太难。", "reporter_name": "王大爷"}],
    )
    return w


def _deep_pages(world, username: str) -> list[str]:
    """Record pages below the menu that the role opens every day."""
    from gongzhi.voices.models import Dispatch, Item

    first_item = Item.objects.filter(building=world.b1).order_by("pk").first()
    zhangsan = world.residents["zhangsan"]
    if username == "partner-zjj":
        return [f"/voices/partner/{Dispatch.objects.get().pk}/"]
    if username == "resident-zhangsan":
        return [f"/voices/{first_item.pk}/", "/wishes/new/", "/voices/new/"]
    return [
        f"/building/{world.b1.pk}/",
        f"/household/{world.households['1-1-101'].pk}/",
        f"/resident/{zhangsan.pk}/",
        f"/voices/{first_item.pk}/",
    ]


def _walk(browser, live_server, log_in, shots, world, username, viewport):
    from axe_playwright_python.sync_playwright import Axe

    from gongzhi.accounts.models import User

    axe = Axe()

    context = browser.new_context(
        viewport=viewport, locale="zh-CN", is_mobile=viewport == PHONE, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    failures = {}
    try:
        log_in(page, username)
        user = User.objects.get(username=username)
        urls = [link.url for link in menu_for(user)] + _deep_pages(world, username)
        assert len(urls) >= 4
        for url in urls:
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            problems = page.evaluate(CHECK)
            found = axe.run(page)
            problems += [
                f"axe {v['id']}: {[n['target'] for n in v['nodes']][:3]}"
                for v in found.response["violations"]
            ]
            if problems:
                failures[url] = problems
            shots(page, f"{username}-{viewport['width']}{url.replace('/', '_')}")
    finally:
        context.close()
    assert failures == {}, "\n".join(f"{url}: {problems}" for url, problems in failures.items())


@pytest.mark.parametrize(
    "username", ["wj-grid1", "wj-staff", "wj-building1", "partner-zjj", "resident-zhangsan"]
)
def test_every_page_of_the_role_works_on_a_phone(
    busy_world, browser, live_server, log_in, shots, username
):
    _walk(browser, live_server, log_in, shots, busy_world, username, PHONE)


@pytest.mark.parametrize("username", ["wj-secretary", "wj-staff", "sd-staff"])
def test_every_page_of_the_role_works_at_a_desk(
    busy_world, browser, live_server, log_in, shots, username
):
    _walk(browser, live_server, log_in, shots, busy_world, username, DESK)


def test_a_residents_two_main_tasks_are_on_the_first_screen(
    busy_world, browser, live_server, log_in, axe_clean, shots
):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        log_in(page, "resident-zhangsan")
        page.get_by_role("heading", name="我的家").wait_for()
        # What the phone shows before any scrolling.
        page.screenshot(path=str(shots.folder / "resident-first-screen.png"))
        for name in ["我要反映", "许个心愿"]:
            task = page.locator(".main-tasks").get_by_role("link", name=re.compile(f"^{name}"))
            box = task.bounding_box()
            assert box["y"] + box["height"] <= PHONE["height"], name
            assert box["height"] >= 88 and box["width"] >= 300, name
        # The languages are one closed menu; opened, it offers all three.
        assert page.locator("header [name=language]").first.is_hidden()
        page.get_by_text("语言：").click()
        languages = page.locator("header").get_by_role("button", name=re.compile("中文|English"))
        assert languages.count() == 3
        axe_clean(page)
        # 请您评价 leads to the rating form.
        page.get_by_role("heading", name="请您评价").wait_for()
        page.locator(".rate-prompt").get_by_role("link").first.click()
        page.get_by_role("heading", name="请您评价办理结果").wait_for()
    finally:
        context.close()


def _phone_page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _asked(page, axe_clean, title, question):
    """The confirmation page: its question, nothing acted yet, fits the phone, axe-clean."""
    page.get_by_role("heading", name=title).wait_for()
    assert page.locator(".confirm-question").inner_text() == question
    assert page.evaluate(CHECK) == []
    axe_clean(page)


def test_irreversible_steps_ask_first_on_a_phone(
    busy_world, browser, live_server, log_in, axe_clean, shots
):
    from gongzhi.voices.enums import DispatchStatus, Status
    from gongzhi.voices.models import Dispatch, Item

    url = live_server.url
    at_grid = Item.objects.get(status=Status.ACCEPTED, level=Level.GRID)
    dispatch = Dispatch.objects.get()
    mine = Item.objects.filter(status=Status.SUBMITTED, building=busy_world.b1).get()

    # The grid chief resolves an item of the grid: 办结 asks, 确认 does it.
    page = _phone_page(browser)
    log_in(page, "wj-grid1")
    page.goto(f"{url}/voices/{at_grid.pk}/")
    page.get_by_label("办理结果").fill("已更换灯泡。")
    page.get_by_role("button", name="办结，待回访").click()
    _asked(
        page,
        axe_clean,
        "确认办结",
        f"将把诉求 {at_grid.number} 办结，并告知反映人，等待回访评价。办结后不能撤销。确认办结吗？",
    )
    shots(page, "confirm-resolve")
    at_grid.refresh_from_db()
    assert at_grid.status == Status.ACCEPTED
    page.get_by_role("button", name="确认", exact=True).click()
    page.get_by_text("已办结，等待回访。").wait_for()
    at_grid.refresh_from_db()
    assert at_grid.status == Status.RESOLVED
    page.context.close()

    # The partner returns a dispatch: 退回 asks.
    page = _phone_page(browser)
    log_in(page, "partner-zjj")
    page.goto(f"{url}/voices/partner/{dispatch.pk}/")
    page.get_by_label("退回原因").fill("属于供电公司。")
    page.get_by_role("button", name="退回", exact=True).click()
    _asked(
        page,
        axe_clean,
        "确认退回",
        f"将把诉求 {dispatch.item.number} 退回望江街社区，由社区重新安排办理。确认退回吗？",
    )
    page.get_by_role("button", name="确认", exact=True).click()
    page.get_by_text("已退回社区。").wait_for()
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.RETURNED
    page.context.close()

    # The resident takes back what nobody has accepted yet: 撤回 asks.
    page = _phone_page(browser)
    log_in(page, "resident-zhangsan")
    page.goto(f"{url}/voices/{mine.pk}/")
    page.get_by_role("button", name="撤回", exact=True).click()
    _asked(
        page,
        axe_clean,
        "确认撤回",
        f"将撤回您反映的诉求 {mine.number}，撤回后社区不再办理，也不能恢复。确认撤回吗？",
    )
    shots(page, "confirm-withdraw")
    page.get_by_role("button", name="返回").click()
    page.get_by_role("heading", name=f"诉求 {mine.number}").wait_for()
    mine.refresh_from_db()
    assert mine.status == Status.SUBMITTED
    page.get_by_role("button", name="撤回", exact=True).click()
    page.get_by_role("button", name="确认", exact=True).click()
    page.get_by_text("已撤回。").wait_for()
    mine.refresh_from_db()
    assert mine.status == Status.WITHDRAWN
    page.context.close()
