"""Records behind every figure, in Wangjiang (望江街) and the other community, made through
the services where a short path exists (surveys, residents' voice, wishes) and as rows
otherwise. ``EXPECTED`` is what Wangjiang's staff must read for 2026 up to today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from gongzhi.activities.enums import ActivityKind, ActivityStatus, CheckInMethod, CheckInRole
from gongzhi.activities.models import Activity, CheckIn, Signup
from gongzhi.deliberation.enums import MeetingKind, Stage
from gongzhi.deliberation.models import Matter, Meeting
from gongzhi.surveys import services as surveys
from gongzhi.voices import services as voices
from gongzhi.voices.enums import DispatchStatus, EventFormat, Satisfaction, Solved, Status
from gongzhi.voices.models import Category, Dispatch, EventSession, Item, ReturnVisit
from gongzhi.wishes import services as wishes
from tests.api.conftest import api_as  # noqa: F401 — the JSON client fixture

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = {"from": "2026-01-01"}


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


# Wangjiang's staff over PERIOD, once ``records`` is made.
EXPECTED = {
    "buildings": 2,
    "households": 3,
    "residents": 3,
    "residents_60_plus_share": 33.33,  # 张三 of 张三, 李四, 王五
    "survey_households": 3,
    "survey_days": 2,
    "survey_valid": 2,
    "survey_coverage": 100.0,
    "survey_valid_rate": 66.67,
    "survey_support_rate": 50.0,
    "opinion_events": 2,
    "opinions": 4,
    "outreach_talks": 2,
    "outreach_audience": 2,
    "volunteer_services": 1,
    "volunteer_served": 2,
    "cobuilding_activities": 2,
    "coordination_meetings": 2,
    "hard_problems_solved": 1,
    "matters_closed": 1,
    "return_visits": 2,
    "satisfied_visits": 1,
    "satisfaction_rate": 50.0,
    "micro_services": 1,
    "wishes_fulfilled": 1,
    "participants": 3,
    "participants_60_plus_share": 33.33,
}
# For a rate, its drill lists the numerator's records: how many.
NUMERATORS = {
    "residents_60_plus_share": 1,
    "survey_coverage": 3,
    "survey_valid_rate": 2,
    "survey_support_rate": 1,
    "participants_60_plus_share": 1,
    "satisfaction_rate": 1,
}
RATES = set(NUMERATORS)


def activity(world, kind, start, *, status=ActivityStatus.FINISHED, community=None, title=""):
    return Activity.objects.create(
        community=community or world.wj,
        kind=kind,
        title=title or f"{kind} {start:%m-%d}",
        partner=world.partner,
        place="社区党群服务中心",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=50,
        status=status,
    )


def check_in(activity, resident, role, moment=None):
    return CheckIn.objects.create(
        activity=activity,
        resident=resident,
        community=activity.community,
        role=role,
        method=CheckInMethod.NAME,
        at=moment or activity.starts_at + dt.timedelta(minutes=5),
    )


def make_activities(world, *, extra: int = 0):
    """Two talks held in 2026 (one in 2025, one cancelled, one draft beside them), a
    volunteer service, two co-building activities (one still running), a micro-service,
    and a talk in the other community. ``extra`` adds that many more held talks with an
    audience of one each (for the query-count guard)."""
    r = world.residents
    talk = activity(world, ActivityKind.OUTREACH, at(2026, 3, 10, 9))
    activity(world, ActivityKind.OUTREACH, at(2026, 4, 10, 9))
    old = activity(world, ActivityKind.OUTREACH, at(2025, 11, 10, 9))
    activity(world, ActivityKind.OUTREACH, at(2026, 5, 10, 9), status=ActivityStatus.CANCELLED)
    activity(world, ActivityKind.OUTREACH, at(2026, 5, 11, 9), status=ActivityStatus.DRAFT)
    check_in(talk, r["zhangsan"], CheckInRole.ATTENDEE)
    check_in(talk, r["lisi"], CheckInRole.ATTENDEE)
    check_in(talk, r["wangwu"], CheckInRole.VOLUNTEER)
    check_in(old, r["lisi"], CheckInRole.ATTENDEE)
    service = activity(world, ActivityKind.VOLUNTEER, at(2026, 6, 1, 9))
    check_in(service, r["zhangsan"], CheckInRole.SERVED)
    check_in(service, r["wangwu"], CheckInRole.SERVED)
    activity(world, ActivityKind.CO_BUILDING, at(2026, 7, 1, 9))
    running = activity(
        world, ActivityKind.CO_BUILDING, at(2026, 7, 2, 9), status=ActivityStatus.RUNNING
    )
    Signup.objects.create(
        activity=running, resident=r["lisi"], community=world.wj, created_at=at(2026, 7, 1, 8)
    )
    activity(world, ActivityKind.MICRO_SERVICE, at(2026, 8, 1, 9))
    other = activity(world, ActivityKind.OUTREACH, at(2026, 3, 12, 9), community=world.ot)
    check_in(other, r["zhaoliu"], CheckInRole.ATTENDEE)
    for i in range(extra):
        more = activity(world, ActivityKind.OUTREACH, at(2026, 9, 1 + i % 28, 9))
        check_in(more, r["lisi"], CheckInRole.ATTENDEE)


def make_survey(world):
    """A campaign over buildings 1 and 2 (three households): 张三 answers and supports,
    李四 answers and does not, 王五's household refuses at the door."""
    admin = world.users["admin"]
    q = surveys.questionnaire_create(actor=admin, community=world.wj, title="加装电梯意愿")
    surveys.question_add(
        actor=admin, questionnaire=q, key="ok", text="同意加装吗", kind="yes_no", is_support=True
    )
    campaign = surveys.campaign_create(
        actor=admin,
        community=world.wj,
        name="望江片区入户调查",
        area_name="望江片区",
        questionnaire=q,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 4, 15),
        buildings=[world.b1, world.b2],
    )
    version = q.versions.get().pk
    for door, resident, answer in [("1-1-101", "zhangsan", True), ("1-2-201", "lisi", False)]:
        surveys.response_record(
            actor=admin,
            campaign=campaign,
            household_id=world.households[door].pk,
            version_id=version,
            answers={"ok": answer},
            respondent_id=world.residents[resident].pk,
            consent=True,
            channel="visit",
            answered_at=at(2026, 3, 2, 10),
        )
    surveys.visit_record(
        actor=admin,
        campaign=campaign,
        household_id=world.households["2-1-101"].pk,
        outcome="refused",
        client_id="figures-visit-1",
        visited_at=at(2026, 3, 3, 10),
    )
    return campaign


