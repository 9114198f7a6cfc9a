"""联合派单: one lead unit (主办) and supporting units (协办), each with its own accept and
reply; the item resolves when the lead's reply is verified; each unit sees its own part."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from gongzhi.core.models import AuditEvent
from gongzhi.orgs.models import PartnerUnit
from gongzhi.voices import selectors, services
from gongzhi.voices.enums import (
    Channel,
    DispatchRole,
    DispatchStatus,
    EventType,
    ItemKind,
    Level,
    Stage,
    Status,
)
from gongzhi.voices.models import Dispatch, ItemEvent, Notification
from tests.world import make_user


@pytest.fixture
def water(world):
    """A second partner unit of 望江街, with a login."""
    unit = PartnerUnit.objects.create(
        name="攀枝花市水务集团", short_name="水务集团", kind="enterprise"
    )
    unit.communities.add(world.wj)
    return unit, make_user("partner-water", partner=unit)


def accepted(world, categories):
    item = services.item_submit(
        actor=world.users["resident"],
        kind=ItemKind.PROBLEM,
        text="1栋外墙开裂，雨天渗水",
        channel=Channel.ONLINE,
    )
    return services.item_accept(
        actor=world.users["staff"],
        item=item,
        category=categories["building"],
        level=Level.COMMUNITY,
    )


def joint(world, categories, water):
    item = accepted(world, categories)
    lead = services.item_dispatch(
        actor=world.users["staff"],
        item=item,
        unit=world.partner,
        instructions="请检测外墙，水务集团排查管道",
        supporting_units=[water[0]],
    )
    support = Dispatch.objects.get(item=item, role=DispatchRole.SUPPORT)
    item.refresh_from_db()
    return item, lead, support


def test_a_joint_dispatch_gives_each_unit_its_own_part(world, categories, water):
    item, lead, support = joint(world, categories, water)
    assert (item.status, item.stage, item.responsible_unit) == (
        Status.DISPATCHED,
        Stage.PARTNER_ACCEPT,
        world.partner,
    )
    assert (lead.role, lead.unit, support.role, support.unit) == (
        DispatchRole.LEAD,
        world.partner,
        DispatchRole.SUPPORT,
        water[0],
    )
    assert support.accept_due_at == lead.accept_due_at == item.due_at
    assert selectors.live_dispatch(item) == lead
    # Each unit is told, in its role.
    assert Notification.objects.get(user=water[1]).text.startswith(f"社区派单{item.number}（协办）")
    assert Notification.objects.get(user=world.users["partner"]).text.startswith(
        f"社区派单{item.number}："
    )
    reporters = Notification.objects.filter(resident=world.residents["zhangsan"]).first()
    assert reporters.text == f"您反映的事项{item.number}已交由市住建局主办、水务集团协办。"


def test_each_unit_sees_only_its_own_dispatch(world, categories, water, login):
    item, lead, support = joint(world, categories, water)
    assert list(selectors.dispatch_list_for_unit(water[1])) == [support]
    assert list(selectors.dispatch_list_for_unit(world.users["partner"])) == [lead]
    with pytest.raises(Http404):
        selectors.get_dispatch_for_partner_or_404(water[1], lead.pk)
    services.dispatch_accept(actor=water[1], dispatch=support)
    services.dispatch_reply(actor=water[1], dispatch=support, reply="管道无渗漏")
    # The lead's unit does not read the supporting unit's reply, nor its dispatch.
    lead_rows = [r.text for r in selectors.item_timeline_rows(world.users["partner"], item)]
    assert not any("管道无渗漏" in t for t in lead_rows)
    assert not any("水务集团" in t for t in lead_rows)
    support_rows = [r.text for r in selectors.item_timeline_rows(water[1], item)]
    assert any("管道无渗漏" in t for t in support_rows)
    assert not any("市住建局" in t for t in support_rows)
    client = login(water[1])
    assert client.get(f"/voices/partner/{lead.pk}/").status_code == 404
    page = client.get(f"/voices/partner/{support.pk}/").content.decode()
    assert "协办" in page and "管道无渗漏" in page
    answer = client.get(f"/api/v1/voices/items/{item.pk}").json()
    assert [(d["id"], d["role"]) for d in answer["dispatches"]] == [(support.pk, "support")]


def test_the_item_resolves_when_the_leads_reply_is_verified(world, categories, water):
    item, lead, support = joint(world, categories, water)
    services.dispatch_accept(actor=water[1], dispatch=support)
    item.refresh_from_db()
    assert item.stage == Stage.PARTNER_ACCEPT  # the item's clock follows the lead
    support.refresh_from_db()
    assert support.reply_due_at is not None
    services.dispatch_reply(actor=water[1], dispatch=support, reply="管道无渗漏")
    item.refresh_from_db()
    assert (item.status, item.stage) == (Status.DISPATCHED, Stage.PARTNER_ACCEPT)
    assert Notification.objects.filter(
        user=world.users["staff"], text=f"派单{item.number}的协办单位水务集团已答复：管道无渗漏"
    ).exists()
    with pytest.raises(ValidationError) as exc:
        services.dispatch_verify(actor=world.users["staff"], dispatch=support, accepted=True)
    assert exc.value.messages == ["协办单位的答复不单独核实，请核实主办单位的答复。"]

    services.dispatch_accept(actor=world.users["partner"], dispatch=lead)
    services.dispatch_reply(actor=world.users["partner"], dispatch=lead, reply="外墙已修补")
    item.refresh_from_db()
    assert item.stage == Stage.VERIFY
    services.dispatch_verify(actor=world.users["staff"], dispatch=lead, accepted=True)
    item.refresh_from_db()
    support.refresh_from_db()
    assert item.status == Status.RESOLVED
    assert (support.status, support.reply) == (DispatchStatus.CLOSED, "管道无渗漏")
    assert item.events.filter(type=EventType.DISPATCH_CLOSED).count() == 1
    assert list(
        AuditEvent.objects.filter(action__startswith="voices.dispatch.")
        .order_by("pk")
        .values_list("action", "object_id")
    ) == [
        ("voices.dispatch.sent", str(lead.pk)),
        ("voices.dispatch.sent", str(support.pk)),
        ("voices.dispatch.accepted", str(support.pk)),
        ("voices.dispatch.replied", str(support.pk)),
        ("voices.dispatch.accepted", str(lead.pk)),
        ("voices.dispatch.replied", str(lead.pk)),
        ("voices.dispatch.closed", str(support.pk)),
        ("voices.dispatch.verified", str(lead.pk)),
    ]


def test_the_lead_returning_ends_the_supporting_parts(world, categories, water):
    item, lead, support = joint(world, categories, water)
    services.dispatch_return(actor=world.users["partner"], dispatch=lead, reason="不属本单位")
    item.refresh_from_db()
    support.refresh_from_db()
    assert (item.status, item.stage, support.status) == (
        Status.ACCEPTED,
        Stage.HANDLE,
        DispatchStatus.CLOSED,
    )
    assert Notification.objects.filter(
        user=water[1], text=f"派单{item.number}（协办）已结束：主办单位已退回派单。"
    ).exists()
    # The community sends it again, to the same units.
    services.item_dispatch(
        actor=world.users["staff"], item=item, unit=water[0], supporting_units=[world.partner]
    )
    assert Dispatch.objects.filter(item=item, status=DispatchStatus.SENT).count() == 2


def test_a_supporting_unit_returning_its_part_leaves_the_item_with_the_lead(
    world, categories, water
):
    item, lead, support = joint(world, categories, water)
    services.dispatch_return(actor=water[1], dispatch=support, reason="无管道问题")
    item.refresh_from_db()
    lead.refresh_from_db()
    assert (item.status, lead.status) == (Status.DISPATCHED, DispatchStatus.SENT)


def test_bad_units_are_refused_and_nothing_is_written(world, categories, water):
    item = accepted(world, categories)
    stranger = PartnerUnit.objects.create(
        name="外区燃气公司", short_name="外区燃气", kind="enterprise"
    )
    before = (Dispatch.objects.count(), ItemEvent.objects.count(), Notification.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.item_dispatch(
            actor=world.users["staff"],
            item=item,
            unit=world.partner,
            supporting_units=[world.partner, stranger],
        )
    assert exc.value.message_dict == {
        "supporting_units": [
            "市住建局已是主办单位，不能同时协办。",
            "外区燃气不是本社区的共建单位。",
        ]
    }
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED
    assert (
        Dispatch.objects.count(),
        ItemEvent.objects.count(),
        Notification.objects.count(),
    ) == before


def test_the_database_holds_one_live_lead_and_one_live_part_per_unit(world, categories, water):
    item, lead, support = joint(world, categories, water)
    base = {"item": item, "sent_by": world.users["staff"], "sent_at": lead.sent_at}
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(
            unit=water[0], role=DispatchRole.LEAD, accept_due_at=lead.sent_at, **base
        )
    third = PartnerUnit.objects.create(name="第三单位", kind="enterprise")
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(
            unit=water[0], role=DispatchRole.SUPPORT, accept_due_at=lead.sent_at, **base
        )
    # Several supporting units are fine.
    Dispatch.objects.create(
        unit=third, role=DispatchRole.SUPPORT, accept_due_at=lead.sent_at, **base
    )


def test_a_single_unit_dispatch_is_the_lead_alone(world, categories):
    item = accepted(world, categories)
    dispatch = services.item_dispatch(actor=world.users["staff"], item=item, unit=world.partner)
    assert (dispatch.role, Dispatch.objects.filter(item=item).count()) == (DispatchRole.LEAD, 1)
    assert item.events.get(type=EventType.DISPATCHED).data.get("role_label") is None
