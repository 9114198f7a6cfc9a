"""Reads of wishes, always through ``core.scoping`` or the sponsor identities of
``wishes.rules``. The public wall reads only what may be public."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from gongzhi.core.scoping import visible

from . import rules
from .enums import WALL_STATUSES, ClaimStatus, SponsorKind, Status
from .models import Wish, WishClaim, WishEvent, WishNotification

WALL_LIMIT = 60
STORIES_LIMIT = 20


def live_claims():
    return Prefetch(
        "claims",
        queryset=WishClaim.objects.exclude(status=ClaimStatus.RELEASED).select_related(
            "partner_unit", "team"
        ),
        to_attr="live_claims",
    )


def wish_list_visible_to(user, capability: str = "view") -> QuerySet[Wish]:
    return visible(user, Wish.objects.all(), capability)


def wish_get_visible(user, pk: int) -> Wish:
    """A wish the user may see in full (scope), or 404."""
    wish = (
        wish_list_visible_to(user)
        .select_related("resident", "household", "community", "building", "entered_by")
        .prefetch_related(live_claims())
        .filter(pk=pk)
        .first()
    )
    if wish is None:
        raise Http404
    return wish


def claim_q(user) -> Q:
    """Claims held by any of the user's sponsor identities."""
    q = Q(pk__in=[])
    for s in rules.sponsor_identities(user):
        if s.kind == SponsorKind.PARTNER:
            q |= Q(partner_unit_id=s.partner_unit.pk)
        elif s.kind == SponsorKind.PARTY_MEMBER:
            q |= Q(party_member_id=s.party_member.pk)
        else:
            q |= Q(team_id=s.team.pk)
    return q


def my_claims(user) -> QuerySet[WishClaim]:
    if not rules.sponsor_identities(user):
        return WishClaim.objects.none()
    return (
        WishClaim.objects.filter(claim_q(user))
        .select_related("wish", "wish__community", "wish__building", "partner_unit", "team")
        .order_by("-claimed_at", "-id")
    )


def claimed_wish_for(user, pk: int) -> Wish:
    """A wish whose live claim the user holds (to fulfil or release it), or 404."""
    claim = (
        my_claims(user)
        .filter(wish_id=pk, status=ClaimStatus.ACTIVE)
        .select_related("wish__household")
        .first()
    )
    if claim is None:
        raise Http404
    return claim.wish


def claimable_for(user) -> QuerySet[Wish]:
    """Published wishes in the communities the user sponsors for, own household excepted."""
    communities = rules.sponsor_communities(user)
    if not communities:
        return Wish.objects.none()
    qs = Wish.objects.filter(status=Status.PUBLISHED, community_id__in=sorted(communities))
    if user.resident_id:
        qs = qs.exclude(household__residents__pk=user.resident_id)
    return qs.select_related("community", "building").order_by("published_at", "id")


def claimable_get(user, pk: int) -> Wish:
    """A wish the user may try to claim: on the wall, in a community they sponsor for.
    A wish claimed a moment ago is still found, so that the refusal can say so."""
    communities = rules.sponsor_communities(user)
    wish = (
        Wish.objects.filter(
            pk=pk, status__in=WALL_STATUSES + (Status.CONFIRMED,), community_id__in=communities
        )
        .select_related("community", "building")
        .first()
    )
    if wish is None or not rules.sponsors_for(user, wish):
        raise Http404
    return wish


def resident_wishes(user) -> QuerySet[Wish]:
    if not user.resident_id:
        return Wish.objects.none()
    return (
        Wish.objects.filter(resident_id=user.resident_id)
        .select_related("community", "building")
        .prefetch_related(live_claims())
        .order_by("-created_at", "-id")
    )


def notifications_for(user, *, limit: int = 10) -> list[WishNotification]:
    if not user.resident_id:
        return []
    return list(
        WishNotification.objects.filter(resident_id=user.resident_id, read_at=None)
        .select_related("wish")
        .order_by("-created_at", "-id")[:limit]
    )


def verify_queue(user) -> QuerySet[Wish]:
    """Wishes waiting for verification that the user may verify."""
    return (
        wish_list_visible_to(user, "edit_registry")
        .filter(status=Status.SUBMITTED)
        .select_related("resident", "household", "community", "building", "entered_by")
        .order_by("created_at", "id")
    )


def in_progress(user) -> QuerySet[Wish]:
    return (
        wish_list_visible_to(user)
        .filter(status__in=WALL_STATUSES)
        .select_related("resident", "household", "community", "building")
        .prefetch_related(live_claims())
        .order_by("-published_at", "-id")
    )


def timeline(wish: Wish) -> list[WishEvent]:
    return list(wish.events.order_by("at", "id"))


def wall() -> dict:
    """What anyone may see: wishes on the wall, stories residents agreed to share, and how
    many wishes came true — all counted from records."""
    wishes = list(
        Wish.objects.filter(status__in=WALL_STATUSES)
        .select_related("community", "building")
        .prefetch_related(live_claims())
        .order_by("-published_at", "-id")[:WALL_LIMIT]
    )
    stories = list(
        Wish.objects.filter(status=Status.CONFIRMED, thanks_public=True)
        .exclude(thanks="")
        .select_related("community", "building")
        .prefetch_related(live_claims())
        .order_by("-thanked_at", "-id")[:STORIES_LIMIT]
    )
    counts = dict(
        Wish.objects.filter(status__in=WALL_STATUSES + (Status.CONFIRMED,))
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "waiting": [w for w in wishes if w.status == Status.PUBLISHED],
        "taken": [w for w in wishes if w.status != Status.PUBLISHED],
        "stories": stories,
        "counts": {
            "waiting": counts.get(Status.PUBLISHED, 0),
            "taken": counts.get(Status.CLAIMED, 0) + counts.get(Status.FULFILLED, 0),
            "done": counts.get(Status.CONFIRMED, 0),
        },
    }
