"""Venues over the API: the same rules as the pages, refusals in Chinese (422), and two
overlapping bookings sent at once on PostgreSQL: one stands, one is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from gongzhi.venues import services
from gongzhi.venues.enums import BookingStatus
from gongzhi.venues.models import Booking
from tests.voices.test_concurrency import race


def tuesday_at(hour: int, minute: int = 0) -> dt.datetime:
    today = timezone.localdate()
    day = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def body(start=9, end=10, **extra):
    return {
        "starts_at": tuesday_at(start).isoformat(),
        "ends_at": tuesday_at(end).isoformat(),
        "purpose": "党员学习",
        "expected": 20,
        "organiser": "第一网格党支部",
        **extra,
    }


def test_list_book_and_decide(world, venue, api_as):
    grid = api_as(world.users["grid"])
    (row,) = grid.get("/venues").json()
    assert (row["name"], row["kind_label"], row["may_book"]) == (
        "党群服务中心活动室",
        "党群服务阵地",
        True,
    )
    assert len(row["periods"]) == 11
    created = grid.post(f"/venues/{venue.pk}/bookings", body())
    assert created.status_code == 201
    assert created.json()["status_label"] == "待审批"
    week = grid.get(f"/venues/{venue.pk}/bookings", week=tuesday_at(9).date().isoformat())
    assert [b["organiser"] for b in week.json()] == ["第一网格党支部"]
    booking_id = created.json()["id"]
    assert grid.post(f"/venues/bookings/{booking_id}/approve").status_code == 403
    staff = api_as(world.users["staff"])
    assert staff.post(f"/venues/bookings/{booking_id}/approve").json()["status"] == "approved"


def test_refusals_are_422_in_chinese(world, venue, api_as):
    grid = api_as(world.users["grid"])
    grid.post(f"/venues/{venue.pk}/bookings", body())
    overlap = grid.post(f"/venues/{venue.pk}/bookings", body(start=9, end=11))
    assert overlap.status_code == 422
    assert "这段时间已被预约" in overlap.content.decode()
    lunch = grid.post(f"/venues/{venue.pk}/bookings", body(start=12, end=13))
    assert lunch.status_code == 422
    assert "所选时间不在开放时间内" in lunch.content.decode()
    assert grid.get(f"/venues/{venue.pk}/bookings", week="下周").status_code == 422
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status"), [("resident", 403), ("other_staff", 404), ("partner", 404)]
)
def test_who_may_not_book(world, venue, api_as, role, status):
    response = api_as(world.users[role]).post(f"/venues/{venue.pk}/bookings", body())
    assert response.status_code == status
    assert Booking.objects.count() == 0


def test_the_list_costs_the_same_with_more_venues(
    world, venue, api_as, django_assert_max_num_queries
):
    client = api_as(world.users["staff"])
    client.get("/venues")
    with django_assert_max_num_queries(12):
        first = client.get("/venues").json()
    for n in range(4):
        v = services.venue_create(
            actor=None, community=world.wj, kind="pocket_park", name=f"公园{n}"
        )
        services.venue_set_hours(actor=None, venue=v, text="1-7 07:00-21:00")
    with django_assert_max_num_queries(12):
        assert len(client.get("/venues").json()) == len(first) + 4


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_bookings_at_once_one_stands(world, venue):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and the exclusion constraint are exercised on PostgreSQL")

    def book(user, start, end):
        return lambda: services.booking_request(
            actor=user,
            venue=venue,
            starts_at=tuesday_at(start),
            ends_at=tuesday_at(end),
            purpose="议事会",
            expected=10,
            organiser=str(user),
        )

    results = race([book(world.users["grid"], 9, 11), book(world.users["building"], 10, 12)])
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    (error,) = [value for kind, value in results if kind == "error"]
    assert isinstance(error, ValidationError)
    assert "这段时间已被预约" in error.message_dict["starts_at"][0]
    assert Booking.objects.filter(status__in=[BookingStatus.REQUESTED]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_overlap_written_around_the_service(world, venue):
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL")
    from django.db import IntegrityError

    def row(start, end):
        return Booking.objects.create(
            venue=venue,
            community=world.wj,
            starts_at=tuesday_at(start),
            ends_at=tuesday_at(end),
            purpose="x",
            organiser="x",
            expected=1,
            booked_by=world.users["staff"],
        )

    row(9, 11)
    with pytest.raises(IntegrityError):
        row(10, 12)
    refused = Booking.objects.create(
        venue=venue,
        community=world.wj,
        starts_at=tuesday_at(9),
        ends_at=tuesday_at(11),
        purpose="x",
        organiser="x",
        expected=1,
        booked_by=world.users["staff"],
        status=BookingStatus.REFUSED,
    )
    assert refused.pk  # a refused booking holds nothing
