"""Every change to exemplars: validated, the row locked, the state moved through its map,
the history appended and the audit event written.

Nominations: a resident nominates a neighbour (群众推荐) or themself (居民自荐), staff
record one the community found (社区发现). Staff confirm who is meant (a resident of the
register), which opens the review, then accept or decline with a reason. An accepted
nomination becomes a story staff write; it is published only while the person's consent
is on record, and withdrawing that consent unpublishes it in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, redact
from gongzhi.core.scoping import may, require
from gongzhi.core.text import bounded_text
from gongzhi.deliberation.enums import TalentStatus
from gongzhi.deliberation.models import Talent
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Community, Resident
from gongzhi.voices.services import clean_photos

from . import rules
from .enums import (
    NOMINATION_TRANSITIONS,
    STORY_TRANSITIONS,
    Category,
    ConsentMethod,
    NominationStatus,
    Source,
    StoryStatus,
)
from .models import (
    CITATION_MAX,
    HINT_MAX,
    NAME_MAX,
    NOTE_MAX,
    REASON_MAX,
    REASONS_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Commendation,
    Consent,
    Nomination,
    NominationEvent,
    Story,
    StoryPhoto,
)

MAX_PHOTOS_PER_STORY = 9


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _collect(errors: dict, check, *args, **kwargs):
    try:
        return check(*args, **kwargs)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        return ""


def _resident_of(actor) -> Resident:
    resident = Resident.objects.filter(pk=getattr(actor, "resident_id", None) or 0).first()
    if resident is None or resident.status != ResidentStatus.LIVING:
        raise Http404
    return resident


def _match(community_id: int, name: str) -> Resident | None:
    """The one living resident of the community with this name, or None (none, or several:
    staff then pick at review)."""
    found = list(
        Resident.objects.filter(community_id=community_id, name=name, status=ResidentStatus.LIVING)[
            :2
        ]
    )
    return found[0] if len(found) == 1 else None


def _nomination_event(nomination, status, actor, now, note="") -> None:
    NominationEvent.objects.create(
        nomination=nomination,
        status=status,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


# --- nominations --------------------------------------------------------------------------


@transaction.atomic
def nomination_submit(
    *,
    actor,
    category: str,
    reasons: str,
    nominee_name: str = "",
    nominee_hint: str = "",
    myself: bool = False,
    nominee: Resident | None = None,
    community: Community | None = None,
    now: dt.datetime | None = None,
) -> Nomination:
    """Put someone forward. A resident login nominates a neighbour by name (and where they
    live) or themself; staff name a resident of their reach (``nominee``) or a person of a
    community of their reach by name (``community``). The reasons stay with staff."""
    now = _now(now)
    errors: dict = {}
    if category not in Category.values:
        errors["category"] = [_("请选择推荐的类别。")]
    reasons = _collect(
        errors,
        bounded_text,
        reasons,
        field="reasons",
        limit=REASONS_MAX,
        required=_("请写一写推荐的理由：做了哪些好事，帮助了谁。"),
    )
    nominee_hint = _collect(
        errors, bounded_text, nominee_hint, field="nominee_hint", limit=HINT_MAX
    )
    staff_side = nominee is not None or community is not None
    if not staff_side:
        me = _resident_of(actor)
        community_id, grid_id, nominator = me.community_id, me.grid_id, me
        if myself:
            source, nominee, nominee_name = Source.SELF, me, me.name
        else:
            nominee_name = _collect(
                errors,
                bounded_text,
                nominee_name,
                field="nominee_name",
                limit=NAME_MAX,
                required=_("请填写被推荐人的姓名。"),
            )
            nominee = _match(community_id, nominee_name) if nominee_name else None
            source = (
                Source.SELF if nominee is not None and nominee.pk == me.pk else Source.RECOMMENDED
            )
            if nominee is not None:
                grid_id = nominee.grid_id
    else:
        nominator = None
        source = Source.COMMUNITY
        if nominee is not None:
            require(actor, rules.REVIEW, nominee)
            if nominee.status != ResidentStatus.LIVING:
                errors["nominee"] = [_("只能推荐在住的居民。")]
            community_id, grid_id, nominee_name = (
                nominee.community_id,
                nominee.grid_id,
                nominee.name,
            )
        else:
            require(actor, rules.REVIEW, community)
            community_id, grid_id = community.pk, None
            nominee_name = _collect(
                errors,
                bounded_text,
                nominee_name,
                field="nominee_name",
                limit=NAME_MAX,
                required=_("请填写被推荐人的姓名。"),
            )
            nominee = _match(community_id, nominee_name) if nominee_name else None
            if nominee is not None:
                grid_id = nominee.grid_id
    if errors:
        raise ValidationError(errors)
    nomination = Nomination.objects.create(
        community_id=community_id,
        grid_id=grid_id,
        source=source,
        category=category,
        nominee_name=nominee_name,
        nominee_hint=nominee_hint,
        nominee=nominee,
        reasons=reasons,
        nominated_by=actor,
        nominator=nominator,
    )
    _nomination_event(nomination, NominationStatus.NOMINATED, actor, now)
    audit.record(
        actor=actor,
        action="exemplars.nomination.submitted",
        obj=nomination,
        changes={"source": source, "category": category},
    )
    return nomination


def _lock_nomination(nomination: Nomination) -> Nomination:
    return Nomination.objects.select_for_update().get(pk=nomination.pk)


def _move_nomination(nomination: Nomination, to: str) -> None:
    if to not in NOMINATION_TRANSITIONS[NominationStatus(nomination.status)]:
        raise ValidationError(
            {
                "status": [
                    _("这条推荐当前为“%(status)s”，不能改为“%(to)s”。")
                    % {
                        "status": nomination.get_status_display(),
                        "to": NominationStatus(to).label,
                    }
                ]
            }
        )
    nomination.status = to


@transaction.atomic
def nomination_review(
    *, actor, nomination: Nomination, nominee: Resident, now: dt.datetime | None = None
) -> Nomination:
    """Confirm who is meant — a living resident of the register in the nomination's
    community — and open the review. Links the talent pool's entry of that person, if any."""
    now = _now(now)
    locked = _lock_nomination(nomination)
    require(actor, rules.REVIEW, locked)
    if nominee is None or not may(actor, "view", nominee):
        raise ValidationError({"nominee": [_("请从登记的居民中选择被推荐人。")]})
    if nominee.community_id != locked.community_id or nominee.status != ResidentStatus.LIVING:
        raise ValidationError({"nominee": [_("被推荐人须是本社区在住的居民。")]})
    _move_nomination(locked, NominationStatus.UNDER_REVIEW)
    locked.nominee = nominee
    locked.grid_id = nominee.grid_id
    locked.talent = (
        Talent.objects.filter(resident=nominee, status=TalentStatus.APPROVED).order_by("pk").first()
    )
    locked.save(update_fields=["status", "nominee", "grid", "talent"])
    _nomination_event(locked, NominationStatus.UNDER_REVIEW, actor, now)
    audit.record(actor=actor, action="exemplars.nomination.reviewing", obj=locked)
    return locked


