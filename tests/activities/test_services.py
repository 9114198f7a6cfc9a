"""Activity services: validation in Chinese, the state machine, sign-ups within capacity,
check-ins once and only while the activity runs, hours counted, quizzes answered once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from gongzhi.activities import selectors, services
from gongzhi.activities.enums import ActivityKind, ActivityStatus, OutreachFormat
from gongzhi.activities.models import Activity, ActivityEvent, CheckIn, Signup
from gongzhi.core.models import AuditEvent
from gongzhi.orgs.models import Team
from gongzhi.places import services as places
from gongzhi.points import selectors as points_selectors
from gongzhi.points import services as points_services
from gongzhi.points.models import EarningRule, Transaction

from .conftest import DURING, NOW, at

pytestmark = pytest.mark.django_db


def _messages(exc) -> str:
    return " ".join(exc.value.messages)


# --- creating and moving ------------------------------------------------------------------


def test_a_new_activity_is_a_draft_with_its_history(world, make_activity):
    a = make_activity(publish=False, actor=world.users["staff"])
    assert a.status == ActivityStatus.DRAFT
    assert list(a.events.values_list("status", flat=True)) == ["draft"]
    assert AuditEvent.objects.filter(action="activities.activity.created").count() == 1


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"title": " "}, "title", "请填写活动名称"),
        ({"group": None}, "organiser", "请选择一个组织方"),
        ({"capacity": 0}, "capacity", "名额应在1到"),
        ({"ends_at": at(2026, 6, 9, 8, 0)}, "ends_at", "结束时间应晚于开始时间"),
        ({"kind": ActivityKind.OUTREACH}, "outreach_format", "宣讲请选择形式"),
        ({"service_area": ""}, "service_area", "五类服务"),
        ({"place": ""}, "place", "请选择场地或填写地点"),
        (
            {"starts_at": at(2026, 6, 1, 9, 0), "ends_at": at(2026, 6, 1, 10, 0)},
            "starts_at",
            "已经过去",
        ),
        ({"kind": ActivityKind.CO_BUILDING}, "organiser", "共建活动请选择共建单位"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(
    world, make_activity, change, field, words
):
    with pytest.raises(ValidationError) as exc:
        make_activity(publish=False, **change)
    assert words in " ".join(exc.value.message_dict[field])
    assert Activity.objects.count() == 0


def test_an_organiser_of_another_community_is_refused(world, make_activity):
    team = Team.objects.create(community=world.ot, name="外队", kind="outreach")
    with pytest.raises(ValidationError) as exc:
        make_activity(publish=False, group=None, team=team)
    assert "不属于本社区" in _messages(exc)


@pytest.mark.parametrize("role", ["grid", "building", "resident", "other_staff", "partner"])
def test_only_those_who_manage_the_community_create(world, make_activity, role):
    with pytest.raises(PermissionDenied):
        make_activity(publish=False, actor=world.users[role])


@pytest.mark.parametrize("role", ["admin", "subdistrict", "secretary", "staff"])
def test_managers_create(world, make_activity, role):
    assert make_activity(publish=False, actor=world.users[role]).pk


def test_the_state_machine(world, make_activity):
    a = make_activity(publish=False)
    a = services.activity_publish(actor=world.users["staff"], activity=a, now=NOW)
    with pytest.raises(ValidationError) as exc:
        services.activity_publish(actor=world.users["staff"], activity=a, now=NOW)
    assert "活动当前为“报名中”，不能发布" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.activity_finish(actor=None, activity=a, now=NOW)
    assert "还没开始" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.activity_cancel(actor=None, activity=a, reason="", now=NOW)
    assert "请写明取消的原因" in _messages(exc)
    a = services.activity_cancel(actor=None, activity=a, reason="下雨", now=NOW)
    assert a.status == ActivityStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.activity_publish(actor=None, activity=a, now=NOW)
    assert list(a.events.values_list("status", "note")) == [
        ("draft", ""),
        ("published", ""),
        ("cancelled", "下雨"),
    ]


def test_update_keeps_capacity_above_the_signed_up(world, activity):
    services.signup_create(actor=world.users["resident"], activity=activity, now=NOW)
    with pytest.raises(ValidationError) as exc:
        services.activity_update(actor=world.users["staff"], activity=activity, capacity=0)
    assert "名额应在1到" in _messages(exc)
    a = services.activity_update(actor=world.users["staff"], activity=activity, capacity=1)
    assert a.capacity == 1
    with pytest.raises(PermissionDenied):
        services.activity_update(actor=world.users["grid"], activity=activity, capacity=5)


# --- sign-ups ---------------------------------------------------------------------------


def test_a_resident_signs_up_once(world, activity):
    resident = world.users["resident"]
    signup = services.signup_create(actor=resident, activity=activity, now=NOW)
    assert signup.resident == world.residents["zhangsan"]
    with pytest.raises(ValidationError) as exc:
        services.signup_create(actor=resident, activity=activity, now=NOW)
    assert _messages(exc) == "张三已经报过名了，不用重复报名。"
    assert Signup.objects.count() == 1


def test_sign_up_beyond_capacity_is_refused(world, make_activity):
    a = make_activity(capacity=1)
    services.signup_create(
        actor=world.users["grid"], activity=a, resident=world.residents["lisi"], now=NOW
    )
    with pytest.raises(ValidationError) as exc:
        services.signup_create(actor=world.users["resident"], activity=a, now=NOW)
    assert "名额已满（共1个）" in _messages(exc)


def test_a_draft_takes_no_sign_up(world, make_activity):
    a = make_activity(publish=False)
    with pytest.raises(Http404):
        services.signup_create(actor=world.users["resident"], activity=a, now=NOW)
    a = services.activity_publish(actor=None, activity=a, now=NOW)
    services.activity_cancel(actor=None, activity=a, reason="下雨", now=NOW)
    with pytest.raises(ValidationError) as exc:
        services.signup_create(actor=world.users["resident"], activity=a, now=NOW)
    assert "现在不能报名（已取消）" in _messages(exc)


def test_cancel_and_sign_up_again(world, activity):
    resident = world.users["resident"]
    services.signup_create(actor=resident, activity=activity, now=NOW)
    services.signup_cancel(actor=resident, activity=activity, now=NOW)
    with pytest.raises(ValidationError) as exc:
        services.signup_cancel(actor=resident, activity=activity, now=NOW)
    assert "没有找到报名" in _messages(exc)
    services.signup_create(actor=resident, activity=activity, now=NOW)
    assert Signup.objects.get().cancelled_at is None


def test_only_post_holders_sign_up_someone_else(world, activity):
    with pytest.raises(PermissionDenied):
        services.signup_create(
            actor=world.users["resident"], activity=activity, resident=world.residents["lisi"]
        )
    with pytest.raises(Http404):
        services.signup_create(actor=world.users["other_staff"], activity=activity)


def test_a_resident_of_another_community_cannot_sign_up(world, activity):
    with pytest.raises(ValidationError) as exc:
        services.signup_create(
            actor=world.users["admin"], activity=activity, resident=world.residents["zhaoliu"]
        )
    assert "只有本社区的居民" in _messages(exc)


@pytest.mark.django_db(transaction=True)
def test_two_residents_take_the_last_place_at_once_one_gets_it(world, make_activity):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    from tests.voices.test_concurrency import race

    a = make_activity(capacity=1, now=None, starts_at=at(2030, 6, 9, 9), ends_at=at(2030, 6, 9, 11))
    staff = world.users["staff"]
    results = race(
        [
            lambda r=r: services.signup_create(actor=staff, activity=a, resident=r)
            for r in [world.residents["lisi"], world.residents["wangwu"]]
        ]
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    (error,) = [value for kind, value in results if kind == "error"]
    assert "名额已满" in " ".join(error.messages)
    assert Signup.objects.filter(activity=a).count() == 1


# --- check-in ----------------------------------------------------------------------------


def test_check_in_by_qr_token(world, activity):
    token = services.resident_token(world.residents["zhangsan"])
    row = services.check_in(actor=world.users["staff"], activity=activity, token=token, now=DURING)
    assert (row.resident, row.method, row.role, row.hours) == (
        world.residents["zhangsan"],
        "qr",
        "attendee",
        Decimal(0),
    )
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.RUNNING
    assert AuditEvent.objects.filter(action="activities.check_in.recorded").count() == 1


def test_a_forged_token_is_refused(world, activity):
    token = services.resident_token(world.residents["zhangsan"])
    with pytest.raises(ValidationError) as exc:
        services.check_in(
            actor=world.users["staff"], activity=activity, token=token[:-1] + "x", now=DURING
        )
    assert "二维码无法识别" in _messages(exc)
    assert CheckIn.objects.count() == 0


def test_check_in_twice_is_refused_in_chinese(world, activity):
    services.check_in(
        actor=world.users["staff"], activity=activity, resident=world.residents["lisi"], now=DURING
    )
    with pytest.raises(ValidationError) as exc:
        services.check_in(
            actor=world.users["grid"],
            activity=activity,
            token=services.resident_token(world.residents["lisi"]),
            now=DURING,
        )
    assert _messages(exc) == "李四已在09:30签到过了，不用重复签到。"
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize(
    "moment", [at(2026, 6, 9, 7, 59), at(2026, 6, 9, 12, 1), at(2026, 6, 10, 9, 30)]
)
def test_check_in_outside_the_time_window_is_refused(world, activity, moment):
    with pytest.raises(ValidationError) as exc:
        services.check_in(
            actor=world.users["staff"],
            activity=activity,
            resident=world.residents["lisi"],
            now=moment,
        )
    assert _messages(exc) == "现在不在活动时间内（2026-06-09 09:00–11:00），不能签到。"


def test_check_in_for_an_activity_not_published_is_refused(world, make_activity):
    a = make_activity(publish=False)
    with pytest.raises(ValidationError) as exc:
        services.check_in(
            actor=world.users["staff"], activity=a, resident=world.residents["lisi"], now=DURING
        )
    assert "活动当前为“草稿”，不能签到" in _messages(exc)


def test_volunteer_hours_come_from_the_times_or_within_bounds(world, activity):
    staff = world.users["staff"]
    row = services.check_in(
        actor=staff,
        activity=activity,
        resident=world.residents["lisi"],
        role="volunteer",
        now=DURING,
    )
    assert row.hours == Decimal("2.0")
    with pytest.raises(ValidationError) as exc:
        services.check_in(
            actor=staff,
            activity=activity,
            resident=world.residents["wangwu"],
            role="volunteer",
            hours="3",
            now=DURING,
        )
    assert "服务时长应在0.5到2小时之间" in _messages(exc)
    row = services.check_in(
        actor=staff,
        activity=activity,
        resident=world.residents["wangwu"],
        role="volunteer",
        hours="1.5",
        now=DURING,
    )
    assert row.hours == Decimal("1.5")
    assert selectors.figures(activity) == {
        "attendee": 0,
        "volunteer": 2,
        "served": 0,
        "hours": Decimal("3.5"),
        "total": 2,
    }


@pytest.mark.parametrize("role", ["resident", "partner", "other_staff", "nobody"])
def test_who_may_not_check_in(world, activity, role):
    with pytest.raises((PermissionDenied, Http404)):
        services.check_in(
            actor=world.users[role],
            activity=activity,
            resident=world.residents["lisi"],
            now=DURING,
        )


def test_a_member_of_the_organising_group_checks_in(world, activity, group):
    services.group_member_add(actor=None, group=group, resident=world.residents["zhangsan"])
    row = services.check_in(
        actor=world.users["resident"],
        activity=activity,
        resident=world.residents["lisi"],
        now=DURING,
    )
    assert row.by == world.users["resident"]


def _points(resident) -> int:
    return sum(e.amount for e in points_selectors.statement(resident.pk))


def _rule(code) -> int:
    return EarningRule.objects.get(code=code).points


@pytest.mark.parametrize(
    "role, hours, rule, units",
    [
        ("volunteer", Decimal("2"), "service_hour", 2),
        ("attendee", None, "activity_attendance", 1),
    ],
)
def test_a_check_in_earns_love_points_once(world, activity, role, hours, rule, units):
    lisi = world.residents["lisi"]
    row = services.check_in(
        actor=world.users["staff"],
        activity=activity,
        resident=lisi,
        role=role,
        hours=hours,
        now=DURING,
    )
    assert _points(lisi) == _rule(rule) * units
    # The same check-in's points, asked for again (a retried hook): posted once.
    services.award_check_in_points(row, actor=world.users["staff"])
    assert _points(lisi) == _rule(rule) * units
    assert Transaction.objects.filter(key=f"checkin:{row.pk}").count() == 1


def test_the_people_served_earn_nothing_for_being_helped(world, activity):
    lisi = world.residents["lisi"]
    services.check_in(
        actor=world.users["staff"], activity=activity, resident=lisi, role="served", now=DURING
    )
    assert _points(lisi) == 0


def test_a_refused_award_leaves_no_check_in(world, activity, monkeypatch):
    def boom(**kwargs):
        raise ValidationError("x")

    monkeypatch.setattr(points_services, "award", boom)
    with pytest.raises(ValidationError):
        services.check_in(
            actor=world.users["staff"],
            activity=activity,
            resident=world.residents["lisi"],
            now=DURING,
        )
    activity.refresh_from_db()
    assert (CheckIn.objects.count(), activity.status) == (0, ActivityStatus.PUBLISHED)


def test_a_moved_out_resident_cannot_be_checked_in(world, activity):
    places.resident_set_status(
        actor=None, resident=world.residents["lisi"], status="moved_out", reason="搬走"
    )
    with pytest.raises(ValidationError) as exc:
        services.check_in(
            actor=world.users["staff"],
            activity=activity,
            resident=world.residents["lisi"],
            now=DURING,
        )
    assert "不是本社区在住居民" in _messages(exc)


# --- quizzes ---------------------------------------------------------------------------


@pytest.fixture
def cloud(world, make_activity):
    a = make_activity(
        kind=ActivityKind.OUTREACH, outreach_format=OutreachFormat.CLOUD, place="", publish=False
    )
    services.quiz_question_add(
        actor=None,
        activity=a,
        text="城市更新先做什么？",
        options=["问需于民", "先拆再说"],
        correct=0,
    )
    services.quiz_question_add(
        actor=None, activity=a, text="议事几步？", options=["三步", "五步", "七步"], correct=1
    )
    return services.activity_publish(actor=None, activity=a, now=NOW)


def test_a_quiz_is_answered_once_and_counted(world, cloud):
    q1, q2 = cloud.questions.all()
    right = q1.options.get(is_correct=True).pk
    wrong = q2.options.filter(is_correct=False).first().pk
    with pytest.raises(ValidationError) as exc:
        services.quiz_submit(actor=world.users["resident"], activity=cloud, answers={q1.pk: right})
    assert "第2题还没有选答案" in _messages(exc)
    attempt = services.quiz_submit(
        actor=world.users["resident"], activity=cloud, answers={q1.pk: right, q2.pk: wrong}
    )
    assert (attempt.correct, attempt.total) == (1, 2)
    # One right answer earns the quiz rule once, in the resident's statement.
    assert _points(attempt.resident) == _rule("quiz_correct") * 1
    with pytest.raises(ValidationError) as exc:
        services.quiz_submit(
            actor=world.users["resident"], activity=cloud, answers={q1.pk: right, q2.pk: wrong}
        )
    assert "每人只能答一次" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.quiz_question_add(
            actor=None, activity=cloud, text="再加一题", options=["a", "b"], correct=0
        )
    assert "已经有居民答过题" in _messages(exc)


def test_an_option_of_another_question_does_not_count(world, cloud):
    q1, q2 = cloud.questions.all()
    with pytest.raises(ValidationError):
        services.quiz_submit(
            actor=world.users["resident"],
            activity=cloud,
            answers={q1.pk: q2.options.first().pk, q2.pk: q2.options.first().pk},
        )


def test_a_quiz_only_for_a_cloud_talk(world, activity):
    with pytest.raises(ValidationError) as exc:
        services.quiz_question_add(
            actor=None, activity=activity, text="题", options=["a", "b"], correct=0
        )
    assert "只有云宣讲" in _messages(exc)


# --- groups ------------------------------------------------------------------------------


def test_members_and_hours_per_year(world, group, activity):
    services.group_member_add(
        actor=world.users["staff"], group=group, resident=world.residents["lisi"]
    )
    with pytest.raises(ValidationError) as exc:
        services.group_member_add(actor=None, group=group, resident=world.residents["lisi"])
    assert "已经是成员了" in _messages(exc)
    with pytest.raises(ValidationError):
        services.group_member_add(actor=None, group=group, resident=world.residents["zhaoliu"])
    with pytest.raises(PermissionDenied):
        services.group_member_add(
            actor=world.users["grid"], group=group, resident=world.residents["wangwu"]
        )
    services.check_in(
        actor=None,
        activity=activity,
        resident=world.residents["lisi"],
        role="volunteer",
        now=DURING,
    )
    rows = selectors.member_hours(group, 2026)
    assert [(r["resident"].name, r["hours"], r["times"]) for r in rows] == [
        ("李四", Decimal("2.0"), 1)
    ]
    assert selectors.member_hours(group, 2025)[0]["hours"] == 0


def test_history_is_append_only(world, activity):
    event = ActivityEvent.objects.first()
    with pytest.raises(TypeError):
        event.delete()
    event.note = "改写"
    with pytest.raises(TypeError):
        event.save()
    services.check_in(actor=None, activity=activity, resident=world.residents["lisi"], now=DURING)
    with pytest.raises(TypeError):
        CheckIn.objects.get().delete()
