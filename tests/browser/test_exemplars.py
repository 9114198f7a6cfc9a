"""A resident nominates a neighbour on a 390 px phone in three steps; community staff, on
a phone too, confirm the nominee, accept, write the story, record consent and publish it
(each irreversible step asked first); the resident then reads it. Every page fits the
phone and passes axe-core."""

from __future__ import annotations

import pytest

from gongzhi.exemplars.enums import NominationStatus, StoryStatus
from gongzhi.exemplars.models import Nomination, Story

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


def test_nominate_review_publish_and_read(live_world, browser, live_server, log_in, axe_clean):
    resident = _phone(browser)
    try:
        log_in(resident, "resident-zhangsan")
        resident.get_by_role("link", name="推荐好人好事").click()
        resident.get_by_text("第1步").wait_for()
        _fits(resident, axe_clean)
        resident.get_by_role("button", name="推荐一位邻居").click()
        resident.get_by_text("第2步").wait_for()
        _fits(resident, axe_clean)
        resident.get_by_label("被推荐人姓名").fill("李四")
        resident.get_by_label("住在哪里").fill("1栋2单元")
        resident.get_by_label("好邻居").check()
        resident.get_by_label("推荐理由").fill("每天帮独居老人买菜取药")
        resident.get_by_role("button", name="提交推荐").click()
        resident.get_by_role("heading", name="推荐已提交").wait_for()
        _fits(resident, axe_clean)
    finally:
        resident.context.close()
    nomination = Nomination.objects.get()
    assert (nomination.nominee_id, nomination.status) == (
        live_world.residents["lisi"].pk,
        NominationStatus.NOMINATED,
    )

    staff = _phone(browser)
    try:
        log_in(staff, "wj-staff")
        staff.goto(live_server.url + "/exemplars/review/")
        _fits(staff, axe_clean)
        staff.get_by_role("link", name="李四").click()
        staff.get_by_text("每天帮独居老人买菜取药").wait_for()
        _fits(staff, axe_clean)
        staff.get_by_role("button", name="确认并开始审核").click()
        staff.get_by_text("已确认被推荐人，进入审核。").wait_for()
        staff.get_by_label("采纳", exact=True).check()
        staff.get_by_role("button", name="下一步").click()
        staff.get_by_role("heading", name="请确认：采纳这条推荐").wait_for()
        _fits(staff, axe_clean)
        staff.get_by_role("button", name="确认采纳").click()
        staff.get_by_text("已采纳。").wait_for()
        staff.get_by_label("标题").fill("好邻居李四")
        staff.get_by_label("正文").fill("李四三年如一日为楼里的独居老人买菜送药。")
        staff.get_by_role("button", name="保存草稿").click()
        staff.get_by_text("故事草稿已保存。").wait_for()
        _fits(staff, axe_clean)
        staff.get_by_label("当面口头同意").check()
        staff.get_by_label("说明").last.fill("在社区办公室当面同意")
        staff.get_by_role("button", name="记录本人同意").click()
        staff.get_by_text("已记录本人同意。").wait_for()
        staff.get_by_role("button", name="发布", exact=True).click()
        staff.get_by_role("heading", name="请确认：发布这个故事").wait_for()
        _fits(staff, axe_clean)
        staff.get_by_role("button", name="确认发布").click()
        staff.get_by_text("故事已发布，本社区居民可以看到。").wait_for()
        _fits(staff, axe_clean)
    finally:
        staff.context.close()
    story = Story.objects.get()
    assert story.status == StoryStatus.PUBLISHED

    reader = _phone(browser)
    try:
        log_in(reader, "resident-zhangsan")
        reader.goto(live_server.url + "/exemplars/")
        _fits(reader, axe_clean)
        reader.get_by_role("link", name="好邻居李四").click()
        reader.get_by_text("李四三年如一日为楼里的独居老人买菜送药。").wait_for()
        assert reader.get_by_text("每天帮独居老人买菜取药").count() == 0
        _fits(reader, axe_clean)
        reader.goto(live_server.url + "/exemplars/commendations/")
        _fits(reader, axe_clean)
    finally:
        reader.context.close()