def make_voices(world):
    """Two opinion-gathering events in 2026 and one in 2025; items from 张三 and 王五, one
    withdrawn, and two lift retrofits of 张三; an event and an item in the other
    community."""
    for title, day in [("促膝恳谈会", dt.date(2026, 3, 1)), ("坝坝龙门阵", dt.date(2026, 4, 1))]:
        EventSession.objects.create(
            community=world.wj, title=title, format=EventFormat.HEART_TO_HEART, held_on=day
        )
    EventSession.objects.create(
        community=world.wj, title="旧的", format=EventFormat.OTHER, held_on=dt.date(2025, 6, 1)
    )
    EventSession.objects.create(
        community=world.ot, title="外社区", format=EventFormat.OTHER, held_on=dt.date(2026, 3, 1)
    )
    admin = world.users["admin"]
    for resident, text in [
        ("zhangsan", "1栋楼道灯不亮了，晚上看不见。"),
        ("wangwu", "2栋顶楼屋面漏水好几年了。"),
        ("wangwu", "2栋门口垃圾桶满了。"),
        ("zhaoliu", "外社区的路灯坏了。"),
    ]:
        item = voices.item_submit(
            actor=admin,
            kind="problem",
            text=text,
            channel="visit",
            on_behalf_of=world.residents[resident],
            now=at(2026, 3, 2, 10),
        )
    withdrawn = Item.objects.filter(community=world.wj).order_by("-pk").first()
    Item.objects.filter(pk=withdrawn.pk).update(status=Status.WITHDRAWN)
    # Two lift retrofits closed in June: one solved with the partner unit (its reply
    # verified by the community), one without a dispatch.
    lift, _ = Category.objects.get_or_create(
        code="elevator_retrofit", defaults={"name": "电梯加装"}
    )
    for with_partner, text in [
        (True, "1栋想加装电梯，老人爬楼太难了。"),
        (False, "1栋电梯加装的补助怎么申请？"),
    ]:
        item = voices.item_submit(
            actor=admin,
            kind="problem",
            text=text,
            channel="visit",
            on_behalf_of=world.residents["zhangsan"],
            now=at(2026, 3, 2, 11),
        )
        Item.objects.filter(pk=item.pk).update(
            category=lift, status=Status.CLOSED, closed_at=at(2026, 6, 2, 10)
        )
        # Each visited after closing: the one solved with the partner to the resident's
        # satisfaction, the other not.
        ReturnVisit.objects.create(
            item=item,
            visited_by=admin,
            visited_at=at(2026, 6, 3, 10),
            solved=Solved.SOLVED if with_partner else Solved.NOT_SOLVED,
            satisfaction=Satisfaction.SATISFIED if with_partner else Satisfaction.DISSATISFIED,
        )
        if with_partner:
            Dispatch.objects.create(
                item=item,
                unit=world.partner,
                status=DispatchStatus.VERIFIED,
                sent_by=admin,
                sent_at=at(2026, 3, 3, 9),
                accept_due_at=at(2026, 3, 4, 9),
            )
    return item


