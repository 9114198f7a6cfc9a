"""A mediator of the 晓龙调解队 records a session on a 390 px phone; every mediation page
they pass through fits the phone and passes axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.identity import make_id_number
from gongzhi.mediation import services
from gongzhi.mediation.enums import CaseStatus
from gongzhi.mediation.models import Case
from gongzhi.orgs.enums import TeamKind
from gongzhi.orgs.models import Team, TeamMembership
from gongzhi.places import services as places
from tests.world import make_user

from .test_phone import CHECK, PHONE

pytestmark = pytest.mark.browser


def _phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _fits(page, axe_clean):
    assert page.evaluate(CHECK) == []
    axe_clean(page)


def test_a_mediator_records_a_session_on_a_phone(
    live_world, browser, live_server, log_in, axe_clean
):
    w = live_world
    team = Team.objects.create(community=w.wj, name="晓龙调解队", kind=TeamKind.MEDIATION)
    leader = places.resident_create(
        actor=None,
        household=w.households["1-1-101"],
        name="刘晓龙",
        id_number=make_id_number("510402", dt.date(1960, 1, 1), 70),
    )
    TeamMembership.objects.create(team=team, resident=leader, role="leader")
    make_user("mediator-lxl", resident=leader)
    case = services.case_open(
        actor=None,
        community=w.wj,
        grid=w.g1,
        title="漏水纠纷",
        summary="楼上卫生间漏水到楼下",
        arose_on=timezone.localdate() - dt.timedelta(days=5),
        mediators=[leader],
    )
    services.party_add(actor=None, case=case, side="applicant", resident=w.residents["zhangsan"])
    services.party_add(actor=None, case=case, side="respondent", resident=w.residents["lisi"])

    page = _phone(browser)
    try:
        log_in(page, "mediator-lxl")
        page.goto(live_server.url + "/mediation/")
        page.get_by_role("heading", name="人民调解", exact=True).wait_for()
        _fits(page, axe_clean)
        page.get_by_role("link", name=case.number).click()
        page.get_by_role("heading", name="记录一次调解").wait_for()
        _fits(page, axe_clean)
        page.get_by_label("调解日期").fill(timezone.localdate().isoformat())
        page.get_by_label("开始时间").fill("00:00")
        page.get_by_label("地点").fill("第一网格驿站")
        page.get_by_label("张三").check()
        page.get_by_label("李四").check()
        page.get_by_role("textbox", name="调解记录").fill("双方到场，同意先请师傅查漏")
        page.get_by_role("button", name="保存调解记录").click()
        page.get_by_text("已记录这次调解。").wait_for()
        assert page.get_by_text("双方到场，同意先请师傅查漏").is_visible()
        _fits(page, axe_clean)
    finally:
        page.context.close()
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.IN_MEDIATION
    session = case.sessions.get()
    assert sorted(p.name for p in session.attendees.all()) == ["张三", "李四"]