@transaction.atomic
def nomination_accept(
    *, actor, nomination: Nomination, reason: str = "", now: dt.datetime | None = None
) -> Nomination:
    now = _now(now)
    locked = _lock_nomination(nomination)
    require(actor, rules.REVIEW, locked)
    reason = bounded_text(reason, field="reason", limit=REASON_MAX)
    _move_nomination(locked, NominationStatus.ACCEPTED)
    locked.decision_reason = reason
    locked.save(update_fields=["status", "decision_reason"])
    _nomination_event(locked, NominationStatus.ACCEPTED, actor, now, reason)
    audit.record(actor=actor, action="exemplars.nomination.accepted", obj=locked)
    return locked


@transaction.atomic
def nomination_decline(
    *, actor, nomination: Nomination, reason: str, now: dt.datetime | None = None
) -> Nomination:
    now = _now(now)
    locked = _lock_nomination(nomination)
    require(actor, rules.REVIEW, locked)
    reason = bounded_text(
        reason, field="reason", limit=REASON_MAX, required=_("请写明未采纳的原因。")
    )
    _move_nomination(locked, NominationStatus.DECLINED)
    locked.decision_reason = reason
    locked.save(update_fields=["status", "decision_reason"])
    _nomination_event(locked, NominationStatus.DECLINED, actor, now, reason)
    audit.record(actor=actor, action="exemplars.nomination.declined", obj=locked)
    return locked


