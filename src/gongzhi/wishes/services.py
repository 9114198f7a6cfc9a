"""Every write to a wish. Each function is atomic, checks the actor against
``wishes.rules``, locks the wish (``select_for_update``) before checking its status against
``enums.TRANSITIONS``, appends a ``WishEvent``, writes the audit event and notifies the
resident. Missing and forbidden both raise ``Http404``; a visible wish the actor may not
change raises ``PermissionDenied``; input or a state that refuses raises ``ValidationError``
with a Chinese message.
"""

from __future__ import annotations

import re
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, redact
from gongzhi.core.text import bounded_text
from gongzhi.core.uploads import IMAGE_EXTENSIONS, ImageRejected, clean_image, sniff_image
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Resident

from . import rules
from .enums import (
    ON_BEHALF_CHANNELS,
    TRANSITIONS,
    Category,
    Channel,
    ClaimStatus,
    EventKind,
    Status,
)
from .models import TEXT_MAX, Wish, WishClaim, WishEvent, WishNotification

PHOTO_MAX_BYTES = 5 * 1024 * 1024
REASON_MAX = 200


def already_claimed_message() -> str:
    return _("这个心愿已被认领，谢谢您的爱心！")


# --- checks -----------------------------------------------------------------------------


def clean_text(text: str | None, *, field: str = "text", empty: str | None = None) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: empty or _("请说说您的心愿。")})
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {field: _("不能超过%(max)d个字，现在是%(n)d个字。") % {"max": TEXT_MAX, "n": len(text)}}
        )
    return text


def clean_category(category: str | None) -> str:
    if category not in Category.values:
        raise ValidationError({"category": _("请选择心愿的类别。")})
    return category


def photo_kind(head: bytes) -> str | None:
    """``jpg``, ``png`` or ``webp`` from a file's first bytes; ``None`` for anything else."""
    return IMAGE_EXTENSIONS.get(sniff_image(head) or "")


