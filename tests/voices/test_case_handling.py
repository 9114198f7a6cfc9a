"""督办 by the level above, and extensions (延期申请): who, what is refused in Chinese with
nothing written, the deadline moved on the working calendar, the history kept.

Mid-Autumn 2026: Friday 25 September off; National Day: 1–7 October off, Saturday 10
October a make-up working day. Steps without a date run at the present moment."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core.models import AuditEvent
from gongzhi.voices import selectors, services
from gongzhi.voices.enums import (
    Channel,
    EventType,
    ExtensionOutcome,
    ItemKind,
    Level,
    Stage,
    Supervision,
)
from gongzhi.voices.models import ExtensionDecision, ExtensionRequest, ItemEvent, Notification

from .conftest import at


def accepted(world, categories, *, now=None, level=None, by="grid"):
    item = services.item_submit(
        actor=world.users["resident"],
        kind=ItemKind.PROBLEM,
        text="楼下路灯不亮",
        channel=Channel.ONLINE,
        now=now,
    )
    return services.item_accept(
        actor=world.users[by], item=item, category=categories["lights"], level=level, now=now
    )


def written(item) -> tuple:
    """What a refused step must leave as it was."""
    item.refresh_from_db()
    return (
        item.due_at,
        item.supervised_at,
        ExtensionRequest.objects.count(),
        ExtensionDecision.objects.count(),
        ItemEvent.objects.filter(item=item).count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    )


# --- 督办 --------------------------------------------------------------------------------


def test_community_staff_supervise_a_grid_item(world, categories):
    item = accepted(world, categories, now=at(2026, 6, 8, 9))
    Notification.objects.all().delete()
    item = services.item_supervise(
        actor=world.users["staff"],
        item=item,
        message="居民多次来电，请今天处理",
        now=at(2026, 6, 9, 9),
    )
    assert item.supervised_at == at(2026, 6, 9, 9)
    event = item.events.get(type=EventType.SUPERVISED)
    assert (event.actor, event.note, event.public, event.data["manual"]) == (
        world.users["staff"],
        "居民多次来电，请今天处理",
        False,
        True,
    )
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"wj-grid1"}  # the handlers of the grid level
    text = Notification.objects.get().text
    assert text == (
        f"督办：wj-staff督办诉求{item.number}（办理时限06-11 17:30）：居民多次来电，请今天处理"
    )
    assert AuditEvent.objects.get(action="voices.item.supervised").changes["manual"] is True
    # The marker shows on the inbox and stays until the item is resolved.
    assert [i.is_supervised for i in selectors.inbox(world.users["grid"])] == [True]
    item = services.item_resolve(actor=world.users["grid"], item=item, note="已修好")
    assert (item.supervised_at, item.is_supervised) == (None, False)


def test_the_subdistrict_supervises_a_community_item_and_its_units(world, categories):
    item = accepted(world, categories, level=Level.COMMUNITY, by="staff")
    services.item_dispatch(actor=world.users["staff"], item=item, unit=world.partner)
    Notification.objects.all().delete()
    services.item_supervise(actor=world.users["subdistrict"], item=item, message="请加快")
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"wj-secretary", "wj-staff", "partner-zjj"}


@pytest.mark.parametrize(
    ("role", "answer"),
    [("grid", PermissionDenied), ("grid_worker", Http404), ("other_staff", Http404)],
)
def test_no_one_supervises_their_own_level_or_what_they_cannot_see(world, categories, role, answer):
    item = accepted(world, categories)
    before = written(item)
    with pytest.raises(answer):
        services.item_supervise(actor=world.users[role], item=item, message="快点")
    assert written(item) == before


def test_a_supervision_needs_a_message(world, categories):
    item = accepted(world, categories)
    before = written(item)
    with pytest.raises(ValidationError) as exc:
        services.item_supervise(actor=world.users["staff"], item=item, message="  ")
    assert exc.value.message_dict == {"message": ["请填写督办意见。"]}
    assert written(item) == before


# --- extensions -------------------------------------------------------------------------


def test_an_approved_extension_moves_the_deadline_across_the_holiday(world, categories):
    # Accepted Thursday 24 September: three working days, 28, 29 and 30 September (25 is
    # the Mid-Autumn Festival).
    item = accepted(world, categories, now=at(2026, 9, 24, 9))
    assert item.due_at == at(2026, 9, 30, 17, 30)
    request = services.extension_request(
        actor=world.users["grid"], item=item, days=2, reason="灯具要等厂家", now=at(2026, 9, 28, 9)
    )
    item.refresh_from_db()
    assert item.due_at == at(2026, 9, 30, 17, 30)  # nothing moves before the decision
    assert Notification.objects.filter(
        user=world.users["staff"], text__startswith="延期申请待审批"
    ).exists()
    decision = services.extension_decide(
        actor=world.users["staff"], item=item, approve=True, note="同意", now=at(2026, 9, 28, 10)
    )
    item.refresh_from_db()
    # Two working days after 30 September 17:30: 8 and 9 October, after the holiday.
    assert (decision.outcome, decision.due_after, item.due_at) == (
        ExtensionOutcome.APPROVED,
        at(2026, 10, 9, 17, 30),
        at(2026, 10, 9, 17, 30),
    )
    assert (request.due_before, item.supervision, item.warned) == (
        at(2026, 9, 30, 17, 30),
        Supervision.NONE,
        False,
    )
    assert [e.type for e in item.events.filter(type__startswith="extension")] == [
        EventType.EXTENSION_REQUESTED,
        EventType.EXTENSION_APPROVED,
    ]
    assert Notification.objects.filter(
        user=world.users["grid"], text=f"诉求{item.number}的延期申请已同意：时限延至10-09 17:30。"
    ).exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="voices.extension").values_list(
            "action", flat=True
        )
    ) == ["voices.extension.approved", "voices.extension.requested"]


def test_an_extension_counts_the_make_up_saturday(world, categories):
    # Accepted Friday 9 October: 10 (make-up Saturday), 12 and 13 October.
    item = accepted(world, categories, now=at(2026, 10, 9, 9))
    assert item.due_at == at(2026, 10, 13, 17, 30)
    # An hourly deadline keeps its hour: the same moment two working days on.
    item.due_at = at(2026, 10, 9, 15)
    item.save(update_fields=["due_at"])
    now = at(2026, 10, 9, 10)
    services.extension_request(
        actor=world.users["grid"], item=item, days=2, reason="等配件", now=now
    )
    services.extension_decide(actor=world.users["secretary"], item=item, approve=True, now=now)
    item.refresh_from_db()
    # Two working days from Friday 15:00: make-up Saturday 15:00, then Monday 15:00.
    assert item.due_at == at(2026, 10, 12, 15)


def test_an_extension_longer_than_allowed_is_refused_and_nothing_is_written(world, categories):
    item = accepted(world, categories)
    before = written(item)
    with pytest.raises(ValidationError) as exc:
        services.extension_request(actor=world.users["grid"], item=item, days=11, reason="很复杂")
    assert exc.value.message_dict == {"days": ["每次最多延长10个工作日（申请了11个）。"]}
    with pytest.raises(ValidationError) as exc:
        services.extension_request(actor=world.users["grid"], item=item, days=0, reason="")
    assert exc.value.message_dict == {
        "days": ["请填写要延长的工作日数（1到10之间的整数）。"],
        "reason": ["请填写延期理由。"],
    }
    assert written(item) == before


def test_two_requests_per_stage_one_at_a_time(world, categories):
    item = accepted(world, categories)
    grid, staff = world.users["grid"], world.users["staff"]
    services.extension_request(actor=grid, item=item, days=1, reason="一")
    with pytest.raises(ValidationError) as exc:
        services.extension_request(actor=grid, item=item, days=1, reason="二")
    assert exc.value.messages == ["本环节已有一份延期申请在等待审批，请等审批后再申请。"]
    services.extension_decide(actor=staff, item=item, approve=False, note="先办")
    services.extension_request(actor=grid, item=item, days=1, reason="二")
    services.extension_decide(actor=staff, item=item, approve=True)
    before = written(item)
    with pytest.raises(ValidationError) as exc:
        services.extension_request(actor=grid, item=item, days=1, reason="三")
    assert exc.value.messages == ["本环节已申请过2次延期，不能再申请；请尽快办结，或上报上一级。"]
    assert written(item) == before
    # A new stage run (escalated: the community's own clock) may ask again.
    item = services.item_escalate(actor=grid, item=item, reason="需要社区")
    services.extension_request(actor=staff, item=item, days=1, reason="社区也要时间")
    assert ExtensionRequest.objects.filter(item=item).count() == 3


def test_a_refusal_needs_a_reason_and_keeps_the_deadline(world, categories):
    item = accepted(world, categories)
    services.extension_request(actor=world.users["grid"], item=item, days=3, reason="等配件")
    before = written(item)
    with pytest.raises(ValidationError) as exc:
        services.extension_decide(actor=world.users["staff"], item=item, approve=False)
    assert exc.value.message_dict == {"note": ["请填写不同意延期的原因。"]}
    assert written(item) == before
    decision = services.extension_decide(
        actor=world.users["staff"], item=item, approve=False, note="三天足够"
    )
    item.refresh_from_db()
    assert (decision.outcome, decision.due_after, item.due_at) == (
        ExtensionOutcome.REFUSED,
        None,
        before[0],
    )


def test_who_decides(world, categories):
    # Asked by the secretary on a grid item: the secretary may not approve it, the other
    # community staff may.
    item = accepted(world, categories)
    services.extension_request(actor=world.users["secretary"], item=item, days=1, reason="等")
    with pytest.raises(PermissionDenied) as exc:
        services.extension_decide(actor=world.users["secretary"], item=item, approve=True)
    assert str(exc.value) == "不能审批自己提出的延期申请。"
    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=world.users["grid"], item=item, approve=True)
    with pytest.raises(Http404):
        services.extension_decide(actor=world.users["other_staff"], item=item, approve=True)
    services.extension_decide(actor=world.users["staff"], item=item, approve=True)


def test_at_the_subdistrict_another_handler_there_decides(world, categories):
    item = accepted(world, categories, level=Level.SUBDISTRICT, by="admin")
    services.extension_request(actor=world.users["subdistrict"], item=item, days=2, reason="协调")
    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=world.users["subdistrict"], item=item, approve=True)
    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=world.users["staff"], item=item, approve=True)
    services.extension_decide(actor=world.users["admin"], item=item, approve=True)


def test_no_extension_once_the_deadline_has_passed(world, categories):
    item = accepted(world, categories, now=at(2026, 6, 8, 9))  # due 11 June 17:30
    with pytest.raises(ValidationError) as exc:
        services.extension_request(
            actor=world.users["grid"], item=item, days=1, reason="晚了", now=at(2026, 6, 12, 9)
        )
    assert exc.value.messages == ["已超过办理时限，不能再申请延期；请尽快办结，或上报上一级。"]


def test_a_pending_request_lapses_with_its_stage(world, categories):
    item = accepted(world, categories, now=at(2026, 6, 8, 9))
    request = services.extension_request(
        actor=world.users["grid"], item=item, days=2, reason="等", now=at(2026, 6, 8, 10)
    )
    item = services.item_resolve(
        actor=world.users["grid"], item=item, note="修好了", now=at(2026, 6, 9, 9)
    )
    assert (request.decision.outcome, request.decision.decided_by, item.stage) == (
        ExtensionOutcome.LAPSED,
        None,
        Stage.VERIFY,
    )
    assert item.events.filter(type=EventType.EXTENSION_LAPSED).count() == 1


def test_requests_and_decisions_are_append_only(world, categories):
    item = accepted(world, categories)
    request = services.extension_request(actor=world.users["grid"], item=item, days=2, reason="等")
    decision = services.extension_decide(actor=world.users["staff"], item=item, approve=True)
    for row in (request, decision):
        with pytest.raises(TypeError):
            row.save()
        with pytest.raises(TypeError):
            row.delete()
