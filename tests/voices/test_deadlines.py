"""Deadlines in working time through the services, overdue derived from them, and the
follow-up job: reminder, supervision notice, escalation — each once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from gongzhi.voices import deadlines, selectors, services
from gongzhi.voices.enums import Channel, EventType, ItemKind, Level, Stage, Status, Supervision
from gongzhi.voices.models import Item, Notification

from .conftest import at


def submit(world, text="楼下路灯不亮", now=None):
    return services.item_submit(
        actor=world.users["resident"],
        kind=ItemKind.PROBLEM,
        text=text,
        channel=Channel.ONLINE,
        now=now,
    )


# --- National Day 2026: 1–7 October off, Saturday 10 October a make-up working day --------


def test_respond_deadline_jumps_the_holiday(world, categories):
    item = submit(world, now=at(2026, 9, 30, 16))
    assert item.due_at == at(2026, 10, 8, 17, 30)  # one working day: Thursday after the holiday


def test_handle_deadline_counts_the_make_up_saturday(world, categories):
    item = submit(world, now=at(2026, 9, 30, 16))
    item = services.item_accept(
        actor=world.users["grid"], item=item, category=categories["lights"], now=at(2026, 10, 9, 9)
    )
    assert item.responded_on_time is False  # due 8 October 17:30
    # Three working days from Friday 9 October: Sat 10 (make-up), Mon 12, Tue 13.
    assert item.due_at == at(2026, 10, 13, 17, 30)


def test_working_hours_resume_after_the_holiday(world, categories):
    item = submit(world, text="楼道里闻到很大的煤气味", now=at(2026, 9, 30, 16))
    assert item.urgent is True
    # Two working hours: 16:00–17:30 on 30 September, then 08:30–09:00 on 8 October.
    assert item.due_at == at(2026, 10, 8, 9, 0)


def test_an_urgent_item_without_an_hourly_category_gets_four_hours(world, categories):
    categories["gas"].delete()
    item = submit(world, text="楼道里闻到很大的煤气味", now=at(2026, 10, 9, 16))
    assert item.urgent is True
    # 16:00–17:30 Friday (1.5 h), then 2.5 h on make-up Saturday 10 October from 08:30.
    assert item.due_at == at(2026, 10, 10, 11, 0)


# --- overdue is derived ---------------------------------------------------------------


def test_overdue_is_derived_from_the_deadline(world, categories):
    item = submit(world, now=at(2026, 6, 9, 9))  # due 10 June 17:30
    assert deadlines.is_overdue(item, at(2026, 6, 10, 17, 29)) is False
    assert deadlines.is_overdue(item, at(2026, 6, 10, 17, 31)) is True
    late = at(2026, 6, 11, 9)
    assert list(deadlines.overdue(Item.objects.all(), late)) == [item]
    assert [i.is_overdue for i in selectors.inbox(world.users["grid"], now=late)] == [True]
    assert [i.is_overdue for i in selectors.inbox(world.users["grid"], now=at(2026, 6, 9, 10))] == [
        False
    ]
    services.item_withdraw(actor=world.users["resident"], item=item)
    assert list(deadlines.overdue(Item.objects.all(), late)) == []


def test_supervision_due_steps(world, categories):
    item = submit(world, now=at(2026, 6, 9, 9))  # due Wed 10 June 17:30; threshold 7 h
    assert deadlines.supervision_due(item, at(2026, 6, 10, 17)) == Supervision.NONE
    assert deadlines.supervision_due(item, at(2026, 6, 11, 9)) == Supervision.REMINDED
    assert deadlines.supervision_due(item, at(2026, 6, 12, 9)) == Supervision.SUPERVISED
    assert deadlines.supervision_due(item, at(2026, 6, 15, 9)) == Supervision.ESCALATED


# --- the job -------------------------------------------------------------------------


def tick(now) -> str:
    out = StringIO()
    call_command("voices_tick", f"--now={now.isoformat()}", stdout=out)
    return out.getvalue().strip()


def follow_ups(item):
    return [
        e.type
        for e in item.events.filter(
            type__in=[EventType.REMINDED, EventType.SUPERVISED, EventType.ESCALATED]
        )
    ]


def test_the_job_reminds_supervises_and_escalates_once_each(world, categories):
    item = submit(world, now=at(2026, 6, 9, 9))
    grid_chief = world.users["grid"]

    # Half an hour before the deadline: the warning, once.
    assert tick(at(2026, 6, 10, 17)) == "warned 1, reminded 0, supervised 0, escalated 0"

    assert tick(at(2026, 6, 11, 9)) == "warned 0, reminded 1, supervised 0, escalated 0"
    assert tick(at(2026, 6, 11, 10)) == "warned 0, reminded 0, supervised 0, escalated 0"
    item.refresh_from_db()
    assert item.supervision == Supervision.REMINDED
    assert Notification.objects.filter(user=grid_chief, text__startswith="提醒").count() == 1

    assert tick(at(2026, 6, 12, 9)) == "warned 0, reminded 0, supervised 1, escalated 0"
    assert tick(at(2026, 6, 12, 9)) == "warned 0, reminded 0, supervised 0, escalated 0"
    assert Notification.objects.filter(user=grid_chief, text__startswith="督办").count() == 1

    assert tick(at(2026, 6, 15, 9)) == "warned 0, reminded 0, supervised 0, escalated 1"
    item.refresh_from_db()
    assert (item.level, item.status, item.stage) == (
        Level.COMMUNITY,
        Status.SUBMITTED,
        Stage.RESPOND,
    )
    assert item.supervision == Supervision.NONE  # a new clock at the new level
    assert item.due_at == at(2026, 6, 16, 17, 30)
    escalated = item.events.get(type=EventType.ESCALATED)
    assert (escalated.actor, escalated.note, escalated.actor_label) == (
        None,
        "超时自动上报",
        "系统",
    )
    assert follow_ups(item) == [EventType.REMINDED, EventType.SUPERVISED, EventType.ESCALATED]
    assert tick(at(2026, 6, 15, 9)) == "warned 0, reminded 0, supervised 0, escalated 0"
    # Community staff heard of the escalation.
    assert Notification.objects.filter(user=world.users["staff"], text__contains="上报").exists()


def test_a_late_job_catches_up_in_order(world, categories):
    item = submit(world, now=at(2026, 6, 9, 9))
    for _ in range(2):
        item = services.item_escalate(
            actor=world.users["admin"], item=item, reason="复杂", now=at(2026, 6, 9, 10)
        )
    assert item.level == Level.SUBDISTRICT
    # Nothing ran for weeks; the subdistrict item cannot go higher: a notice instead.
    assert tick(at(2026, 7, 15, 9)) == "warned 0, reminded 0, supervised 0, escalated 1"
    item.refresh_from_db()
    assert item.supervision == Supervision.ESCALATED
    assert follow_ups(item) == [
        EventType.ESCALATED,
        EventType.ESCALATED,
        EventType.REMINDED,
        EventType.SUPERVISED,
        EventType.SUPERVISED,
    ]
    assert tick(at(2026, 7, 20, 9)) == "warned 0, reminded 0, supervised 0, escalated 0"


def test_a_slow_partner_is_chased_not_escalated(world, categories):
    item = submit(world, now=at(2026, 6, 9, 9))
    services.item_accept(
        actor=world.users["staff"],
        item=item,
        category=categories["building"],
        level=Level.COMMUNITY,
        now=at(2026, 6, 9, 10),
    )
    services.item_dispatch(
        actor=world.users["staff"], item=item, unit=world.partner, now=at(2026, 6, 9, 11)
    )
    tick(at(2026, 6, 11, 9))  # accept limit (1 day) passed on 10 June 17:30
    assert Notification.objects.filter(
        user=world.users["partner"], text__startswith="提醒"
    ).exists()
    tick(at(2026, 6, 22, 9))
    item.refresh_from_db()
    assert (item.level, item.status, item.supervision) == (
        Level.COMMUNITY,
        Status.DISPATCHED,
        Supervision.ESCALATED,
    )
    assert Notification.objects.filter(
        user=world.users["subdistrict"], text__startswith="提请督办"
    ).exists()


def test_new_stage_resets_supervision(world, categories):
    item = submit(world, now=at(2026, 6, 9, 9))
    tick(at(2026, 6, 12, 9))
    item.refresh_from_db()
    assert item.supervision == Supervision.SUPERVISED
    item = services.item_accept(
        actor=world.users["grid"], item=item, category=categories["lights"], now=at(2026, 6, 12, 10)
    )
    assert (item.supervision, item.responded_on_time) == (Supervision.NONE, False)


@pytest.mark.parametrize(
    ("stage", "hours"),
    [(Stage.RESPOND, 7.0), (Stage.HANDLE, 7.0), (Stage.PARTNER_HANDLE, 7.0)],
)
def test_threshold_is_capped_at_a_working_day(world, categories, stage, hours):
    item = Item(category=categories["building"], stage=stage, urgent=False)
    assert deadlines.supervision_threshold(item) == hours
    gas = Item(category=categories["gas"], stage=Stage.RESPOND, urgent=True)
    assert deadlines.supervision_threshold(gas) == 2.0
