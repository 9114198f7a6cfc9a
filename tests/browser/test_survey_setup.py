"""Community staff set a survey up on a 390 px phone: a questionnaire with a question, a
campaign over a grid, a visitor given a building; every page fits the phone and passes
axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.surveys.models import Assignment, BuildingSurvey, Campaign, Question

from .test_venues import _fits, _phone

pytestmark = pytest.mark.browser


def test_set_a_survey_up_on_a_phone(live_world, browser, live_server, log_in, axe_clean):
    page = _phone(browser)
    try:
        log_in(page, "wj-staff")
        page.goto(live_server.url + "/surveys/")
        page.get_by_role("link", name="问卷", exact=True).click()
        _fits(page, axe_clean)
        page.get_by_label("问卷名称").fill("加装电梯意愿调查")
        page.get_by_role("button", name="建立问卷").click()
        page.get_by_text("问卷已建好，请逐题添加。").wait_for()
        page.get_by_label("代码", exact=True).fill("support")
        page.get_by_label("题目", exact=True).fill("您是否同意加装电梯？")
        page.get_by_label("题型").select_option("yes_no")
        page.get_by_label("这是计算支持率的题目").check()
        page.get_by_role("button", name="添加到问卷末尾").click()
        page.get_by_text("已添加第1题（第1版）。").wait_for()
        _fits(page, axe_clean)
        assert Question.objects.filter(key="support", is_support=True).count() == 1

        page.goto(live_server.url + "/surveys/new/")
        _fits(page, axe_clean)
        page.get_by_label("调查名称").fill("第一网格电梯调查")
        page.get_by_label("片区名称").fill("甘露园片区")
        today = timezone.localdate()
        page.get_by_label("截止日期").fill((today + dt.timedelta(days=20)).isoformat())
        page.get_by_label("望江街社区 第一网格").check()
        page.get_by_role("button", name="开始调查").click()
        page.get_by_text("调查已开始，请给走访人分楼栋。").wait_for()
        _fits(page, axe_clean)
        campaign = Campaign.objects.get(name="第一网格电梯调查")
        page.get_by_label("走访人", exact=True).select_option(label="wj-gridworker2")
        page.get_by_role("button", name="分配这栋楼").click()
        page.get_by_text("已分配。").wait_for()
        assert Assignment.objects.filter(campaign=campaign).count() == 1

        page.goto(live_server.url + "/surveys/base/new/")
        _fits(page, axe_clean)
        page.get_by_label("名称").fill("楼栋摸排")
        page.get_by_label("目标完成日期").fill((today + dt.timedelta(days=14)).isoformat())
        page.get_by_role("button", name="建立").click()
        page.get_by_role("link", name="录入一栋楼的摸排").click()
        _fits(page, axe_clean)
        page.get_by_label("层数").fill("7")
        page.get_by_role("button", name="保存这栋楼").click()
        page.get_by_text("已摸排。").wait_for()
        assert BuildingSurvey.objects.count() == 1
    finally:
        page.context.close()
