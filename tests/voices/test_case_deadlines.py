"""Each level gets its own deadline, and a warning comes before it.

National Day 2026: 1–7 October off, Saturday 10 October a make-up working day; office
hours 08:30–12:00 and 14:00–17:30 (7 hours a day)."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.voices import deadlines, selectors, services
from gongzhi.voices.enums import (
    Channel,
    EventType,
    ItemKind,
    Level,
    Satisfaction,
    Solved,
    Stage,
    Status,
    Supervision,
)
from gongzhi.voices.models import Notification

from .conftest import at


def submit(world, text="楼下路灯不亮", now=None):
    return services.item_submit(
        actor=world.users["resident"],
        kind=ItemKind.PROBLEM,
        text=text,
        channel=Channel.ONLINE,
        now=now,
    )


def tick(now) -> str:
    out = StringIO()
    call_command("voices_tick", f"--now={now.isoformat()}", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


# --- escalation: the new level's clock, for the stage the item is in ------------------


def test_escalating_an_accepted_item_restarts_handling_at_the_new_level(world, categories):
    item = submit(world, now=at(2026, 9, 29, 10))
    item = services.item_accept(
        actor=world.users["grid"],
        item=item,
        category=categories["lights"],
        now=at(2026, 9, 29, 11),
    )
    # Three working days from Tuesday 29 September: 30 Sep, 8 Oct, 9 Oct.
    assert item.due_at == at(2026, 10, 9, 17, 30)
    tick(at(2026, 10, 9, 9))  # due soon: the warning is recorded on the item
    item.refresh_from_db()
    assert item.warned is True

    item = services.item_escalate(
        actor=world.users["grid"], item=item, reason="需要社区协调", now=at(2026, 10, 9, 10)
    )
    # The community's own three working days from Friday 9 October: Sat 10 (make-up),
    # Mon 12, Tue 13 — not what was left of the grid's.
    assert (item.level, item.stage, item.stage_started_at, item.due_at) == (
        Level.COMMUNITY,
        Stage.HANDLE,
        at(2026, 10, 9, 10),
        at(2026, 10, 13, 17, 30),
    )
    assert (item.warned, item.supervision) == (False, Supervision.NONE)

    item = services.item_escalate(
        actor=world.users["staff"], item=item, reason="需要街道协调", now=at(2026, 10, 12, 9)
    )
    assert (item.level, item.due_at) == (Level.SUBDISTRICT, at(2026, 10, 15, 17, 30))


def test_escalating_a_submitted_item_restarts_the_respond_clock_in_hours(world, categories):
    item = submit(world, text="楼道里闻到很大的煤气味", now=at(2026, 9, 30, 9))
    assert (item.urgent, item.level, item.due_at) == (True, Level.COMMUNITY, at(2026, 9, 30, 11))
    item = services.item_escalate(
        actor=world.users["staff"], item=item, reason="需要街道协调", now=at(2026, 9, 30, 16, 30)
    )
    # Two working hours at the subdistrict: 16:30–17:30, then 08:30–09:30 after the holiday.
    assert (item.level, item.stage, item.due_at) == (
        Level.SUBDISTRICT,
        Stage.RESPOND,
        at(2026, 10, 8, 9, 30),
    )


def test_not_solved_at_the_return_visit_gives_a_new_handling_deadline(world, categories):
    item = submit(world, now=at(2026, 9, 28, 9))
    item = services.item_accept(
        actor=world.users["grid"], item=item, category=categories["lights"], now=at(2026, 9, 28, 10)
    )
    item = services.item_escalate(
        actor=world.users["grid"], item=item, reason="需要社区", now=at(2026, 9, 28, 11)
    )
    item = services.item_resolve(
        actor=world.users["staff"], item=item, note="已更换灯泡", now=at(2026, 9, 29, 9)
    )
    assert item.stage == Stage.VERIFY
    services.item_return_visit(
        actor=world.users["staff"],
        item=item,
        solved=Solved.NOT_SOLVED,
        satisfaction=Satisfaction.DISSATISFIED,
        comment="还是不亮",
        now=at(2026, 9, 30, 15),
    )
    item.refresh_from_db()
    # Back to the community (the level that resolved it), three working days from
    # Wednesday 30 September: 8, 9 and Saturday 10 October (make-up).
    assert (item.status, item.level, item.stage, item.stage_started_at, item.due_at) == (
        Status.ACCEPTED,
        Level.COMMUNITY,
        Stage.HANDLE,
        at(2026, 9, 30, 15),
        at(2026, 10, 10, 17, 30),
    )
    assert item.events.filter(type=EventType.REOPENED).count() == 1


def test_an_urgent_reopened_item_gets_its_hours_again(world, categories):
    item = submit(world, text="楼道里闻到很大的煤气味", now=at(2026, 9, 30, 8, 30))
    item = services.item_accept(
        actor=world.users["staff"], item=item, category=categories["gas"], now=at(2026, 9, 30, 9)
    )
    # 8 working hours: 6.5 on 30 September, then 08:30–10:00 after the holiday.
    assert item.due_at == at(2026, 10, 8, 10)
    item = services.item_resolve(
        actor=world.users["staff"], item=item, note="已关阀", now=at(2026, 9, 30, 10)
    )
    services.item_return_visit(
        actor=world.users["staff"],
        item=item,
        solved=Solved.NOT_SOLVED,
        satisfaction=Satisfaction.DISSATISFIED,
        now=at(2026, 9, 30, 15),
    )
    item.refresh_from_db()
    # 15:00–17:30 (2.5 h), then 8 October 08:30–12:00 (3.5 h) and 14:00–16:00 (2 h).
    assert item.due_at == at(2026, 10, 8, 16)


# --- due soon, and the warning before the deadline --------------------------------------


def test_due_soon_is_derived_from_the_deadline(world, categories):
    item = submit(world, now=at(2026, 6, 9, 9))  # due Wednesday 10 June 17:30
    # One working day (7 h) before: from Tuesday 17:30, which is Wednesday 08:30.
    assert deadlines.is_due_soon(item, at(2026, 6, 9, 17)) is False
    assert deadlines.is_due_soon(item, at(2026, 6, 10, 8, 30)) is True
    assert deadlines.is_due_soon(item, at(2026, 6, 10, 17, 31)) is False  # overdue instead
    rows = selectors.inbox(world.users["grid"], now=at(2026, 6, 10, 9))
    assert [(i.is_due_soon, i.is_overdue) for i in rows] == [(True, False)]


def test_the_warning_window_is_a_setting(world, categories, settings):
    settings.GONGZHI_DUE_SOON_HOURS = "2"
    item = submit(world, now=at(2026, 6, 9, 9))
    assert deadlines.is_due_soon(item, at(2026, 6, 10, 15, 29)) is False
    assert deadlines.is_due_soon(item, at(2026, 6, 10, 15, 30)) is True


def test_the_warning_is_sent_once_to_the_handlers_of_the_level(world, categories):
    item = submit(world, now=at(2026, 6, 9, 9))
    grid_chief = world.users["grid"]
    assert tick(at(2026, 6, 9, 17)) == "warned 0, reminded 0, supervised 0, escalated 0"
    assert tick(at(2026, 6, 10, 9)) == "warned 1, reminded 0, supervised 0, escalated 0"
    assert tick(at(2026, 6, 10, 10)) == "warned 0, reminded 0, supervised 0, escalated 0"
    assert list(
        Notification.objects.filter(text__startswith="即将超时").values_list("user", "text")
    ) == [(grid_chief.pk, f"即将超时：诉求{item.number}的受理时限为06-10 17:30，请抓紧办理。")]
    warned = item.events.get(type=EventType.WARNED)
    assert (warned.public, warned.data) == (False, {"stage": Stage.RESPOND})
    assert (
        AuditEvent.objects.filter(action="voices.item.warned", object_id=str(item.pk)).count() == 1
    )
    # A new stage may warn again.
    item = services.item_accept(
        actor=grid_chief, item=item, category=categories["lights"], now=at(2026, 6, 10, 11)
    )
    assert item.warned is False
    assert tick(at(2026, 6, 15, 9)) == "warned 1, reminded 0, supervised 0, escalated 0"


def test_pages_and_the_api_say_due_soon(world, categories, login, monkeypatch):
    item = submit(world, now=at(2026, 6, 9, 9))
    monkeypatch.setattr(deadlines, "clock", lambda: at(2026, 6, 10, 9))
    client = login(world.users["grid"])
    inbox = client.get(reverse("voices:inbox")).content.decode()
    # The item's row says due soon, not overdue (the queue filter above names both).
    row = inbox.split(item.number, 1)[1].split("</tr>", 1)[0]
    assert '"due-soon-text">即将超时' in row and '"overdue-text"' not in row
    page = client.get(reverse("voices:detail", args=[item.pk])).content.decode()
    assert "即将超时（受理）" in page
    answer = json.loads(client.get(f"/api/v1/voices/items/{item.pk}").content)
    assert (answer["is_due_soon"], answer["is_overdue"], answer["supervised"]) == (
        True,
        False,
        False,
    )


def test_the_job_says_when_next_years_schedule_is_missing(world):
    def warning(now: str) -> str:
        err = StringIO()
        call_command("voices_tick", f"--now={now}", stdout=StringIO(), stderr=err)
        return err.getvalue().strip()

    assert warning("2026-12-03T09:00+08:00") == (
        "warning: no holiday schedule for 2027: its time limits count Monday to Friday until "
        "it is entered (节假日安排, /calendar/?year=2027)"
    )
    assert warning("2026-06-03T09:00+08:00") == ""
