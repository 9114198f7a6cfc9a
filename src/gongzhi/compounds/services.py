"""Every change to a compound's governance and a station's duty roster: validated with
Chinese messages, atomic, with the compound row locked where periods must not overlap,
audited (``core.audit`` labels ``compounds.*``).

Two committee terms of one compound never overlap, nor two property contracts: the
compound row is locked (``select_for_update``) before the check so two requests cannot
both pass it, and on PostgreSQL an exclusion constraint holds to it too. A property case
goes to the compound's company or stewards through ``voices.services.item_dispatch`` —
never a voices row written here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.text import bounded_text
from gongzhi.orgs.enums import PartnerKind
from gongzhi.orgs.models import PartnerUnit, Team
from gongzhi.places.models import Building, Compound, Resident
from gongzhi.surveys import services as surveys
from gongzhi.surveys.models import Questionnaire
from gongzhi.venues.enums import VenueKind
from gongzhi.venues.models import Venue
from gongzhi.voices import services as voices
from gongzhi.voices.models import Dispatch, Item

from . import rules, selectors
from .enums import PROPERTY_CATEGORY_CODES, BodyKind, CommitteePost
from .models import (
    NAME_MAX,
    NOTE_MAX,
    TEXT_MAX,
    TITLE_MAX,
    BodyMeeting,
    CommitteeMember,
    CommitteeTerm,
    Decision,
    DutyShift,
    Notice,
    PropertyContract,
    PropertyStaff,
    SatisfactionPoll,
    SelfManagement,
    Steward,
)

MAX_DECISIONS = 20
PHONE_DIGITS = 11


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _require_manager(actor, compound: Compound) -> None:
    """404 for a compound out of reach or for one the actor may only look at: the same
    answer as for a compound that does not exist."""
    if actor is not None and not rules.may_manage(actor, compound):
        raise Http404


def _lock_compound(compound: Compound) -> Compound:
    return Compound.objects.select_for_update().get(pk=compound.pk)


def _period(starts_on, ends_on, errors: dict) -> None:
    if not starts_on:
        errors["starts_on"] = [_("请填写开始日期。")]
    if not ends_on:
        errors["ends_on"] = [_("请填写结束日期。")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("结束日期不能早于开始日期。")]


def _fmt(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _text(value, *, field: str, limit: int, required: str = "", errors: dict) -> str:
    try:
        return bounded_text(value, field=field, limit=limit, required=required)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return ""


def _phone(value: str, errors: dict, field: str = "phone") -> str:
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if value and (not value.isdigit() or len(value) > 20):
        errors[field] = [_("请填写正确的电话号码。")]
    return value


def _resident_of(
    compound_or_community_id: int, resident: Resident | None, errors: dict, field="resident"
):
    if resident is not None and resident.community_id != compound_or_community_id:
        errors[field] = [_("请选择本社区的居民。")]


# --- owners' committee --------------------------------------------------------------


@transaction.atomic
def committee_term_create(
    *,
    actor,
    compound: Compound,
    name: str,
    elected_on: dt.date,
    starts_on: dt.date,
    ends_on: dt.date,
    votes_cast: int = 0,
    note: str = "",
) -> CommitteeTerm:
    """Record a term (届) of the compound's owners' committee. Refused in Chinese when it
    overlaps another term of the same compound, or when it ends before it starts."""
    _require_manager(actor, compound)
    compound = _lock_compound(compound)
    errors: dict[str, list[str]] = {}
    name = _text(name, field="name", limit=NAME_MAX, required=_("请填写届次。"), errors=errors)
    note = _text(note, field="note", limit=NOTE_MAX, errors=errors)
    if not elected_on:
        errors["elected_on"] = [_("请填写选举日期。")]
    _period(starts_on, ends_on, errors)
    if elected_on and starts_on and elected_on > starts_on:
        errors["elected_on"] = [_("选举日期不能晚于任期开始日期。")]
    if votes_cast is None or votes_cast < 0:
        errors["votes_cast"] = [_("参选户数不能为负数。")]
    if not errors:
        clash = (
            CommitteeTerm.objects.filter(
                compound=compound, starts_on__lte=ends_on, ends_on__gte=starts_on
            )
            .order_by("starts_on")
            .first()
        )
        if clash is not None:
            errors["starts_on"] = [
                _("任期与%(name)s（%(start)s至%(end)s）重叠，同一小区的业主委员会任期不能重叠。")
                % {"name": clash.name, "start": _fmt(clash.starts_on), "end": _fmt(clash.ends_on)}
            ]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            term = CommitteeTerm.objects.create(
                compound=compound,
                name=name,
                elected_on=elected_on,
                starts_on=starts_on,
                ends_on=ends_on,
                votes_cast=votes_cast or 0,
                note=note,
                created_by=_actor(actor),
            )
    except IntegrityError:
        raise ValidationError({"starts_on": [_("同一小区的业主委员会任期不能重叠。")]}) from None
    audit.record(
        actor=_actor(actor),
        action="compounds.committee_term.created",
        obj=term,
        changes={"starts_on": str(starts_on), "ends_on": str(ends_on)},
    )
    return term


@transaction.atomic
def committee_member_add(
    *,
    actor,
    term: CommitteeTerm,
    post: str,
    resident: Resident | None = None,
    name: str = "",
) -> CommitteeMember:
    """Add a member to a term: a resident of the register (the name is theirs), or a name.
    Whether the member is a party member is read from the register, never typed."""
    _require_manager(actor, term.compound)
    errors: dict[str, list[str]] = {}
    if post not in CommitteePost.values:
        errors["post"] = [_("请选择职务。")]
    _resident_of(term.compound.community_id, resident, errors)
    if resident is not None:
        name = resident.name
    name = _text(
        name, field="name", limit=NAME_MAX, required=_("请填写姓名或选择居民。"), errors=errors
    )
    if resident is not None and term.members.filter(resident=resident).exists():
        errors["resident"] = [_("%(name)s已是本届委员会成员。") % {"name": resident.name}]
    if post == CommitteePost.CHAIR and term.members.filter(post=CommitteePost.CHAIR).exists():
        errors["post"] = [_("本届委员会已有主任。")]
    if errors:
        raise ValidationError(errors)
    member = CommitteeMember.objects.create(term=term, resident=resident, name=name, post=post)
    audit.record(
        actor=_actor(actor),
        action="compounds.committee_member.added",
        obj=member,
        changes={"term": term.name, "post": post},
        place=term.compound,
    )
    return member


# --- property company ---------------------------------------------------------------


def _fee(value) -> Decimal | None:
    try:
        fee = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return fee if Decimal("0") <= fee < Decimal("10000") else None


@transaction.atomic
def property_contract_create(
    *,
    actor,
    compound: Compound,
    company: PartnerUnit,
    starts_on: dt.date,
    ends_on: dt.date,
    scope: str,
    fee,
    contact_name: str,
    contact_phone: str = "",
    manager_name: str,
) -> PropertyContract:
    """Record the property company serving the compound for a period. Refused in Chinese
    when another contract of the compound overlaps it (one company at a time). The company
    is made a partner unit of the compound's community so that cases can be dispatched to
    it."""
    _require_manager(actor, compound)
    compound = _lock_compound(compound)
    errors: dict[str, list[str]] = {}
    if company is None:
        errors["company"] = [_("请选择物业服务企业。")]
    elif company.kind != PartnerKind.ENTERPRISE:
        errors["company"] = [_("物业服务企业须为企业类共建单位。")]
    _period(starts_on, ends_on, errors)
    scope = _text(
        scope, field="scope", limit=NOTE_MAX, required=_("请填写服务范围。"), errors=errors
    )
    fee_value = _fee(fee)
    if fee_value is None:
        errors["fee"] = [_("请填写物业费，例如 0.80。")]
    contact_name = _text(
        contact_name,
        field="contact_name",
        limit=NAME_MAX,
        required=_("请填写联系人。"),
        errors=errors,
    )
    contact_phone = _phone(contact_phone, errors, "contact_phone")
    manager_name = _text(
        manager_name,
        field="manager_name",
        limit=NAME_MAX,
        required=_("请填写项目负责人。"),
        errors=errors,
    )
    if not errors.get("starts_on") and not errors.get("ends_on"):
        clash = (
            PropertyContract.objects.filter(
                compound=compound, starts_on__lte=ends_on, ends_on__gte=starts_on
            )
            .select_related("company")
            .order_by("starts_on")
            .first()
        )
        if clash is not None:
            errors["starts_on"] = [
                _(
                    "%(start)s至%(end)s已由%(company)s提供物业服务，"
                    "同一小区同一时期只能有一家物业服务企业。"
                )
                % {
                    "start": _fmt(clash.starts_on),
                    "end": _fmt(clash.ends_on),
                    "company": clash.company.short_name or clash.company.name,
                }
            ]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            contract = PropertyContract.objects.create(
                compound=compound,
                company=company,
                starts_on=starts_on,
                ends_on=ends_on,
                scope=scope,
                fee=fee_value,
                contact_name=contact_name,
                contact_phone=contact_phone,
                manager_name=manager_name,
                created_by=_actor(actor),
            )
    except IntegrityError:
        raise ValidationError(
            {"starts_on": [_("同一小区同一时期只能有一家物业服务企业。")]}
        ) from None
    company.communities.add(compound.community_id)
    audit.record(
        actor=_actor(actor),
        action="compounds.property_contract.created",
        obj=contract,
        changes={"company": company.name, "starts_on": str(starts_on), "ends_on": str(ends_on)},
    )
    return contract


# --- ending a term or a contract early -------------------------------------------------
# A company that leaves, or a committee that steps down, ends before its date: until it is
# ended, the overlap rule refuses its successor. The end date only ever moves earlier, and
# the audit event keeps the old date and the reason.


def end_check(obj: CommitteeTerm | PropertyContract, on: dt.date | None, reason: str) -> str:
    """Whether ``obj`` may end on ``on``, writing nothing (the confirmation page asks it
    first); the reason, trimmed. Chinese errors by field."""
    errors: dict[str, list[str]] = {}
    if not on:
        errors["on"] = [_("请填写终止日期。")]
    elif on < obj.starts_on:
        errors["on"] = [
            _("终止日期不能早于开始日期（%(start)s）。") % {"start": _fmt(obj.starts_on)}
        ]
    elif on >= obj.ends_on:
        errors["on"] = [_("终止日期须早于原定结束日期（%(end)s）。") % {"end": _fmt(obj.ends_on)}]
    reason = _text(
        reason, field="reason", limit=NOTE_MAX, required=_("请填写终止原因。"), errors=errors
    )
    if errors:
        raise ValidationError(errors)
    return reason


def _end(actor, obj, on: dt.date, reason: str, action: str):
    _require_manager(actor, obj.compound)
    _lock_compound(obj.compound)
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    reason = end_check(obj, on, reason)
    before = obj.ends_on
    obj.ends_on = on
    obj.save(update_fields=["ends_on"])
    audit.record(
        actor=_actor(actor),
        action=action,
        obj=obj,
        changes={"ends_on": [str(before), str(on)], "reason": reason},
        place=obj.compound,
    )
    return obj


@transaction.atomic
def property_contract_end(
    *, actor, contract: PropertyContract, on: dt.date, reason: str
) -> PropertyContract:
    """The company leaves before its contract's end: the contract now ends on ``on``, and
    from the next day another company may be registered."""
    return _end(actor, contract, on, reason, "compounds.property_contract.ended")


@transaction.atomic
def committee_term_end(*, actor, term: CommitteeTerm, on: dt.date, reason: str) -> CommitteeTerm:
    """The committee steps down (or is re-elected) before its term's end."""
    return _end(actor, term, on, reason, "compounds.committee_term.ended")