def check_photo(upload) -> tuple[bytes, str]:
    """Read an uploaded photo after checking its size (by the declared size first, so an
    oversized upload is never read into memory) and its signature."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("照片不能超过5MB，请换一张小一些的照片。")})
    data = upload.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("照片不能超过5MB，请换一张小一些的照片。")})
    kind = photo_kind(data[:16])
    if kind is None:
        raise ValidationError({"photo": _("只能上传 JPEG、PNG 或 WebP 格式的照片。")})
    # Written anew without its EXIF block: a photo taken at a resident's door carries the
    # door's GPS position.
    try:
        clean = clean_image(data, thumb_edge=None)
    except ImageRejected as exc:
        if exc.reason == "too_large":
            raise ValidationError(
                {"photo": _("照片像素太多（超过4000万），请换一张或缩小后再上传。")}
            ) from None
        raise ValidationError({"photo": _("照片已损坏或无法打开，请换一张。")}) from None
    return clean.content, clean.extension


_LONG_NUMBER = re.compile(r"\d[\d\s-]{5,}\d")


def check_public(text: str, wish: Wish, *, field: str) -> None:
    """Refuse text for the public wall that names the household's people or says their
    phone or door number. The wall must not lead anyone to a door."""
    names = Resident.objects.filter(household_id=wish.household_id).values_list("name", flat=True)
    door = wish.household.door_number
    leaks = (
        any(name and len(name) >= 2 and name in text for name in names)
        or bool(_LONG_NUMBER.search(text))
        # Phones and doors however written (full-width, Chinese digits, 3-2-501, 301室).
        or bool(redact.identifiers(text))
        or bool(door and re.search(rf"(?<![0-9A-Za-z]){re.escape(door)}(?![0-9A-Za-z])", text))
    )
    if leaks:
        raise ValidationError({field: _("公开的内容里不能有姓名、电话或门牌号，请删去后再提交。")})


# --- helpers ----------------------------------------------------------------------------


def _lock(wish: Wish) -> Wish:
    return Wish.objects.select_for_update(of=("self",)).select_related("household").get(pk=wish.pk)


def _move(wish: Wish, target: str) -> str:
    current = wish.status
    if target not in TRANSITIONS[current]:
        raise ValidationError(
            {
                "status": _("这个心愿现在是“%(now)s”，不能这样操作。")
                % {"now": Status(current).label}
            },
            code="invalid_transition",
        )
    wish.status = target
    return current


def _label(actor) -> str:
    return str(actor)[:120] if actor is not None else ""


def _record(wish: Wish, kind: str, *, actor, label: str = "", note: str = "", changes=None):
    WishEvent.objects.create(
        wish=wish,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=(label or _label(actor))[:120],
        note=note[:TEXT_MAX],
    )
    audit.record(actor=actor, action=f"wishes.wish.{kind}", obj=wish, changes=changes or {})
    # The resident hears of every step someone else took; not of their own.
    if getattr(actor, "resident_id", None) != wish.resident_id:
        WishNotification.objects.create(resident_id=wish.resident_id, wish=wish, kind=kind)


def _active_claim(wish: Wish) -> WishClaim:
    claim = (
        WishClaim.objects.select_for_update(of=("self",))
        .filter(wish=wish, status=ClaimStatus.ACTIVE)
        .select_related("partner_unit", "party_member", "team")
        .first()
    )
    if claim is None:
        raise ValidationError({"status": _("这个心愿现在没有人认领。")}, code="invalid_transition")
    return claim


def sponsor_label(claim: WishClaim) -> str:
    return claim.sponsor_public


# --- the lifecycle ----------------------------------------------------------------------


@transaction.atomic
def wish_submit(
    *, actor, resident: Resident, category: str, text: str, channel: str | None = None
) -> Wish:
    """Record a wish of ``resident``: by the resident online, or by a leader for them
    (``channel`` visit, phone or paper). The wish waits for verification."""
    if not rules.may_enter_for(actor, resident):
        raise Http404
    on_behalf = actor.resident_id != resident.pk
    if on_behalf:
        channel = channel or Channel.VISIT
        if channel not in ON_BEHALF_CHANNELS:
            raise ValidationError({"channel": _("请选择收集方式。")})
    else:
        channel = Channel.ONLINE
    errors: dict[str, list[str]] = {}
    try:
        category = clean_category(category)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        text = clean_text(text)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    resident = Resident.objects.select_related("household").get(pk=resident.pk)
    if resident.status != ResidentStatus.LIVING:
        raise ValidationError({"resident": _("这位居民已不在本社区居住。")})
    h = resident.household
    wish = Wish.objects.create(
        resident=resident,
        household=h,
        entrance_id=h.entrance_id,
        building_id=h.building_id,
        compound_id=h.compound_id,
        grid_id=h.grid_id,
        community_id=h.community_id,
        category=category,
        text=text,
        elderly=resident.is_elderly,
        channel=channel,
        entered_by=actor,
    )
    note = (
        _("由%(who)s代为录入（%(channel)s）") % {"who": actor, "channel": Channel(channel).label}
        if on_behalf
        else ""
    )
    _record(
        wish,
        EventKind.SUBMITTED,
        actor=actor,
        note=note,
        changes={"category": category, "channel": channel, "on_behalf": on_behalf},
    )
    return wish


@transaction.atomic
def wish_publish(*, actor, wish: Wish, public_text: str | None = None) -> Wish:
    """Verify a wish and put it on the public wall, with ``public_text`` (the resident's
    words unless the verifier edited them) free of names, phones and door numbers."""
    from gongzhi.core.scoping import require

    require(actor, "edit_registry", wish)
    locked = _lock(wish)
    text = clean_text(
        locked.text if public_text is None else public_text,
        field="public_text",
        empty=_("请填写公开在心愿墙上的内容。"),
    )
    check_public(text, locked, field="public_text")
    before = _move(locked, Status.PUBLISHED)
    locked.public_text = text
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "public_text", "published_at", "updated_at"])
    _record(
        locked,
        EventKind.PUBLISHED,
        actor=actor,
        changes={"status": [before, locked.status], "edited": text != locked.text},
    )
    return locked


@transaction.atomic
def wish_reject(*, actor, wish: Wish, reason: str) -> Wish:
    """Decline a wish at verification. The reason is shown to the resident."""
    from gongzhi.core.scoping import require

    require(actor, "edit_registry", wish)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明未通过的原因，居民会看到。")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("原因不能超过200个字。")})
    locked = _lock(wish)
    before = _move(locked, Status.REJECTED)
    locked.reject_reason = reason
    locked.save(update_fields=["status", "reject_reason", "updated_at"])
    _record(
        locked,
        EventKind.REJECTED,
        actor=actor,
        note=reason,
        changes={"status": [before, locked.status], "reason": reason},
    )
    return locked


@transaction.atomic
def wish_claim(*, actor, wish: Wish, sponsor: str = "") -> WishClaim:
    """Claim a published wish for one of the actor's sponsor identities (``sponsor`` is its
    key, e.g. ``team:3``; needed only when the actor has several). The wish row is locked
    before its status is read, so of many simultaneous claims exactly one wins; the others
    are told, kindly, that someone was faster."""
    choices = rules.sponsors_for(actor, wish)
    if not choices:
        raise Http404
    if sponsor:
        picked = [s for s in choices if s.key == sponsor]
        if not picked:
            raise ValidationError({"sponsor": _("请选择以哪个身份认领。")})
        chosen = picked[0]
    elif len(choices) == 1:
        chosen = choices[0]
    else:
        raise ValidationError({"sponsor": _("请选择以哪个身份认领。")})
    locked = _lock(wish)
    if locked.status in (Status.CLAIMED, Status.FULFILLED, Status.CONFIRMED):
        raise ValidationError(already_claimed_message(), code="taken")
    before = _move(locked, Status.CLAIMED)
    try:
        # The database's one-active-claim rule backs the lock up; a savepoint keeps the
        # outer transaction usable to report the refusal.
        with transaction.atomic():
            claim = WishClaim.objects.create(wish=locked, user=actor, **chosen.claim_fields())
    except IntegrityError:
        raise ValidationError(already_claimed_message(), code="taken") from None
    locked.save(update_fields=["status", "updated_at"])
    _record(
        locked,
        EventKind.CLAIMED,
        actor=actor,
        label=chosen.label,
        changes={"status": [before, locked.status], "sponsor": chosen.key},
    )
    return claim


@transaction.atomic
def wish_release(*, actor, wish: Wish, reason: str = "") -> Wish:
    """The sponsor gives the wish up (or staff free a stalled claim): the claim is kept as
    released and the wish goes back to the wall."""
    locked = _lock(wish)
    claim = WishClaim.objects.filter(wish=locked, status=ClaimStatus.ACTIVE).first()
    if claim is None or not rules.may_release(actor, claim):
        raise Http404
    reason = bounded_text(reason, field="reason", limit=REASON_MAX)
    claim = _active_claim(locked)
    before = _move(locked, Status.PUBLISHED)
    claim.status = ClaimStatus.RELEASED
    claim.released_at = timezone.now()
    claim.release_reason = reason
    claim.save(update_fields=["status", "released_at", "release_reason"])
    locked.save(update_fields=["status", "updated_at"])
    _record(
        locked,
        EventKind.RELEASED,
        actor=actor,
        label=sponsor_label(claim) if rules.holds_claim(actor, claim) else _label(actor),
        note=reason,
        changes={"status": [before, locked.status], "reason": reason},
    )
    return locked


@transaction.atomic
def wish_fulfil(*, actor, wish: Wish, proof_text: str, photo=None) -> WishClaim:
    """The sponsor says the wish is done, with a few words and optionally a photo (JPEG,
    PNG or WebP, at most 5 MB). The resident is asked to confirm."""
    claim = WishClaim.objects.filter(wish_id=wish.pk, status=ClaimStatus.ACTIVE).first()
    if claim is None or not rules.holds_claim(actor, claim):
        raise Http404
    errors: dict[str, list[str]] = {}
    try:
        proof_text = clean_text(
            proof_text, field="proof_text", empty=_("请简单说说心愿是怎样完成的。")
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    data = kind = None
    if photo is not None:
        try:
            data, kind = check_photo(photo)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    locked = _lock(wish)
    claim = _active_claim(locked)
    before = _move(locked, Status.FULFILLED)
    claim.status = ClaimStatus.FULFILLED
    claim.fulfilled_at = timezone.now()
    claim.proof_text = proof_text
    if data is not None:
        # A name of our own: the uploader's file name never reaches the disk.
        claim.proof_photo.save(f"{uuid.uuid4().hex}.{kind}", ContentFile(data), save=False)
    claim.save(update_fields=["status", "fulfilled_at", "proof_text", "proof_photo"])
    locked.save(update_fields=["status", "updated_at"])
    _record(
        locked,
        EventKind.FULFILLED,
        actor=actor,
        label=sponsor_label(claim),
        note=proof_text,
        changes={"status": [before, locked.status], "photo": data is not None},
    )
    return claim


@transaction.atomic
def wish_confirm(*, actor, wish: Wish, note: str = "") -> Wish:
    """The resident confirms the wish came true, or a leader does so for them after a visit
    (recorded as on their behalf)."""
    if not rules.may_confirm(actor, wish):
        if rules.may_view(actor, wish):
            raise PermissionDenied
        raise Http404
    note = bounded_text(note, field="note", limit=REASON_MAX)
    locked = _lock(wish)
    before = _move(locked, Status.CONFIRMED)
    on_behalf = actor.resident_id != locked.resident_id
    locked.confirmed_by = actor
    locked.confirmed_on_behalf = on_behalf
    locked.confirmed_at = timezone.now()
    locked.save(
        update_fields=[
            "status",
            "confirmed_by",
            "confirmed_on_behalf",
            "confirmed_at",
            "updated_at",
        ]
    )
    if on_behalf:
        note = (_("%(who)s上门后代为确认") % {"who": actor}) + (f"：{note}" if note else "")
    _record(
        locked,
        EventKind.CONFIRMED,
        actor=actor,
        note=note,
        changes={"status": [before, locked.status], "on_behalf": on_behalf},
    )
    return locked


@transaction.atomic
def wish_thank(*, actor, wish: Wish, text: str, public: bool) -> Wish:
    """Add the resident's thank-you story to a wish that came true. It appears on the wall
    only when the resident agrees (``public``)."""
    if not rules.may_confirm(actor, wish):
        if rules.may_view(actor, wish):
            raise PermissionDenied
        raise Http404
    locked = _lock(wish)
    if locked.status != Status.CONFIRMED:
        raise ValidationError({"thanks": _("心愿实现以后才能写感谢的话。")})
    if locked.thanks:
        raise ValidationError({"thanks": _("已经写过感谢的话了。")})
    text = clean_text(text, field="thanks", empty=_("请写下想说的话。"))
    if public:
        check_public(text, locked, field="thanks")
    locked.thanks = text
    locked.thanks_public = bool(public)
    locked.thanked_at = timezone.now()
    locked.save(update_fields=["thanks", "thanks_public", "thanked_at", "updated_at"])
    _record(locked, EventKind.THANKED, actor=actor, changes={"public": bool(public)})
    return locked


@transaction.atomic
def notifications_mark_read(*, actor) -> int:
    """Mark the actor's own wish notifications read."""
    if not actor.resident_id:
        return 0
    return WishNotification.objects.filter(resident_id=actor.resident_id, read_at=None).update(
        read_at=timezone.now()
    )


__all__ = [
    "PHOTO_MAX_BYTES",
    "already_claimed_message",
    "check_photo",
    "notifications_mark_read",
    "wish_claim",
    "wish_confirm",
    "wish_fulfil",
    "wish_publish",
    "wish_reject",
    "wish_release",
    "wish_submit",
    "wish_thank",
]
