"""Every change to a mediation case: validated, with the case row locked, audited.

A case opens from a residents'-voice item or directly; parties and sessions are added while
it is mediated; the first session moves it to ``in_mediation``; a mediator records the
outcome (agreement, partial agreement, failure, or referral to the 司法所, 派出所 or a
court). An agreement schedules follow-up visits (``FOLLOW_UP_DAYS``); a visit that finds it
broken reopens the case. Every move is checked against ``enums.TRANSITIONS`` in ``_move``,
appended to the case's history and to the audit log; the originating item hears the
outcome as a note through ``voices.services.item_comment`` (never a voices row written
here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.identity import mask_phone
from gongzhi.core.text import bounded_text
from gongzhi.orgs.enums import TeamKind
from gongzhi.orgs.models import Team
from gongzhi.places.models import Community, Grid, Resident
from gongzhi.voices import services as voices
from gongzhi.voices.enums import Status as ItemStatus
from gongzhi.voices.models import Item

from . import rules
from .enums import (
    AGREEMENTS,
    FOLLOW_UP_DAYS,
    OUTCOMES,
    SESSION_STATUSES,
    TRANSITIONS,
    CaseStatus,
    FollowUpStatus,
    ReferredTo,
    Side,
)
from .models import (
    NAME_MAX,
    NOTE_MAX,
    PLACE_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Case,
    CaseEvent,
    FollowUp,
    Party,
    Session,
)

# Items that may become a mediation: taken on by staff and not yet resolved.
ITEM_STATUSES = (ItemStatus.ACCEPTED,)
PHONE_DIGITS = 11


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(case: Case, status: str, actor, now: dt.datetime, note: str = "") -> None:
    CaseEvent.objects.create(case=case, status=status, at=now, actor=_actor(actor), note=note)


def _move(case: Case, to: str) -> None:
    if to not in TRANSITIONS[CaseStatus(case.status)]:
        raise ValidationError(
            _("这件调解当前为“%(status)s”，不能改为“%(to)s”。")
            % {"status": case.get_status_display(), "to": CaseStatus(to).label}
        )
    case.status = to


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _check_mediate(actor, case: Case) -> None:
    if actor is None:
        return
    if not rules.may_see(actor, case):
        raise Http404
    if not rules.may_mediate(actor, case):
        raise PermissionDenied(_("只有本案调解员和社区书记可以办理调解。"))


def mediation_team(community: Community) -> Team | None:
    return Team.objects.filter(community=community, kind=TeamKind.MEDIATION).order_by("pk").first()


def _tell_item(case: Case, actor, text: str, now: dt.datetime) -> None:
    """A note on the originating item, through the voices service for staff notes: written
    by the actor where they may note the item, else by whoever opened the case from it."""
    if case.item_id is None:
        return
    item = Item.objects.get(pk=case.item_id)
    for writer in (actor, case.opened_by):
        if writer is None:
            continue
        try:
            with transaction.atomic():
                voices.item_comment(actor=writer, item=item, note=text, now=now)
            return
        except (PermissionDenied, Http404):
            continue


# --- opening ------------------------------------------------------------------------------


def _clean_case(
    *,
    community: Community,
    grid: Grid | None,
    title: str,
    summary: str,
    arose_on: dt.date | None,
    mediators: Iterable[Resident],
    now: dt.datetime,
) -> tuple[Team, str, str, list[Resident]]:
    errors: dict[str, list[str]] = {}
    team = mediation_team(community)
    if team is None:
        errors.setdefault("mediators", []).append(
            _("本社区还没有调解队，请先在“组织管理”中建立调解队。")
        )
    if grid is not None and grid.community_id != community.pk:
        errors.setdefault("grid", []).append(_("网格不属于这个社区。"))
    for field, value, limit, required in (
        ("title", title, TITLE_MAX, _("请填写纠纷类型，例如：漏水纠纷、噪音纠纷。")),
        ("summary", summary, TEXT_MAX, _("请填写纠纷简要情况。")),
    ):
        try:
            bounded_text(value, field=field, limit=limit, required=required)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
    if arose_on is None:
        errors.setdefault("arose_on", []).append(_("请填写纠纷发生日期。"))
    elif arose_on > timezone.localtime(now).date():
        errors.setdefault("arose_on", []).append(_("纠纷发生日期不能晚于今天。"))
    mediators = list(mediators or ())
    if not mediators:
        errors.setdefault("mediators", []).append(_("请至少选择一名调解员。"))
    elif team is not None:
        members = set(team.memberships.values_list("resident_id", flat=True))
        outside = [m.name for m in mediators if m.pk not in members]
        if outside:
            errors.setdefault("mediators", []).append(
                _("%(names)s不是本社区调解队队员。") % {"names": "、".join(outside)}
            )
    if errors:
        raise ValidationError(errors)
    return team, title.strip(), summary.strip(), mediators


def _number(community: Community, now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    prefix = f"TJ{community.code[-3:]}{year}-"
    n = Case.objects.filter(number__startswith=prefix).count() + 1
    return f"{prefix}{n:04d}"


@transaction.atomic
def case_open(
    *,
    actor,
    community: Community,
    title: str,
    summary: str,
    arose_on: dt.date | None,
    mediators: Iterable[Resident],
    grid: Grid | None = None,
    item: Item | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Open a mediation case in ``community`` with the mediators of its mediation team.
    From an item: the item's place, and the item must be taken on and not yet mediated."""
    now = _now(now)
    if actor is not None:
        if item is not None and not rules.may_open_from_item(actor, item):
            raise Http404
        if item is None and not rules.may_open(actor, community, grid):
            raise PermissionDenied(_("只有调解队队员和社区、网格工作人员可以受理调解。"))
    if item is not None:
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.status not in ITEM_STATUSES:
            raise ValidationError(
                _("这条诉求当前为“%(status)s”，受理后、办结前才能转人民调解。")
                % {"status": item.get_status_display()}
            )
        if Case.objects.filter(item=item).exists():
            raise ValidationError(_("这条诉求已经转人民调解。"))
        community, grid = item.community, item.grid
    team, title, summary, mediators = _clean_case(
        community=community,
        grid=grid,
        title=title,
        summary=summary,
        arose_on=arose_on,
        mediators=mediators,
        now=now,
    )
    Community.objects.select_for_update().get(pk=community.pk)
    case = Case.objects.create(
        number=_number(community, now),
        community=community,
        grid=grid,
        team=team,
        item=item,
        title=title,
        summary=summary,
        arose_on=arose_on,
        opened_by=_actor(actor),
        opened_at=now,
    )
    case.mediators.set(mediators)
    _event(case, CaseStatus.OPEN, actor, now)
    audit.record(
        actor=_actor(actor),
        action="mediation.case.opened",
        obj=case,
        changes={"item": item.number if item else "", "mediators": len(mediators)},
    )
    if item is not None:
        _tell_item(
            case,
            actor,
            _("已转人民调解（%(number)s），由%(team)s办理。")
            % {"number": case.number, "team": team.name},
            now,
        )
    return case