@transaction.atomic
def property_staff_add(
    *,
    actor,
    contract: PropertyContract,
    role: str,
    resident: Resident | None = None,
    name: str = "",
) -> PropertyStaff:
    """Add someone of the company working in the compound; a resident of the register
    counts towards the 红色物业 share when they are a party member."""
    _require_manager(actor, contract.compound)
    errors: dict[str, list[str]] = {}
    _resident_of(contract.compound.community_id, resident, errors)
    if resident is not None:
        name = resident.name
    name = _text(
        name, field="name", limit=NAME_MAX, required=_("请填写姓名或选择居民。"), errors=errors
    )
    role = _text(role, field="role", limit=NAME_MAX, required=_("请填写岗位。"), errors=errors)
    if errors:
        raise ValidationError(errors)
    staff = PropertyStaff.objects.create(contract=contract, resident=resident, name=name, role=role)
    audit.record(
        actor=_actor(actor),
        action="compounds.property_staff.added",
        obj=staff,
        changes={"role": role},
        place=contract.compound,
    )
    return staff


# --- self-management ----------------------------------------------------------------


@transaction.atomic
def self_management_create(
    *, actor, compound: Compound, name: str, started_on: dt.date
) -> SelfManagement:
    """Set up the self-management group of a compound without a property company. The group
    is also a partner unit (a social organisation outside the alliance) of the compound's
    community: property cases are dispatched to it and its stewards answer them."""
    _require_manager(actor, compound)
    compound = _lock_compound(compound)
    errors: dict[str, list[str]] = {}
    name = _text(name, field="name", limit=TITLE_MAX, required=_("请填写名称。"), errors=errors)
    if not started_on:
        errors["started_on"] = [_("请填写成立日期。")]
    if SelfManagement.objects.filter(compound=compound).exists():
        errors["name"] = [_("该小区已有自治管理小组。")]
    if started_on and selectors.contract_on(compound, started_on) is not None:
        errors["started_on"] = [_("该小区当时有物业服务企业，不需要自治管理小组。")]
    unit_name = f"{compound.community.name}{compound.name}{name}"[:120]
    if not errors and PartnerUnit.objects.filter(name=unit_name).exists():
        errors["name"] = [_("已有同名的单位，请换一个名称。")]
    if errors:
        raise ValidationError(errors)
    unit = PartnerUnit.objects.create(
        name=unit_name,
        short_name=f"{compound.name}自治管家"[:40],
        kind=PartnerKind.SOCIAL_ORG,
        in_alliance=False,
        offers=_("小区自治管理：公共设施报修、保洁、秩序。"),
    )
    unit.communities.add(compound.community_id)
    group = SelfManagement.objects.create(
        compound=compound, name=name, unit=unit, started_on=started_on
    )
    audit.record(actor=_actor(actor), action="compounds.self_management.created", obj=group)
    return group


