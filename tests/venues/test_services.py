"""Venues and bookings: opening hours, no overlap, approval, refusals in Chinese that write
nothing, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core.models import AuditEvent
from gongzhi.venues import selectors, services
from gongzhi.venues.enums import BookingStatus, VenueKind
from gongzhi.venues.models import Booking, BookingEvent, OpeningPeriod

from .conftest import NOW, at


def counts():
    return (Booking.objects.count(), BookingEvent.objects.count())


def test_a_booking_waits_for_approval_then_holds_its_slot(world, venue, book):
    booking = book()
    assert booking.status == BookingStatus.REQUESTED
    assert (booking.community_id, booking.organiser) == (world.wj.pk, "第一网格居民代表")
    approved = services.booking_approve(actor=world.users["staff"], booking=booking, now=NOW)
    assert approved.status == BookingStatus.APPROVED
    assert list(approved.events.values_list("status", flat=True)) == ["requested", "approved"]
    assert set(
        AuditEvent.objects.filter(object_type="venues.booking").values_list("action", flat=True)
    ) == {"venues.booking.requested", "venues.booking.approved"}


def test_a_venue_without_approval_books_at_once(world, venue, book):
    services.venue_update(
        actor=world.users["staff"],
        venue=venue,
        name=venue.name,
        kind=venue.kind,
        capacity=40,
        needs_approval=False,
    )
    assert book().status == BookingStatus.APPROVED


@pytest.mark.parametrize(
    ("start", "end", "other"),
    [((9, 0), (11, 0), "same"), ((10, 0), (11, 30), "overlapping"), ((8, 30), (9, 30), "inside")],
)
def test_overlapping_bookings_are_refused(world, venue, book, start, end, other):
    book()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        book(start=start, end=end, actor=world.users["staff"])
    assert (
        "这段时间已被预约（2026-06-09 09:00–11:00，第一网格居民代表），请换一个时间。"
        in (exc.value.message_dict["starts_at"])
    )
    assert counts() == before


def test_back_to_back_and_freed_slots_are_bookable(world, venue, book):
    first = book()
    assert book(start=(11, 0), end=(12, 0)).status == BookingStatus.REQUESTED
    services.booking_refuse(actor=world.users["staff"], booking=first, reason="另有安排", now=NOW)
    again = book()
    assert again.status == BookingStatus.REQUESTED


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"start": (12, 30), "end": (13, 30)},
            "starts_at",
            "所选时间不在开放时间内。当天开放：08:30–12:00、14:00–17:30。",
        ),
        (
            {"start": (11, 0), "end": (14, 30)},
            "starts_at",
            "所选时间不在开放时间内。当天开放：08:30–12:00、14:00–17:30。",
        ),
        ({"day": 14}, "starts_at", "这个场地当天不开放。"),
        ({"day": 8, "start": (8, 30), "end": (8, 45)}, "starts_at", "不能预约已经过去的时间。"),
        ({"start": (11, 0), "end": (10, 0)}, "ends_at", "结束时间应晚于开始时间。"),
        ({"expected": 41}, "expected", "预计人数应在1到40之间（场地可容纳40人）。"),
        ({"purpose": "  "}, "purpose", "请写明用途，例如：党员学习、议事会、文艺排练。"),
        ({"purpose": "长" * 201}, "purpose", "不能超过200字（现有201字）。"),
        ({"organiser": ""}, "organiser", "请填写组织方：哪支队伍、哪个小组或哪些居民代表。"),
        (
            {"starts_at": at(2026, 10, 6, 9), "ends_at": at(2026, 10, 6, 10)},
            "starts_at",
            "最多提前90天预约。",
        ),
    ],
)
def test_bad_bookings_say_why_and_write_nothing(world, venue, book, kwargs, field, message):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        book(**kwargs)
    assert exc.value.message_dict[field] == [message]
    assert counts() == before


def test_a_paused_venue_is_not_bookable(world, venue, book):
    services.venue_update(
        actor=world.users["staff"], venue=venue, name=venue.name, kind=venue.kind, is_active=False
    )
    with pytest.raises(ValidationError, match="暂停预约"):
        book()


@pytest.mark.parametrize(
    ("role", "outcome"),
    [
        ("staff", "ok"),
        ("secretary", "ok"),
        ("grid", "ok"),
        ("grid_worker", "ok"),
        ("building", "ok"),
        ("entrance", "ok"),
        ("subdistrict", "ok"),
        ("admin", "ok"),
        ("resident", "forbidden"),
        ("other_staff", "absent"),
        ("partner", "absent"),
        ("nobody", "absent"),
    ],
)
def test_who_may_book(world, venue, book, role, outcome):
    if outcome == "ok":
        assert book(actor=world.users[role]).pk
        return
    expected = PermissionDenied if outcome == "forbidden" else Http404
    with pytest.raises(expected):
        book(actor=world.users[role])
    assert counts() == (0, 0)


@pytest.mark.parametrize(
    ("role", "may"),
    [
        ("staff", True),
        ("secretary", True),
        ("subdistrict", True),
        ("admin", True),
        ("grid", False),
        ("building", False),
        ("other_staff", False),
    ],
)
def test_who_decides(world, venue, book, role, may):
    booking = book()
    if may:
        assert services.booking_approve(
            actor=world.users[role], booking=booking, now=NOW
        ).status == (BookingStatus.APPROVED)
    else:
        with pytest.raises(PermissionDenied):
            services.booking_approve(actor=world.users[role], booking=booking, now=NOW)
        booking.refresh_from_db()
        assert booking.status == BookingStatus.REQUESTED


def test_cancel_by_the_booker_or_staff_only(world, venue, book):
    booking = book()
    with pytest.raises(PermissionDenied):
        services.booking_cancel(actor=world.users["building"], booking=booking, now=NOW)
    services.booking_cancel(actor=world.users["grid"], booking=booking, reason="改期", now=NOW)
    booking.refresh_from_db()
    assert (booking.status, booking.reason) == (BookingStatus.CANCELLED, "改期")
    with pytest.raises(ValidationError) as exc:
        services.booking_approve(actor=world.users["staff"], booking=booking, now=NOW)
    assert exc.value.messages == ["这条预约当前为“已取消”，不能批准。"]


def test_a_refusal_needs_a_reason(world, venue, book):
    booking = book()
    with pytest.raises(ValidationError) as exc:
        services.booking_refuse(actor=world.users["staff"], booking=booking, reason=" ", now=NOW)
    assert exc.value.message_dict == {"reason": ["请写明不批准的原因，预约人会看到。"]}
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED


def test_opening_hours_are_parsed_and_refused_in_chinese(world, venue):
    staff = world.users["staff"]
    rows = services.venue_set_hours(actor=staff, venue=venue, text="1,3 08:00-12:00\n7 09:00-11:00")
    assert sorted((r.weekday, r.opens.hour, r.closes.hour) for r in rows) == [
        (0, 8, 12),
        (2, 8, 12),
        (6, 9, 11),
    ]
    for bad, message in [
        ("周一 8点", "第1行看不懂"),
        ("1-5 12:00-08:00", "第1行看不懂"),
        ("8 09:00-10:00", "第1行看不懂"),
        ("1 08:00-12:00 11:00-13:00", "同一天的开放时段不能重叠。"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.venue_set_hours(actor=staff, venue=venue, text=bad)
    assert OpeningPeriod.objects.filter(venue=venue).count() == 3  # unchanged


def test_venue_names_are_unique_per_community_and_managed_by_staff(world, venue):
    with pytest.raises(ValidationError) as exc:
        services.venue_create(
            actor=world.users["staff"],
            community=world.wj,
            kind=VenueKind.POCKET_PARK,
            name=venue.name,
        )
    assert exc.value.message_dict == {"name": ["本社区已有同名场地。"]}
    with pytest.raises(PermissionDenied):
        services.venue_create(
            actor=world.users["grid"],
            community=world.wj,
            kind=VenueKind.POCKET_PARK,
            name="口袋公园",
        )
    with pytest.raises(PermissionDenied):
        services.venue_create(
            actor=world.users["other_staff"],
            community=world.wj,
            kind=VenueKind.POCKET_PARK,
            name="口袋公园",
        )


def test_venues_are_seen_in_their_community_only(world, venue):
    for role in ("staff", "grid", "building", "entrance", "resident", "subdistrict"):
        assert list(selectors.venue_list(world.users[role])) == [venue], role
    for role in ("other_staff", "partner", "nobody"):
        assert list(selectors.venue_list(world.users[role])) == [], role


def test_usage_counts_approved_bookings_that_took_place(world, venue, book):
    done = book()
    services.booking_approve(actor=world.users["staff"], booking=done, now=NOW)
    book(start=(14, 0), end=(17, 0))  # requested, never approved
    used = selectors.usage([venue], since=at(2026, 6, 1), until=at(2026, 6, 30))
    assert used == {venue.pk: {"bookings": 1, "hours": 2.0, "people": 12}}
    assert selectors.usage([venue], since=at(2026, 6, 10), until=at(2026, 6, 30)) == {}


def test_the_week_shows_holding_bookings_by_day(world, venue, book):
    book()
    refused = book(start=(14, 0), end=(15, 0), day=10)
    services.booking_refuse(actor=world.users["staff"], booking=refused, reason="维修", now=NOW)
    days = selectors.week(venue, dt.date(2026, 6, 8))
    assert [len(d.bookings) for d in days] == [0, 1, 0, 0, 0, 0, 0]
    assert [len(d.periods) for d in days] == [2, 2, 2, 2, 2, 1, 0]
