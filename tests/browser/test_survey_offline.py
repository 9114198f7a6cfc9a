"""A grid worker records visits and questionnaires on a phone with the network cut, reloads
the page without signal, and everything syncs once when the signal returns."""

import json

import pytest
from playwright.sync_api import expect

from gongzhi.orgs.enums import PostKind
from gongzhi.places import services as places
from gongzhi.surveys import selectors, services
from gongzhi.surveys.models import Response, Visit
from tests.surveys.conftest import survey  # noqa: F401  (the survey fixture)
from tests.world import make_user

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    outside = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((live_server.url, "data:", "about:", "blob:"))
            else outside.append(r.url)
        ),
    )
    yield context, page
    context.close()
    assert outside == []


def _more_households(w):
    entrance = w.b1.entrances.get(number=1)
    for door, floor in [("102", 1), ("201", 2), ("202", 2), ("301", 3)]:
        places.household_create(actor=None, entrance=entrance, door_number=door, floor=floor)


def test_visits_offline_sync_once(survey, live_server, phone, log_in, axe_clean):  # noqa: F811
    w = survey
    _more_households(w)
    # The campaign was made before the new doors: add them the way a new campaign would.
    from gongzhi.places.models import Household
    from gongzhi.surveys.models import CampaignHousehold

    for h in Household.objects.filter(building=w.b1).exclude(
        pk__in=CampaignHousehold.objects.filter(campaign=w.campaign).values("household_id")
    ):
        row = CampaignHousehold(campaign=w.campaign)
        row.place_from(h)
        row.save()
    worker = make_user("wj-gridworker1", kind=PostKind.GRID_WORKER, node=w.g1)
    services.assignment_add(
        actor=w.users["staff"],
        campaign=w.campaign,
        building=w.b1,
        visitor=worker,
        visitor_kind="grid_worker",
    )
    context, page = phone
    log_in(page, "wj-gridworker1")
    page.goto(f"{live_server.url}/surveys/{w.campaign.pk}/phone/")
    page.get_by_role("heading", name="我的走访任务").wait_for()
    page.wait_for_selector("#survey-phone[data-offline-ready='1']")
    axe_clean(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    syncs = []
    page.on(
        "request",
        lambda r: syncs.append(r.post_data) if r.url.endswith("/api/v1/surveys/sync") else None,
    )

    context.set_offline(True)
    page.reload()
    page.get_by_role("heading", name="我的走访任务").wait_for()

    def visit(address, outcome):
        page.locator(f"button.household-btn:has-text('{address}')").click()
        page.get_by_role("button", name=outcome, exact=True).click()

    def questionnaire(address, respondent_prefix):
        visit(address, "已答卷")
        options = page.locator("#respondent option").all_inner_texts()
        label = next(o for o in options if o.startswith(respondent_prefix))
        page.select_option("#respondent", label=label)
        page.get_by_label("支持", exact=True).check()
        page.get_by_label("加装电梯").check()
        page.get_by_label("居民同意参加本次调查").check()
        page.get_by_role("button", name="保存答卷").click()
        page.get_by_role("heading", name="我的走访任务").wait_for()

    questionnaire("1栋1单元101", "张")
    questionnaire("1栋2单元201", "李")
    visit("1栋1单元102", "不在家（需再访）")
    visit("1栋1单元201", "拒绝")
    visit("1栋1单元202", "空房")
    # Five visits and two answers wait on the phone.
    expect(page.locator("#pending-count")).to_have_text("7")
    assert Visit.objects.count() == 0

    # Reloaded without signal: the page comes from the service worker, the records from
    # IndexedDB.
    page.reload()
    page.get_by_role("heading", name="我的走访任务").wait_for()
    expect(page.locator("#pending-count")).to_have_text("7")
    assert "待同步" in page.locator("button.household-btn:has-text('1栋1单元101')").inner_text()
    assert syncs == []

    context.set_offline(False)
    expect(page.locator("#pending-count")).to_have_text("0")
    assert len(syncs) == 1
    assert Visit.objects.count() == 5
    assert Response.objects.filter(status="valid").count() == 2

    # The same batch again: every record recognised, nothing changes.
    again = page.evaluate(
        """body => fetch('/api/v1/surveys/sync', {method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json',
                      'X-CSRFToken': JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']},
            body}).then(r => r.json())""",
        syncs[0],
    )
    assert (again["ok"], again["replayed"], again["errors"]) == (0, 7, 0)
    assert len(json.loads(syncs[0])["records"]) == 7
    assert Visit.objects.count() == 5 and Response.objects.count() == 2

    rates = selectors.rates(w.users["staff"], w.campaign).overall
    # Not at home is still to visit; answered, refused and the empty flat are reached.
    assert (rates.households, rates.reached, rates.valid, rates.support) == (7, 4, 2, 2)
    page.reload()
    page.get_by_role("heading", name="我的走访任务").wait_for()
    assert "已答卷" in page.locator("button.household-btn:has-text('1栋1单元101')").inner_text()


def test_resident_page_is_large_and_clean(survey, live_server, phone, log_in, axe_clean):  # noqa: F811
    context, page = phone
    log_in(page, "resident-zhangsan")
    page.goto(f"{live_server.url}/surveys/mine/")
    page.get_by_role("heading", name="入户调查", exact=True).wait_for()
    axe_clean(page)
    page.get_by_role("link", name="填写“望江片区改造入户调查”问卷").click()
    axe_clean(page)
    page.get_by_label("支持", exact=True).check()
    page.get_by_label("停车").check()
    page.get_by_label("我同意参加本次调查").check()
    page.get_by_role("button", name="提交问卷").click()
    page.get_by_text("您家已经答过这份问卷").wait_for()
    axe_clean(page)
    assert Response.objects.get().channel == "online"
