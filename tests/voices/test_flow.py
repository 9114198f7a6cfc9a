"""The whole loop, step by step, as the people of the test world: 张三 raises a problem,
the grid chief accepts and escalates it, the community dispatches it to 市住建局, the
partner accepts and replies, the community verifies, 张三 rates it. After each step: the
timeline, who was told, and the measures."""

from __future__ import annotations

import datetime as dt

from gongzhi.core.models import AuditEvent
from gongzhi.voices import measures, selectors, services
from gongzhi.voices.enums import (
    Channel,
    DispatchStatus,
    EventType,
    ItemKind,
    Level,
    Satisfaction,
    Solved,
    Stage,
    Status,
)
from gongzhi.voices.models import Notification

from .conftest import at

JUNE = dt.date(2026, 6, 1)


def resident_texts(world):
    return list(
        Notification.objects.filter(resident=world.residents["zhangsan"])
        .order_by("created_at", "pk")
        .values_list("text", flat=True)
    )


def timeline(user, item):
    return [e.type for e in selectors.item_timeline(user, item)]


def row(user, group_by, key):
    rows = {r.key: r for r in measures.monthly(user, month=JUNE, group_by=group_by)}
    return rows[key]


def test_the_whole_loop(world, categories, sms, commit):
    u = world.users

    # 1. 张三 raises it online, Tuesday 9 June 2026 09:00.
    with commit():
        item = services.item_submit(
            actor=u["resident"],
            kind=ItemKind.PROBLEM,
            text="1栋门口的路灯不亮了，晚上很黑，老人出门不安全。",
            channel=Channel.ONLINE,
            share_phone_with_partner=True,
            now=at(2026, 6, 9, 9),
        )
    assert item.number == "WJ2026-000001"
    assert item.status == Status.SUBMITTED
    assert (item.community, item.grid, item.building, item.household) == (
        world.wj,
        world.g1,
        world.b1,
        world.households["1-1-101"],
    )
    assert item.suggested_category == categories["lights"]
    assert item.level == Level.GRID
    assert item.due_at == at(2026, 6, 10, 17, 30)  # one working day, close of business
    assert timeline(u["resident"], item) == [EventType.SUBMITTED]
    assert resident_texts(world) == [
        "您反映的事项已收到，编号WJ2026-000001，我们将在06-10 17:30前受理。"
    ]
    assert [m.to for m in sms] == ["13812345678"]
    assert sms[0].text.startswith("【共治】您反映的事项已收到")
    # The grid chief of grid 1 was told too; no phone, so in-app only.
    assert Notification.objects.filter(user=u["grid"], item=item).count() == 1
    staff_row = row(u["staff"], "community", world.wj.pk)
    assert staff_row.received == 1
    assert staff_row.response == measures.Ratio(0, 0)

    # 2. The grid chief accepts it the same morning and confirms the category.
    with commit():
        item = services.item_accept(
            actor=u["grid"], item=item, category=categories["lights"], now=at(2026, 6, 9, 10)
        )
    assert item.status == Status.ACCEPTED
    assert item.lead_user == u["grid"]
    assert item.category_confirmed is True
    assert item.responded_on_time is True
    assert item.stage == Stage.HANDLE
    assert item.due_at == at(2026, 6, 12, 17, 30)  # three working days
    assert row(u["staff"], "community", world.wj.pk).response == measures.Ratio(1, 1)
    assert row(u["grid"], "grid", world.g1.pk).response == measures.Ratio(1, 1)

    # 3. The lamp post belongs to the building; the grid chief escalates to the community.
    with commit():
        item = services.item_escalate(
            actor=u["grid"],
            item=item,
            reason="灯杆线路老化，需住建部门更换",
            now=at(2026, 6, 10, 9),
        )
    assert item.level == Level.COMMUNITY
    assert item.lead_user == u["grid"]  # 首接负责
    assert item.due_at == at(2026, 6, 15, 17, 30)
    assert "已上报至社区办理" in resident_texts(world)[-1]
    assert Notification.objects.filter(user=u["staff"], item=item).count() == 1

    # 4. The community blows the whistle: dispatch to 市住建局.
    with commit():
        dispatch = services.item_dispatch(
            actor=u["staff"],
            item=item,
            unit=world.partner,
            instructions="请更换灯杆线路",
            now=at(2026, 6, 10, 10),
        )
    item.refresh_from_db()
    assert item.status == Status.DISPATCHED
    assert item.stage == Stage.PARTNER_ACCEPT
    assert dispatch.accept_due_at == at(2026, 6, 11, 17, 30)
    assert Notification.objects.filter(user=u["partner"], item=item).count() == 1
    assert "已交由市住建局办理" in resident_texts(world)[-1]
    # The partner now sees the item, and 张三 only masked.
    assert list(selectors.item_list_visible_to(u["partner"])) == [item]
    (reporter,) = selectors.item_reporters_for(u["partner"], item)
    assert reporter.name == "张*"
    assert reporter.phone == "138****5678"

    # 5. The partner reports for duty and replies with a photo.
    with commit():
        services.dispatch_accept(actor=u["partner"], dispatch=dispatch, now=at(2026, 6, 11, 9))
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ACCEPTED
    # Ten working days; the Dragon Boat Festival (Friday 19 June) is off.
    assert dispatch.reply_due_at == at(2026, 6, 26, 17, 30)
    with commit():
        services.dispatch_reply(
            actor=u["partner"],
            dispatch=dispatch,
            reply="已更换灯杆线路，路灯恢复照明",
            evidence=[png_upload()],
            now=at(2026, 6, 15, 15),
        )
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.REPLIED
    assert dispatch.evidence.count() == 1
    assert "社区正在核实" in resident_texts(world)[-1]
    assert Notification.objects.filter(user=u["staff"], item=item).count() == 2

    # 6. The community verifies the reply: the item awaits its return visit.
    with commit():
        services.dispatch_verify(
            actor=u["staff"],
            dispatch=dispatch,
            accepted=True,
            note="现场查看灯已亮",
            now=at(2026, 6, 16, 9),
        )
    item.refresh_from_db()
    assert item.status == Status.RESOLVED
    assert item.resolved_on_time is True
    assert item.stage == Stage.VERIFY
    assert row(u["staff"], "community", world.wj.pk).on_time == measures.Ratio(1, 1)
    assert row(u["staff"], "community", world.wj.pk).satisfaction == measures.Ratio(0, 0)

    # 7. 张三 rates it himself.
    with commit():
        services.item_return_visit(
            actor=u["resident"],
            item=item,
            solved=Solved.SOLVED,
            satisfaction=Satisfaction.SATISFIED,
            comment="灯亮了，谢谢",
            by_resident=True,
            now=at(2026, 6, 16, 20),
        )
    item.refresh_from_db()
    assert item.status == Status.CLOSED
    assert timeline(u["resident"], item) == [
        EventType.SUBMITTED,
        EventType.ACCEPTED,
        EventType.ESCALATED,
        EventType.DISPATCHED,
        EventType.PARTNER_ACCEPTED,
        EventType.PARTNER_REPLIED,
        EventType.VERIFIED,
        EventType.RESOLVED,
        EventType.RETURN_VISIT,
        EventType.CLOSED,
    ]
    # Staff also see the internal categorisation notes.
    assert timeline(u["staff"], item).count(EventType.CATEGORISED) == 2
    assert len(resident_texts(world)) == 8
    assert resident_texts(world)[-1] == "您反映的事项WJ2026-000001已办结（已解决）。感谢您的参与！"
    assert len([m for m in sms if m.to == "13812345678"]) == 8
    community = row(u["staff"], "community", world.wj.pk)
    assert (community.received, community.response, community.on_time) == (
        1,
        measures.Ratio(1, 1),
        measures.Ratio(1, 1),
    )
    assert community.resolution == measures.Ratio(1, 1)
    assert community.satisfaction == measures.Ratio(1, 1)
    unit = row(u["partner"], "unit", world.partner.pk)
    assert unit.received == 1
    assert unit.response == measures.Ratio(1, 1)
    assert unit.on_time == measures.Ratio(1, 1)
    assert unit.satisfaction == measures.Ratio(1, 1)
    actions = set(
        AuditEvent.objects.filter(object_id__in=[str(item.pk), str(dispatch.pk)]).values_list(
            "action", flat=True
        )
    )
    assert {
        "voices.item.submitted",
        "voices.item.accepted",
        "voices.item.escalated",
        "voices.dispatch.sent",
        "voices.dispatch.accepted",
        "voices.dispatch.replied",
        "voices.dispatch.verified",
        "voices.item.closed",
    } <= actions
    # Phones never reach the audit log in full.
    assert not AuditEvent.objects.filter(changes__icontains="13812345678").exists()


def png_upload(name="evidence.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.images import PNG

    return SimpleUploadedFile(name, PNG, content_type="image/png")
