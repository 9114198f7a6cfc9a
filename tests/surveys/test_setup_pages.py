"""The survey set-up pages: a questionnaire built question by question, a campaign over a
grid, a visitor given a building, a base survey and one building's record — each by the
community's staff on a screen, refusals in Chinese keeping what was typed, out of reach
answering 404, and query-count guards on the lists."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.surveys.models import (
    Assignment,
    BaseSurvey,
    BuildingSurvey,
    Campaign,
    CampaignHousehold,
    Question,
    Questionnaire,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_staff_build_a_questionnaire_on_screen(world, login):
    client = login(world.users["staff"])
    answer = client.post(
        "/surveys/questionnaires/", {"community": world.wj.pk, "title": "加装电梯意愿调查"}
    )
    q = Questionnaire.objects.get(title="加装电梯意愿调查")
    assert answer["Location"].endswith(f"/surveys/questionnaires/{q.pk}/")
    client.post(
        f"/surveys/questionnaires/{q.pk}/",
        {
            "key": "support",
            "text": "您是否同意本单元加装电梯？",
            "kind": "single",
            "choices": "同意\n不同意\n说不清\n",
            "required": "on",
            "is_support": "on",
            "support_value": "同意",
            "against_value": "不同意",
        },
    )
    client.post(
        f"/surveys/questionnaires/{q.pk}/",
        {
            "key": "why_not",
            "text": "不同意的原因",
            "kind": "text",
            "show_if_key": "support",
            "show_if_values": "不同意",
        },
    )
    questions = list(Question.objects.filter(version__questionnaire=q).order_by("position"))
    assert [(x.key, x.choices, x.is_support) for x in questions] == [
        ("support", ["同意", "不同意", "说不清"], True),
        ("why_not", [], False),
    ]
    assert questions[1].show_if_values == ["不同意"]
    assert (questions[0].support_value, questions[0].against_value) == ("同意", "不同意")
    page = client.get(f"/surveys/questionnaires/{q.pk}/").content.decode()
    assert "您是否同意本单元加装电梯？" in page and "当 support 为 不同意 时显示" in page
    assert "不支持：不同意" in page


def test_a_refused_question_keeps_what_was_typed(world, login):
    client = login(world.users["staff"])
    client.post("/surveys/questionnaires/", {"community": world.wj.pk, "title": "问卷"})
    q = Questionnaire.objects.get(title="问卷")
    answer = client.post(
        f"/surveys/questionnaires/{q.pk}/",
        {"key": "floor", "text": "您住几楼？", "kind": "single", "choices": "一楼"},
    )
    html = answer.content.decode()
    assert answer.status_code == 422
    assert "选择题至少要有两个选项。" in html
    assert "您住几楼？" in html
    assert not Question.objects.filter(version__questionnaire=q).exists()


def test_staff_start_a_campaign_over_a_grid_and_assign_a_building(world, login):
    client = login(world.users["staff"])
    q = Questionnaire.objects.create(community=world.wj, title="意愿调查")
    q.versions.create(number=1)
    answer = client.post(
        "/surveys/new/",
        {
            "community": world.wj.pk,
            "name": "第一网格入户调查",
            "area_name": "甘露园片区",
            "questionnaire": q.pk,
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=30)).isoformat(),
            "grids": [world.g1.pk],
        },
    )
    campaign = Campaign.objects.get(name="第一网格入户调查")
    assert answer["Location"].endswith(f"/surveys/{campaign.pk}/")
    households = set(
        CampaignHousehold.objects.filter(campaign=campaign).values_list("household_id", flat=True)
    )
    assert households == {world.households["1-1-101"].pk, world.households["1-2-201"].pk}
    page = client.get(f"/surveys/{campaign.pk}/").content.decode()
    assert "分配这栋楼" in page
    client.post(
        f"/surveys/{campaign.pk}/assign/",
        {
            "building": world.b1.pk,
            "visitor": world.users["grid_worker"].pk,
            "visitor_kind": "grid_worker",
        },
    )
    assert Assignment.objects.filter(
        campaign=campaign, building=world.b1, visitor=world.users["grid_worker"]
    ).exists()
    # The same building to the same visitor again: refused in Chinese, nothing added.
    again = client.post(
        f"/surveys/{campaign.pk}/assign/",
        {
            "building": world.b1.pk,
            "visitor": world.users["grid_worker"].pk,
            "visitor_kind": "grid_worker",
        },
        follow=True,
    )
    assert "这栋楼已经分给这位走访人了。" in again.content.decode()
    assert Assignment.objects.filter(campaign=campaign).count() == 1


def test_a_campaign_with_bad_dates_keeps_the_form(world, login):
    client = login(world.users["staff"])
    q = Questionnaire.objects.create(community=world.wj, title="意愿调查")
    answer = client.post(
        "/surveys/new/",
        {
            "community": world.wj.pk,
            "name": "倒着的调查",
            "area_name": "片区",
            "questionnaire": q.pk,
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "buildings": [world.b1.pk],
        },
    )
    assert answer.status_code == 422
    assert "截止日期不能早于开始日期。" in answer.content.decode()
    assert 'value="倒着的调查"' in answer.content.decode()
    assert not Campaign.objects.filter(name="倒着的调查").exists()


def test_a_base_survey_and_a_buildings_record_on_screen(world, login):
    client = login(world.users["staff"])
    client.post(
        "/surveys/base/new/",
        {
            "community": world.wj.pk,
            "name": "2026年楼栋摸排",
            "starts_on": TODAY.isoformat(),
            "target_on": (TODAY + dt.timedelta(days=14)).isoformat(),
        },
    )
    survey = BaseSurvey.objects.get(name="2026年楼栋摸排")
    # A grid chief records a building of their grid; building 2 (grid 2) is not offered.
    grid = login(world.users["grid"])
    form = grid.get(f"/surveys/base/{survey.pk}/record/").content.decode()
    assert f'value="{world.b1.pk}"' in form and f'value="{world.b2.pk}"' not in form
    fields = {
        "building": world.b1.pk,
        "surveyed_on": TODAY.isoformat(),
        "structure": "brick_concrete",
        "floors": 7,
        "year_built": 1992,
        "gas": "underground",
        "water": "underground",
        "power": "overhead",
        "comms": "overhead",
        "illegal_count": 2,
        "illegal_kind": "",
    }
    refused = grid.post(f"/surveys/base/{survey.pk}/record/", fields)
    assert refused.status_code == 422
    assert "有违章搭建时请写明类型。" in refused.content.decode()
    assert not BuildingSurvey.objects.exists()
    grid.post(f"/surveys/base/{survey.pk}/record/", {**fields, "illegal_kind": "顶楼加盖"})
    record = BuildingSurvey.objects.get(base_survey=survey, building=world.b1)
    assert (record.floors, record.illegal_count, record.surveyed_by) == (7, 2, world.users["grid"])
    # Building 2 is outside the grid chief's reach, whatever the form is sent.
    grid.post(f"/surveys/base/{survey.pk}/record/", {**fields, "building": world.b2.pk})
    assert not BuildingSurvey.objects.filter(building=world.b2).exists()


@pytest.mark.parametrize(
    "role", ["grid", "grid_worker", "building", "resident", "partner", "nobody"]
)
def test_only_the_communitys_managers_set_surveys_up(world, login, role):
    q = Questionnaire.objects.create(community=world.wj, title="意愿调查")
    client = login(world.users[role])
    for url in (
        "/surveys/questionnaires/",
        f"/surveys/questionnaires/{q.pk}/",
        "/surveys/new/",
        "/surveys/base/new/",
    ):
        assert client.get(url).status_code == 404, (role, url)
    client.post("/surveys/questionnaires/", {"community": world.wj.pk, "title": "越权问卷"})
    assert not Questionnaire.objects.filter(title="越权问卷").exists()


def test_another_communitys_staff_set_up_only_their_own(world, login):
    q = Questionnaire.objects.create(community=world.wj, title="望江的问卷")
    client = login(world.users["other_staff"])
    page = client.get("/surveys/questionnaires/").content.decode()
    assert "望江的问卷" not in page and world.ot.name in page
    assert client.get(f"/surveys/questionnaires/{q.pk}/").status_code == 404
    refused = client.post(
        "/surveys/questionnaires/", {"community": world.wj.pk, "title": "越权问卷"}
    )
    assert refused.status_code == 422
    assert not Questionnaire.objects.filter(title="越权问卷").exists()


def test_the_setup_lists_cost_the_same_for_more_rows(world, login, django_assert_num_queries):
    client = login(world.users["staff"])
    q = Questionnaire.objects.create(community=world.wj, title="意愿调查")
    version = q.versions.create(number=1)

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url).status_code == 200
        return len(seen.captured_queries)

    urls = ["/surveys/questionnaires/", f"/surveys/questionnaires/{q.pk}/"]
    before = [count(url) for url in urls]
    for i in range(5):
        Questionnaire.objects.create(community=world.wj, title=f"问卷{i}")
        Question.objects.create(
            version=version, position=i + 1, key=f"k{i}", text="题", kind="text"
        )
    for url, n in zip(urls, before, strict=True):
        client.get(url)
        with django_assert_num_queries(n):
            client.get(url)
