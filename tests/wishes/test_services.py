"""The whole life of a wish through the services, and what each step leaves behind."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.models import AuditEvent
from gongzhi.wishes import services
from gongzhi.wishes.enums import TRANSITIONS, ClaimStatus, EventKind, Status
from gongzhi.wishes.models import Wish, WishClaim, WishEvent, WishNotification

from .conftest import JPEG, PNG, WEBP


def _kinds(wish):
    return list(WishEvent.objects.filter(wish=wish).order_by("id").values_list("kind", flat=True))


def test_the_whole_lifecycle(world, sponsors):
    u = world.users
    zhangsan = world.residents["zhangsan"]
    wish = services.wish_submit(
        actor=u["resident"], resident=zhangsan, category="daily_goods", text="  想要一个放大镜。 "
    )
    assert (wish.status, wish.text, wish.channel) == (
        Status.SUBMITTED,
        "想要一个放大镜。",
        "online",
    )
    assert (wish.community_id, wish.grid_id, wish.building_id, wish.household_id) == (
        world.wj.pk,
        world.g1.pk,
        world.b1.pk,
        world.households["1-1-101"].pk,
    )
    assert wish.elderly is True

    wish = services.wish_publish(
        actor=u["grid"], wish=wish, public_text="想要一个放大镜，看报纸用。"
    )
    assert wish.status == Status.PUBLISHED and wish.published_at is not None
    assert wish.public_text == "想要一个放大镜，看报纸用。"

    claim = services.wish_claim(actor=u["partner"], wish=wish)
    assert (claim.sponsor_kind, claim.partner_unit, claim.status) == (
        "partner",
        world.partner,
        ClaimStatus.ACTIVE,
    )
    # Any user of the unit may carry the claim on.
    claim = services.wish_fulfil(
        actor=u["partner2"],
        wish=wish,
        proof_text="3月5日送去了放大镜。",
        photo=SimpleUploadedFile("x.exe", PNG, content_type="application/octet-stream"),
    )
    assert claim.status == ClaimStatus.FULFILLED
    assert claim.proof_photo.name.endswith(".png") and "x.exe" not in claim.proof_photo.name

    wish = services.wish_confirm(actor=u["resident"], wish=wish)
    assert (wish.status, wish.confirmed_on_behalf, wish.confirmed_by) == (
        Status.CONFIRMED,
        False,
        u["resident"],
    )
    wish = services.wish_thank(actor=u["resident"], wish=wish, text="谢谢住建局！", public=True)
    assert wish.thanks_public is True

    assert _kinds(wish) == [
        "submitted",
        "published",
        "claimed",
        "fulfilled",
        "confirmed",
        "thanked",
    ]
    actions = list(
        AuditEvent.objects.filter(object_type="wishes.wish", object_id=str(wish.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "wishes.wish.submitted",
        "wishes.wish.published",
        "wishes.wish.claimed",
        "wishes.wish.fulfilled",
        "wishes.wish.confirmed",
        "wishes.wish.thanked",
    ]
    # The resident hears of what others did, not of their own steps.
    notified = list(
        WishNotification.objects.filter(resident=zhangsan)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert notified == ["published", "claimed", "fulfilled"]


def test_a_leader_enters_and_confirms_for_a_resident(world, sponsors):
    u = world.users
    wish = services.wish_submit(
        actor=u["building"],
        resident=world.residents["zhangsan"],
        category="companionship",
        text="想有人陪着去医院复查。",
        channel="phone",
    )
    assert (wish.channel, wish.entered_by) == ("phone", u["building"])
    event = WishEvent.objects.get(wish=wish, kind=EventKind.SUBMITTED)
    assert "wj-building1" in event.note and "电话" in event.note
    assert WishNotification.objects.filter(wish=wish, kind="submitted").count() == 1
    services.wish_publish(actor=u["staff"], wish=wish)
    services.wish_claim(actor=u["team"], wish=wish)
    services.wish_fulfil(actor=u["team"], wish=wish, proof_text="陪同去了医院。")
    wish = services.wish_confirm(actor=u["building"], wish=wish)
    assert (wish.status, wish.confirmed_on_behalf, wish.confirmed_by) == (
        Status.CONFIRMED,
        True,
        u["building"],
    )
    assert "代为确认" in WishEvent.objects.get(wish=wish, kind="confirmed").note


def test_reject_needs_a_reason_and_ends_the_wish(world, make_wish):
    wish = make_wish()
    with pytest.raises(ValidationError) as exc:
        services.wish_reject(actor=world.users["grid"], wish=wish, reason="  ")
    assert exc.value.message_dict == {"reason": ["请写明未通过的原因，居民会看到。"]}
    wish = services.wish_reject(actor=world.users["grid"], wish=wish, reason="已由子女解决")
    assert (wish.status, wish.reject_reason) == (Status.REJECTED, "已由子女解决")
    with pytest.raises(ValidationError) as exc:
        services.wish_publish(actor=world.users["grid"], wish=wish)
    assert "未通过" in exc.value.messages[0]


def test_release_puts_the_wish_back_and_another_sponsor_may_claim(world, sponsors, make_wish):
    wish = make_wish("claimed", sponsor="party")
    wish = services.wish_release(actor=world.users["party"], wish=wish, reason="临时出差")
    assert wish.status == Status.PUBLISHED
    first = WishClaim.objects.get(wish=wish)
    assert (first.status, first.release_reason) == (ClaimStatus.RELEASED, "临时出差")
    second = services.wish_claim(actor=world.users["partner"], wish=wish)
    assert second.status == ClaimStatus.ACTIVE
    assert WishClaim.objects.filter(wish=wish).count() == 2
    assert _kinds(wish)[-3:] == ["claimed", "released", "claimed"]


def test_a_second_claim_is_refused_kindly(world, sponsors, make_wish):
    wish = make_wish("claimed", sponsor="partner")
    with pytest.raises(ValidationError) as exc:
        services.wish_claim(actor=world.users["party"], wish=wish)
    assert exc.value.messages == ["这个心愿已被认领，谢谢您的爱心！"]
    assert exc.value.code == "taken"
    assert WishClaim.objects.filter(wish=wish).count() == 1


def test_the_database_allows_one_live_claim_per_wish(world, sponsors, make_wish):
    from django.db import IntegrityError, transaction

    wish = make_wish("claimed", sponsor="partner")
    with pytest.raises(IntegrityError), transaction.atomic():
        WishClaim.objects.create(
            wish=wish, sponsor_kind="team", team=sponsors.team, user=world.users["team"]
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请说说您的心愿。"),
        ("   \n ", "请说说您的心愿。"),
        ("愿" * 501, "不能超过500个字，现在是501个字。"),
    ],
)
def test_bad_text_is_refused_in_chinese(world, text, message):
    with pytest.raises(ValidationError) as exc:
        services.wish_submit(
            actor=world.users["resident"],
            resident=world.residents["zhangsan"],
            category="other",
            text=text,
        )
    assert exc.value.message_dict == {"text": [message]}
    assert Wish.objects.count() == 0


def test_five_hundred_characters_are_fine(world):
    wish = services.wish_submit(
        actor=world.users["resident"],
        resident=world.residents["zhangsan"],
        category="other",
        text="愿" * 500,
    )
    assert len(wish.text) == 500


@pytest.mark.parametrize("category", ["", "food", None, "生活用品"])
def test_unknown_category_is_refused(world, category):
    with pytest.raises(ValidationError) as exc:
        services.wish_submit(
            actor=world.users["resident"],
            resident=world.residents["zhangsan"],
            category=category,
            text="想要一把椅子",
        )
    assert exc.value.message_dict == {"category": ["请选择心愿的类别。"]}


def test_on_behalf_channel_must_be_offline(world):
    with pytest.raises(ValidationError) as exc:
        services.wish_submit(
            actor=world.users["grid"],
            resident=world.residents["zhangsan"],
            category="other",
            text="想要一把椅子",
            channel="online",
        )
    assert exc.value.message_dict == {"channel": ["请选择收集方式。"]}


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 64, "photo.jpg", "只能上传 JPEG、PNG 或 WebP 格式的照片。"),
        (b"GIF89a" + b"\x00" * 64, "photo.gif", "只能上传 JPEG、PNG 或 WebP 格式的照片。"),
        (b"<svg onload=alert(1)>", "photo.png", "只能上传 JPEG、PNG 或 WebP 格式的照片。"),
        (b"", "empty.png", "只能上传 JPEG、PNG 或 WebP 格式的照片。"),
        (PNG + b"\x00" * (5 * 1024 * 1024), "big.png", "照片不能超过5MB，请换一张小一些的照片。"),
    ],
)
def test_fake_or_big_photos_are_refused_and_nothing_changes(
    world, sponsors, make_wish, data, name, message
):
    wish = make_wish("claimed")
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        services.wish_fulfil(
            actor=world.users["partner"], wish=wish, proof_text="完成", photo=upload
        )
    assert exc.value.message_dict == {"photo": [message]}
    wish.refresh_from_db()
    assert wish.status == Status.CLAIMED


@pytest.mark.parametrize(("data", "ext"), [(JPEG, "jpg"), (PNG, "png"), (WEBP, "webp")])
def test_real_photo_kinds_are_kept(world, sponsors, make_wish, data, ext):
    wish = make_wish("claimed")
    claim = services.wish_fulfil(
        actor=world.users["partner"],
        wish=wish,
        proof_text="完成",
        photo=SimpleUploadedFile("a", data),
    )
    assert claim.proof_photo.name.endswith("." + ext)


def test_a_proof_photo_loses_its_gps_position(world, sponsors, make_wish):
    import io

    from PIL import Image

    from tests.images import gps_exif, image_bytes

    wish = make_wish("claimed")
    photo = image_bytes("JPEG", size=(2400, 1800), exif=gps_exif())
    claim = services.wish_fulfil(
        actor=world.users["partner"],
        wish=wish,
        proof_text="完成",
        photo=SimpleUploadedFile("a.jpg", photo),
    )
    stored = Image.open(io.BytesIO(claim.proof_photo.read()))
    assert (stored.size, dict(stored.getexif())) == ((1600, 1200), {})


@pytest.mark.parametrize(
    "public_text",
    [
        "张三想要一个放大镜",
        "请打13812345678联系",
        "住在101，想要一个放大镜",
        "电话 138 1234 5678",
        "请打１３８１２３４５６７８联系",
        "送到3-2-501",
        "送到二单元502室",
    ],
)
def test_the_wall_text_may_not_lead_to_the_door(world, make_wish, public_text):
    wish = make_wish()
    with pytest.raises(ValidationError) as exc:
        services.wish_publish(actor=world.users["grid"], wish=wish, public_text=public_text)
    assert exc.value.message_dict == {
        "public_text": ["公开的内容里不能有姓名、电话或门牌号，请删去后再提交。"]
    }
    wish.refresh_from_db()
    assert wish.status == Status.SUBMITTED


def test_a_public_story_may_not_name_anyone_but_a_private_one_may(world, sponsors, make_wish):
    wish = make_wish("confirmed")
    with pytest.raises(ValidationError):
        services.wish_thank(
            actor=world.users["resident"], wish=wish, text="我张三谢谢大家", public=True
        )
    wish = services.wish_thank(
        actor=world.users["resident"], wish=wish, text="我张三谢谢大家", public=False
    )
    assert wish.thanks_public is False
    with pytest.raises(ValidationError) as exc:
        services.wish_thank(actor=world.users["resident"], wish=wish, text="再谢一次", public=False)
    assert exc.value.message_dict == {"thanks": ["已经写过感谢的话了。"]}


def test_thanks_wait_for_confirmation(world, sponsors, make_wish):
    wish = make_wish("fulfilled")
    with pytest.raises(ValidationError) as exc:
        services.wish_thank(actor=world.users["resident"], wish=wish, text="谢谢", public=True)
    assert exc.value.message_dict == {"thanks": ["心愿实现以后才能写感谢的话。"]}


@pytest.mark.parametrize("status", ["submitted", "rejected", "claimed", "fulfilled", "confirmed"])
def test_a_wish_not_on_the_wall_cannot_be_claimed(world, sponsors, make_wish, status):
    wish = make_wish(status, sponsor="team")
    with pytest.raises(ValidationError):
        services.wish_claim(actor=world.users["partner"], wish=wish)


def test_confirming_before_fulfilment_is_refused(world, sponsors, make_wish):
    wish = make_wish("claimed")
    with pytest.raises(ValidationError) as exc:
        services.wish_confirm(actor=world.users["resident"], wish=wish)
    assert exc.value.message_dict == {"status": ["这个心愿现在是“已认领”，不能这样操作。"]}


def test_the_transitions_map_is_closed():
    statuses = set(Status.values)
    assert set(TRANSITIONS) == statuses
    assert all(targets <= statuses for targets in TRANSITIONS.values())
    assert TRANSITIONS[Status.CONFIRMED] == TRANSITIONS[Status.REJECTED] == frozenset()


def test_the_timeline_is_append_only(world, make_wish):
    wish = make_wish()
    event = WishEvent.objects.get(wish=wish)
    event.note = "改写"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        WishEvent.objects.filter(wish=wish).update(note="改写")
    with pytest.raises(TypeError):
        event.delete()


def test_notifications_are_marked_read(world, sponsors, make_wish):
    make_wish("claimed")
    assert WishNotification.objects.filter(read_at=None).count() == 2
    assert services.notifications_mark_read(actor=world.users["resident"]) == 2
    assert WishNotification.objects.filter(read_at=None).count() == 0