# --- stories ------------------------------------------------------------------------------


def _clean_story(title: str, text: str) -> tuple[str, str]:
    errors: dict = {}
    title = _collect(
        errors, bounded_text, title, field="title", limit=TITLE_MAX, required=_("请填写标题。")
    )
    text = _collect(
        errors,
        bounded_text,
        text,
        field="text",
        limit=TEXT_MAX,
        required=_("请填写故事正文。正文由工作人员撰写、核对后才会公开。"),
    )
    # The public page must not lead anyone to a door or a phone: staff redact first.
    for field, value in (("title", title), ("text", text)):
        if value and redact.identifiers(value):
            errors.setdefault(field, []).append(
                _("公开的内容里不能有电话、身份证号、门牌号等信息，请删去后再保存。")
            )
    if errors:
        raise ValidationError(errors)
    return title, text


@transaction.atomic
def story_create(*, actor, nomination: Nomination, title: str, text: str) -> Story:
    """A draft story from an accepted nomination. Its text is staff's own words: the
    nomination's reasons are never copied to anything public."""
    locked = _lock_nomination(nomination)
    require(actor, rules.PUBLISH, locked)
    if locked.status != NominationStatus.ACCEPTED:
        raise ValidationError({"status": [_("只有已采纳的推荐才能撰写故事。")]})
    if Story.objects.filter(nomination=locked).exists():
        raise ValidationError({"status": [_("这条推荐已经有故事了。")]})
    title, text = _clean_story(title, text)
    nominee = locked.nominee
    story = Story.objects.create(
        nomination=locked,
        resident=nominee,
        community_id=nominee.community_id,
        grid_id=nominee.grid_id,
        category=locked.category,
        title=title,
        text=text,
        created_by=actor,
    )
    audit.record(actor=actor, action="exemplars.story.created", obj=story)
    return story


def _lock_story(story: Story) -> Story:
    return Story.objects.select_for_update().get(pk=story.pk)


@transaction.atomic
def story_edit(*, actor, story: Story, title: str, text: str) -> Story:
    """Staff change the words; on a published story the public sees the new words at once."""
    locked = _lock_story(story)
    require(actor, rules.PUBLISH, locked)
    if locked.status == StoryStatus.WITHDRAWN:
        raise ValidationError({"status": [_("故事已撤下，请先重新起草。")]})
    title, text = _clean_story(title, text)
    changed = [k for k, v in (("title", title), ("text", text)) if getattr(locked, k) != v]
    locked.title, locked.text = title, text
    locked.save(update_fields=["title", "text"])
    audit.record(
        actor=actor, action="exemplars.story.edited", obj=locked, changes={"fields": changed}
    )
    return locked


@transaction.atomic
def story_add_photos(*, actor, story: Story, photos: Sequence) -> list[StoryPhoto]:
    """Photos, each written anew without EXIF (no GPS position), at most 1600 px."""
    locked = _lock_story(story)
    require(actor, rules.PUBLISH, locked)
    if not photos:
        raise ValidationError({"photos": [_("请选择照片。")]})
    if locked.photos.count() + len(photos) > MAX_PHOTOS_PER_STORY:
        raise ValidationError(
            {"photos": [_("每个故事最多%(n)d张照片。") % {"n": MAX_PHOTOS_PER_STORY}]}
        )
    clean = clean_photos(photos)
    made = []
    for photo in clean:
        row = StoryPhoto(
            story=locked,
            content_type=photo.content_type,
            size=len(photo.content),
            uploaded_by=actor,
        )
        row.file.save(photo.name, ContentFile(photo.content), save=False)
        if photo.thumbnail:
            stem, ext = photo.name.rsplit(".", 1)
            row.thumbnail.save(f"{stem}_thumb.{ext}", ContentFile(photo.thumbnail), save=False)
        row.save()
        made.append(row)
    audit.record(
        actor=actor, action="exemplars.story.photos_added", obj=locked, changes={"n": len(made)}
    )
    return made


