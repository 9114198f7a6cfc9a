"""Writes of residents' voice: intake, triage, escalation, dispatch to partner units,
return visits, merging and follow-up of overdue items.

Every function here is the only way to make its change. Each one
- takes keyword-only arguments, ``actor`` first (``None`` means the system: the periodic
  job, a management command, the Open311 channel after its own key check);
- runs in one transaction and locks the item (and dispatch) it changes;
- checks the move against ``enums.TRANSITIONS`` / ``DISPATCH_TRANSITIONS`` and refuses a
  forbidden one with a Chinese ``ValidationError``;
- appends to the item's timeline (``events.append``), writes an audit event with a dotted
  action (``voices.item.escalated``) and tells every reporter at each public step;
- takes ``now=`` (default ``deadlines.clock()``), so deadlines can be tested exactly.

Who may act: an item outside the actor's sight is 404 (as if missing); a visible item the
actor may not change in this way is 403. Handling is bound to levels: a post acts on items
at its own level or below (a grid chief on grid items of their grid, community staff on
grid and community items of their community, subdistrict staff on all of its communities).
A partner unit's user acts only on dispatches to their unit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from gongzhi.core import audit, redact, workcal
from gongzhi.core.identity import mask_phone
from gongzhi.core.reasons import clean_reveal_reason
from gongzhi.core.scoping import require
from gongzhi.core.text import bounded_text
from gongzhi.core.uploads import ImageRejected, clean_image, sniff_image
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import PartnerUnit, Post
from gongzhi.places.models import (
    Building,
    Community,
    Compound,
    Entrance,
    Grid,
    Household,
    Resident,
)

from . import deadlines, events, rules
from .enums import (
    DISPATCH_TRANSITIONS,
    LEVEL_ORDER,
    PUBLICATION_TRANSITIONS,
    PUBLISHABLE_STATUSES,
    TRANSITIONS,
    Channel,
    DispatchRole,
    DispatchStatus,
    EventFormat,
    EventType,
    ExtensionOutcome,
    ItemKind,
    Level,
    Publication,
    Satisfaction,
    Solved,
    Stage,
    Status,
    Supervision,
)
from .models import (
    Attachment,
    Category,
    Dispatch,
    EventSession,
    ExtensionDecision,
    ExtensionRequest,
    IntakeKey,
    Item,
    ItemNumberCounter,
    ItemReporter,
    Notification,
    ReturnVisit,
)
from .notify import notify, notify_unit
from .places import Place
from .selectors import is_reporter, is_visible, reporter_names

MAX_TEXT = 2000
MAX_TITLE = 80
MAX_NAME = 50
MAX_LOCATION = 120
MAX_PROJECT_LABEL = 120
MAX_PROJECT_PHASE = 40
MAX_REASON = 500
# Opinions entered from one event in one request: all or nothing, so each is one
# transaction holding the database's write lock (SQLite) while every row is classified and
# numbered. Larger batches wait for the background-job path.
MAX_EVENT_ROWS = 200
TITLE_FROM_TEXT = 20
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
RANK = rules.RANK


# ---------------------------------------------------------------------------------------
# Shared checks
# ---------------------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or deadlines.clock()


def _lock(item: Item) -> Item:
    # No joins here: PostgreSQL cannot lock the nullable side of an outer join.
    return Item.objects.select_for_update().get(pk=item.pk)


def _lock_dispatch(dispatch: Dispatch) -> tuple[Item, Dispatch]:
    """Lock the item, then the dispatch: always in this order, so two services never wait
    on each other."""
    item = Item.objects.select_for_update().get(pk=dispatch.item_id)
    return item, Dispatch.objects.select_for_update().get(pk=dispatch.pk)


def _move(item: Item, to: str) -> None:
    if to not in TRANSITIONS[item.status]:
        raise ValidationError(
            _("诉求%(number)s当前为“%(status)s”，不能变为“%(target)s”。")
            % {
                "number": item.number,
                "status": Status(item.status).label,
                "target": Status(to).label,
            }
        )
    item.status = to


def _move_dispatch(dispatch: Dispatch, to: str) -> None:
    if to not in DISPATCH_TRANSITIONS[dispatch.status]:
        raise ValidationError(
            _("该派单当前为“%(status)s”，不能变为“%(target)s”。")
            % {
                "status": DispatchStatus(dispatch.status).label,
                "target": DispatchStatus(to).label,
            }
        )
    dispatch.status = to


def _required_text(value: str, field_name: str, message: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field_name: message})
    if len(value) > limit:
        raise ValidationError({field_name: _("不能超过%(limit)d字。") % {"limit": limit}})
    return value


def _reporter_people(item: Item) -> tuple[list[Resident], list]:
    """Everyone who must hear about ``item``: its reporters (residents and logins)."""
    residents, users = [], []
    for r in item.reporters.select_related("resident", "user"):
        if r.resident_id:
            residents.append(r.resident)
        elif r.user_id:
            users.append(r.user)
    return residents, users


def _tell_reporters(item: Item, text: str) -> None:
    residents, users = _reporter_people(item)
    notify(item=item, text=text, residents=residents, users=users)


HANDLER_KINDS = {
    Level.GRID: (PostKind.GRID_CHIEF, PostKind.GRID_WORKER),
    Level.COMMUNITY: (PostKind.COMMUNITY_SECRETARY, PostKind.COMMUNITY_STAFF),
    Level.SUBDISTRICT: (PostKind.SUBDISTRICT_STAFF,),
}


def handlers(item: Item, level: str | None = None) -> list:
    """The users who handle ``item`` at ``level`` (default: its own): the grid chief and
    workers of its grid, the staff of its community, or the staff of its subdistrict. An
    item without a grid is handled by its community."""
    from gongzhi.accounts.models import User

    level = level or item.level
    if level == Level.GRID and not item.grid_id:
        level = Level.COMMUNITY
    if level == Level.GRID:
        node = Q(grid_id=item.grid_id)
    elif level == Level.COMMUNITY:
        node = Q(community_id=item.community_id)
    else:
        node = Q(subdistrict__communities__pk=item.community_id)
    posts = Post.objects.active().filter(node, kind__in=HANDLER_KINDS[level], user__isnull=False)
    return list(User.objects.filter(pk__in=posts.values("user_id"), is_active=True))


def _tell_handlers(item: Item, text: str, level: str | None = None) -> None:
    notify(item=item, text=text, users=handlers(item, level))


def _tell_unit(item: Item, unit_id: int, text: str) -> None:
    notify_unit(item=item, unit_id=unit_id, text=text)


def _restart(item: Item, stage: str, now: dt.datetime) -> None:
    """Start ``stage``'s clock at the item's current level: a new deadline counted from
    ``now`` and a clean follow-up record (no warning or reminder sent yet). Every move that
    hands the item to someone new calls it — accepting, escalating (the new level's clock),
    dispatching, a unit signing or replying, a reply refused or returned, and a return
    visit that finds the problem not solved (a new handling deadline)."""
    item.stage = stage
    item.stage_started_at = now
    item.due_at = deadlines.due_at(
        category=item.category or item.suggested_category,
        stage=stage,
        start=now,
        urgent=item.urgent,
    )
    item.supervision = Supervision.NONE
    item.warned = False
    _lapse_extensions(item, now)


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


# ---------------------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------------------


@dataclass
class CleanPhoto:
    name: str
    content: bytes
    content_type: str
    thumbnail: bytes = b""


def clean_photos(photos: Sequence, field_name: str = "photos") -> list[CleanPhoto]:
    """Check uploaded files (Django ``UploadedFile`` or any object with ``read`` and
    ``name``): at most 5, each at most 5 MB, each really a JPEG, PNG or WebP — and return
    clean copies (``core.uploads.clean_image``): no EXIF (no GPS position), upright, at
    most 1600 pixels, with a thumbnail, under a random name."""
    photos = [p for p in (photos or ()) if p is not None]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({field_name: _("最多上传%(n)d张照片。") % {"n": MAX_PHOTOS}})
    out: list[CleanPhoto] = []
    errors: list[str] = []
    for i, photo in enumerate(photos, start=1):
        size = getattr(photo, "size", None)
        if size is not None and size > MAX_PHOTO_BYTES:
            errors.append(_("第%(i)d张照片超过5MB。") % {"i": i})
            continue
        if hasattr(photo, "seek"):
            photo.seek(0)
        content = photo.read(MAX_PHOTO_BYTES + 1)
        if len(content) > MAX_PHOTO_BYTES:
            errors.append(_("第%(i)d张照片超过5MB。") % {"i": i})
            continue
        if sniff_image(content[:16]) is None:
            errors.append(_("第%(i)d张不是有效的图片（仅支持JPEG、PNG、WebP）。") % {"i": i})
            continue
        try:
            clean = clean_image(content)
        except ImageRejected as exc:
            if exc.reason == "too_large":
                errors.append(
                    _("第%(i)d张照片像素太多（超过4000万），请换一张或缩小后再上传。") % {"i": i}
                )
            else:
                errors.append(_("第%(i)d张照片已损坏或无法打开，请换一张。") % {"i": i})
            continue
        name = f"{secrets.token_hex(8)}.{clean.extension}"
        out.append(
            CleanPhoto(
                name=name,
                content=clean.content,
                content_type=clean.content_type,
                thumbnail=clean.thumbnail,
            )
        )
    if errors:
        raise ValidationError({field_name: errors})
    return out


def _save_photos(item: Item, photos: list[CleanPhoto], actor, dispatch=None) -> None:
    for photo in photos:
        attachment = Attachment(
            item=item,
            dispatch=dispatch,
            content_type=photo.content_type,
            size=len(photo.content),
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        attachment.file.save(photo.name, ContentFile(photo.content), save=False)
        if photo.thumbnail:
            stem, ext = photo.name.rsplit(".", 1)
            attachment.thumbnail.save(
                f"{stem}_thumb.{ext}", ContentFile(photo.thumbnail), save=False
            )
        attachment.save()


# ---------------------------------------------------------------------------------------
# Intake
# ---------------------------------------------------------------------------------------


@dataclass
class Submission:
    """A validated submission, ready to be written."""

    kind: str
    title: str
    text: str
    channel: str
    community: Community
    grid: Grid | None = None
    compound: Compound | None = None
    building: Building | None = None
    entrance: Entrance | None = None
    household: Household | None = None
    location_text: str = ""
    reporter_resident: Resident | None = None
    reporter_user: object | None = None
    reporter_name: str = ""
    entered_by: object | None = None
    photos: list[CleanPhoto] = field(default_factory=list)
    event_session: EventSession | None = None
    project_label: str = ""
    project_phase: str = ""
    share_phone_with_partner: bool = False
    private: bool = False


def public_place_required() -> str:
    return _("请说一说在哪里，例如：小区大门口、广场。")


def clean_public_place(location_text: str) -> str:
    """The words that say where a public place is (a public place has no building to
    name): required, and whole or refused, as ``item_submit`` holds them. For a form that
    answers before anything is submitted."""
    return bounded_text(
        location_text,
        field="location_text",
        limit=MAX_LOCATION,
        required=public_place_required(),
    )


def title_from_text(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TITLE_FROM_TEXT else flat[:TITLE_FROM_TEXT] + "…"


def _clean_submission(
    *,
    actor,
    kind: str,
    text: str,
    title: str,
    channel: str,
    community: Community | None,
    grid: Grid | None,
    household: Household | None,
    building: Building | None,
    location_text: str,
    reporter_resident: Resident | None,
    reporter_name: str,
    on_behalf_of: Resident | None,
    photos: Sequence,
    event_session: EventSession | None,
    project_label: str,
    project_phase: str,
    share_phone_with_partner: bool,
    check_access: bool = True,
    private: bool = False,
    place: str | None = None,
    entrance: Entrance | None = None,
    compound: Compound | None = None,
) -> Submission:
    errors: dict[str, list[str]] = {}

    def err(name: str, message) -> None:
        errors.setdefault(name, []).append(str(message))

    # Text is kept exactly as typed (trimmed): it is shown escaped, never as markup.
    text = (text or "").strip()
    if not text:
        err("text", _("请填写诉求内容。"))
    elif len(text) > MAX_TEXT:
        err(
            "text",
            _("内容不能超过%(limit)d字（现有%(n)d字）。") % {"limit": MAX_TEXT, "n": len(text)},
        )
    title = (title or "").strip()
    if len(title) > MAX_TITLE:
        err("title", _("标题不能超过%(limit)d字。") % {"limit": MAX_TITLE})
    if kind not in ItemKind.values:
        err("kind", _("请选择诉求类型。"))
    if channel not in Channel.values:
        err("channel", _("请选择来源渠道。"))
    reporter_name = (reporter_name or "").strip()
    if len(reporter_name) > MAX_NAME:
        err("reporter_name", _("姓名不能超过50个字。"))
    # Kept whole or refused, never cut to fit the column.
    bounded = {}
    for name, value, limit in (
        ("location_text", location_text, MAX_LOCATION),
        ("project_label", project_label, MAX_PROJECT_LABEL),
        ("project_phase", project_phase, MAX_PROJECT_PHASE),
    ):
        try:
            bounded[name] = bounded_text(value, field=name, limit=limit)
        except ValidationError as exc:
            for message in exc.message_dict[name]:
                err(name, message)

    # Who is reporting, and who typed it in.
    reporter_user = None
    entered_by = None
    self_resident = (
        getattr(actor, "resident", None) if getattr(actor, "resident_id", None) else None
    )
    if on_behalf_of is not None:
        reporter_resident = on_behalf_of
        entered_by = actor
    elif reporter_resident is None and self_resident is not None and not reporter_name:
        reporter_resident = self_resident
        reporter_user = actor
    elif (
        reporter_resident is not None
        and self_resident is not None
        and (reporter_resident.pk == self_resident.pk)
    ):
        reporter_user = actor
    elif reporter_resident is not None or reporter_name:
        entered_by = actor

    # Where the problem is — not where the reporter lives: "3栋2单元楼道灯坏了" from a
    # resident of 1栋 is 3栋's case, seen by 3栋's chiefs, routed to 3栋's grid and compared
    # with 3栋's reports. The reporter's home stays on their ItemReporter row.
    home = reporter_resident.household if reporter_resident is not None else None
    if place is None:
        # A caller that names no kind of place: the place it names, else the reporter's
        # home (every caller before the where step, and the API's default).
        if home is not None and not any((household, entrance, building, compound)):
            household = home
    elif place not in Place.values:
        err("place", _("请选择问题在哪里。"))
    elif place == Place.HOME:
        household = household or home
        entrance = building = compound = None
        if household is None:
            err("place", _("没有登记住址，请选择问题所在的楼栋或地方。"))
    elif place == Place.BUILDING:
        household = entrance = compound = None
        building = home.building if home is not None else None
        if building is None:
            err("place", _("没有登记住址，请选择问题所在的楼栋或地方。"))
    elif place == Place.OTHER:
        household = compound = None
        if entrance is None and building is None:
            err("building", _("请选择是哪一栋楼。"))
    else:  # a public place: the words say where; the compound, if any, whose it is
        household = entrance = building = None
        if not (location_text or "").strip():
            err("location_text", public_place_required())
    if entrance is not None and building is not None and entrance.building_id != building.pk:
        err("entrance", _("所选单元不在所选楼栋。"))
    # The most precise place given; the others are derived from it.
    node = household or entrance or building or compound
    if node is not None:
        grid = node.grid
        place_community_id = node.community_id
    elif grid is not None:
        place_community_id = grid.community_id
    elif community is not None:
        place_community_id = community.pk
    else:
        place_community_id = reporter_resident.community_id if reporter_resident else None
    if place_community_id is None:
        err("community", _("请选择诉求所在的社区。"))
    elif community is not None and community.pk != place_community_id:
        err("community", _("所选位置不在该社区。"))
    elif reporter_resident is not None and reporter_resident.community_id != place_community_id:
        # A resident reports about their own community: its staff answer for it.
        err("place", _("所选位置不在居民所在的社区。"))
    if (
        event_session is not None
        and "community" not in errors
        and place_community_id not in (None, event_session.community_id)
    ):
        err("household", _("所选位置不在该活动所在的社区。"))
    if errors:
        raise ValidationError(errors)
    if community is None or community.pk != place_community_id:
        community = Community.objects.get(pk=place_community_id)

    try:
        clean = clean_photos(photos)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None

    sub = Submission(
        kind=kind,
        title=title or title_from_text(text),
        text=text,
        channel=channel,
        community=community,
        grid=grid,
        compound=compound,
        building=building,
        entrance=entrance,
        household=household,
        location_text=bounded["location_text"],
        reporter_resident=reporter_resident,
        reporter_user=reporter_user,
        reporter_name=reporter_name,
        entered_by=entered_by,
        photos=clean,
        event_session=event_session,
        project_label=bounded["project_label"],
        project_phase=bounded["project_phase"],
        share_phone_with_partner=bool(share_phone_with_partner),
        # Ticked by the resident, or asked for in the text itself ("私下反映").
        private=bool(private) or redact.asks_privacy(text),
    )
    if check_access:
        _check_submitter(actor, sub, on_behalf_of)
    return sub


def _check_submitter(actor, sub: Submission, on_behalf_of: Resident | None) -> None:
    """A resident files for themselves; anyone else needs ``submit_on_behalf`` over the
    resident or the place the item is about."""
    if actor is None:
        return
    if sub.reporter_user is not None and sub.entered_by is None and on_behalf_of is None:
        return
    target = (
        on_behalf_of
        or sub.household
        or sub.entrance
        or sub.building
        or sub.compound
        or sub.grid
        or sub.community
    )
    require(actor, "submit_on_behalf", target)


def _number_prefix(community: Community) -> str:
    """Two letters from the community's name (望江街社区 → WJ). Numbers are counted per
    prefix and year, so two communities that share letters still get distinct numbers."""
    name = community.name.removesuffix("社区") or community.name
    letters = "".join(
        s[:1] for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if s
    )
    letters = "".join(c for c in letters.upper() if "A" <= c <= "Z")[:2]
    return letters or "GZ"


def _next_number(community: Community, now: dt.datetime) -> str:
    prefix = _number_prefix(community)
    year = timezone.localtime(now).year
    counter = ItemNumberCounter.objects.select_for_update().filter(prefix=prefix, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = ItemNumberCounter.objects.create(prefix=prefix, year=year)
        except IntegrityError:  # another submission created it a moment ago
            counter = ItemNumberCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}{year}-{counter.last:06d}"


def _suggest(text: str, community: Community):
    """The classifier's ranked suggestions and whether the text is urgent. The classifier
    is imported here, not at module level: intake must not depend on its import cost."""
    from . import routing

    suggestions = list(routing.suggest(text, community=community, limit=3))
    urgent = any(s.urgent for s in suggestions) or bool(routing.is_urgent(text))
    return suggestions, urgent


def _place_columns(sub: Submission) -> dict:
    """The item's place columns from the most precise place of the submission: a
    household (the reporter's home), an entrance, a building, a compound, or none."""
    h, e, b, c = sub.household, sub.entrance, sub.building, sub.compound
    if h is not None:
        return {
            "compound_id": h.compound_id,
            "building_id": h.building_id,
            "entrance_id": h.entrance_id,
            "household_id": h.pk,
        }
    if e is not None:
        return {"compound_id": e.compound_id, "building_id": e.building_id, "entrance_id": e.pk}
    if b is not None:
        return {"compound_id": b.compound_id, "building_id": b.pk}
    return {"compound_id": c.pk if c is not None else None}


def _create_item(actor, sub: Submission, now: dt.datetime) -> Item:
    suggestions, urgent = _suggest(sub.text, sub.community)
    top = suggestions[0] if suggestions else None
    level = top.level if top is not None else Level.GRID
    if level == Level.GRID and sub.grid is None:
        level = Level.COMMUNITY
    item = Item(
        number=_next_number(sub.community, now),
        kind=sub.kind,
        title=sub.title,
        text=sub.text,
        channel=sub.channel,
        event_session=sub.event_session,
        project_label=sub.project_label,
        project_phase=sub.project_phase,
        community=sub.community,
        grid=sub.grid,
        **_place_columns(sub),
        location_text=sub.location_text,
        suggested_category=top.category if top is not None else None,
        suggestion_score=top.score if top is not None else None,
        urgent=urgent,
        level=level,
        status=Status.SUBMITTED,
        submitted_at=now,
        stage_started_at=now,
        due_at=now,
        private=sub.private,
        publication=Publication.WITHHELD if sub.private else Publication.PENDING,
        withheld_reason=_("居民要求不公开（私下反映）") if sub.private else "",
    )
    _restart(item, Stage.RESPOND, now)
    item.save()
    ItemReporter.objects.create(
        item=item,
        resident=sub.reporter_resident,
        user=sub.reporter_user,
        name="" if sub.reporter_resident else sub.reporter_name,
        entered_by=sub.entered_by,
        channel=sub.channel,
        is_original=True,
        share_phone_with_partner=sub.share_phone_with_partner,
    )
    _save_photos(item, sub.photos, actor)
    events.append(
        item=item,
        type=EventType.SUBMITTED,
        actor=actor,
        at=now,
        channel=sub.channel,
        entered_by=str(sub.entered_by) if sub.entered_by else None,
        private=True if sub.private else None,
    )
    if top is not None:
        events.append(
            item=item,
            type=EventType.CATEGORISED,
            actor=None,
            at=now,
            public=False,
            suggestions=[
                {
                    "category": s.category.code,
                    "unit": s.unit.pk if s.unit else None,
                    "level": str(s.level),
                    "score": round(float(s.score), 4),
                }
                for s in suggestions
            ],
        )
    audit.record(
        actor=actor,
        action="voices.item.submitted",
        obj=item,
        changes={
            "channel": sub.channel,
            "kind": sub.kind,
            "urgent": urgent,
            "on_behalf": bool(sub.entered_by),
            "private": sub.private,
        },
    )
    _tell_reporters(
        item,
        _("您反映的事项已收到，编号%(number)s，我们将在%(due)s前受理。")
        % {"number": item.number, "due": _fmt(item.due_at)},
    )
    flag = _("【紧急】") if urgent else ""
    _tell_handlers(
        item,
        _("%(flag)s新诉求待受理：%(number)s %(title)s")
        % {"flag": flag, "number": item.number, "title": item.title},
    )
    return item


@transaction.atomic
def item_submit(
    *,
    actor,
    kind: str,
    text: str,
    title: str = "",
    channel: str,
    community: Community | None = None,
    grid: Grid | None = None,
    household: Household | None = None,
    building: Building | None = None,
    location_text: str = "",
    reporter_resident: Resident | None = None,
    reporter_name: str = "",
    on_behalf_of: Resident | None = None,
    photos: Sequence = (),
    event_session: EventSession | None = None,
    project_label: str = "",
    project_phase: str = "",
    share_phone_with_partner: bool = False,
    private: bool = False,
    place: str | None = None,
    entrance: Entrance | None = None,
    compound: Compound | None = None,
    idempotency_key: str = "",
    idempotency_owner: str = "",
    now: dt.datetime | None = None,
) -> Item:
    """File a problem or suggestion. Returns the new item: SUBMITTED, stage RESPOND, due by
    the suggested category's respond limit (4 working hours when urgent), at the level the
    classifier suggests (grid by default; community when the item has no grid).

    - A resident with a login files for themselves (household taken from them).
    - A grid/building/entrance chief, grid worker or community staff files for a resident
      (``on_behalf_of``; recorded as entered by the actor) or for a named person or place
      (``reporter_name`` and a household, building, grid or community).
    - ``actor=None`` is a channel that did its own check (Open311) and must name a place.
    - ``private`` (不公开 / 私下反映), or a text that asks for it, keeps the item off every
      public surface for good: it is withheld at once and ``item_publish`` refuses it.
    - ``place`` says where the problem is (``places.Place``): the reporter's home, their
      building, another ``building`` or ``entrance`` of their community, or a public
      place (``location_text`` says where; ``compound`` whose, or none for the
      community's). The item's place columns — scoping, routing level, duplicates — are
      that place's; the reporter's home stays on their reporter row. Without ``place`` the
      item is where the most precise place given is, else at the reporter's home.

    Nothing is written when anything is wrong: the ``ValidationError`` carries one Chinese
    message per field (text, title, photos, community...) so a form can show them beside
    what the person typed.

    ``idempotency_key`` (with ``idempotency_owner``, by default the actor's user) makes a
    retry safe: the same key with the same submission returns the item the first one
    filed, and files nothing; the same key with a different submission is refused.
    """
    now = _now(now)
    sub = _clean_submission(
        actor=actor,
        kind=kind,
        text=text,
        title=title,
        channel=channel,
        community=community,
        grid=grid,
        household=household,
        building=building,
        location_text=location_text,
        reporter_resident=reporter_resident,
        reporter_name=reporter_name,
        on_behalf_of=on_behalf_of,
        photos=photos,
        event_session=event_session,
        project_label=project_label,
        project_phase=project_phase,
        share_phone_with_partner=share_phone_with_partner,
        private=private,
        place=place,
        entrance=entrance,
        compound=compound,
    )
    if actor is not None and sub.reporter_user is None and sub.entered_by is None:
        raise PermissionDenied(_("没有权限执行此操作。"))
    if idempotency_key:
        claim, earlier = _claim_intake_key(
            owner=idempotency_owner or (f"user:{actor.pk}" if actor is not None else ""),
            key=idempotency_key,
            digest=_submission_digest(sub),
        )
        if earlier is not None:
            return earlier
        item = _create_item(actor, sub, now)
        IntakeKey.objects.filter(pk=claim.pk).update(item=item)
        return item
    return _create_item(actor, sub, now)


IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9_.:\-]{8,80}$")


def clean_idempotency_key(value: str) -> str:
    """A client's idempotency key: 8–80 letters, digits, ``-_.:`` (a UUID fits)."""
    value = (value or "").strip()
    if not IDEMPOTENCY_KEY_RE.match(value):
        raise ValidationError(
            {"idempotency_key": _("请求编号格式不正确：应为8到80位的字母、数字或“-_.:”。")}
        )
    return value


def _submission_digest(sub: Submission) -> str:
    """What was submitted, as a hash: a retry sends the same; a different submission under
    the same key does not."""
    parts = {
        "kind": sub.kind,
        "title": sub.title,
        "text": sub.text,
        "channel": sub.channel,
        "community": sub.community.pk,
        "grid": sub.grid.pk if sub.grid else None,
        **_place_columns(sub),
        "location": sub.location_text,
        "resident": sub.reporter_resident.pk if sub.reporter_resident else None,
        "name": sub.reporter_name,
        "private": sub.private,
        "share_phone": sub.share_phone_with_partner,
        "project": [sub.project_label, sub.project_phase],
        "session": sub.event_session.pk if sub.event_session else None,
        "photos": [hashlib.sha256(p.content).hexdigest() for p in sub.photos],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _claim_intake_key(*, owner: str, key: str, digest: str) -> tuple[IntakeKey, Item | None]:
    """Claim ``key`` for ``owner`` in the caller's transaction, or return the item an
    earlier submission with it filed.

    The claim is an insert into a unique index: a concurrent request with the same key
    blocks on it until the first transaction ends — then either sees the committed row
    (and returns its item) or, the first having rolled back, inserts its own. A savepoint
    keeps the caller's transaction usable after the conflict."""
    if not owner:
        raise ValidationError({"idempotency_key": _("无法确认请求编号属于谁。")})
    key = clean_idempotency_key(key)
    try:
        with transaction.atomic():
            return IntakeKey.objects.create(owner=owner, key=key, digest=digest), None
    except IntegrityError:
        pass
    earlier = IntakeKey.objects.select_related("item").get(owner=owner, key=key)
    if earlier.digest != digest or earlier.item is None:
        raise ValidationError(
            {
                "idempotency_key": _(
                    "这个请求编号已用于另一条不同的反映。重新提交时请使用新的请求编号。"
                )
            }
        )
    return earlier, earlier.item


@transaction.atomic
def item_join(
    *, actor, item: Item, resident: Resident | None = None, now: dt.datetime | None = None
) -> ItemReporter:
    """ "Me too": add a resident as a reporter of an open item instead of filing anew. The
    item itself does not change; the joiner hears every later step. A resident joins for
    themselves; a leader may join a resident they serve (``submit_on_behalf``). Only items
    of the resident's own community can be joined."""
    now = _now(now)
    self_resident = actor.resident if getattr(actor, "resident_id", None) else None
    resident = resident or self_resident
    if resident is None:
        raise ValidationError({"resident": _("请选择附议的居民。")})
    on_behalf = self_resident is None or resident.pk != self_resident.pk
    if on_behalf:
        require(actor, "submit_on_behalf", resident)
    item = _lock(item)
    if item.community_id != resident.community_id:
        raise Http404
    if not rules.starts_from("join", item):
        raise ValidationError(
            _("诉求%(number)s当前为“%(status)s”，不能附议。")
            % {"number": item.number, "status": Status(item.status).label}
        )
    if item.reporters.filter(resident=resident).exists():
        raise ValidationError(_("您已反映或附议过该诉求。"))
    reporter = ItemReporter.objects.create(
        item=item,
        resident=resident,
        user=None if on_behalf else actor,
        entered_by=actor if on_behalf else None,
        channel=Channel.VISIT if on_behalf else Channel.ONLINE,
        is_original=False,
    )
    events.append(item=item, type=EventType.JOINED, actor=actor, at=now)
    audit.record(actor=actor, action="voices.item.joined", obj=item)
    notify(
        item=item,
        text=_("您已附议诉求%(number)s，办理进展将通知您。") % {"number": item.number},
        residents=[resident],
    )
    return reporter


def event_rows_limit_message(n: int) -> str:
    return _("一次最多录入%(limit)d条意见（现有%(n)d条），请分批录入。") % {
        "limit": MAX_EVENT_ROWS,
        "n": n,
    }


@transaction.atomic
def items_submit_from_event(
    *, actor, event_session: EventSession, rows: list[dict], now: dt.datetime | None = None
) -> list[Item]:
    """Enter the opinions gathered at an event, all or nothing. Each row is a dict with
    ``text`` (required) and optionally ``title``, ``kind`` (default suggestion),
    ``reporter_name``, ``household``, ``building``, ``location_text``. A refusal names every
    bad row: ``ValidationError({"rows": ["第2行：请填写诉求内容。", ...]})``."""
    now = _now(now)
    if actor is not None:
        require(actor, "enter_event_opinions", event_session)
    if not rows:
        raise ValidationError({"rows": [_("没有可录入的意见。")]})
    if len(rows) > MAX_EVENT_ROWS:
        raise ValidationError({"rows": [event_rows_limit_message(len(rows))]})
    subs: list[Submission] = []
    errors: list[str] = []
    for i, row in enumerate(rows, start=1):
        try:
            subs.append(
                _clean_submission(
                    actor=actor,
                    kind=row.get("kind") or ItemKind.SUGGESTION,
                    text=row.get("text", ""),
                    title=row.get("title", ""),
                    channel=Channel.EVENT,
                    community=event_session.community,
                    grid=None,
                    household=row.get("household"),
                    building=row.get("building"),
                    location_text=row.get("location_text", ""),
                    reporter_resident=row.get("reporter_resident"),
                    reporter_name=row.get("reporter_name", ""),
                    on_behalf_of=None,
                    photos=(),
                    event_session=event_session,
                    project_label=row.get("project_label", ""),
                    project_phase=row.get("project_phase", ""),
                    share_phone_with_partner=False,
                    check_access=False,
                    private=bool(row.get("private")),
                )
            )
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                for message in messages:
                    errors.append(_("第%(i)d行：%(message)s") % {"i": i, "message": message})
    if errors:
        raise ValidationError({"rows": errors})
    items = [_create_item(actor, sub, now) for sub in subs]
    audit.record(
        actor=actor,
        action="voices.event_session.opinions_entered",
        obj=event_session,
        changes={"count": len(items)},
    )
    return items


# ---------------------------------------------------------------------------------------
# Triage and handling
# ---------------------------------------------------------------------------------------


@transaction.atomic
def item_accept(
    *,
    actor,
    item: Item,
    category: Category,
    level: str | None = None,
    responsible_unit: PartnerUnit | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Item:
    """受理: SUBMITTED → ACCEPTED. Confirms or corrects the category (``category_confirmed``
    becomes true; a correction is what the classifier learns from), records whether the
    respond limit held, starts the HANDLE clock by the category's limit. The first acceptor
    becomes the lead (首接负责) and stays the lead whatever happens later. ``level`` may
    set the handling level up to the actor's own."""
    now = _now(now)
    item = _lock(item)
    own = rules.require_handler(actor, item)
    if not rules.starts_from("accept", item):
        raise ValidationError(
            _("诉求%(number)s当前为“%(status)s”，不能受理。")
            % {"number": item.number, "status": Status(item.status).label}
        )
    if category is None or not category.is_active:
        raise ValidationError({"category": _("请选择有效的分类。")})
    note = bounded_text(note, field="note", limit=MAX_TEXT)
    if level is not None:
        if level not in Level.values:
            raise ValidationError({"level": _("请选择办理层级。")})
        if RANK[level] > RANK[own]:
            raise ValidationError({"level": _("不能指定高于本人层级的办理层级，请使用“上报”。")})
        if level == Level.GRID and not item.grid_id:
            raise ValidationError({"level": _("该诉求不在任何网格内，不能由网格办理。")})
    _move(item, Status.ACCEPTED)
    corrected = item.suggested_category_id is not None and item.suggested_category_id != category.pk
    item.category = category
    item.category_confirmed = True
    item.responsible_unit = responsible_unit or category.default_unit
    if level is not None:
        item.level = level
    item.accepted_at = now
    item.responded_on_time = now <= item.due_at
    if item.lead_user_id is None and actor is not None:
        item.lead_user = actor
    _restart(item, Stage.HANDLE, now)
    item.save()
    events.append(
        item=item,
        type=EventType.ACCEPTED,
        actor=actor,
        at=now,
        note=note,
        category=category.name,
        level=item.level,
    )
    if item.suggested_category_id is not None:
        events.append(
            item=item,
            type=EventType.CATEGORISED,
            actor=actor,
            at=now,
            public=False,
            suggested=item.suggested_category_id,
            confirmed=category.pk,
            corrected=corrected,
        )
    audit.record(
        actor=actor,
        action="voices.item.accepted",
        obj=item,
        changes={"category": category.code, "level": item.level, "corrected": corrected},
    )
    _tell_reporters(
        item,
        _("您反映的事项%(number)s已受理（%(category)s），由%(level)s办理，预计%(due)s前办结。")
        % {
            "number": item.number,
            "category": category.name,
            "level": Level(item.level).label,
            "due": _fmt(item.due_at),
        },
    )
    return item


@transaction.atomic
def item_escalate(*, actor, item: Item, reason: str, now: dt.datetime | None = None) -> Item:
    """上报 one level: grid → community → subdistrict (refused at the subdistrict). Only
    while the item's own level holds it (submitted or accepted — a dispatched item is
    first returned or verified). The current stage's clock starts again at the new level;
    the lead stays. ``actor=None`` is the automatic escalation of an overdue item."""
    now = _now(now)
    item = _lock(item)
    rules.require_handler(actor, item)
    reason = _required_text(reason, "reason", _("请填写上报原因。"), limit=MAX_REASON)
    if not rules.starts_from("escalate", item):
        raise ValidationError(
            _("诉求%(number)s当前为“%(status)s”，不能上报。")
            % {"number": item.number, "status": Status(item.status).label}
        )
    if item.level == LEVEL_ORDER[-1]:
        raise ValidationError(_("该诉求已由街道办理，不能再上报。"))
    before = item.level
    item.level = LEVEL_ORDER[RANK[before] + 1]
    _restart(item, Stage.RESPOND if item.status == Status.SUBMITTED else Stage.HANDLE, now)
    item.save()
    events.append(
        item=item,
        type=EventType.ESCALATED,
        actor=actor,
        at=now,
        note=reason,
        to=item.level,
        to_label=str(Level(item.level).label),
        **{"from": before},
    )
    audit.record(
        actor=actor,
        action="voices.item.escalated",
        obj=item,
        changes={"level": [before, item.level], "reason": reason},
    )
    _tell_reporters(
        item,
        _("您反映的事项%(number)s已上报至%(level)s办理。")
        % {"number": item.number, "level": Level(item.level).label},
    )
    _tell_handlers(
        item,
        _("诉求%(number)s由%(before)s上报，请办理：%(title)s")
        % {"number": item.number, "before": Level(before).label, "title": item.title},
    )
    return item


@transaction.atomic
def item_resolve(*, actor, item: Item, note: str, now: dt.datetime | None = None) -> Item:
    """办结 by the level that holds it: ACCEPTED → RESOLVED, awaiting its return visit.
    Records whether the handling limit held (``resolved_on_time``); the VERIFY clock (return
    visit) starts. Nothing closes without a return visit."""
    now = _now(now)
    item = _lock(item)
    rules.require_handler(actor, item)
    note = _required_text(note, "note", _("请填写办理结果。"))
    if not rules.starts_from("resolve", item):
        raise ValidationError(
            _("诉求%(number)s当前为“%(status)s”，不能直接办结。")
            % {"number": item.number, "status": Status(item.status).label}
        )
    _move(item, Status.RESOLVED)
    _mark_resolved(item, on_time=now <= item.due_at, now=now)
    item.save()
    events.append(item=item, type=EventType.RESOLVED, actor=actor, at=now, note=note)
    audit.record(actor=actor, action="voices.item.resolved", obj=item, changes={"note": note})
    _tell_reporters(
        item,
        _("您反映的事项%(number)s已办理：%(note)s。我们将回访听取您的意见。")
        % {"number": item.number, "note": note[:120]},
    )
    return item


def _mark_resolved(item: Item, *, on_time: bool, now: dt.datetime) -> None:
    item.resolved_at = now
    item.resolved_on_time = on_time
    # The 督办 is answered by the result.
    item.supervised_at = None
    _restart(item, Stage.VERIFY, now)


@transaction.atomic
def item_return_visit(
    *,
    actor,
    item: Item,
    solved: str,
    satisfaction: str,
    comment: str = "",
    by_resident: bool = False,
    now: dt.datetime | None = None,
) -> ReturnVisit:
    """回访 of a RESOLVED item. Solved or partly solved → CLOSED; not solved → back to
    ACCEPTED at the same level (a REOPENED event with the comment, the HANDLE clock
    restarted, supervision reset). Handlers record a visit; a reporter rates their own
    item with ``by_resident=True``. Exactly one visit closes an item: a second, concurrent
    one finds it closed and is refused."""
    now = _now(now)
    if solved not in Solved.values:
        raise ValidationError({"solved": _("请选择解决情况。")})
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("请选择满意程度。")})
    comment = (comment or "").strip()
    if len(comment) > MAX_TEXT:
        raise ValidationError({"comment": _("不能超过%(limit)d字。") % {"limit": MAX_TEXT}})
    item = _lock(item)
    if by_resident:
        if actor is None or not is_visible(actor, item):
            raise Http404
        if not is_reporter(actor, item):
            raise PermissionDenied(_("只有反映人本人可以评价。"))
    else:
        rules.require_handler(actor, item)
    if not rules.starts_from("visit", item):
        raise ValidationError(
            _("诉求%(number)s当前为“%(status)s”，不能回访。")
            % {"number": item.number, "status": Status(item.status).label}
        )
    visit = ReturnVisit.objects.create(
        item=item,
        visited_by=actor,
        visited_at=now,
        solved=solved,
        satisfaction=satisfaction,
        comment=comment,
        by_resident=by_resident,
    )
    events.append(
        item=item,
        type=EventType.RETURN_VISIT,
        actor=actor,
        at=now,
        note=comment,
        solved=solved,
        satisfaction=satisfaction,
        solved_label=str(Solved(solved).label),
        satisfaction_label=str(Satisfaction(satisfaction).label),
        by_resident=by_resident,
    )
    if solved == Solved.NOT_SOLVED:
        _move(item, Status.ACCEPTED)
        _restart(item, Stage.HANDLE, now)
        item.save()
        events.append(item=item, type=EventType.REOPENED, actor=actor, at=now, note=comment)
        action = "voices.item.reopened"
        text = _("您反映的事项%(number)s回访为未解决，已重新办理。") % {"number": item.number}
        _tell_handlers(
            item,
            _("诉求%(number)s回访未解决，已退回重办：%(comment)s")
            % {"number": item.number, "comment": comment[:100]},
        )
    else:
        _move(item, Status.CLOSED)
        item.closed_at = now
        item.save()
        events.append(item=item, type=EventType.CLOSED, actor=actor, at=now)
        action = "voices.item.closed"
        text = _("您反映的事项%(number)s已办结（%(solved)s）。感谢您的参与！") % {
            "number": item.number,
            "solved": Solved(solved).label,
        }
    audit.record(
        actor=actor,
        action=action,
        obj=item,
        changes={"solved": solved, "satisfaction": satisfaction, "by_resident": by_resident},
    )
    _tell_reporters(item, text)
    return visit


@transaction.atomic
def item_merge(*, actor, item: Item, into: Item, now: dt.datetime | None = None) -> Item:
    """合并 a duplicate ``item`` into ``into`` (same community, both open): every reporter
    of ``item`` becomes a reporter of ``into`` and so hears its outcome; ``item`` becomes
    MERGED and points to ``into``. Returns ``into``."""
    now = _now(now)
    if item.pk == into.pk:
        raise ValidationError(_("不能与自身合并。"))
    # Lock both in id order, so two merges of the same pair cannot deadlock.
    locked = {
        i.pk: i
        for i in Item.objects.select_for_update().filter(pk__in=[item.pk, into.pk]).order_by("pk")
    }
    item, into = locked[item.pk], locked[into.pk]
    rules.require_handler(actor, item)
    rules.require_handler(actor, into)
    if item.community_id != into.community_id:
        raise ValidationError(_("只能合并同一社区的诉求。"))
    _move(item, Status.MERGED)
    if into.status not in rules.ACTION_STATUSES["merge_into"]:
        raise ValidationError(
            _("诉求%(number)s当前为“%(status)s”，不能作为合并目标。")
            % {"number": into.number, "status": Status(into.status).label}
        )
    item.merged_into = into
    item.closed_at = now
    item.save()
    present = set(
        into.reporters.filter(resident__isnull=False).values_list("resident_id", flat=True)
    )
    present_users = set(
        into.reporters.filter(resident__isnull=True, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    copies = []
    for r in item.reporters.all():
        if (r.resident_id and r.resident_id in present) or (
            not r.resident_id and r.user_id and r.user_id in present_users
        ):
            continue
        copies.append(
            ItemReporter(
                item=into,
                resident_id=r.resident_id,
                user_id=r.user_id,
                name=r.name,
                entered_by_id=r.entered_by_id,
                channel=r.channel,
                is_original=False,
                share_phone_with_partner=r.share_phone_with_partner,
            )
        )
    ItemReporter.objects.bulk_create(copies)
    events.append(item=item, type=EventType.MERGED, actor=actor, at=now, into=into.number)
    events.append(item=into, type=EventType.MERGED, actor=actor, at=now, **{"from": item.number})
    audit.record(
        actor=actor,
        action="voices.item.merged",
        obj=item,
        changes={"into": into.number, "reporters_copied": len(copies)},
    )
    _tell_reporters(
        item,
        _("您反映的事项%(number)s与%(into)s为同一问题，已合并办理，结果将通知您。")
        % {"number": item.number, "into": into.number},
    )
    return into


@transaction.atomic
def item_withdraw(*, actor, item: Item, reason: str = "", now: dt.datetime | None = None) -> Item:
    """撤回 by its reporter (or whoever entered it for them) before it is accepted; refused
    once others have joined it, since their voice would go too."""
    now = _now(now)
    reason = bounded_text(reason, field="reason", limit=MAX_REASON)
    item = _lock(item)
    if actor is None or not is_visible(actor, item):
        raise Http404
    if not rules.is_original_reporter(actor, item):
        raise PermissionDenied(_("只有反映人本人可以撤回。"))
    if not rules.starts_from("withdraw", item):
        raise ValidationError(_("诉求已受理，不能撤回；如已解决，请在回访时告诉我们。"))
    if item.reporters.count() > 1:
        raise ValidationError(_("已有其他居民附议该诉求，不能撤回。"))
    _move(item, Status.WITHDRAWN)
    item.closed_at = now
    if item.publication == Publication.PUBLISHED:
        # Words taken back are taken down too.
        item.publication = Publication.WITHHELD
        item.public_text = ""
        item.published_by, item.published_at = None, None
        item.withheld_reason = _("居民已撤回")
    item.save()
    events.append(item=item, type=EventType.WITHDRAWN, actor=actor, at=now, note=reason)
    audit.record(actor=actor, action="voices.item.withdrawn", obj=item)
    _tell_reporters(item, _("您已撤回诉求%(number)s。") % {"number": item.number})
    return item


@transaction.atomic
def item_comment(*, actor, item: Item, note: str, now: dt.datetime | None = None):
    """An internal note on the timeline (not shown to reporters or partner units). Any
    handler who holds the item in reach may write one, whatever its level, and so may the
    partner unit of a live dispatch."""
    now = _now(now)
    item = _lock(item)
    if actor is None or not is_visible(actor, item):
        raise Http404
    if not rules.may_comment(actor, item):
        raise PermissionDenied(_("没有权限执行此操作。"))
    note = _required_text(note, "note", _("请填写备注内容。"))
    event = events.append(
        item=item, type=EventType.COMMENT, actor=actor, at=now, note=note, public=False
    )
    audit.record(actor=actor, action="voices.item.commented", obj=item)
    return event


def reporter_phone_reveal(
    *, actor, reporter: ItemReporter, reason: str | None, reason_note: str = ""
) -> str:
    """The full phone of one reporter, written to the audit log with the reason
    (查看事由) given; without one nothing is shown or logged. Staff with ``reveal_pii``
    over the item; a partner unit only where the reporter agreed to share it and the item
    is dispatched to the unit."""
    item = reporter.item
    if actor is None or not is_visible(actor, item):
        raise Http404
    if not rules.may_reveal_reporter_phone(actor, reporter):
        raise PermissionDenied(_("没有权限查看完整电话。"))
    why = clean_reveal_reason(reason, reason_note)
    if reporter.resident_id:
        phone = reporter.resident.phone
    elif reporter.user_id:
        phone = reporter.user.phone
    else:
        phone = ""
    audit.record(
        actor=actor,
        action="voices.reporter.revealed",
        obj=item,
        changes={"phone": mask_phone(phone), "reporter": reporter.pk, **why.as_audit()},
    )
    return phone


# ---------------------------------------------------------------------------------------
# Dispatch: 社区吹哨、部门报到
# ---------------------------------------------------------------------------------------

LIVE_DISPATCH = (DispatchStatus.SENT, DispatchStatus.ACCEPTED, DispatchStatus.REPLIED)


MAX_SUPPORTING_UNITS = 5


def _unit_name(unit: PartnerUnit) -> str:
    return unit.short_name or unit.name


def item_dispatch_check(
    *,
    actor,
    item: Item,
    unit: PartnerUnit | None,
    supporting_units: Sequence[PartnerUnit] = (),
    instructions: str = "",
) -> tuple[PartnerUnit, list[PartnerUnit], str]:
    """Everything ``item_dispatch`` checks, writing nothing (a confirmation page asks it
    first): 404 out of sight, 403 without ``dispatch`` at the item's level, and in Chinese:
    a grid-level item, an item not accepted, a unit that does not serve the item's
    community, a supporting unit named twice or also the lead, too many, too long a text.
    Returns (lead unit, supporting units, instructions)."""
    if actor is None:
        raise PermissionDenied(_("派单须由工作人员操作。"))
    rules.require_handler(actor, item, "dispatch")
    if item.level == Level.GRID:
        raise ValidationError(_("网格办理的诉求请先上报社区，再派单。"))
    if Status.DISPATCHED not in TRANSITIONS[item.status]:
        raise ValidationError(
            _("诉求%(number)s当前为“%(status)s”，不能派单。")
            % {"number": item.number, "status": Status(item.status).label}
        )
    errors: dict[str, list[str]] = {}
    serving = set(
        PartnerUnit.objects.filter(communities=item.community_id).values_list("pk", flat=True)
    )
    if unit is None or unit.pk not in serving:
        errors["unit"] = [_("该单位不是本社区的共建单位。")]
    supports: list[PartnerUnit] = []
    for other in supporting_units or ():
        if other is None:
            continue
        if unit is not None and other.pk == unit.pk:
            errors.setdefault("supporting_units", []).append(
                _("%(unit)s已是主办单位，不能同时协办。") % {"unit": _unit_name(other)}
            )
        elif other.pk not in serving:
            errors.setdefault("supporting_units", []).append(
                _("%(unit)s不是本社区的共建单位。") % {"unit": _unit_name(other)}
            )
        elif any(o.pk == other.pk for o in supports):
            continue
        else:
            supports.append(other)
    if len(supports) > MAX_SUPPORTING_UNITS:
        errors.setdefault("supporting_units", []).append(
            _("协办单位最多%(limit)d个。") % {"limit": MAX_SUPPORTING_UNITS}
        )
    instructions = (instructions or "").strip()
    if len(instructions) > MAX_TEXT:
        errors["instructions"] = [_("不能超过%(limit)d字。") % {"limit": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)
    return unit, supports, instructions


@transaction.atomic
def item_dispatch(
    *,
    actor,
    item: Item,
    unit: PartnerUnit,
    instructions: str = "",
    supporting_units: Sequence[PartnerUnit] = (),
    now: dt.datetime | None = None,
) -> Dispatch:
    """吹哨: send an accepted community- or subdistrict-level item to a partner unit that
    serves its community — with ``supporting_units``, a joint dispatch (联合派单): ``unit``
    leads (主办) and each supporting unit (协办) gets a dispatch of its own, to sign for,
    reply to or return on its own. ACCEPTED → DISPATCHED; the item's clock follows the lead
    (the category's partner_accept_limit, then partner_handle_limit once it signs); each
    supporting dispatch has the same limits on its own dates. One live lead per item and
    one live dispatch per unit (the database holds to both); the item's lead user stays
    with whoever accepted it. Returns the lead's dispatch."""
    now = _now(now)
    item = _lock(item)
    unit, supports, instructions = item_dispatch_check(
        actor=actor,
        item=item,
        unit=unit,
        supporting_units=supporting_units,
        instructions=instructions,
    )
    _move(item, Status.DISPATCHED)
    item.responsible_unit = unit
    _restart(item, Stage.PARTNER_ACCEPT, now)
    item.save()
    try:
        with transaction.atomic():
            dispatch = Dispatch.objects.create(
                item=item,
                unit=unit,
                role=DispatchRole.LEAD,
                instructions=instructions,
                sent_by=actor,
                sent_at=now,
                accept_due_at=item.due_at,
            )
            supporting = [
                Dispatch.objects.create(
                    item=item,
                    unit=other,
                    role=DispatchRole.SUPPORT,
                    instructions=instructions,
                    sent_by=actor,
                    sent_at=now,
                    accept_due_at=item.due_at,
                )
                for other in supports
            ]
    except IntegrityError:
        raise ValidationError(_("该诉求已有正在办理的派单。")) from None
    for d in [dispatch, *supporting]:
        events.append(
            item=item,
            type=EventType.DISPATCHED,
            actor=actor,
            at=now,
            unit=_unit_name(d.unit),
            unit_id=d.unit_id,
            dispatch=d.pk,
            role=d.role,
            role_label=str(DispatchRole(d.role).label) if supporting else None,
        )
        audit.record(
            actor=actor,
            action="voices.dispatch.sent",
            obj=d,
            changes={"item": item.number, "unit": d.unit.name, "role": d.role},
        )
    if supporting:
        told = _("您反映的事项%(number)s已交由%(unit)s主办、%(others)s协办。") % {
            "number": item.number,
            "unit": _unit_name(unit),
            "others": "、".join(_unit_name(d.unit) for d in supporting),
        }
    else:
        told = _("您反映的事项%(number)s已交由%(unit)s办理。") % {
            "number": item.number,
            "unit": _unit_name(unit),
        }
    _tell_reporters(item, told)
    _tell_unit(
        item,
        unit.pk,
        _("社区派单%(number)s：%(title)s，请于%(due)s前签收。")
        % {"number": item.number, "title": item.title, "due": _fmt(item.due_at)},
    )
    for d in supporting:
        _tell_unit(
            item,
            d.unit_id,
            _("社区派单%(number)s（协办）：%(title)s，请于%(due)s前签收。")
            % {"number": item.number, "title": item.title, "due": _fmt(d.accept_due_at)},
        )
    return dispatch


def _close_supporting(item: Item, now: dt.datetime, why: str) -> None:
    """The lead's part ended (verified, refused or returned): the supporting units' live
    parts end with it; what they replied stays on record. They are told why."""
    for d in item.dispatches.select_for_update().filter(
        role=DispatchRole.SUPPORT, status__in=LIVE_DISPATCH
    ):
        _move_dispatch(d, DispatchStatus.CLOSED)
        d.closed_at = now
        d.save(update_fields=["status", "closed_at"])
        events.append(
            item=item, type=EventType.DISPATCH_CLOSED, actor=None, at=now, note=why, dispatch=d.pk
        )
        audit.record(actor=None, action="voices.dispatch.closed", obj=d, changes={"reason": why})
        _tell_unit(
            item,
            d.unit_id,
            _("派单%(number)s（协办）已结束：%(why)s") % {"number": item.number, "why": why},
        )


def _require_unit(actor, dispatch: Dispatch) -> None:
    """A partner's user acts only on their own unit's dispatches; anyone else gets the
    same answer as for a dispatch that does not exist."""
    if not rules.may_act_for_unit(actor, dispatch):
        raise Http404


@transaction.atomic
def dispatch_accept(*, actor, dispatch: Dispatch, now: dt.datetime | None = None) -> Dispatch:
    """报到: the partner unit signs for the dispatch. SENT → ACCEPTED; records who and when;
    the unit's handling clock starts (the category's partner_handle_limit) — the item's own
    clock for the lead, the dispatch's reply deadline alone for a supporting unit."""
    now = _now(now)
    _require_unit(actor, dispatch)
    item, dispatch = _lock_dispatch(dispatch)
    _move_dispatch(dispatch, DispatchStatus.ACCEPTED)
    dispatch.accepted_at = now
    dispatch.accepted_by = actor
    lead = dispatch.role == DispatchRole.LEAD
    if lead:
        _restart(item, Stage.PARTNER_HANDLE, now)
        dispatch.reply_due_at = item.due_at
        item.save()
    else:
        dispatch.reply_due_at = deadlines.due_at(
            category=item.category or item.suggested_category,
            stage=Stage.PARTNER_HANDLE,
            start=now,
            urgent=item.urgent,
        )
    dispatch.save()
    unit = dispatch.unit
    events.append(
        item=item,
        type=EventType.PARTNER_ACCEPTED,
        actor=actor,
        at=now,
        dispatch=dispatch.pk,
        role=None if lead else dispatch.role,
    )
    audit.record(actor=actor, action="voices.dispatch.accepted", obj=dispatch)
    if lead:
        _tell_reporters(
            item,
            _("%(unit)s已签收您反映的事项%(number)s，正在办理。")
            % {"unit": _unit_name(unit), "number": item.number},
        )
    return dispatch


@transaction.atomic
def dispatch_reply(
    *,
    actor,
    dispatch: Dispatch,
    reply: str,
    evidence: Sequence = (),
    now: dt.datetime | None = None,
) -> Dispatch:
    """The partner unit answers what it did, with photos as evidence (same rules as intake
    photos). ACCEPTED → REPLIED. The lead's reply starts the community's verify clock; a
    supporting unit's reply is recorded and shown to the community, and the item waits for
    the lead."""
    now = _now(now)
    _require_unit(actor, dispatch)
    reply = _required_text(reply, "reply", _("请填写办理答复。"))
    photos = clean_photos(evidence, "evidence")
    item, dispatch = _lock_dispatch(dispatch)
    _move_dispatch(dispatch, DispatchStatus.REPLIED)
    dispatch.reply = reply
    dispatch.replied_at = now
    dispatch.save()
    lead = dispatch.role == DispatchRole.LEAD
    if lead:
        _restart(item, Stage.VERIFY, now)
        item.save()
    _save_photos(item, photos, actor, dispatch=dispatch)
    events.append(
        item=item,
        type=EventType.PARTNER_REPLIED,
        actor=actor,
        at=now,
        note=reply,
        dispatch=dispatch.pk,
        evidence=len(photos),
        role=None if lead else dispatch.role,
    )
    audit.record(
        actor=actor,
        action="voices.dispatch.replied",
        obj=dispatch,
        changes={"evidence": len(photos), "role": dispatch.role},
    )
    if lead:
        _tell_reporters(
            item,
            _("%(unit)s已答复您反映的事项%(number)s，社区正在核实。")
            % {"unit": _unit_name(dispatch.unit), "number": item.number},
        )
        text = _("派单%(number)s已答复，请核实。") % {"number": item.number}
    else:
        text = _("派单%(number)s的协办单位%(unit)s已答复：%(reply)s") % {
            "number": item.number,
            "unit": _unit_name(dispatch.unit),
            "reply": reply[:100],
        }
    notify(item=item, text=text, users=[dispatch.sent_by, *handlers(item)])
    return dispatch


@transaction.atomic
def dispatch_return(
    *, actor, dispatch: Dispatch, reason: str, now: dt.datetime | None = None
) -> Dispatch:
    """The partner unit returns the dispatch with a reason (not theirs, needs more
    information...). The dispatch ends RETURNED. The lead returning it sends the item back
    to ACCEPTED at its community or subdistrict level, with a fresh HANDLE clock, to be
    handled or sent elsewhere (the supporting units' parts end with it); a supporting unit
    returning its part leaves the item with the lead."""
    now = _now(now)
    _require_unit(actor, dispatch)
    reason = _required_text(reason, "reason", _("请填写退回原因。"), limit=MAX_REASON)
    item, dispatch = _lock_dispatch(dispatch)
    _move_dispatch(dispatch, DispatchStatus.RETURNED)
    lead = dispatch.role == DispatchRole.LEAD
    if lead:
        _move(item, Status.ACCEPTED)
    dispatch.return_reason = reason
    dispatch.returned_at = now
    dispatch.save()
    if lead:
        item.responsible_unit = None
        _restart(item, Stage.HANDLE, now)
        item.save()
    events.append(
        item=item,
        type=EventType.PARTNER_RETURNED,
        actor=actor,
        at=now,
        note=reason,
        dispatch=dispatch.pk,
        role=None if lead else dispatch.role,
    )
    if lead:
        _close_supporting(item, now, _("主办单位已退回派单。"))
    audit.record(
        actor=actor, action="voices.dispatch.returned", obj=dispatch, changes={"reason": reason}
    )
    notify(
        item=item,
        text=_("派单%(number)s被%(unit)s退回：%(reason)s")
        % {
            "number": item.number,
            "unit": dispatch.unit.short_name or dispatch.unit.name,
            "reason": reason[:100],
        },
        users=[dispatch.sent_by, *handlers(item)],
    )
    if lead:
        _tell_reporters(
            item, _("您反映的事项%(number)s正在重新安排办理。") % {"number": item.number}
        )
    return dispatch


@transaction.atomic
def dispatch_verify(
    *, actor, dispatch: Dispatch, accepted: bool, note: str = "", now: dt.datetime | None = None
) -> Dispatch:
    """The community checks the unit's reply. Accepted: dispatch VERIFIED, item RESOLVED
    (``resolved_on_time`` = the unit replied within its limit), awaiting the return visit.
    Not accepted: dispatch REJECTED (a note saying why is required) and the item goes back
    to ACCEPTED at its level, so the community can send it again (to the same unit or
    another) or handle it itself; the unit is told. Only the lead's reply is verified: the
    supporting units' parts end with it either way (their replies stay on record)."""
    now = _now(now)
    item, dispatch = _lock_dispatch(dispatch)
    rules.require_handler(actor, item, "verify")
    if dispatch.role != DispatchRole.LEAD:
        raise ValidationError(_("协办单位的答复不单独核实，请核实主办单位的答复。"))
    note = (note or "").strip()
    if not accepted and not note:
        raise ValidationError({"note": _("请填写不予通过的原因。")})
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": _("不能超过%(limit)d字。") % {"limit": MAX_TEXT}})
    _move_dispatch(dispatch, DispatchStatus.VERIFIED if accepted else DispatchStatus.REJECTED)
    dispatch.verified_at = now
    dispatch.verify_note = note
    dispatch.save()
    unit_name = dispatch.unit.short_name or dispatch.unit.name
    if accepted:
        _move(item, Status.RESOLVED)
        on_time = dispatch.replied_at is not None and (
            dispatch.reply_due_at is None or dispatch.replied_at <= dispatch.reply_due_at
        )
        _mark_resolved(item, on_time=on_time, now=now)
        item.save()
        events.append(
            item=item,
            type=EventType.VERIFIED,
            actor=actor,
            at=now,
            note=note,
            accepted=True,
            dispatch=dispatch.pk,
        )
        events.append(item=item, type=EventType.RESOLVED, actor=actor, at=now, note=dispatch.reply)
        _close_supporting(item, now, _("主办单位的答复已核实通过，诉求已办结。"))
        _tell_reporters(
            item,
            _("您反映的事项%(number)s已由%(unit)s办理：%(reply)s。我们将回访听取您的意见。")
            % {"number": item.number, "unit": unit_name, "reply": dispatch.reply[:100]},
        )
    else:
        _move(item, Status.ACCEPTED)
        item.responsible_unit = None
        _restart(item, Stage.HANDLE, now)
        item.save()
        events.append(
            item=item,
            type=EventType.VERIFIED,
            actor=actor,
            at=now,
            note=note,
            accepted=False,
            dispatch=dispatch.pk,
            public=False,
        )
        _tell_unit(
            item,
            dispatch.unit_id,
            _("派单%(number)s的答复未通过核实：%(note)s")
            % {"number": item.number, "note": note[:100]},
        )
        _close_supporting(item, now, _("主办单位的答复未通过核实，社区将重新安排。"))
    audit.record(
        actor=actor,
        action="voices.dispatch.verified" if accepted else "voices.dispatch.rejected",
        obj=dispatch,
        changes={"accepted": accepted, "note": note},
    )
    return dispatch


# ---------------------------------------------------------------------------------------
# Follow-up of overdue items (called by deadlines.tick)
# ---------------------------------------------------------------------------------------


@transaction.atomic
def item_follow_up(*, item: Item, target: int, now: dt.datetime | None = None) -> int | None:
    """Send the follow-up steps of an overdue item up to ``target`` (a ``Supervision``),
    each once: reminder, then supervision notice (督办), then escalation one level (or, where
    the item cannot move up — with a partner unit, awaiting its return visit, or at the
    subdistrict — a supervision notice to the level above). Returns the last step sent, or
    None when there was nothing to send (already sent, or no longer overdue)."""
    now = _now(now)
    item = _lock(item)
    target = min(target, deadlines.supervision_due(item, now))
    last = None
    while item.supervision < target:
        step = item.supervision + 1
        if step == Supervision.ESCALATED and rules.escalates_automatically(item):
            # The escalation starts a new clock at the new level; its event records the step.
            item_escalate(actor=None, item=item, reason=_("超时自动上报"), now=now)
            return Supervision.ESCALATED
        item.supervision = step
        item.save(update_fields=["supervision"])
        _send_follow_up(item, step, now)
        last = step
    return last


@transaction.atomic
def item_warn(*, item: Item, now: dt.datetime | None = None) -> bool:
    """临期提醒: tell the handlers of the item's level (and the unit, while a partner unit
    holds it) that the current stage's deadline is near. Once per stage: a new stage or a
    deadline moved by an extension may warn again. Returns whether it was sent (not when
    already sent, or when the item is no longer due soon)."""
    now = _now(now)
    item = _lock(item)
    if item.warned or not deadlines.is_due_soon(item, now):
        return False
    item.warned = True
    item.save(update_fields=["warned"])
    recipients = handlers(item)
    live = item.dispatches.filter(status__in=LIVE_DISPATCH, role=DispatchRole.LEAD).first()
    if live is not None and item.stage in (Stage.PARTNER_ACCEPT, Stage.PARTNER_HANDLE):
        from gongzhi.accounts.models import User

        recipients += list(User.objects.filter(partner_unit_id=live.unit_id, is_active=True))
    events.append(
        item=item, type=EventType.WARNED, actor=None, at=now, public=False, stage=item.stage
    )
    audit.record(
        actor=None,
        action="voices.item.warned",
        obj=item,
        changes={"stage": item.stage, "due_at": item.due_at.isoformat()},
    )
    notify(
        item=item,
        text=_("即将超时：诉求%(number)s的%(stage)s时限为%(due)s，请抓紧办理。")
        % {"number": item.number, "stage": Stage(item.stage).label, "due": _fmt(item.due_at)},
        users=recipients,
    )
    return True


def _send_follow_up(item: Item, step: int, now: dt.datetime) -> None:
    values = {
        "number": item.number,
        "stage": Stage(item.stage).label,
        "due": _fmt(item.due_at),
    }
    recipients = handlers(item)
    if step == Supervision.REMINDED:
        kind = EventType.REMINDED
        text = _("提醒：诉求%(number)s的%(stage)s时限（%(due)s）已过，请尽快办理。") % values
    elif step == Supervision.SUPERVISED:
        kind = EventType.SUPERVISED
        text = (
            _("督办：诉求%(number)s的%(stage)s已超时（时限%(due)s），请立即办理并反馈。") % values
        )
    else:
        # The item cannot move up (a partner unit or a return visit holds it, or it is at
        # the subdistrict already): the level above is asked to supervise instead.
        kind = EventType.SUPERVISED
        text = _("提请督办：诉求%(number)s的%(stage)s严重超时（时限%(due)s）。") % values
        above = LEVEL_ORDER[min(RANK[item.level] + 1, len(LEVEL_ORDER) - 1)]
        recipients += handlers(item, above)
    live = item.dispatches.filter(status__in=LIVE_DISPATCH, role=DispatchRole.LEAD).first()
    if live is not None and item.stage in (Stage.PARTNER_ACCEPT, Stage.PARTNER_HANDLE):
        from gongzhi.accounts.models import User

        recipients += list(User.objects.filter(partner_unit_id=live.unit_id, is_active=True))
    events.append(
        item=item, type=kind, actor=None, at=now, public=False, step=int(step), stage=item.stage
    )
    audit.record(
        actor=None,
        action="voices.item.reminded" if step == Supervision.REMINDED else "voices.item.supervised",
        obj=item,
        changes={"stage": item.stage, "step": int(step)},
    )
    notify(item=item, text=text, users=recipients)


# ---------------------------------------------------------------------------------------
# Opinion-gathering events
# ---------------------------------------------------------------------------------------

MAX_SESSION_TITLE = 120
MAX_SESSION_PLACE = 120
MAX_ATTENDANCE = 100_000


@transaction.atomic
def event_session_create(
    *,
    actor,
    community: Community,
    title: str,
    format: str,
    held_on: dt.date | None,
    place: str = "",
    attendance: int | None = 0,
    now: dt.datetime | None = None,
) -> EventSession:
    """Record an opinion-gathering event (恳谈会, 坝坝龙门阵, 论坛...) of ``community`` so
    that its opinions can be entered afterwards (``items_submit_from_event``). Needs
    ``enter_event_opinions`` over the community: out of sight is 404, in sight but not
    granted is 403. An event has happened already: ``held_on`` is today or earlier. Nothing
    is written when anything is wrong; the ``ValidationError`` names each field."""
    now = _now(now)
    if community is None:
        raise ValidationError({"community": _("请选择活动所在的社区。")})
    if actor is not None:
        require(actor, "enter_event_opinions", community)
    errors: dict[str, list[str]] = {}

    def err(name: str, message) -> None:
        errors.setdefault(name, []).append(str(message))

    title = (title or "").strip()
    if not title:
        err("title", _("请填写活动名称。"))
    elif len(title) > MAX_SESSION_TITLE:
        err("title", _("活动名称不能超过%(limit)d字。") % {"limit": MAX_SESSION_TITLE})
    if format not in EventFormat.values:
        err("format", _("请选择活动形式。"))
    if held_on is None:
        err("held_on", _("请填写活动日期。"))
    elif held_on > timezone.localtime(now).date():
        err("held_on", _("活动日期不能晚于今天。"))
    place = (place or "").strip()
    if len(place) > MAX_SESSION_PLACE:
        err("place", _("地点不能超过%(limit)d字。") % {"limit": MAX_SESSION_PLACE})
    if attendance is None:
        attendance = 0
    if (
        isinstance(attendance, bool)
        or not isinstance(attendance, int)
        or not 0 <= attendance <= MAX_ATTENDANCE
    ):
        err("attendance", _("参与人次应在0到%(limit)d之间。") % {"limit": MAX_ATTENDANCE})
    if errors:
        raise ValidationError(errors)
    session = EventSession.objects.create(
        community=community,
        title=title,
        format=format,
        held_on=held_on,
        place=place,
        attendance=attendance,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor,
        action="voices.event_session.created",
        obj=session,
        changes={
            "community": community.pk,
            "format": format,
            "held_on": held_on.isoformat(),
            "attendance": attendance,
        },
    )
    return session


# ---------------------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------------------


@transaction.atomic
def notifications_mark_read(
    *, actor, ids: Sequence[int] | None = None, now: dt.datetime | None = None
) -> int:
    """Mark the actor's own unread voices notifications read: those to their login and,
    for a resident, those to them as a resident. ``ids`` limits it to those notifications
    (what the page showed); ids of anyone else's are ignored, never marked. Returns how
    many were marked."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return 0
    own = Q(user_id=actor.pk)
    if actor.resident_id:
        own |= Q(resident_id=actor.resident_id)
    qs = Notification.objects.filter(own, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=_now(now))


# ---------------------------------------------------------------------------------------
# Publication: nothing a resident wrote is public until staff approve its public text
# ---------------------------------------------------------------------------------------

MAX_PUBLIC_TEXT = MAX_TEXT
MAX_WITHHELD_REASON = 500


def _require_publisher(actor, item: Item) -> None:
    """404 unless the item is visible to the actor; 403 unless ``rules.may_publish``."""
    if actor is None:
        return
    if not is_visible(actor, item):
        raise Http404
    if not rules.may_publish(actor, item):
        raise PermissionDenied(_("没有权限执行此操作。"))


def _move_publication(item: Item, to: str) -> None:
    if to not in PUBLICATION_TRANSITIONS[item.publication]:
        raise ValidationError(
            _("诉求%(number)s当前为“%(status)s”，不能变为“%(target)s”。")
            % {
                "number": item.number,
                "status": Publication(item.publication).label,
                "target": Publication(to).label,
            }
        )
    item.publication = to


@transaction.atomic
def item_publish(*, actor, item: Item, public_text: str, now: dt.datetime | None = None) -> Item:
    """Approve ``public_text`` as what the public (Open311, public pages) may read of the
    item, and publish it; publishing a published item again corrects its text. Refused for
    a private item (the resident asked for it, 私下反映), a merged or withdrawn one, and a
    text that still carries a phone, ID, door or plate number, an e-mail or a reporter's
    name — a reviewer's judgement covers the rest (other names, "王阿姨"). The staff who
    handle the item at its level decide (``rules.may_publish``)."""
    now = _now(now)
    item = _lock(item)
    _require_publisher(actor, item)
    if item.private:
        raise ValidationError(_("居民要求不公开（私下反映），该诉求不能公开。"))
    if item.status not in PUBLISHABLE_STATUSES:
        raise ValidationError(
            _("诉求%(number)s当前为“%(status)s”，不能公开。")
            % {"number": item.number, "status": Status(item.status).label}
        )
    text = _required_text(public_text, "public_text", _("请填写公开内容。"), limit=MAX_PUBLIC_TEXT)
    left = redact.identifiers(text, names=reporter_names(item))
    if left:
        labels = {
            "email": _("电子邮箱"),
            "id_number": _("身份证号"),
            "phone": _("电话号码"),
            "number": _("长串数字"),
            "plate": _("车牌号"),
            "door": _("门牌号"),
            "name": _("反映人姓名"),
        }
        raise ValidationError(
            {
                "public_text": _("公开内容里还有%(what)s，请删去后再公开。")
                % {"what": "、".join(str(label) for k, label in labels.items() if k in left)}
            }
        )
    before = item.publication
    _move_publication(item, Publication.PUBLISHED)
    item.public_text = text
    item.published_by = actor if getattr(actor, "is_authenticated", False) else None
    item.published_at = now
    item.withheld_reason = ""
    item.save(
        update_fields=[
            "publication",
            "public_text",
            "published_by",
            "published_at",
            "withheld_reason",
        ]
    )
    events.append(item=item, type=EventType.PUBLISHED, actor=actor, at=now)
    audit.record(
        actor=actor,
        action="voices.item.published",
        obj=item,
        changes={"publication": [before, item.publication], "public_text": text},
    )
    return item


@transaction.atomic
def item_withhold(*, actor, item: Item, reason: str, now: dt.datetime | None = None) -> Item:
    """Keep the item off every public surface, with a reason (internal); a published item
    is taken down. The same staff as ``item_publish`` decide."""
    now = _now(now)
    item = _lock(item)
    _require_publisher(actor, item)
    reason = _required_text(reason, "reason", _("请填写不公开的原因。"), limit=MAX_WITHHELD_REASON)
    before = item.publication
    _move_publication(item, Publication.WITHHELD)
    item.withheld_reason = reason
    item.public_text = ""
    item.published_by = None
    item.published_at = None
    item.save(
        update_fields=[
            "publication",
            "public_text",
            "published_by",
            "published_at",
            "withheld_reason",
        ]
    )
    events.append(
        item=item, type=EventType.WITHHELD, actor=actor, at=now, note=reason, public=False
    )
    audit.record(
        actor=actor,
        action="voices.item.withheld",
        obj=item,
        changes={"publication": [before, item.publication], "reason": reason},
    )
    return item


# ---------------------------------------------------------------------------------------
# 督办 by hand: the level above presses the item's handlers
# ---------------------------------------------------------------------------------------

MAX_SUPERVISION_MESSAGE = MAX_REASON


def item_supervise_check(*, actor, item: Item, message: str) -> str:
    """Everything ``item_supervise`` checks, writing nothing (a confirmation page asks it
    first): 404 out of sight, 403 unless the actor is above the item's level
    (``rules.supervises``), a Chinese ValidationError for a closed item or a missing or
    too long message. Returns the message as it will be sent."""
    if actor is None or not is_visible(actor, item):
        raise Http404
    if not rules.supervises(actor, item):
        raise PermissionDenied(_("只有上一级可以督办该诉求。"))
    if not rules.starts_from("supervise", item):
        raise ValidationError(
            _("诉求%(number)s当前为“%(status)s”，不能督办。")
            % {"number": item.number, "status": Status(item.status).label}
        )
    return _required_text(message, "message", _("请填写督办意见。"), limit=MAX_SUPERVISION_MESSAGE)


@transaction.atomic
def item_supervise(*, actor, item: Item, message: str, now: dt.datetime | None = None) -> Item:
    """督办 by hand: a supervisor (community staff over a grid-level item, subdistrict staff
    over a community-level one) presses the item's handlers with a message. They are
    notified (and the units holding it, while dispatched); the timeline records it
    (internal), the item carries the 督办 marker until it is resolved. Any open status; as
    often as needed, each one recorded."""
    now = _now(now)
    item = _lock(item)
    message = item_supervise_check(actor=actor, item=item, message=message)
    item.supervised_at = now
    item.save(update_fields=["supervised_at"])
    events.append(
        item=item,
        type=EventType.SUPERVISED,
        actor=actor,
        at=now,
        note=message,
        public=False,
        manual=True,
        stage=item.stage,
    )
    audit.record(
        actor=actor,
        action="voices.item.supervised",
        obj=item,
        changes={"manual": True, "level": item.level, "stage": item.stage, "message": message},
    )
    recipients = handlers(item)
    if item.status == Status.DISPATCHED:
        from gongzhi.accounts.models import User

        units = item.dispatches.filter(status__in=LIVE_DISPATCH).values("unit_id")
        recipients += list(User.objects.filter(partner_unit_id__in=units, is_active=True))
    notify(
        item=item,
        text=_("督办：%(who)s督办诉求%(number)s（%(stage)s时限%(due)s）：%(message)s")
        % {
            "who": events.actor_label(actor),
            "number": item.number,
            "stage": Stage(item.stage).label,
            "due": _fmt(item.due_at),
            "message": message[:120],
        },
        users=recipients,
    )
    return item


# ---------------------------------------------------------------------------------------
# Extensions (延期申请): more working days for the handling stage, decided a level above
# ---------------------------------------------------------------------------------------


def _extension_days(days) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValidationError({"days": _("请填写要延长的工作日数（1到10之间的整数）。")})
    if days > rules.MAX_EXTENSION_DAYS:
        raise ValidationError(
            {
                "days": _("每次最多延长%(limit)d个工作日（申请了%(days)d个）。")
                % {"limit": rules.MAX_EXTENSION_DAYS, "days": days}
            }
        )
    return days


def extension_new_due(item: Item, days: int) -> dt.datetime:
    """The deadline ``days`` working days after the current one, on China's calendar: the
    same office hour that many working days on (a deadline at the close of a day moves to
    the close of a later one)."""
    return workcal.add_working_hours(item.due_at, days * deadlines.workday_hours())


def extension_request_check(
    *, actor, item: Item, days, reason: str, now: dt.datetime | None = None
) -> tuple[int, str]:
    """Everything ``extension_request`` checks, writing nothing: 404 out of sight, 403
    unless the actor handles the item, and in Chinese: not in the handling stage, past its
    deadline already, a request still awaiting its decision, the stage's requests used up,
    more than the days allowed, no reason. Returns (days, reason)."""
    now = _now(now)
    rules.require_handler(actor, item)
    if actor is None:
        raise PermissionDenied(_("延期须由办理人申请。"))
    if not rules.starts_from("request_extension", item):
        raise ValidationError(
            _("诉求%(number)s当前为“%(status)s”，只有办理中的诉求可以申请延期。")
            % {"number": item.number, "status": Status(item.status).label}
        )
    if item.due_at < now:
        raise ValidationError(_("已超过办理时限，不能再申请延期；请尽快办结，或上报上一级。"))
    ext = rules.stage_extensions(item)
    if ext.pending_by is not None:
        raise ValidationError(_("本环节已有一份延期申请在等待审批，请等审批后再申请。"))
    if ext.count >= rules.MAX_EXTENSIONS_PER_STAGE:
        raise ValidationError(
            _("本环节已申请过%(n)d次延期，不能再申请；请尽快办结，或上报上一级。")
            % {"n": ext.count}
        )
    errors: dict[str, list[str]] = {}
    try:
        days = _extension_days(days)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        reason = _required_text(reason, "reason", _("请填写延期理由。"), limit=MAX_REASON)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return days, reason


def _extension_deciders(item: Item) -> list:
    """Who hears of a request: the level above, or at the subdistrict its handlers."""
    above = LEVEL_ORDER[min(RANK[item.level] + 1, len(LEVEL_ORDER) - 1)]
    return handlers(item, above)


@transaction.atomic
def extension_request(
    *, actor, item: Item, days, reason: str, now: dt.datetime | None = None
) -> ExtensionRequest:
    """延期申请: a handler of the item asks for ``days`` more working days (at most
    ``rules.MAX_EXTENSION_DAYS``) on its handling stage, with a reason, before the deadline
    passes. At most ``rules.MAX_EXTENSIONS_PER_STAGE`` requests per stage run, one pending
    at a time. The deadline does not move until the level above approves
    (``extension_decide``); they are notified. Nothing is written when refused."""
    now = _now(now)
    item = _lock(item)
    days, reason = extension_request_check(
        actor=actor, item=item, days=days, reason=reason, now=now
    )
    request = ExtensionRequest.objects.create(
        item=item,
        stage=item.stage,
        stage_started_at=item.stage_started_at,
        level=item.level,
        days=days,
        reason=reason,
        due_before=item.due_at,
        requested_by=actor,
        requested_at=now,
    )
    events.append(
        item=item,
        type=EventType.EXTENSION_REQUESTED,
        actor=actor,
        at=now,
        note=reason,
        public=False,
        days=days,
        extension=request.pk,
    )
    audit.record(
        actor=actor,
        action="voices.extension.requested",
        obj=item,
        changes={"days": days, "reason": reason, "due_at": item.due_at.isoformat()},
    )
    notify(
        item=item,
        text=_(
            "延期申请待审批：诉求%(number)s申请延长%(days)d个工作日（现时限%(due)s）：%(reason)s"
        )
        % {
            "number": item.number,
            "days": days,
            "due": _fmt(item.due_at),
            "reason": reason[:100],
        },
        users=[u for u in _extension_deciders(item) if u.pk != actor.pk],
    )
    return request


def pending_extension(item: Item) -> ExtensionRequest | None:
    """The request of the item's current stage run awaiting its decision, if any."""
    return (
        item.extension_requests.filter(
            stage=item.stage, stage_started_at=item.stage_started_at, decision__isnull=True
        )
        .select_related("requested_by")
        .first()
    )


def extension_decide_check(*, actor, item: Item, approve: bool, note: str = "") -> str:
    """Everything ``extension_decide`` checks, writing nothing: 404 out of sight, 403
    unless the actor may decide (the level above; at the subdistrict another handler
    there; never who asked), a Chinese ValidationError when nothing awaits a decision or a
    refusal gives no reason. Returns the note."""
    if actor is None or not is_visible(actor, item):
        raise Http404
    request = pending_extension(item) if rules.starts_from("decide_extension", item) else None
    if request is None:
        raise ValidationError(_("该诉求没有待审批的延期申请。"))
    if not rules.may_decide_extension(
        actor, item, rules.handling_level(actor, item), request.requested_by_id
    ):
        if actor.pk == request.requested_by_id:
            raise PermissionDenied(_("不能审批自己提出的延期申请。"))
        raise PermissionDenied(_("延期申请由上一级审批。"))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("请填写不同意延期的原因。")})
    if len(note) > MAX_REASON:
        raise ValidationError({"note": _("不能超过%(limit)d字。") % {"limit": MAX_REASON}})
    return note


@transaction.atomic
def extension_decide(
    *, actor, item: Item, approve: bool, note: str = "", now: dt.datetime | None = None
) -> ExtensionDecision:
    """审批 the item's pending extension request. Approved: the deadline moves on by the
    days asked for, on the working calendar (``extension_new_due``), and the warning and
    follow-up start again from the new deadline. Refused: a reason is required; the
    deadline stays. Either way the requester is told and both are on the timeline."""
    now = _now(now)
    item = _lock(item)
    note = extension_decide_check(actor=actor, item=item, approve=approve, note=note)
    request = pending_extension(item)
    before = item.due_at
    due_after = extension_new_due(item, request.days) if approve else None
    decision = ExtensionDecision.objects.create(
        request=request,
        outcome=ExtensionOutcome.APPROVED if approve else ExtensionOutcome.REFUSED,
        note=note,
        due_after=due_after,
        decided_by=actor,
        decided_at=now,
    )
    if approve:
        item.due_at = due_after
        item.supervision = Supervision.NONE
        item.warned = False
        item.save(update_fields=["due_at", "supervision", "warned"])
    events.append(
        item=item,
        type=EventType.EXTENSION_APPROVED if approve else EventType.EXTENSION_REFUSED,
        actor=actor,
        at=now,
        note=note,
        public=False,
        days=request.days,
        extension=request.pk,
        due_after=_fmt(due_after) if due_after else None,
    )
    audit.record(
        actor=actor,
        action="voices.extension.approved" if approve else "voices.extension.refused",
        obj=item,
        changes={
            "days": request.days,
            "note": note,
            "due_at": [before.isoformat(), item.due_at.isoformat()],
        },
    )
    if approve:
        text = _("诉求%(number)s的延期申请已同意：时限延至%(due)s。") % {
            "number": item.number,
            "due": _fmt(due_after),
        }
    else:
        text = _("诉求%(number)s的延期申请未同意：%(note)s。时限仍为%(due)s。") % {
            "number": item.number,
            "note": note[:100],
            "due": _fmt(item.due_at),
        }
    notify(item=item, text=text, users=[request.requested_by, *handlers(item)])
    return decision


def _lapse_extensions(item: Item, now: dt.datetime) -> None:
    """A stage that ends (escalated, dispatched, resolved...) takes its pending request with
    it: nobody can extend a deadline that no longer runs."""
    if item.pk is None:
        return
    pending = list(
        item.extension_requests.filter(decision__isnull=True).exclude(
            stage=item.stage, stage_started_at=item.stage_started_at
        )
    )
    for request in pending:
        ExtensionDecision.objects.create(
            request=request, outcome=ExtensionOutcome.LAPSED, decided_by=None, decided_at=now
        )
        events.append(
            item=item,
            type=EventType.EXTENSION_LAPSED,
            actor=None,
            at=now,
            public=False,
            extension=request.pk,
        )