@transaction.atomic
def steward_add(
    *,
    actor,
    group: SelfManagement,
    resident: Resident | None = None,
    name: str = "",
    duty: str = "",
    user=None,
) -> Steward:
    """Add a steward (小区自治管家). With a login, the steward acts for the group's unit:
    signs for, answers and returns its dispatches (a login already acting for another unit
    is refused)."""
    _require_manager(actor, group.compound)
    errors: dict[str, list[str]] = {}
    _resident_of(group.compound.community_id, resident, errors)
    if resident is not None:
        name = resident.name
    name = _text(
        name, field="name", limit=NAME_MAX, required=_("请填写姓名或选择居民。"), errors=errors
    )
    duty = _text(duty, field="duty", limit=NAME_MAX, errors=errors)
    if user is not None:
        if user.partner_unit_id and user.partner_unit_id != group.unit_id:
            errors["user"] = [_("该账号已代表其他单位办理派单。")]
        elif group.stewards.filter(user=user).exists():
            errors["user"] = [_("该账号已是本小区的自治管家。")]
    if errors:
        raise ValidationError(errors)
    steward = Steward.objects.create(
        group=group, resident=resident, name=name, duty=duty, user=user
    )
    if user is not None and user.partner_unit_id != group.unit_id:
        user.partner_unit = group.unit
        user.save(update_fields=["partner_unit"])
    audit.record(
        actor=_actor(actor),
        action="compounds.steward.added",
        obj=steward,
        changes={"login": user.get_username() if user is not None else ""},
    )
    return steward