def live_consent(story: Story) -> Consent | None:
    return Consent.objects.filter(story=story, withdrawn_at__isnull=True).first()


@transaction.atomic
def consent_record(
    *,
    actor,
    story: Story,
    method: str,
    given_on: dt.date,
    note: str = "",
    form_photo=None,
    now: dt.datetime | None = None,
) -> Consent:
    """Record that the person agreed to the story being public: how (a signed form,
    photographed, or in person), on which day, and who recorded it."""
    now = _now(now)
    locked = _lock_story(story)
    require(actor, rules.PUBLISH, locked)
    errors: dict = {}
    if method not in ConsentMethod.values:
        errors["method"] = [_("请选择本人同意的方式。")]
    note = _collect(errors, bounded_text, note, field="note", limit=NOTE_MAX)
    if given_on is None or given_on > timezone.localdate(now):
        errors["given_on"] = [_("请填写本人同意的日期（不能晚于今天）。")]
    if method == ConsentMethod.SIGNED_FORM and form_photo is None:
        errors["form_photo"] = [_("签字同意书请拍照上传。")]
    if method == ConsentMethod.IN_PERSON and not note:
        errors["note"] = [_("当面同意请写明在哪里、当着谁同意的。")]
    if errors:
        raise ValidationError(errors)
    if live_consent(locked) is not None:
        raise ValidationError({"method": [_("已经记录过本人同意。")]})
    consent = Consent(
        story=locked,
        method=method,
        note=note,
        given_on=given_on,
        recorded_by=actor,
        recorded_at=now,
    )
    if form_photo is not None:
        photo = clean_photos([form_photo], "form_photo")[0]
        consent.form_photo.save(photo.name, ContentFile(photo.content), save=False)
    try:
        with transaction.atomic():
            consent.save()
    except IntegrityError:
        raise ValidationError({"method": [_("已经记录过本人同意。")]}) from None
    audit.record(
        actor=actor, action="exemplars.consent.recorded", obj=locked, changes={"method": method}
    )
    return consent


def _move_story(story: Story, to: str) -> None:
    if to not in STORY_TRANSITIONS[StoryStatus(story.status)]:
        raise ValidationError(
            {
                "status": [
                    _("故事当前为“%(status)s”，不能改为“%(to)s”。")
                    % {"status": story.get_status_display(), "to": StoryStatus(to).label}
                ]
            }
        )
    story.status = to


@transaction.atomic
def story_publish(*, actor, story: Story, now: dt.datetime | None = None) -> Story:
    now = _now(now)
    locked = _lock_story(story)
    require(actor, rules.PUBLISH, locked)
    if live_consent(locked) is None:
        raise ValidationError(
            {"status": [_("还没有记录本人同意公开，不能发布。请先记录本人同意。")]}
        )
    _move_story(locked, StoryStatus.PUBLISHED)
    locked.published_at = now
    locked.save(update_fields=["status", "published_at"])
    audit.record(actor=actor, action="exemplars.story.published", obj=locked)
    return locked


@transaction.atomic
def story_withdraw(*, actor, story: Story, reason: str, now: dt.datetime | None = None) -> Story:
    """Take a story down (a draft abandoned, or a published one unpublished)."""
    now = _now(now)
    locked = _lock_story(story)
    require(actor, rules.PUBLISH, locked)
    reason = bounded_text(
        reason, field="reason", limit=REASON_MAX, required=_("请写明撤下的原因。")
    )
    _move_story(locked, StoryStatus.WITHDRAWN)
    locked.withdrawn_at, locked.withdraw_reason = now, reason
    locked.save(update_fields=["status", "withdrawn_at", "withdraw_reason"])
    audit.record(actor=actor, action="exemplars.story.withdrawn", obj=locked)
    return locked