def make_deliberation(world):
    """Two coordination meetings and a solicitation meeting; a matter closed after its five
    steps and one still in 推."""
    for title, kind in [
        ("电梯协调会", MeetingKind.COORDINATION),
        ("管网迁改协调会", MeetingKind.COORDINATION),
        ("方案征集会", MeetingKind.SOLICITATION),
    ]:
        Meeting.objects.create(
            community=world.wj,
            kind=kind,
            title=title,
            starts_at=at(2026, 3, 5, 14),
            place="社区会议室",
            host_name="王书记",
            agenda="协调",
        )
    Matter.objects.create(
        community=world.wj,
        grid=world.g1,
        building=world.b1,
        title="1栋加装电梯",
        summary="已办结",
        stage=Stage.CLOSED,
        stage_started_at=at(2026, 6, 1, 9),
        closed_at=at(2026, 6, 1, 9),
    )
    Matter.objects.create(
        community=world.wj,
        title="违建拆除",
        summary="推进中",
        stage=Stage.IMPLEMENT,
        stage_started_at=at(2026, 6, 1, 9),
    )


def make_wishes(world):
    """张三's wish, fulfilled and confirmed (today); another still on the wall."""
    u = world.users
    r = world.residents["zhangsan"]
    done = wishes.wish_submit(
        actor=u["resident"], resident=r, category="daily_goods", text="想要一个放大镜。"
    )
    wishes.wish_publish(actor=u["admin"], wish=done)
    wishes.wish_claim(actor=u["partner"], wish=done)
    wishes.wish_fulfil(actor=u["partner"], wish=done, proof_text="送去了放大镜。")
    wishes.wish_confirm(actor=u["resident"], wish=done)
    waiting = wishes.wish_submit(
        actor=u["resident"], resident=r, category="daily_goods", text="想要一副老花镜。"
    )
    wishes.wish_publish(actor=u["admin"], wish=waiting)


@pytest.fixture
def records(world):
    make_activities(world)
    make_survey(world)
    make_voices(world)
    make_deliberation(world)
    make_wishes(world)
    return world


@pytest.fixture
def figures_of(api_as):  # noqa: F811
    """``figures_of(user, **params)`` → {key: value} from GET /figures."""

    def _figures_of(user, **params):
        response = api_as(user).get("/figures", **params)
        assert response.status_code == 200, response.content.decode()
        return {f["key"]: f["value"] for f in response.json()["figures"]}

    return _figures_of


def as_decimal(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
