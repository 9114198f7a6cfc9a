"""Every change to venues and bookings: validated, with the venue row locked, audited.

Bookings: a request inside one opening period of its day, in the future, within the
venue's capacity, overlapping no holding booking → REQUESTED (or APPROVED at once where
the venue needs no approval). Staff approve or refuse (with a reason); the booker or staff
cancel. The overlap check runs with the venue row locked (``select_for_update``), so two
requests for the same hour queue behind each other and the second sees the first; on
PostgreSQL the exclusion constraint refuses what slips past anyway.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.scoping import may
from gongzhi.core.text import bounded_text
from gongzhi.orgs.models import Team
from gongzhi.places.models import Community, Grid

from . import rules
from .enums import HOLDING, TRANSITIONS, BookingStatus, VenueKind
from .models import NAME_MAX, PURPOSE_MAX, REASON_MAX, Booking, BookingEvent, OpeningPeriod, Venue

MAX_BOOKING_HOURS = 8
# How far ahead a booking may be made: a season, not years.
MAX_DAYS_AHEAD = 90


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- venues -------------------------------------------------------------------------------


def _check_manage(actor, venue: Venue) -> None:
    if actor is not None and not rules.may_manage(actor, venue):
        raise PermissionDenied(_("没有权限管理这个场地。"))


def _clean_venue(
    *, community: Community, grid: Grid | None, kind: str, name: str, capacity: int
) -> tuple[str, int]:
    errors = {}
    if kind not in VenueKind.values:
        errors["kind"] = _("请选择场地类别。")
    if grid is not None and grid.community_id != community.pk:
        errors["grid"] = _("网格不属于这个社区。")
    if not 1 <= (capacity or 0) <= 2000:
        errors["capacity"] = _("可容纳人数应在1到2000之间。")
    try:
        name = bounded_text(name, field="name", limit=NAME_MAX, required=_("请填写场地名称。"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return name, capacity


@transaction.atomic
def venue_create(
    *,
    actor,
    community: Community,
    kind: str,
    name: str,
    grid: Grid | None = None,
    address: str = "",
    purposes: str = "",
    capacity: int = 20,
    needs_approval: bool = True,
) -> Venue:
    if actor is not None and not may(actor, "manage_orgs", community):
        raise PermissionDenied(_("没有权限管理这个场地。"))
    name, capacity = _clean_venue(
        community=community, grid=grid, kind=kind, name=name, capacity=capacity
    )
    if Venue.objects.filter(community=community, name=name).exists():
        raise ValidationError({"name": _("本社区已有同名场地。")})
    venue = Venue.objects.create(
        community=community,
        grid=grid,
        kind=kind,
        name=name,
        address=bounded_text(address, field="address", limit=120),
        purposes=bounded_text(purposes, field="purposes", limit=200),
        capacity=capacity,
        needs_approval=needs_approval,
    )
    audit.record(actor=actor, action="venues.venue.created", obj=venue, changes={"kind": kind})
    return venue


@transaction.atomic
def venue_update(
    *,
    actor,
    venue: Venue,
    name: str,
    kind: str,
    address: str = "",
    purposes: str = "",
    capacity: int = 20,
    needs_approval: bool = True,
    is_active: bool = True,
) -> Venue:
    _check_manage(actor, venue)
    locked = Venue.objects.select_for_update().get(pk=venue.pk)
    name, capacity = _clean_venue(
        community=locked.community, grid=locked.grid, kind=kind, name=name, capacity=capacity
    )
    if (
        Venue.objects.filter(community_id=locked.community_id, name=name)
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise ValidationError({"name": _("本社区已有同名场地。")})
    before = {
        "name": locked.name,
        "capacity": locked.capacity,
        "needs_approval": locked.needs_approval,
        "is_active": locked.is_active,
    }
    locked.name, locked.kind, locked.capacity = name, kind, capacity
    locked.address = bounded_text(address, field="address", limit=120)
    locked.purposes = bounded_text(purposes, field="purposes", limit=200)
    locked.needs_approval, locked.is_active = needs_approval, is_active
    locked.save()
    after = {
        "name": name,
        "capacity": capacity,
        "needs_approval": needs_approval,
        "is_active": is_active,
    }
    audit.record(
        actor=actor,
        action="venues.venue.updated",
        obj=locked,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return locked


def parse_periods(text: str) -> list[tuple[int, dt.time, dt.time]]:
    """Opening hours as staff type them, one line per weekday set: ``1-5 08:30-12:00
    14:00-17:30`` (周一至周五), ``6,7 09:00-17:00``. Weekdays 1–7 (周一 = 1)."""
    out = []
    for number, line in enumerate(text.strip().splitlines(), start=1):
        line = line.strip().replace("，", ",").replace("：", ":").replace("－", "-")
        if not line:
            continue
        days_part, *spans = line.split()
        try:
            days: set[int] = set()
            for piece in days_part.split(","):
                first, _sep, last = piece.partition("-")
                lo, hi = int(first), int(last or first)
                if not 1 <= lo <= hi <= 7:
                    raise ValueError
                days.update(range(lo - 1, hi))
            if not spans:
                raise ValueError
            for span in spans:
                opens_text, closes_text = span.split("-")
                opens = dt.time.fromisoformat(opens_text)
                closes = dt.time.fromisoformat(closes_text)
                if opens >= closes:
                    raise ValueError
                out += [(day, opens, closes) for day in sorted(days)]
        except ValueError:
            raise ValidationError(
                {
                    "periods": _(
                        "第%(n)d行看不懂。请写成“1-5 08:30-12:00 14:00-17:30”：星期（1是周一，7是周日），"
                        "再写开放时段。"
                    )
                    % {"n": number}
                }
            ) from None
    return out


@transaction.atomic
def venue_set_hours(*, actor, venue: Venue, text: str) -> list[OpeningPeriod]:
    """Replace the venue's opening hours with those written in ``text``
    (see ``parse_periods``). Bookings already made stand."""
    _check_manage(actor, venue)
    periods = parse_periods(text)
    locked = Venue.objects.select_for_update().get(pk=venue.pk)
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for day, opens, closes in periods:
        for o, c in by_day.get(day, []):
            if opens < c and o < closes:
                raise ValidationError({"periods": _("同一天的开放时段不能重叠。")})
        by_day.setdefault(day, []).append((opens, closes))
    locked.periods.all().delete()
    rows = OpeningPeriod.objects.bulk_create(
        OpeningPeriod(venue=locked, weekday=d, opens=o, closes=c) for d, o, c in periods
    )
    audit.record(
        actor=actor,
        action="venues.venue.hours_set",
        obj=locked,
        changes={"periods": len(rows)},
    )
    return rows


# --- bookings -----------------------------------------------------------------------------


def _check_slot(venue: Venue, starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime):
    """The refusals a slot can meet, one Chinese message each."""
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间应晚于开始时间。")})
    if starts_at < now:
        raise ValidationError({"starts_at": _("不能预约已经过去的时间。")})
    if starts_at > now + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            {"starts_at": _("最多提前%(days)d天预约。") % {"days": MAX_DAYS_AHEAD}}
        )
    if ends_at - starts_at > dt.timedelta(hours=MAX_BOOKING_HOURS):
        raise ValidationError(
            {"ends_at": _("一次最多预约%(hours)d小时。") % {"hours": MAX_BOOKING_HOURS}}
        )
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if local_start.date() != local_end.date():
        raise ValidationError({"ends_at": _("预约不能跨天。")})
    periods = [p for p in venue.periods.all() if p.weekday == local_start.weekday()]
    if not any(p.opens <= local_start.time() and local_end.time() <= p.closes for p in periods):
        hours = "、".join(f"{p.opens:%H:%M}–{p.closes:%H:%M}" for p in periods)
        raise ValidationError(
            {
                "starts_at": (
                    _("所选时间不在开放时间内。当天开放：%(hours)s。") % {"hours": hours}
                    if hours
                    else _("这个场地当天不开放。")
                )
            }
        )


def _overlapping(venue: Venue, starts_at: dt.datetime, ends_at: dt.datetime):
    return Booking.objects.filter(
        venue=venue, status__in=HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at
    )


def overlap_message(other: Booking) -> str:
    return _("这段时间已被预约（%(start)s–%(end)s，%(who)s），请换一个时间。") % {
        "start": _fmt(other.starts_at),
        "end": timezone.localtime(other.ends_at).strftime("%H:%M"),
        "who": other.organiser,
    }


def _event(booking: Booking, status: str, actor, now: dt.datetime, note: str = "") -> None:
    BookingEvent.objects.create(
        booking=booking,
        status=status,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


@transaction.atomic
def booking_request(
    *,
    actor,
    venue: Venue,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    purpose: str,
    expected: int,
    organiser: str = "",
    team: Team | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book ``venue`` from ``starts_at`` to ``ends_at``, for ``team`` or a group or the
    residents the actor represents (``organiser``)."""
    now = now or timezone.now()
    if not rules.may_see(actor, venue):
        raise Http404
    if not rules.may_book(actor, venue):
        raise PermissionDenied(_("只有社区工作人员、网格员和楼栋长、单元长可以预约场地。"))
    errors = {}
    try:
        purpose = bounded_text(
            purpose,
            field="purpose",
            limit=PURPOSE_MAX,
            required=_("请写明用途，例如：党员学习、议事会、文艺排练。"),
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if team is not None and team.community_id != venue.community_id:
        errors["team"] = _("这支队伍不属于场地所在社区。")
    organiser = bounded_text(organiser, field="organiser", limit=NAME_MAX) or (
        team.name if team is not None else ""
    )
    if not organiser:
        errors["organiser"] = _("请填写组织方：哪支队伍、哪个小组或哪些居民代表。")
    if errors:
        raise ValidationError(errors)
    # Everything below is decided with the venue row locked: a second request for the
    # same hour waits here, then sees this one.
    locked = Venue.objects.select_for_update().get(pk=venue.pk)
    if not locked.is_active:
        raise ValidationError({"venue": _("这个场地暂停预约。")})
    if not 1 <= (expected or 0) <= locked.capacity:
        raise ValidationError(
            {
                "expected": _("预计人数应在1到%(n)d之间（场地可容纳%(n)d人）。")
                % {"n": locked.capacity}
            }
        )
    _check_slot(locked, starts_at, ends_at, now)
    other = _overlapping(locked, starts_at, ends_at).first()
    if other is not None:
        raise ValidationError({"starts_at": overlap_message(other)})
    status = BookingStatus.REQUESTED if locked.needs_approval else BookingStatus.APPROVED
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                venue=locked,
                community_id=locked.community_id,
                grid_id=locked.grid_id,
                starts_at=starts_at,
                ends_at=ends_at,
                purpose=purpose,
                team=team,
                organiser=organiser,
                expected=expected,
                booked_by=actor,
                status=status,
            )
    except IntegrityError:
        # The exclusion constraint (PostgreSQL): another writer took the slot.
        raise ValidationError({"starts_at": _("这段时间已被预约，请换一个时间。")}) from None
    _event(booking, status, actor, now)
    audit.record(
        actor=actor,
        action="venues.booking.requested",
        obj=booking,
        changes={"venue": locked.pk, "status": status, "expected": expected},
    )
    return booking


