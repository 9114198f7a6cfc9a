"""Writes to the place tree and the register. Each function is atomic, checks the actor's
reach, locks what it changes and writes the audit event. ``actor=None`` means the system
(a management command run by an operator); every other caller passes the user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.crypto import blind_index
from gongzhi.core.dates import check_birth_date, check_date
from gongzhi.core.exports import Workbook, export_notice
from gongzhi.core.identity import (
    birth_date_from_id,
    gender_from_id,
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_mobile,
)
from gongzhi.core.reasons import clean_reveal_reason
from gongzhi.core.scoping import require, scope_for
from gongzhi.core.text import bounded_text, name_keys, too_long_message

from .enums import (
    RESIDENT_TRANSITIONS,
    ContactMethod,
    Gender,
    Relation,
    Residence,
    ResidentStatus,
)
from .models import (
    Building,
    CareTag,
    ContactLog,
    Entrance,
    Household,
    Resident,
    ResidentStatusChange,
)
from .selectors import care_list

NAME_MAX = 50
ADDRESS_MAX = 200
NOTE_MAX = 2000
REASON_MAX = 200
CONTACT_NOTE_MAX = 500

RESIDENT_FIELDS = [
    "name",
    "gender",
    "birth_date",
    "relation",
    "residence",
    "registered_address",
    "note",
]


def _check(actor, capability: str, obj) -> None:
    if actor is not None:
        require(actor, capability, obj)


def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写姓名。")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("姓名不能超过50个字。")})
    return name


def apply_identity(resident: Resident, *, id_number: str | None, phone: str | None) -> None:
    """Validate and set ID number and phone with their blind indexes; derive birth date and
    gender from a valid ID number. ``None`` leaves a field as it is; ``""`` clears it."""
    errors: dict[str, str] = {}
    if id_number is not None:
        if id_number.strip():
            try:
                value = validate_id_number(id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages[0]
            else:
                resident.id_number = value
                resident.id_number_bidx = blind_index(value, purpose="id_number")
                resident.birth_date = birth_date_from_id(value)
                resident.gender = gender_from_id(value)
        else:
            resident.id_number, resident.id_number_bidx = "", ""
    if phone is not None:
        if phone.strip():
            try:
                value = validate_mobile(phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages[0]
            else:
                resident.phone = value
                resident.phone_bidx = blind_index(value, purpose="phone")
                resident.phone_last4 = value[-4:]
        else:
            resident.phone, resident.phone_bidx, resident.phone_last4 = "", "", ""
    if errors:
        raise ValidationError(errors)


def apply_name(resident: Resident, name: str) -> None:
    resident.name = clean_name(name)
    resident.name_simplified, resident.name_pinyin, resident.name_initials = name_keys(
        resident.name
    )


def apply_details(resident: Resident, fields: Iterable[str]) -> None:
    """Check the ``fields`` being set: a free text over its limit is refused, never cut;
    a birth date lies between 1900 and today. All refusals come together."""
    errors: dict[str, list[str]] = {}
    for field, limit in (("registered_address", ADDRESS_MAX), ("note", NOTE_MAX)):
        if field not in fields:
            continue
        value = getattr(resident, field)
        if not isinstance(value, str):
            errors[field] = [_("请填写文字。")]
        elif len(value) > limit:
            errors[field] = [too_long_message(limit, len(value))]
    if "birth_date" in fields:
        try:
            check_birth_date(resident.birth_date)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def place_resident(resident: Resident, household: Household) -> None:
    resident.household = household
    resident.entrance_id = household.entrance_id
    resident.building_id = household.building_id
    resident.compound_id = household.compound_id
    resident.grid_id = household.grid_id
    resident.community_id = household.community_id


def _ensure_unique_id(resident: Resident) -> None:
    if not resident.id_number_bidx:
        return
    clash = (
        Resident.objects.filter(id_number_bidx=resident.id_number_bidx)
        .exclude(pk=resident.pk)
        .first()
    )
    if clash is not None:
        # Say that it exists without saying where: the clash may lie outside the actor's reach.
        raise ValidationError(
            {"id_number": _("该身份证号已登记在其他住户中，请核对或联系社区办理迁移。")}
        )


@transaction.atomic
def resident_create(
    *,
    actor,
    household: Household,
    name: str,
    id_number: str = "",
    phone: str = "",
    gender: str | None = None,
    birth_date: dt.date | None = None,
    relation: str = Relation.HEAD,
    residence: str = Residence.BOTH,
    registered_address: str = "",
    note: str = "",
    care_tags: Iterable[CareTag] = (),
    moved_in_on: dt.date | None = None,
) -> Resident:
    """Register a person in ``household``. ``moved_in_on`` is the day they came to live
    there (迁入), today when not given; it starts their status history."""
    _check(actor, "edit_registry", household)
    care_tags = list(care_tags)
    resident = Resident(
        relation=relation, residence=residence, registered_address=registered_address, note=note
    )
    if gender:
        resident.gender = gender
    resident.birth_date = birth_date
    errors = {}
    try:
        apply_name(resident, name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        apply_details(resident, ("registered_address", "note", "birth_date"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        apply_identity(resident, id_number=id_number, phone=phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    # Compared with the birth date only when that one is known to be right.
    born = None if {"birth_date", "id_number"} & set(errors) else resident.birth_date
    try:
        _check_day(moved_in_on, field="moved_in_on", what=_("迁入日期"), birth_date=born)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    place_resident(resident, household)
    _ensure_unique_id(resident)
    resident.full_clean(
        exclude=[
            "household",
            "entrance",
            "building",
            "compound",
            "grid",
            "community",
            "id_number",
            "phone",
        ]
    )
    resident.save()
    if care_tags:
        resident.care_tags.set(care_tags)
    ResidentStatusChange.objects.create(
        resident=resident,
        from_status="",
        to_status=resident.status,
        effective_on=moved_in_on or timezone.localdate(),
        actor=_user(actor),
    )
    audit.record(
        actor=actor,
        action="places.resident.created",
        obj=resident,
        changes={
            "household": str(household),
            "id_number": mask_id_number(resident.id_number),
            "phone": mask_phone(resident.phone),
            "moved_in_on": (moved_in_on or timezone.localdate()).isoformat(),
            "care_tags": sorted(t.code for t in care_tags),
        },
    )
    return resident


@transaction.atomic
def resident_update(
    *,
    actor,
    resident: Resident,
    id_number: str | None = None,
    phone: str | None = None,
    care_tags: Iterable[CareTag] | None = None,
    **fields,
) -> Resident:
    """Change a resident's details. ``status`` is not changed here: see ``resident_set_status``."""
    _check(actor, "edit_registry", resident)
    unknown = set(fields) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"resident_update does not change {sorted(unknown)}")
    locked = Resident.objects.select_for_update().get(pk=resident.pk)
    before = audit.snapshot(locked, RESIDENT_FIELDS)
    old_id, old_phone = locked.id_number, locked.phone
    errors = {}
    if "name" in fields:
        try:
            apply_name(locked, fields.pop("name"))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    for key, value in fields.items():
        setattr(locked, key, value)
    try:
        apply_details(locked, fields)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        apply_identity(locked, id_number=id_number, phone=phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    _ensure_unique_id(locked)
    locked.full_clean(
        exclude=[
            "household",
            "entrance",
            "building",
            "compound",
            "grid",
            "community",
            "id_number",
            "phone",
        ]
    )
    locked.save()
    changes = audit.diff(locked, before, RESIDENT_FIELDS)
    if locked.id_number != old_id:
        changes["id_number"] = [mask_id_number(old_id), mask_id_number(locked.id_number)]
    if locked.phone != old_phone:
        changes["phone"] = [mask_phone(old_phone), mask_phone(locked.phone)]
    if care_tags is not None:
        old_tags = sorted(locked.care_tags.values_list("code", flat=True))
        locked.care_tags.set(care_tags)
        new_tags = sorted(t.code for t in care_tags)
        if old_tags != new_tags:
            changes["care_tags"] = [old_tags, new_tags]
    if changes:
        audit.record(actor=actor, action="places.resident.updated", obj=locked, changes=changes)
    return locked


def _check_day(
    day: dt.date | None, *, field: str, what: str, birth_date: dt.date | None = None
) -> None:
    """A day something happened to a resident: 1900–2100, not after today, not before
    they were born. ``None`` passes (the caller means today)."""
    check_date(day, field=field)
    if day is None:
        return
    if day > timezone.localdate():
        raise ValidationError({field: _("%(what)s不能晚于今天。") % {"what": what}})
    if birth_date and day < birth_date:
        raise ValidationError(
            {
                field: _("%(what)s不能早于出生日期（%(day)s）。")
                % {"what": what, "day": f"{birth_date:%Y-%m-%d}"}
            }
        )


def _status_day_label(status: str) -> str:
    return {
        ResidentStatus.MOVED_OUT: _("迁出日期"),
        ResidentStatus.DECEASED: _("死亡日期"),
        ResidentStatus.LIVING: _("迁回日期"),
    }[ResidentStatus(status)]


def _last_change_label(change: ResidentStatusChange) -> str:
    if not change.from_status:
        return _("迁入登记日期")
    if change.to_status == ResidentStatus.LIVING:
        return _("迁回日期")
    return _status_day_label(change.to_status)


def check_status_change(
    resident: Resident, *, status: str, effective_on: dt.date | None, reason: str = ""
) -> tuple[ResidentStatus, ResidentStatus]:
    """What ``resident_set_status`` would refuse, checked without writing anything, so that
    the confirmation page is shown only for a change that can be made. Returns (from, to).

    The move is one ``RESIDENT_TRANSITIONS`` allows; the day lies in 1900–2100, not after
    today, not before the birth date, and not before the last change of the status
    history (moving out before one moved in, dying before one moved out)."""
    bounded_text(reason, field="reason", limit=REASON_MAX)
    try:
        target = ResidentStatus(status)
    except ValueError:
        raise ValidationError({"status": _("请选择有效的状态。")}) from None
    current = ResidentStatus(resident.status)
    if target not in RESIDENT_TRANSITIONS[current]:
        raise ValidationError(
            {"status": _("不能从“%(a)s”变更为“%(b)s”。") % {"a": current.label, "b": target.label}}
        )
    what = _status_day_label(target)
    _check_day(effective_on, field="effective_on", what=what, birth_date=resident.birth_date)
    last = (
        ResidentStatusChange.objects.filter(resident_id=resident.pk)
        .order_by("-effective_on", "-id")
        .first()
    )
    day = effective_on or timezone.localdate()
    if last is not None and day < last.effective_on:
        raise ValidationError(
            {
                "effective_on": _("%(what)s不能早于%(last)s（%(day)s）。")
                % {
                    "what": what,
                    "last": _last_change_label(last),
                    "day": f"{last.effective_on:%Y-%m-%d}",
                }
            }
        )
    return current, target


@transaction.atomic
def resident_set_status(
    *, actor, resident: Resident, status: str, effective_on: dt.date | None = None, reason: str = ""
) -> Resident:
    """Move a resident along living ⇄ moved out → deceased (迁出, 迁回, 死亡). The record
    stays; the change is appended to the resident's status history. ``reason`` says why
    or, for a move out, where to (迁往何处)."""
    _check(actor, "edit_registry", resident)
    reason = bounded_text(reason, field="reason", limit=REASON_MAX)
    locked = Resident.objects.select_for_update().get(pk=resident.pk)
    current, target = check_status_change(
        locked, status=status, effective_on=effective_on, reason=reason
    )
    effective_on = effective_on or timezone.localdate()
    locked.status = target
    locked.save(update_fields=["status", "updated_at"])
    ResidentStatusChange.objects.create(
        resident=locked,
        from_status=current,
        to_status=target,
        effective_on=effective_on,
        reason=reason,
        actor=_user(actor),
    )
    audit.record(
        actor=actor,
        action="places.resident.status_changed",
        obj=locked,
        changes={
            "status": [current, target],
            "effective_on": effective_on.isoformat(),
            "reason": reason,
        },
    )
    return locked


@transaction.atomic
def contact_log_create(
    *,
    actor,
    resident: Resident,
    visited_on: dt.date | None,
    method: str = ContactMethod.HOME_VISIT,
    note: str = "",
) -> ContactLog:
    """Record a visit, call or talk with a resident (走访记录). Whoever may enter a
    resident's problem for them after a visit (``submit_on_behalf``: community staff, grid,
    building and entrance chiefs) may record it; only a living resident is visited."""
    _check(actor, "submit_on_behalf", resident)
    errors: dict[str, list[str]] = {}
    if visited_on is None:
        errors["visited_on"] = [_("请填写走访日期。")]
    else:
        try:
            _check_day(
                visited_on, field="visited_on", what=_("走访日期"), birth_date=resident.birth_date
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if method not in ContactMethod.values:
        errors["method"] = [_("请选择走访方式。")]
    try:
        note = bounded_text(note, field="note", limit=CONTACT_NOTE_MAX)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    # Locked so that a visit is never recorded against a resident whose death or move is
    # being written at the same moment.
    locked = Resident.objects.select_for_update().get(pk=resident.pk)
    if locked.status != ResidentStatus.LIVING:
        raise ValidationError(
            _("%(name)s的状态是“%(status)s”，不能再记录走访。")
            % {"name": locked.name, "status": ResidentStatus(locked.status).label}
        )
    contact = ContactLog.objects.create(
        resident=locked, visited_on=visited_on, method=method, note=note, by=_user(actor)
    )
    audit.record(
        actor=actor,
        action="places.contact.created",
        obj=locked,
        changes={"visited_on": visited_on.isoformat(), "method": method},
    )
    return contact


@transaction.atomic
def resident_reveal(
    *, actor, resident: Resident, field: str, reason: str | None, reason_note: str = ""
) -> str:
    """Return the full ID number or phone, and log that ``actor`` saw it and why. Without a
    reason (``core.reasons.RevealReason``) nothing is shown and nothing is logged."""
    if field not in {"id_number", "phone"}:
        raise ValueError(field)
    require(actor, "reveal_pii", resident)
    why = clean_reveal_reason(reason, reason_note)
    audit.record(
        actor=actor,
        action="places.resident.revealed",
        obj=resident,
        changes={"field": field, **why.as_audit()},
    )
    return getattr(resident, field)


@transaction.atomic
def household_create(*, actor, entrance: Entrance, door_number: str, floor: int) -> Household:
    _check(actor, "edit_registry", entrance)
    door_number = (door_number or "").strip()
    if not door_number:
        raise ValidationError({"door_number": _("请填写门牌号。")})
    building = Building.objects.get(pk=entrance.building_id)
    if not (1 <= floor <= building.floors) and floor > 0:
        raise ValidationError({"floor": _("楼层应在1到%(n)d之间。") % {"n": building.floors}})
    if Household.objects.filter(entrance=entrance, door_number=door_number).exists():
        raise ValidationError({"door_number": _("该单元已有此门牌号。")})
    label, code = Household.labels_for(building.number, entrance.number, door_number)
    household = Household.objects.create(
        entrance=entrance,
        building_id=entrance.building_id,
        compound_id=entrance.compound_id,
        grid_id=entrance.grid_id,
        community_id=entrance.community_id,
        door_number=door_number,
        floor=floor,
        address_label=label,
        address_code=code,
    )
    audit.record(actor=actor, action="places.household.created", obj=household)
    return household


CARE_SHEET = "关爱名单"


@transaction.atomic
def care_list_export(
    *, actor, category: str, grid=None, building=None, title: str = ""
) -> tuple[bytes, int]:
    """The care list ``category`` (optionally one grid or building) as an .xlsx, always
    masked: a list of who is old, alone or poor, and where, is handed out for visits and
    must not carry full ID numbers or phones. Only residents in the actor's ``export``
    reach; the export is audited with its filters and the count. Returns (file, rows)."""
    if scope_for(actor, "export").empty:
        # The view asks first (404 or 403); a caller without the capability gets nothing.
        raise ValidationError(_("您没有导出名单的权限。"))
    qs = care_list(actor, category=category, grid=grid, building=building, capability="export")
    today = timezone.localdate()
    workbook = Workbook(notice=export_notice(actor))
    sheet = workbook.sheet(CARE_SHEET, widths=[10, 6, 8, 34, 16, 24, 14])
    if title:
        sheet.write_row([title], bold=True)
    sheet.write_row(
        [_("姓名"), _("性别"), _("年龄"), _("住址"), _("手机号"), _("关爱类别"), _("最近走访")],
        bold=True,
    )
    count = 0
    for r in qs.iterator(chunk_size=2000):
        count += 1
        tags = [t.name for t in r.care_tags.all()]
        if r.is_advanced_age:
            tags.insert(0, _("高龄"))
        sheet.write_row(
            [
                r.name,
                r.get_gender_display(),
                r.age(today),
                f"{r.community.name} {r.household.address_label}",
                mask_phone(r.phone),
                "、".join(tags),
                r.last_contact or _("未走访"),
            ]
        )
    audit.record(
        actor=actor,
        action="places.care_list.exported",
        object_type="places.resident",
        object_repr=_("导出关爱名单（%(n)d人）") % {"n": count},
        changes={
            "count": count,
            "category": category,
            "grid": grid.pk if grid else None,
            "building": building.pk if building else None,
        },
    )
    return workbook.save(), count


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


__all__ = [
    "Gender",
    "apply_identity",
    "apply_name",
    "care_list_export",
    "check_status_change",
    "contact_log_create",
    "household_create",
    "place_resident",
    "resident_create",
    "resident_reveal",
    "resident_set_status",
    "resident_update",
]
