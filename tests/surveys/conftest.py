import datetime as dt
import itertools

import pytest
from django.utils import timezone

from gongzhi.surveys import services
from tests.images import JPEG, PNG  # noqa: F401  (imported by the tests from here)
from tests.world import make_user

_ids = itertools.count(1)


def client_id(prefix="c") -> str:
    return f"{prefix}-{next(_ids)}-phone"


@pytest.fixture
def survey(world):
    """The 望江 renewal survey over buildings 1 (grid 1) and 2 (grid 2): three households.
    A volunteer (no post) is assigned building 1."""
    staff = world.users["staff"]
    q = services.questionnaire_create(actor=staff, community=world.wj, title="老旧小区改造意愿调查")
    services.question_add(
        actor=staff,
        questionnaire=q,
        key="support",
        text="您是否支持本小区进行改造？",
        kind="single",
        choices=["支持", "不支持", "无所谓"],
        is_support=True,
        support_value="支持",
    )
    services.question_add(
        actor=staff,
        questionnaire=q,
        key="needs",
        text="您最希望改造哪些方面？",
        kind="multiple",
        choices=["加装电梯", "管网入地", "停车"],
    )
    services.question_add(
        actor=staff,
        questionnaire=q,
        key="why_not",
        text="不支持的原因",
        kind="text",
        show_if_key="support",
        show_if_values=["不支持"],
    )
    services.question_add(
        actor=staff, questionnaire=q, key="note", text="其他意见", kind="text", required=False
    )
    campaign = services.campaign_create(
        actor=staff,
        community=world.wj,
        name="望江片区改造入户调查",
        area_name="望江片区",
        questionnaire=q,
        starts_on=timezone.localdate() - dt.timedelta(days=10),
        ends_on=timezone.localdate() + dt.timedelta(days=30),
        buildings=[world.b1, world.b2],
    )
    volunteer = make_user("volunteer-1")
    services.assignment_add(
        actor=staff,
        campaign=campaign,
        building=world.b1,
        visitor=volunteer,
        visitor_kind="volunteer",
    )
    world.users["volunteer"] = volunteer
    world.questionnaire = q
    world.campaign = campaign
    world.version = q.versions.get()
    return world


@pytest.fixture
def answer(survey):
    """Record an answer through the service; defaults make a valid one by 张三 for 1-1-101."""

    def _answer(
        household="1-1-101",
        *,
        actor="volunteer",
        respondent="zhangsan",
        support="支持",
        consent=True,
        channel="visit",
        client=None,
        **extra,
    ):
        answers = {"support": support, "needs": ["加装电梯"]}
        if support == "不支持":
            answers["why_not"] = "费用"
        answers.update(extra.pop("answers", {}))
        return services.response_record(
            actor=survey.users[actor],
            campaign=survey.campaign,
            household_id=survey.households[household].pk,
            version_id=extra.pop("version_id", survey.version.pk),
            answers=answers,
            respondent_id=survey.residents[respondent].pk if respondent else None,
            consent=consent,
            channel=channel,
            answered_at=extra.pop("answered_at", timezone.now()),
            client_id=client or client_id("r"),
            **extra,
        )

    return _answer


@pytest.fixture
def visit(survey):
    def _visit(household="1-1-101", outcome="answered", *, actor="volunteer", client=None, at=None):
        return services.visit_record(
            actor=survey.users[actor],
            campaign=survey.campaign,
            household_id=survey.households[household].pk,
            outcome=outcome,
            client_id=client or client_id("v"),
            visited_at=at or timezone.now(),
        )

    return _visit
