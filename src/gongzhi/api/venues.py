"""Venues and bookings over the API, through the same rules, selectors and services as the
pages: a venue is seen by everyone whose reach lies in its community; post holders there
book it; those who manage the community's organisations decide."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Field, Schema, Status

from gongzhi.core.choices import choice_label
from gongzhi.core.dates import parse_date
from gongzhi.orgs.models import Team
from gongzhi.venues import rules, selectors, services
from gongzhi.venues.models import NAME_MAX, PURPOSE_MAX, REASON_MAX, Booking, Venue

from .api import ERRORS, api
from .inputs import Id, filter_, limited

TAGS = ["venues"]


class PeriodOut(Schema):
    weekday: int = Field(..., description="0 是周一，6 是周日")
    opens: dt.time
    closes: dt.time


class VenueOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    community: str = Field(..., description="社区编码")
    grid: str | None = Field(None, description="网格编码")
    address: str
    purposes: str
    capacity: int
    needs_approval: bool
    is_active: bool
    may_book: bool
    periods: list[PeriodOut]


class BookingOut(Schema):
    id: int
    venue_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    purpose: str
    organiser: str
    expected: int
    status: str
    status_label: str
    reason: str


def _venue_out(user, v: Venue) -> dict:
    return {
        "id": v.pk,
        "name": v.name,
        "kind": v.kind,
        "kind_label": choice_label(v, "kind"),
        "community": v.community.code,
        "grid": v.grid.code if v.grid_id else None,
        "address": v.address,
        "purposes": v.purposes,
        "capacity": v.capacity,
        "needs_approval": v.needs_approval,
        "is_active": v.is_active,
        "may_book": rules.may_book(user, v),
        "periods": [
            {"weekday": p.weekday, "opens": p.opens, "closes": p.closes} for p in v.periods.all()
        ],
    }


def _booking_out(b: Booking) -> dict:
    return {
        "id": b.pk,
        "venue_id": b.venue_id,
        "starts_at": b.starts_at,
        "ends_at": b.ends_at,
        "purpose": b.purpose,
        "organiser": b.organiser,
        "expected": b.expected,
        "status": b.status,
        "status_label": choice_label(b, "status"),
        "reason": b.reason,
    }


@api.get("/venues", response={200: list[VenueOut], **ERRORS}, tags=TAGS)
def venue_list(request):
    """Venues of the communities in the caller's reach, with their opening hours."""
    user = request.auth
    venues = (
        selectors.venue_list(user)
        .prefetch_related("periods")
        .order_by("community__code", "kind", "name")
    )
    return [_venue_out(user, v) for v in venues]


@api.get("/venues/{venue_id}/bookings", response={200: list[BookingOut], **ERRORS}, tags=TAGS)
def venue_bookings(
    request, venue_id: Id, week: str = filter_(10, description="该周任一天 YYYY-MM-DD；默认本周")
):
    """The holding bookings (requested or approved) of one week."""
    venue = selectors.venue_or_404(request.auth, venue_id)
    day = parse_date(week, field="week") if week else timezone.localdate()
    return [
        _booking_out(b)
        for d in selectors.week(venue, selectors.week_start(day))
        for b in d.bookings
    ]


class BookingIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    purpose: str = limited(PURPOSE_MAX, ...)
    expected: int = Field(..., ge=1, le=2000)
    organiser: str = limited(NAME_MAX)
    team_id: Id | None = None


@api.post("/venues/{venue_id}/bookings", response={201: BookingOut, **ERRORS}, tags=TAGS)
def booking_create(request, venue_id: Id, payload: BookingIn):
    """Book a venue (post holders in its community). Inside one opening period, not in the
    past, within capacity, overlapping nothing held — else 422 with the reason in Chinese."""
    user = request.auth
    venue = selectors.venue_or_404(user, venue_id)
    team = None
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id, community_id=venue.community_id).first()
        if team is None:
            raise Http404
    booking = services.booking_request(
        actor=user,
        venue=venue,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        purpose=payload.purpose,
        expected=payload.expected,
        organiser=payload.organiser,
        team=team,
    )
    return Status(201, _booking_out(booking))


class BookingReasonIn(Schema):
    reason: str = limited(REASON_MAX)


@api.post("/venues/bookings/{booking_id}/approve", response={200: BookingOut, **ERRORS}, tags=TAGS)
def booking_approve(request, booking_id: Id):
    booking = selectors.booking_or_404(request.auth, booking_id)
    return _booking_out(services.booking_approve(actor=request.auth, booking=booking))


@api.post("/venues/bookings/{booking_id}/refuse", response={200: BookingOut, **ERRORS}, tags=TAGS)
def booking_refuse(request, booking_id: Id, payload: BookingReasonIn):
    booking = selectors.booking_or_404(request.auth, booking_id)
    return _booking_out(
        services.booking_refuse(actor=request.auth, booking=booking, reason=payload.reason)
    )


@api.post("/venues/bookings/{booking_id}/cancel", response={200: BookingOut, **ERRORS}, tags=TAGS)
def booking_cancel(request, booking_id: Id, payload: BookingReasonIn):
    booking = selectors.booking_or_404(request.auth, booking_id)
    return _booking_out(
        services.booking_cancel(actor=request.auth, booking=booking, reason=payload.reason)
    )
