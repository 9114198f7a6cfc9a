"""Who may do what with a venue.

- Anyone whose reach lies in the venue's community sees it and its booked times (a
  resident too: the positions are the community's, open to all).
- A post holder there — staff, grid chiefs and workers, building and entrance chiefs (the
  residents' representatives) — may book it, for a team, a group or the residents they
  represent. A resident login without a post may not: bookings go through their
  representatives.
- Those who manage the community's organisations (``manage_orgs``: its secretary and
  staff, the subdistrict) add and change venues and decide bookings.
"""

from __future__ import annotations

from gongzhi.core.scoping import may, scope_for

from .models import Booking, Venue


def _communities(scope) -> set[int]:
    return set(scope.held.get("community", ())) | set(scope.ancestors.get("community", ()))


def may_see(user, venue: Venue) -> bool:
    scope = scope_for(user, "view")
    return scope.everything or venue.community_id in _communities(scope)


def may_book(user, venue: Venue) -> bool:
    scope = scope_for(user, "view")
    if scope.everything:
        return True
    holds_a_post = any(ids for level, ids in scope.held.items() if level != "household")
    return holds_a_post and venue.community_id in _communities(scope)


def may_manage(user, venue: Venue) -> bool:
    return may(user, "manage_orgs", venue)


def may_cancel(user, booking: Booking) -> bool:
    return booking.booked_by_id == user.pk or may_manage(user, booking.venue)