# --- parties and sessions -----------------------------------------------------------------


def _clean_phone(phone: str) -> str:
    phone = "".join(ch for ch in (phone or "") if not ch.isspace() and ch != "-")
    if phone and (not phone.isdigit() or len(phone) != PHONE_DIGITS or phone[0] != "1"):
        raise ValidationError({"phone": _("手机号应为以1开头的11位数字。")})
    return phone


@transaction.atomic
def party_add(
    *,
    actor,
    case: Case,
    side: str,
    resident: Resident | None = None,
    name: str = "",
    phone: str = "",
    statement: str = "",
) -> Party:
    """Add a party: a resident of the case's community register, or — outside it — a person
    by name, with a phone (sealed at rest). Their statement is confidential."""
    case = _lock(case)
    _check_mediate(actor, case)
    errors: dict[str, list[str]] = {}
    if side not in Side.values:
        errors["side"] = [_("请选择当事人身份：申请方或被申请方。")]
    if case.status not in SESSION_STATUSES:
        errors["__all__"] = [_("调解已结束，不能再添加当事人。")]
    if resident is not None:
        if resident.community_id != case.community_id:
            errors["resident"] = [_("这位居民不在本社区居民登记中，请按外来当事人填写姓名。")]
        elif case.parties.filter(resident=resident).exists():
            errors["resident"] = [_("这位居民已经是本案当事人。")]
        name, phone = resident.name, ""
    else:
        try:
            name = bounded_text(
                name,
                field="name",
                limit=NAME_MAX,
                required=_("不在本社区居民登记中的当事人，请填写姓名。"),
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
        try:
            phone = _clean_phone(phone)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        statement = bounded_text(statement, field="statement", limit=TEXT_MAX)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    party = Party.objects.create(
        case=case, resident=resident, name=name, phone=phone, side=side, statement=statement
    )
    audit.record(
        actor=_actor(actor),
        action="mediation.party.added",
        obj=case,
        changes={"side": side, "register": resident is not None, "phone": mask_phone(phone)},
    )
    return party


@transaction.atomic
def session_record(
    *,
    actor,
    case: Case,
    held_at: dt.datetime | None,
    place: str,
    notes: str,
    attendees: Iterable[Party] = (),
    now: dt.datetime | None = None,
) -> Session:
    """Record a session that was held. The first one moves the case into mediation."""
    now = _now(now)
    case = _lock(case)
    _check_mediate(actor, case)
    errors: dict[str, list[str]] = {}
    if case.status not in SESSION_STATUSES:
        raise ValidationError(
            _("这件调解当前为“%(status)s”，不能再记录调解。")
            % {"status": case.get_status_display()}
        )
    if held_at is None:
        errors["held_at"] = [_("请填写调解时间。")]
    elif timezone.localtime(held_at).date() < case.arose_on:
        errors["held_at"] = [
            _("调解时间不能早于纠纷发生日期（%(day)s）。")
            % {"day": case.arose_on.strftime("%Y-%m-%d")}
        ]
    elif held_at > now + dt.timedelta(minutes=10):
        errors["held_at"] = [_("只能记录已经开过的调解，调解时间不能晚于现在。")]
    for field, value, limit, required in (
        ("place", place, PLACE_MAX, _("请填写调解地点。")),
        ("notes", notes, TEXT_MAX, _("请填写调解记录。")),
    ):
        try:
            bounded_text(value, field=field, limit=limit, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    attendees = list(attendees or ())
    if any(p.case_id != case.pk for p in attendees):
        errors["attendees"] = [_("到场人员须是本案当事人。")]
    if errors:
        raise ValidationError(errors)
    session = Session.objects.create(
        case=case,
        held_at=held_at,
        place=place.strip(),
        notes=notes.strip(),
        recorded_by=_actor(actor),
        recorded_at=now,
    )
    session.attendees.set(attendees)
    if case.status != CaseStatus.IN_MEDIATION:
        _move(case, CaseStatus.IN_MEDIATION)
        case.save(update_fields=["status"])
        _event(case, CaseStatus.IN_MEDIATION, actor, now)
    audit.record(
        actor=_actor(actor),
        action="mediation.session.recorded",
        obj=case,
        changes={"attendees": len(attendees)},
    )
    return session


# --- outcome ------------------------------------------------------------------------------


def outcome_words(case: Case) -> str:
    if case.status == CaseStatus.REFERRED and case.referred_to:
        return _("已移交%(unit)s") % {"unit": ReferredTo(case.referred_to).label}
    return CaseStatus(case.status).label


@transaction.atomic
def case_conclude(
    *,
    actor,
    case: Case,
    outcome: str,
    agreement: str = "",
    referred_to: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """Record how the mediation ended. An agreement needs its terms (they go into the
    人民调解协议书) and schedules the follow-up visits; a referral names where to."""
    now = _now(now)
    case = _lock(case)
    _check_mediate(actor, case)
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": [_("请选择调解结果。")]})
    errors: dict[str, list[str]] = {}
    if outcome in AGREEMENTS:
        try:
            agreement = bounded_text(
                agreement,
                field="agreement",
                limit=TEXT_MAX,
                required=_("请填写协议内容，它会写进人民调解协议书。"),
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if (
            not case.parties.filter(side=Side.APPLICANT).exists()
            or not case.parties.filter(side=Side.RESPONDENT).exists()
        ):
            errors["__all__"] = [_("达成协议前请先登记申请方和被申请方。")]
    if outcome == CaseStatus.REFERRED and referred_to not in ReferredTo.values:
        errors["referred_to"] = [_("请选择移交单位：司法所、派出所或人民法院。")]
    try:
        note = bounded_text(note, field="note", limit=NOTE_MAX)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    _move(case, outcome)
    case.concluded_at = now
    case.outcome_note = note
    case.referred_to = referred_to if outcome == CaseStatus.REFERRED else ""
    if outcome in AGREEMENTS:
        case.agreement = agreement
        case.agreed_at = case.agreed_at or now
        today = timezone.localtime(now).date()
        FollowUp.objects.bulk_create(
            FollowUp(case=case, due_on=today + dt.timedelta(days=d)) for d in FOLLOW_UP_DAYS
        )
    case.save()
    _event(case, outcome, actor, now, note)
    audit.record(
        actor=_actor(actor),
        action="mediation.case.concluded",
        obj=case,
        changes={"outcome": outcome, "referred_to": case.referred_to},
    )
    _tell_item(
        case,
        actor,
        _("人民调解（%(number)s）结果：%(outcome)s。")
        % {"number": case.number, "outcome": outcome_words(case)},
        now,
    )
    return case


@transaction.atomic
def signed_copy_upload(*, actor, case: Case, photo) -> Case:
    """Keep a photo of the signed agreement, cleaned as every upload is (no EXIF)."""
    case = _lock(case)
    _check_mediate(actor, case)
    if case.status not in AGREEMENTS:
        raise ValidationError({"photo": [_("达成协议后才能上传签字的协议书。")]})
    if photo is None:
        raise ValidationError({"photo": [_("请选择协议书照片。")]})
    clean = voices.clean_photos([photo], field_name="photo")[0]
    case.signed_copy.save(clean.name, ContentFile(clean.content), save=False)
    case.signed_copy_type = clean.content_type
    case.save(update_fields=["signed_copy", "signed_copy_type"])
    audit.record(actor=_actor(actor), action="mediation.case.signed_copy", obj=case)
    return case


@transaction.atomic
def follow_up_record(
    *,
    actor,
    follow_up: FollowUp,
    kept: bool,
    note: str = "",
    now: dt.datetime | None = None,
) -> FollowUp:
    """Record a follow-up visit. A broken agreement reopens the case and cancels the visits
    still due; the originating item hears it."""
    now = _now(now)
    case = _lock(follow_up.case)
    _check_mediate(actor, case)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status != FollowUpStatus.DUE:
        raise ValidationError(_("这次回访已经记录过了。"))
    note = bounded_text(
        note,
        field="note",
        limit=NOTE_MAX,
        required="" if kept else _("请写明协议哪里没有履行。"),
    )
    follow_up.status = FollowUpStatus.KEPT if kept else FollowUpStatus.BROKEN
    follow_up.note = note
    follow_up.visited_by = _actor(actor)
    follow_up.visited_at = now
    follow_up.save()
    if not kept:
        _move(case, CaseStatus.REOPENED)
        case.save(update_fields=["status"])
        case.follow_ups.filter(status=FollowUpStatus.DUE).update(status=FollowUpStatus.CANCELLED)
        _event(case, CaseStatus.REOPENED, actor, now, note)
        _tell_item(
            case,
            actor,
            _("人民调解（%(number)s）回访发现协议未履行，已重新调解。") % {"number": case.number},
            now,
        )
    audit.record(
        actor=_actor(actor),
        action="mediation.follow_up.recorded",
        obj=case,
        changes={"kept": kept},
    )
    return follow_up
