"""The venue pages: list, week, booking form that keeps what was typed, decisions that ask
first, and a constant number of queries however many venues and bookings there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.venues import services
from gongzhi.venues.enums import BookingStatus, VenueKind
from gongzhi.venues.models import Booking, Venue


def next_tuesday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)


def form(day=None, **extra):
    return {
        "day": (day or next_tuesday()).isoformat(),
        "start": "09:00",
        "end": "10:30",
        "purpose": "楼栋议事会",
        "expected": "15",
        "organiser": "1栋居民代表",
        **extra,
    }


def test_the_list_shows_the_communitys_venues(world, venue, login):
    page = login(world.users["building"]).get("/venues/").content.decode()
    assert "党群服务中心活动室" in page and "党群服务阵地" in page
    assert "新增场地" not in page  # a building chief does not manage venues
    assert "新增场地" in login(world.users["staff"]).get("/venues/").content.decode()
    assert login(world.users["other_staff"]).get(f"/venues/{venue.pk}/").status_code == 404


def test_a_building_chief_books_and_staff_approve(world, venue, login):
    chief = login(world.users["building"])
    response = chief.post(f"/venues/{venue.pk}/book/", form())
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.status, booking.organiser, booking.expected) == (
        BookingStatus.REQUESTED,
        "1栋居民代表",
        15,
    )
    week = chief.get(response["Location"]).content.decode()
    assert "预约已提交，等待社区审批。" in week
    assert "1栋居民代表 · 楼栋议事会" in week
    staff = login(world.users["staff"])
    queue = staff.get("/venues/bookings/").content.decode()
    assert "待审批 1 条" in queue
    staff.post(f"/venues/bookings/{booking.pk}/approve/")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED


def test_a_refused_booking_keeps_what_was_typed(world, venue, login):
    client = login(world.users["grid"])
    sunday = next_tuesday() + dt.timedelta(days=5)
    response = client.post(f"/venues/{venue.pk}/book/", form(day=sunday, purpose="合唱排练"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "这个场地当天不开放。" in page
    assert 'value="合唱排练"' in page and 'value="1栋居民代表"' in page
    assert Booking.objects.count() == 0


def test_an_overlap_is_refused_on_the_page(world, venue, login):
    client = login(world.users["grid"])
    client.post(f"/venues/{venue.pk}/book/", form())
    response = client.post(f"/venues/{venue.pk}/book/", form(start="10:00", end="11:00"))
    assert response.status_code == 400
    assert "这段时间已被预约" in response.content.decode()
    assert Booking.objects.count() == 1


def test_a_resident_may_see_but_not_book(world, venue, login):
    client = login(world.users["resident"])
    assert client.get(f"/venues/{venue.pk}/").status_code == 404  # staff pages only
    assert client.post(f"/venues/{venue.pk}/book/", form()).status_code == 404
    assert Booking.objects.count() == 0


def test_cancel_and_refuse_ask_first(world, venue, login):
    client = login(world.users["grid"])
    client.post(f"/venues/{venue.pk}/book/", form())
    booking = Booking.objects.get()
    ask = client.post(f"/venues/bookings/{booking.pk}/cancel/", {"reason": "改期"})
    assert ask.status_code == 200
    assert "请确认：取消这条预约" in ask.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED
    client.post(f"/venues/bookings/{booking.pk}/cancel/", {"reason": "改期", "confirm": "1"})
    booking.refresh_from_db()
    assert (booking.status, booking.reason) == (BookingStatus.CANCELLED, "改期")

    client.post(f"/venues/{venue.pk}/book/", form())
    again = Booking.objects.get(status=BookingStatus.REQUESTED)
    staff = login(world.users["staff"])
    empty = staff.post(f"/venues/bookings/{again.pk}/refuse/", {"reason": "", "confirm": "1"})
    assert empty.status_code == 400
    assert "请写明不批准的原因" in empty.content.decode()
    staff.post(f"/venues/bookings/{again.pk}/refuse/", {"reason": "设备检修", "confirm": "1"})
    again.refresh_from_db()
    assert again.status == BookingStatus.REFUSED


def test_staff_add_a_venue_with_its_hours_or_nothing(world, login):
    client = login(world.users["staff"])
    data = {
        "name": "甘露园网格驿站",
        "kind": VenueKind.GRID_STATION,
        "capacity": "15",
        "needs_approval": "on",
        "is_active": "on",
        "periods": "1-5 08:30-12:00\n6 9点到5点",
    }
    refused = client.post("/venues/new/", data)
    assert refused.status_code == 400
    assert "第2行看不懂" in refused.content.decode()
    assert 'value="甘露园网格驿站"' in refused.content.decode()
    assert not Venue.objects.filter(name="甘露园网格驿站").exists()  # no venue without hours
    saved = client.post("/venues/new/", {**data, "periods": "1-5 08:30-12:00\n6 09:00-17:00"})
    assert saved.status_code == 302
    venue = Venue.objects.get(name="甘露园网格驿站")
    assert venue.periods.count() == 6
    edit = client.get(f"/venues/{venue.pk}/edit/").content.decode()
    assert "1-5 08:30-12:00" in edit and "6 09:00-17:00" in edit
    assert login(world.users["grid"]).get("/venues/new/").status_code == 404


def _grow(world, venue, venue_count=3):
    """More venues, and on each (and on ``venue``) bookings tomorrow: two approved, one
    waiting for a decision."""
    start = timezone.now() + dt.timedelta(days=1)
    venues = [venue]
    for n in range(venue_count):
        v = services.venue_create(
            actor=None, community=world.wj, kind=VenueKind.POCKET_PARK, name=f"口袋公园{n}"
        )
        services.venue_set_hours(actor=None, venue=v, text="1-7 07:00-21:00")
        venues.append(v)
    for v in venues:
        for h, status in enumerate(["approved", "approved", "requested"]):
            Booking.objects.create(
                venue=v,
                community=world.wj,
                starts_at=start + dt.timedelta(hours=h),
                ends_at=start + dt.timedelta(hours=h, minutes=50),
                purpose="健身",
                organiser="老年康乐协会",
                expected=10,
                booked_by=world.users["staff"],
                status=status,
            )


@pytest.mark.parametrize("url", ["/venues/", "/venues/bookings/", "venue"])
def test_pages_cost_the_same_with_more_venues_and_bookings(world, venue, login, url):
    client = login(world.users["staff"])
    if url == "venue":
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        url = f"/venues/{venue.pk}/?week={tomorrow.isoformat()}"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    n = len(small.captured_queries)
    _grow(world, venue)
    client.get(url)
    with CaptureQueriesContext(connection) as big:
        page = client.get(url).content.decode()
    assert ("口袋公园0" if url == "/venues/" else "老年康乐协会") in page
    assert len(big.captured_queries) == n