# --- meetings, notices, polls -------------------------------------------------------


def _check_body(compound: Compound, body: str, errors: dict) -> None:
    if body not in BodyKind.values:
        errors["body"] = [_("请选择主体。")]
        return
    has = {
        BodyKind.COMMITTEE: CommitteeTerm.objects.filter(compound=compound).exists,
        BodyKind.PROPERTY: PropertyContract.objects.filter(compound=compound).exists,
        BodyKind.SELF_MANAGEMENT: SelfManagement.objects.filter(compound=compound).exists,
    }[BodyKind(body)]
    if not has():
        errors["body"] = [_("该小区没有%(body)s。") % {"body": BodyKind(body).label}]


@transaction.atomic
def meeting_record(
    *,
    actor,
    compound: Compound,
    body: str,
    held_on: dt.date,
    title: str,
    minutes: str = "",
    decisions: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> BodyMeeting:
    """Record a meeting of one of the compound's bodies and the decisions it took."""
    _require_manager(actor, compound)
    now = _now(now)
    errors: dict[str, list[str]] = {}
    _check_body(compound, body, errors)
    if not held_on:
        errors["held_on"] = [_("请填写会议日期。")]
    elif held_on > timezone.localdate(now):
        errors["held_on"] = [_("会议日期不能晚于今天。")]
    title = _text(title, field="title", limit=TITLE_MAX, required=_("请填写议题。"), errors=errors)
    minutes = _text(minutes, field="minutes", limit=TEXT_MAX, errors=errors)
    lines = [d.strip() for d in decisions or () if d and d.strip()]
    if len(lines) > MAX_DECISIONS:
        errors["decisions"] = [_("决定事项最多%(n)d条。") % {"n": MAX_DECISIONS}]
    for line in lines:
        if len(line) > NOTE_MAX:
            errors["decisions"] = [_("每条决定事项不能超过%(n)d字。") % {"n": NOTE_MAX}]
    if errors:
        raise ValidationError(errors)
    meeting = BodyMeeting.objects.create(
        compound=compound,
        body=body,
        held_on=held_on,
        title=title,
        minutes=minutes,
        recorded_by=_actor(actor),
        recorded_at=now,
    )
    Decision.objects.bulk_create([Decision(meeting=meeting, text=line) for line in lines])
    audit.record(
        actor=_actor(actor),
        action="compounds.meeting.recorded",
        obj=meeting,
        changes={"body": body, "decisions": len(lines)},
    )
    return meeting


@transaction.atomic
def notice_post(
    *,
    actor,
    compound: Compound,
    body: str,
    title: str,
    text: str,
    buildings: Iterable[Building] = (),
    now: dt.datetime | None = None,
) -> Notice:
    """Post a notice of one of the compound's bodies to some of its buildings (none chosen:
    all of them). Residents of those buildings see it on their home page."""
    _require_manager(actor, compound)
    now = _now(now)
    errors: dict[str, list[str]] = {}
    _check_body(compound, body, errors)
    title = _text(title, field="title", limit=TITLE_MAX, required=_("请填写标题。"), errors=errors)
    text = _text(text, field="text", limit=TEXT_MAX, required=_("请填写内容。"), errors=errors)
    chosen = list(buildings or ())
    if any(b.compound_id != compound.pk for b in chosen):
        errors["buildings"] = [_("只能发布到本小区的楼栋。")]
    if not chosen:
        chosen = list(Building.objects.filter(compound=compound))
    if not chosen:
        errors["buildings"] = [_("该小区还没有登记楼栋。")]
    if errors:
        raise ValidationError(errors)
    notice = Notice.objects.create(
        compound=compound, body=body, title=title, text=text, posted_by=_actor(actor), posted_at=now
    )
    notice.buildings.set(chosen)
    audit.record(
        actor=_actor(actor),
        action="compounds.notice.posted",
        obj=notice,
        changes={"buildings": len(chosen)},
    )
    return notice


@transaction.atomic
def poll_create(
    *,
    actor,
    compound: Compound,
    year: int,
    questionnaire: Questionnaire,
    starts_on: dt.date,
    ends_on: dt.date,
) -> SatisfactionPoll:
    """Start the year's satisfaction poll of the compound's households about their property
    service: a survey campaign over the compound (the survey builder's), one per year."""
    _require_manager(actor, compound)
    compound = _lock_compound(compound)
    errors: dict[str, list[str]] = {}
    if not year or not 2000 <= int(year) <= 2100:
        errors["year"] = [_("请填写年度。")]
    elif SatisfactionPoll.objects.filter(compound=compound, year=year).exists():
        errors["year"] = [_("%(year)d年度的满意度调查已发起。") % {"year": int(year)}]
    if errors:
        raise ValidationError(errors)
    campaign = surveys.campaign_create(
        actor=actor,
        community=compound.community,
        name=_("%(compound)s%(year)d年度物业服务满意度调查")
        % {"compound": compound.name, "year": int(year)},
        area_name=compound.name,
        questionnaire=questionnaire,
        starts_on=starts_on,
        ends_on=ends_on,
        compounds=[compound],
    )
    poll = SatisfactionPoll.objects.create(
        compound=compound,
        year=year,
        campaign=campaign,
        contract=selectors.contract_on(compound, starts_on),
    )
    audit.record(
        actor=_actor(actor), action="compounds.poll.created", obj=poll, changes={"year": year}
    )
    return poll


# --- routing through the compound ---------------------------------------------------


def route_check(*, item: Item, now: dt.datetime | None = None) -> PartnerUnit:
    """Where a property case goes, writing nothing (the confirmation page asks it first):
    the company under contract for the item's compound today, or, in a self-managed
    compound, its stewards' unit. Chinese errors for an item of another category, without a
    compound, or in a compound with nobody responsible."""
    day = timezone.localdate(_now(now))
    category = item.category or item.suggested_category
    if category is None or category.code not in PROPERTY_CATEGORY_CODES:
        raise ValidationError(_("只有物业服务类诉求才能转小区物业或自治管家办理。"))
    if item.compound_id is None:
        raise ValidationError(_("该诉求没有关联小区，请先补充地点。"))
    unit = selectors.responsible_unit(item.compound, day)
    if unit is None:
        raise ValidationError(
            _("%(compound)s当前没有物业服务企业，也没有自治管理小组。")
            % {"compound": item.compound.name}
        )
    return unit


@transaction.atomic
def item_route_to_compound(
    *, actor, item: Item, instructions: str = "", now: dt.datetime | None = None
) -> Dispatch:
    """物业类诉求转小区: dispatch an accepted property case to the company responsible for its
    compound, or to the stewards of a self-managed compound — through
    ``voices.services.item_dispatch``, so the unit signs for it, answers and is verified
    like any partner unit, and every check of a dispatch applies (who may dispatch, the
    item's status and level)."""
    now = _now(now)
    unit = route_check(item=item, now=now)
    dispatch = voices.item_dispatch(
        actor=actor,
        item=item,
        unit=unit,
        instructions=instructions or _("物业服务类诉求，按小区管理主体转办。"),
        now=now,
    )
    audit.record(
        actor=_actor(actor),
        action="compounds.item.routed",
        obj=dispatch,
        changes={"item": item.number, "unit": unit.name, "compound": item.compound.name},
        place=item.compound,
    )
    return dispatch


# --- grid-station duty --------------------------------------------------------------


@transaction.atomic
def duty_shift_add(
    *,
    actor,
    station: Venue,
    on: dt.date,
    name: str = "",
    resident: Resident | None = None,
    team: Team | None = None,
    phone: str = "",
    hours: str = "9:00-17:00",
) -> DutyShift:
    """Put someone on duty at a grid station on a day: a resident of the register (a grid
    worker, a member of the 顺心服务队) or a name, with the team they come from."""
    if station.kind != VenueKind.GRID_STATION or station.grid_id is None:
        raise Http404
    if actor is not None and not rules.may_keep_roster(actor, station):
        raise Http404
    station = Venue.objects.select_for_update().get(pk=station.pk)
    errors: dict[str, list[str]] = {}
    if not on:
        errors["on"] = [_("请填写值班日期。")]
    _resident_of(station.community_id, resident, errors)
    if resident is not None:
        name = resident.name
        phone = phone or getattr(resident, "phone", "") or ""
    name = _text(name, field="name", limit=NAME_MAX, required=_("请填写值班人。"), errors=errors)
    hours = _text(hours, field="hours", limit=40, required=_("请填写时段。"), errors=errors)
    phone = _phone(phone, errors)
    if team is not None and team.community_id != station.community_id:
        errors["team"] = [_("请选择本社区的队伍。")]
    if on and name and DutyShift.objects.filter(station=station, on=on, name=name).exists():
        errors["name"] = [_("%(name)s当天已在本驿站值班。") % {"name": name}]
    if errors:
        raise ValidationError(errors)
    shift = DutyShift.objects.create(
        station=station, on=on, name=name, resident=resident, team=team, phone=phone, hours=hours
    )
    audit.record(
        actor=_actor(actor),
        action="compounds.duty_shift.added",
        obj=shift,
        changes={"on": str(on), "station": station.name},
    )
    return shift


@transaction.atomic
def duty_shift_remove(*, actor, shift: DutyShift) -> None:
    """Take a shift off the roster (the audit log keeps who was on it)."""
    if actor is not None and not rules.may_keep_roster(actor, shift.station):
        raise Http404
    shift = DutyShift.objects.select_for_update().select_related("station").get(pk=shift.pk)
    audit.record(
        actor=_actor(actor),
        action="compounds.duty_shift.removed",
        obj=shift,
        changes={"on": str(shift.on), "name": shift.name},
        place=shift.station.community,
    )
    shift.delete()
