"""Intake, "me too", merging, withdrawing and the refusals: bad text, bad photos, other
people's items, forbidden moves. Every refusal is a Chinese message and writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from gongzhi.core.models import AuditEvent
from gongzhi.voices import selectors, services
from gongzhi.voices.enums import Channel, EventType, ItemKind, Level, Satisfaction, Solved, Status
from gongzhi.voices.models import Attachment, EventSession, Item, ItemReporter, Notification
from tests.images import JPEG, PNG, WEBP

from .conftest import at


def submit(world, **kwargs):
    args = {
        "actor": world.users["resident"],
        "kind": ItemKind.PROBLEM,
        "text": "楼下路灯不亮",
        "channel": Channel.ONLINE,
        "now": at(2026, 6, 9, 9),
    }
    args.update(kwargs)
    return services.item_submit(**args)


def errors_of(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


# --- text --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_empty_text_is_refused(world, categories, text):
    with pytest.raises(ValidationError) as exc:
        submit(world, text=text)
    assert errors_of(exc) == {"text": ["请填写诉求内容。"]}
    assert Item.objects.count() == 0


def test_oversized_text_is_refused(world, categories):
    with pytest.raises(ValidationError) as exc:
        submit(world, text="灯" * 2001)
    assert errors_of(exc) == {"text": ["内容不能超过2000字（现有2001字）。"]}
    assert Item.objects.count() == 0


def test_text_at_the_limit_is_accepted_and_stripped(world, categories):
    item = submit(world, text="  " + "灯" * 2000 + "\n")
    assert item.text == "灯" * 2000
    assert item.title == "灯" * 20 + "…"


def test_html_is_kept_as_plain_text(world, categories):
    text = '<script>alert("x")</script><b>路灯</b>不亮'
    item = submit(world, text=text)
    assert item.text == text  # stored as typed; templates and the API escape it


def test_short_text_is_its_own_title(world, categories):
    item = submit(world, text="路灯\n不亮")
    assert item.title == "路灯 不亮"


def test_unknown_kind_and_channel(world, categories):
    with pytest.raises(ValidationError) as exc:
        submit(world, kind="rumour", channel="pigeon")
    assert errors_of(exc) == {"kind": ["请选择诉求类型。"], "channel": ["请选择来源渠道。"]}


# --- photos ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")]
)
def test_real_images_are_kept(world, categories, body, content_type):
    item = submit(world, photos=[SimpleUploadedFile("a.bin", body)])
    (attachment,) = Attachment.objects.filter(item=item)
    assert attachment.content_type == content_type
    # Written anew (core.uploads.clean_image), so its size is its own.
    assert attachment.size == attachment.file.size > 0
    assert attachment.thumbnail.name.endswith("_thumb." + attachment.file.name.rsplit(".", 1)[1])


def test_a_fake_image_is_refused(world, categories):
    fake = SimpleUploadedFile("photo.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        submit(world, photos=[SimpleUploadedFile("ok.png", PNG), fake])
    assert errors_of(exc) == {"photos": ["第2张不是有效的图片（仅支持JPEG、PNG、WebP）。"]}
    assert Item.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_a_photo_over_5_mb_is_refused(world, categories):
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        submit(world, photos=[big])
    assert errors_of(exc) == {"photos": ["第1张照片超过5MB。"]}


def test_more_than_five_photos_are_refused(world, categories):
    with pytest.raises(ValidationError) as exc:
        submit(world, photos=[SimpleUploadedFile(f"{i}.png", PNG) for i in range(6)])
    assert errors_of(exc) == {"photos": ["最多上传5张照片。"]}


# --- places, numbers, urgency ------------------------------------------------------


def test_a_place_outside_the_named_community_is_refused(world, categories):
    with pytest.raises(ValidationError) as exc:
        services.item_submit(
            actor=None,
            kind=ItemKind.PROBLEM,
            text="路灯不亮",
            channel=Channel.OPEN311,
            community=world.ot,
            building=world.b1,
        )
    assert errors_of(exc) == {"community": ["所选位置不在该社区。"]}


def test_a_place_is_required(world, categories):
    with pytest.raises(ValidationError) as exc:
        services.item_submit(
            actor=None, kind=ItemKind.PROBLEM, text="路灯不亮", channel=Channel.OPEN311
        )
    assert errors_of(exc) == {"community": ["请选择诉求所在的社区。"]}


def test_an_item_without_a_grid_starts_at_the_community(world, categories):
    item = services.item_submit(
        actor=None,
        kind=ItemKind.SUGGESTION,
        text="建议社区多办几场城市更新论坛",
        channel=Channel.OPEN311,
        community=world.wj,
    )
    assert (item.grid, item.level) == (None, Level.COMMUNITY)


def test_numbers_count_per_prefix_and_year(world, categories):
    first = submit(world, now=at(2026, 12, 31, 9))
    second = submit(world, now=at(2026, 12, 31, 10))
    third = submit(world, now=at(2027, 1, 4, 9))
    other = services.item_submit(
        actor=None,
        kind=ItemKind.PROBLEM,
        text="路灯不亮",
        channel=Channel.PHONE,
        reporter_resident=world.residents["zhaoliu"],
        now=at(2026, 12, 31, 9),
    )
    assert [first.number, second.number, third.number] == [
        "WJ2026-000001",
        "WJ2026-000002",
        "WJ2027-000001",
    ]
    assert other.number == "QT2026-000001"  # 其他社区


def test_an_urgent_danger_gets_hours(world, categories):
    item = submit(world, text="楼道里闻到很大的煤气味", now=at(2026, 6, 9, 9))
    assert item.urgent is True
    assert item.suggested_category == categories["gas"]
    # The gas category answers within 2 working hours.
    assert item.due_at == at(2026, 6, 9, 11)


# --- me too, merge, withdraw --------------------------------------------------------


def test_me_too(world, categories, commit):
    item = submit(world)
    lisi = world.residents["lisi"]
    with commit():
        services.item_join(actor=world.users["grid"], item=item, resident=lisi)
    reporter = item.reporters.get(resident=lisi)
    assert (reporter.is_original, reporter.entered_by) == (False, world.users["grid"])
    with pytest.raises(ValidationError) as exc:
        services.item_join(actor=world.users["grid"], item=item, resident=lisi)
    assert exc.value.messages == ["您已反映或附议过该诉求。"]
    # 赵六 lives in the other community: that item does not exist for him.
    with pytest.raises(Http404):
        services.item_join(actor=None, item=item, resident=world.residents["zhaoliu"])
    assert [e.type for e in item.events.all()] == [
        EventType.SUBMITTED,
        EventType.CATEGORISED,
        EventType.JOINED,
    ]


def test_merge_copies_reporters_and_all_hear_the_outcome(world, categories, commit):
    original = submit(world)
    duplicate = services.item_submit(
        actor=world.users["building"],
        kind=ItemKind.PROBLEM,
        text="1栋门口路灯坏了",
        channel=Channel.VISIT,
        on_behalf_of=world.residents["lisi"],
        now=at(2026, 6, 9, 9, 30),
    )
    services.item_merge(actor=world.users["grid"], item=duplicate, into=original)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, original)
    assert set(original.reporters.values_list("resident__name", flat=True)) == {"张三", "李四"}
    services.item_accept(actor=world.users["grid"], item=original, category=categories["lights"])
    services.item_resolve(actor=world.users["grid"], item=original, note="已更换灯泡")
    with commit():
        services.item_return_visit(
            actor=world.users["grid"],
            item=original,
            solved=Solved.SOLVED,
            satisfaction=Satisfaction.BASICALLY,
        )
    closing = f"您反映的事项{original.number}已办结（已解决）。感谢您的参与！"
    assert Notification.objects.filter(resident=world.residents["lisi"], text=closing).exists()
    assert Notification.objects.filter(resident=world.residents["zhangsan"], text=closing).exists()
    with pytest.raises(ValidationError) as exc:
        services.item_merge(actor=world.users["grid"], item=duplicate, into=original)
    assert exc.value.messages == [f"诉求{duplicate.number}当前为“已合并”，不能变为“已合并”。"]


def test_merge_across_communities_is_refused(world, categories):
    here = submit(world)
    there = services.item_submit(
        actor=None,
        kind=ItemKind.PROBLEM,
        text="路灯不亮",
        channel=Channel.PHONE,
        reporter_resident=world.residents["zhaoliu"],
    )
    with pytest.raises(ValidationError) as exc:
        services.item_merge(actor=world.users["admin"], item=there, into=here)
    assert exc.value.messages == ["只能合并同一社区的诉求。"]


def test_withdraw_before_acceptance_only(world, categories):
    item = submit(world)
    services.item_withdraw(actor=world.users["resident"], item=item, reason="已自行解决")
    item.refresh_from_db()
    assert item.status == Status.WITHDRAWN
    later = submit(world)
    services.item_accept(actor=world.users["grid"], item=later, category=categories["lights"])
    with pytest.raises(ValidationError) as exc:
        services.item_withdraw(actor=world.users["resident"], item=later)
    assert exc.value.messages == ["诉求已受理，不能撤回；如已解决，请在回访时告诉我们。"]


# --- forbidden moves and other people's items ---------------------------------------


def test_forbidden_transitions_say_why_in_chinese(world, categories):
    item = submit(world)
    with pytest.raises(ValidationError) as exc:
        services.item_resolve(actor=world.users["grid"], item=item, note="已修复")
    assert exc.value.messages == ["诉求WJ2026-000001当前为“待受理”，不能直接办结。"]
    with pytest.raises(ValidationError) as exc:
        services.item_return_visit(
            actor=world.users["grid"],
            item=item,
            solved=Solved.SOLVED,
            satisfaction=Satisfaction.SATISFIED,
        )
    assert exc.value.messages == ["诉求WJ2026-000001当前为“待受理”，不能回访。"]
    services.item_accept(actor=world.users["grid"], item=item, category=categories["lights"])
    with pytest.raises(ValidationError) as exc:
        services.item_accept(actor=world.users["grid"], item=item, category=categories["lights"])
    assert exc.value.messages == ["诉求WJ2026-000001当前为“已受理”，不能受理。"]
    with pytest.raises(ValidationError) as exc:
        services.item_dispatch(actor=world.users["staff"], item=item, unit=world.partner)
    assert exc.value.messages == ["网格办理的诉求请先上报社区，再派单。"]


def test_escalation_stops_at_the_subdistrict(world, categories):
    item = submit(world)
    for _ in range(2):
        item = services.item_escalate(actor=world.users["admin"], item=item, reason="需上级协调")
    with pytest.raises(ValidationError) as exc:
        services.item_escalate(actor=world.users["admin"], item=item, reason="再上报")
    assert exc.value.messages == ["该诉求已由街道办理，不能再上报。"]


def test_another_grids_item_is_not_found(world, categories):
    item = services.item_submit(
        actor=None,
        kind=ItemKind.PROBLEM,
        text="路灯不亮",
        channel=Channel.PHONE,
        reporter_resident=world.residents["wangwu"],
    )
    with pytest.raises(Http404):
        services.item_accept(actor=world.users["grid"], item=item, category=categories["lights"])
    with pytest.raises(Http404):
        selectors.get_item_visible_or_404(world.users["grid"], pk=item.pk)


def test_a_partner_acting_on_an_item_not_dispatched_to_it(world, categories):
    from gongzhi.orgs.models import PartnerUnit

    item = submit(world)
    services.item_accept(
        actor=world.users["staff"], item=item, category=categories["lights"], level=Level.COMMUNITY
    )
    other_unit = PartnerUnit.objects.create(
        name="攀枝花市城市管理局", short_name="市城管局", kind="government"
    )
    other_unit.communities.add(world.wj)
    dispatch = services.item_dispatch(actor=world.users["staff"], item=item, unit=other_unit)
    partner = world.users["partner"]  # 市住建局
    with pytest.raises(Http404):
        services.dispatch_accept(actor=partner, dispatch=dispatch)
    with pytest.raises(Http404):
        services.dispatch_reply(actor=partner, dispatch=dispatch, reply="已处理")
    with pytest.raises(Http404):
        selectors.get_dispatch_for_partner_or_404(partner, dispatch.pk)
    with pytest.raises(Http404):
        services.item_comment(actor=partner, item=item, note="看看")
    assert list(selectors.item_list_visible_to(partner)) == []


def test_the_partner_sees_no_phone_unless_shared(world, categories):
    item = submit(world, share_phone_with_partner=False)
    services.item_accept(
        actor=world.users["staff"], item=item, category=categories["lights"], level=Level.COMMUNITY
    )
    services.item_dispatch(actor=world.users["staff"], item=item, unit=world.partner)
    (seen,) = selectors.item_reporters_for(world.users["partner"], item)
    assert (seen.name, seen.phone) == ("张*", "")
    reporter = item.reporters.get()
    with pytest.raises(PermissionDenied):
        services.reporter_phone_reveal(
            actor=world.users["partner"], reporter=reporter, reason="emergency"
        )
    (staff_view,) = selectors.item_reporters_for(world.users["staff"], item)
    assert (staff_view.name, staff_view.phone) == ("张三", "138****5678")
    with pytest.raises(ValidationError) as exc:
        services.reporter_phone_reveal(actor=world.users["staff"], reporter=reporter, reason="")
    assert list(exc.value.message_dict) == ["reason"]
    assert not AuditEvent.objects.filter(action="voices.reporter.revealed").exists()
    assert (
        services.reporter_phone_reveal(
            actor=world.users["staff"], reporter=reporter, reason="emergency"
        )
        == "13812345678"
    )
    event = AuditEvent.objects.get(action="voices.reporter.revealed")
    assert (event.changes["reason"], event.changes["reason_note"]) == ("emergency", "")


def test_partner_returns_and_the_community_sends_again(world, categories):
    item = submit(world)
    services.item_accept(
        actor=world.users["staff"], item=item, category=categories["lights"], level=Level.COMMUNITY
    )
    first = services.item_dispatch(actor=world.users["staff"], item=item, unit=world.partner)
    with pytest.raises(ValidationError) as exc:
        services.dispatch_return(actor=world.users["partner"], dispatch=first, reason=" ")
    assert exc.value.message_dict == {"reason": ["请填写退回原因。"]}
    services.dispatch_return(
        actor=world.users["partner"], dispatch=first, reason="不属于本单位职责"
    )
    item.refresh_from_db()
    assert (item.status, item.level) == (Status.ACCEPTED, Level.COMMUNITY)
    second = services.item_dispatch(actor=world.users["staff"], item=item, unit=world.partner)
    services.dispatch_accept(actor=world.users["partner"], dispatch=second)
    services.dispatch_reply(actor=world.users["partner"], dispatch=second, reply="已处理")
    services.dispatch_verify(
        actor=world.users["staff"], dispatch=second, accepted=False, note="现场灯仍不亮"
    )
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED  # the community decides again
    with pytest.raises(ValidationError):
        services.dispatch_verify(actor=world.users["staff"], dispatch=second, accepted=True)


def test_not_solved_reopens_with_the_comment(world, categories):
    item = submit(world)
    services.item_accept(actor=world.users["grid"], item=item, category=categories["lights"])
    services.item_resolve(actor=world.users["grid"], item=item, note="已更换灯泡")
    services.item_return_visit(
        actor=world.users["resident"],
        item=item,
        solved=Solved.NOT_SOLVED,
        satisfaction=Satisfaction.DISSATISFIED,
        comment="第二天又不亮了",
        by_resident=True,
    )
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED
    reopened = item.events.filter(type=EventType.REOPENED).get()
    assert (reopened.note, reopened.public) == ("第二天又不亮了", True)


# --- bulk entry from an event -------------------------------------------------------


def test_event_entry_is_all_or_nothing(world, categories):
    session = EventSession.objects.create(
        community=world.wj,
        title="城市更新论坛",
        format="renewal_forum",
        held_on=at(2026, 6, 1).date(),
    )
    rows = [
        {"text": "希望加装电梯", "reporter_name": "王阿姨"},
        {"text": ""},
        {"text": "路灯太暗", "household": world.households["ot-1-1-101"]},
    ]
    with pytest.raises(ValidationError) as exc:
        services.items_submit_from_event(
            actor=world.users["staff"], event_session=session, rows=rows
        )
    assert exc.value.message_dict == {
        "rows": ["第2行：请填写诉求内容。", "第3行：所选位置不在该社区。"]
    }
    assert Item.objects.count() == 0
    items = services.items_submit_from_event(
        actor=world.users["staff"], event_session=session, rows=[rows[0], {"text": "多办活动"}]
    )
    assert [(i.channel, i.event_session, i.kind) for i in items] == [
        (Channel.EVENT, session, ItemKind.SUGGESTION)
    ] * 2
    reporter = ItemReporter.objects.get(item=items[0])
    assert (reporter.name, reporter.entered_by) == ("王阿姨", world.users["staff"])
