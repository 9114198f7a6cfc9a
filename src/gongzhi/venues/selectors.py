"""Reads of venues and bookings, through the one scoping mechanism.

A venue is seen by everyone whose reach lies in its community (``rules.may_see``): the
communities a user holds, or that contain what they hold (``core.scoping`` containers).
A booking's purpose and organiser are shown to the community; who booked it (a login) only
to those who manage the venue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum
from django.http import Http404
from django.utils import timezone

from gongzhi.core.scoping import scope_for, visible

from .enums import HOLDING, BookingStatus
from .models import Booking, Venue


def venue_list(user):
    scope = scope_for(user, "view")
    qs = Venue.objects.select_related("community", "grid")
    if scope.everything:
        return qs
    communities = set(scope.held.get("community", ())) | set(scope.ancestors.get("community", ()))
    return qs.filter(community_id__in=sorted(communities))


def venue_or_404(user, pk: int) -> Venue:
    venue = venue_list(user).prefetch_related("periods").filter(pk=pk).first()
    if venue is None:
        raise Http404
    return venue


def booking_or_404(user, pk: int) -> Booking:
    booking = (
        Booking.objects.select_related("venue", "venue__community", "team", "booked_by")
        .filter(pk=pk, venue__in=venue_list(user))
        .first()
    )
    if booking is None:
        raise Http404
    return booking


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class Day:
    date: dt.date
    periods: list
    bookings: list


def week(venue: Venue, monday: dt.date) -> list[Day]:
    """Seven days from ``monday``: each day's opening periods and holding bookings."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=7)
    bookings = list(
        Booking.objects.filter(
            venue=venue, status__in=HOLDING, starts_at__lt=end, ends_at__gt=start
        ).select_related("team")
    )
    periods = list(venue.periods.all())
    days = []
    for i in range(7):
        date = monday + dt.timedelta(days=i)
        days.append(
            Day(
                date=date,
                periods=[p for p in periods if p.weekday == date.weekday()],
                bookings=[b for b in bookings if timezone.localtime(b.starts_at).date() == date],
            )
        )
    return days


def pending(user):
    """Requests waiting for a decision in the venues ``user`` manages."""
    scope = scope_for(user, "manage_orgs")
    return scope.filter(
        Booking.objects.filter(status=BookingStatus.REQUESTED).select_related(
            "venue", "team", "booked_by"
        )
    ).order_by("starts_at", "pk")


def mine(user):
    return (
        Booking.objects.filter(booked_by=user)
        .select_related("venue", "team")
        .order_by("-starts_at", "-pk")
    )


def usage(venues, *, since: dt.datetime, until: dt.datetime) -> dict[int, dict]:
    """Per venue, counted from bookings that were approved and took place in the window:
    how many, how many hours, how many people expected. One grouped query."""
    hours = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    rows = (
        Booking.objects.filter(
            venue__in=venues,
            status=BookingStatus.APPROVED,
            starts_at__gte=since,
            starts_at__lt=until,
        )
        .values("venue_id")
        .annotate(n=Count("id"), length=Sum(hours), people=Sum("expected"))
        .order_by()
    )
    return {
        r["venue_id"]: {
            "bookings": r["n"],
            "hours": round((r["length"] or dt.timedelta()).total_seconds() / 3600, 1),
            "people": r["people"] or 0,
        }
        for r in rows
    }


def visible_bookings(user):
    return visible(user, Booking.objects.all(), "manage_orgs")