def _move(booking: Booking, to: str) -> None:
    if to not in TRANSITIONS[BookingStatus(booking.status)]:
        raise ValidationError(
            _("这条预约当前为“%(status)s”，不能%(action)s。")
            % {
                "status": booking.get_status_display(),
                "action": {
                    BookingStatus.APPROVED: _("批准"),
                    BookingStatus.REFUSED: _("不批准"),
                    BookingStatus.CANCELLED: _("取消"),
                }[to],
            }
        )
    booking.status = to


def _lock(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("venue").get(pk=booking.pk)


@transaction.atomic
def booking_approve(*, actor, booking: Booking, now: dt.datetime | None = None) -> Booking:
    now = now or timezone.now()
    locked = _lock(booking)
    _check_manage(actor, locked.venue)
    _move(locked, BookingStatus.APPROVED)
    locked.save(update_fields=["status"])
    _event(locked, BookingStatus.APPROVED, actor, now)
    audit.record(actor=actor, action="venues.booking.approved", obj=locked)
    return locked


@transaction.atomic
def booking_refuse(
    *, actor, booking: Booking, reason: str, now: dt.datetime | None = None
) -> Booking:
    now = now or timezone.now()
    locked = _lock(booking)
    _check_manage(actor, locked.venue)
    reason = bounded_text(
        reason, field="reason", limit=REASON_MAX, required=_("请写明不批准的原因，预约人会看到。")
    )
    _move(locked, BookingStatus.REFUSED)
    locked.reason = reason
    locked.save(update_fields=["status", "reason"])
    _event(locked, BookingStatus.REFUSED, actor, now, reason)
    audit.record(actor=actor, action="venues.booking.refused", obj=locked)
    return locked


@transaction.atomic
def booking_cancel(
    *, actor, booking: Booking, reason: str = "", now: dt.datetime | None = None
) -> Booking:
    now = now or timezone.now()
    locked = _lock(booking)
    if not rules.may_cancel(actor, locked):
        raise PermissionDenied(_("只有预约人或社区工作人员可以取消预约。"))
    reason = bounded_text(reason, field="reason", limit=REASON_MAX)
    _move(locked, BookingStatus.CANCELLED)
    if locked.ends_at <= now:
        raise ValidationError(_("已经结束的预约不能取消。"))
    locked.reason = reason
    locked.save(update_fields=["status", "reason"])
    _event(locked, BookingStatus.CANCELLED, actor, now, reason)
    audit.record(actor=actor, action="venues.booking.cancelled", obj=locked)
    return locked