@transaction.atomic
def story_redraft(*, actor, story: Story) -> Story:
    """Take a withdrawn story up again as a draft; publishing it needs a new consent."""
    locked = _lock_story(story)
    require(actor, rules.PUBLISH, locked)
    _move_story(locked, StoryStatus.DRAFT)
    locked.save(update_fields=["status"])
    audit.record(actor=actor, action="exemplars.story.redrafted", obj=locked)
    return locked


@transaction.atomic
def consent_withdraw(*, actor, story: Story, note: str, now: dt.datetime | None = None) -> Consent:
    """The person no longer agrees: the consent is marked withdrawn and a published story
    is taken down in the same transaction — no moment where it is public without consent."""
    now = _now(now)
    locked = _lock_story(story)
    require(actor, rules.PUBLISH, locked)
    note = bounded_text(
        note, field="note", limit=NOTE_MAX, required=_("请写明本人何时、如何撤回同意。")
    )
    consent = (
        Consent.objects.select_for_update().filter(story=locked, withdrawn_at__isnull=True).first()
    )
    if consent is None:
        raise ValidationError({"note": [_("没有可撤回的同意记录。")]})
    consent.withdrawn_at, consent.withdrawn_by, consent.withdraw_note = now, actor, note
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_note"])
    if locked.status != StoryStatus.WITHDRAWN:
        locked.status = StoryStatus.WITHDRAWN
        locked.withdrawn_at = now
        locked.withdraw_reason = _("本人撤回同意")
        locked.save(update_fields=["status", "withdrawn_at", "withdraw_reason"])
    audit.record(actor=actor, action="exemplars.consent.withdrawn", obj=locked)
    return consent


# --- commendations ------------------------------------------------------------------------


@transaction.atomic
def commendation_create(
    *,
    actor,
    resident: Resident,
    title: str,
    year: int,
    citation: str,
    consent_method: str,
    story: Story | None = None,
    now: dt.datetime | None = None,
) -> Commendation:
    """Commend a resident (e.g. 2025年度最美志愿者). Shown to the community with the
    person's consent, recorded here."""
    now = _now(now)
    if resident is None:
        raise ValidationError({"resident": [_("请选择受表彰的居民。")]})
    require(actor, rules.PUBLISH, resident)
    errors: dict = {}
    if title not in Category.values:
        errors["title"] = [_("请选择称号。")]
    this_year = timezone.localdate(now).year
    if not isinstance(year, int) or not 2000 <= year <= this_year:
        errors["year"] = [_("年度应在2000年到%(y)d年之间。") % {"y": this_year}]
    citation = _collect(
        errors,
        bounded_text,
        citation,
        field="citation",
        limit=CITATION_MAX,
        required=_("请填写事迹简介（会公开显示）。"),
    )
    if consent_method not in ConsentMethod.values:
        errors["consent_method"] = [_("表彰会公开姓名，请先征得本人同意并选择同意方式。")]
    if story is not None and story.resident_id != resident.pk:
        errors["story"] = [_("所选故事不是这位居民的。")]
    if errors:
        raise ValidationError(errors)
    if Commendation.objects.filter(
        community_id=resident.community_id, year=year, title=title, resident=resident
    ).exists():
        raise ValidationError({"title": [_("这位居民已获得本年度的这个称号。")]})
    commendation = Commendation.objects.create(
        community_id=resident.community_id,
        grid_id=resident.grid_id,
        resident=resident,
        title=title,
        year=year,
        citation=citation,
        story=story,
        consent_method=consent_method,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="exemplars.commendation.created",
        obj=commendation,
        changes={"title": title, "year": year},
    )
    return commendation
