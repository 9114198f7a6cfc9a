"""Micro-wishes over the API, through the same selectors and services as the pages.

A caller sees in full the wishes in their reach (their own household for a resident) and,
anonymised like the wall, the wishes they sponsor. The wall is public. A claim that lost
the race answers 409 with the same kind words the page shows."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, ExpressionWrapper, Q, Value, When
from django.http import Http404
from ninja import Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from gongzhi.core.choices import choice_label
from gongzhi.core.scoping import get_visible_or_404, scope_for
from gongzhi.places.models import Resident
from gongzhi.wishes import selectors, services
from gongzhi.wishes.models import TEXT_MAX, Wish, WishClaim

from .api import ERRORS, PUBLIC_ERRORS, ErrorOut, api
from .inputs import Id, code, filter_, limited
from .pagination import Mapped, Page

# A claim that lost the race answers 409.
WRITE_ERRORS = {**ERRORS, 409: ErrorOut}


class WishEventOut(Schema):
    kind: str
    label: str
    by: str
    note: str
    at: dt.datetime


class WishOut(Schema):
    id: int
    category: str
    category_label: str
    status: str
    status_label: str
    text: str
    public_text: str
    public_place: str
    resident_name: str
    channel: str
    sponsor: str
    created_at: dt.datetime
    events: list[WishEventOut] | None = None


class WallWishOut(Schema):
    id: int
    category: str
    category_label: str
    status: str
    status_label: str
    text: str
    place: str
    sponsor: str


class StoryOut(Schema):
    text: str
    place: str
    sponsor: str


class WallCounts(Schema):
    waiting: int
    taken: int
    done: int


class WallOut(Schema):
    waiting: list[WallWishOut]
    taken: list[WallWishOut]
    stories: list[StoryOut]
    counts: WallCounts


def _sponsor(w: Wish) -> str:
    claim = w.live_claim
    return claim.sponsor_public if claim else ""


def _wish_out(w: Wish, *, full: bool, events=None) -> dict:
    return {
        "id": w.pk,
        "category": w.category,
        "category_label": choice_label(w, "category"),
        "status": w.status,
        "status_label": choice_label(w, "status"),
        # A sponsor reads the wish as the wall shows it, not the resident's own words.
        "text": w.text if full else w.public_text,
        "public_text": w.public_text,
        "public_place": w.public_place,
        "resident_name": w.resident.name if full else "",
        "channel": w.channel if full else "",
        "sponsor": _sponsor(w),
        "created_at": w.created_at,
        "events": events,
    }


def _wall_out(w: Wish) -> dict:
    return {
        "id": w.pk,
        "category": w.category,
        "category_label": choice_label(w, "category"),
        "status": w.status,
        "status_label": choice_label(w, "status"),
        "text": w.public_text,
        "place": w.public_place,
        "sponsor": _sponsor(w),
    }


@api.get("/wishes/wall", auth=None, response={200: WallOut, **PUBLIC_ERRORS}, tags=["wishes"])
def wishes_wall(request):
    """心愿墙, public: wishes waiting and taken, stories residents agreed to share, and
    counts. Nothing below the building."""
    data = selectors.wall()
    return {
        "waiting": [_wall_out(w) for w in data["waiting"]],
        "taken": [_wall_out(w) for w in data["taken"]],
        "stories": [
            {"text": w.thanks, "place": w.public_place, "sponsor": _sponsor(w)}
            for w in data["stories"]
        ],
        "counts": data["counts"],
    }


def _listing(user):
    """Wishes in the caller's reach (``full``) and those they sponsor (anonymised)."""
    scope = scope_for(user, "view")
    in_scope = scope.q_for(Wish)
    sponsored = Q(pk__in=selectors.my_claims(user).exclude(status="released").values("wish_id"))
    full = (
        Value(True)
        if scope.everything
        else Case(When(in_scope, then=Value(True)), default=Value(False))
    )
    return (
        Wish.objects.filter(in_scope | sponsored)
        .annotate(full=ExpressionWrapper(full, output_field=BooleanField()))
        .select_related("resident", "community", "building")
        .prefetch_related(selectors.live_claims())
        .order_by("-created_at", "-id")
    )


@api.get("/wishes", response={200: list[WishOut], **ERRORS}, tags=["wishes"])
@paginate(Page)
def wishes(request, status: str = filter_(20, description="状态代码")):
    """Wishes the caller may see: in full within their reach, as the wall shows them when
    they only sponsor them."""
    qs = _listing(request.auth)
    if status:
        qs = qs.filter(status=status)
    return Mapped(qs, lambda w: _wish_out(w, full=w.full))


def _get_full(request, wish_id: int) -> Wish:
    return selectors.wish_get_visible(request.auth, wish_id)


def _events(wish: Wish) -> list[dict]:
    return [
        {
            "kind": e.kind,
            "label": choice_label(e, "kind"),
            "by": e.actor_label,
            "note": e.note,
            "at": e.at,
        }
        for e in selectors.timeline(wish)
    ]


@api.get("/wishes/{wish_id}", response={200: WishOut, **ERRORS}, tags=["wishes"])
def wish_detail(request, wish_id: Id):
    """One wish in the caller's reach, with its timeline."""
    wish = _get_full(request, wish_id)
    return _wish_out(wish, full=True, events=_events(wish))


class WishIn(Schema):
    category: str = code(20, ...)
    text: str = limited(TEXT_MAX, ...)
    resident_id: Id | None = None
    channel: str | None = code(20, None, description="代为录入时：visit / phone / paper")


@api.post("/wishes", response={201: WishOut, **WRITE_ERRORS}, tags=["wishes"])
def wish_create(request, payload: WishIn):
    """Make a wish: for oneself (a resident), or for ``resident_id`` by a leader whose posts
    reach that resident (``channel`` visit, phone or paper)."""
    user = request.auth
    if payload.resident_id is None:
        if not user.resident_id:
            raise Http404
        resident = Resident.objects.get(pk=user.resident_id)
    else:
        resident = get_visible_or_404(user, Resident.objects.all(), pk=payload.resident_id)
    wish = services.wish_submit(
        actor=user,
        resident=resident,
        category=payload.category,
        text=payload.text,
        channel=payload.channel,
    )
    wish = _get_full(request, wish.pk)
    return Status(201, _wish_out(wish, full=True, events=_events(wish)))


class PublishIn(Schema):
    public_text: str | None = limited(TEXT_MAX, None, description="不填时用居民的原话")


@api.post("/wishes/{wish_id}/publish", response={200: WishOut, **WRITE_ERRORS}, tags=["wishes"])
def wish_publish(request, wish_id: Id, payload: PublishIn):
    """Verify a wish and publish it on the wall (needs ``edit_registry`` over it)."""
    services.wish_publish(
        actor=request.auth, wish=_get_full(request, wish_id), public_text=payload.public_text
    )
    return _wish_out(_get_full(request, wish_id), full=True)


class WishReasonIn(Schema):
    reason: str = limited(services.REASON_MAX)


@api.post("/wishes/{wish_id}/reject", response={200: WishOut, **WRITE_ERRORS}, tags=["wishes"])
def wish_reject(request, wish_id: Id, payload: WishReasonIn):
    """Decline a wish at verification, with a reason the resident will read."""
    services.wish_reject(
        actor=request.auth, wish=_get_full(request, wish_id), reason=payload.reason
    )
    return _wish_out(_get_full(request, wish_id), full=True)


class ClaimIn(Schema):
    sponsor: str = code(60, description="partner:ID、party_member:ID 或 team:ID")


class ClaimOut(Schema):
    wish_id: int
    sponsor_kind: str
    sponsor: str
    status: str
    claimed_at: dt.datetime


def _claim_out(c: WishClaim) -> dict:
    return {
        "wish_id": c.wish_id,
        "sponsor_kind": c.sponsor_kind,
        "sponsor": c.sponsor_public,
        "status": c.status,
        "claimed_at": c.claimed_at,
    }


@api.post("/wishes/{wish_id}/claim", response={201: ClaimOut, **WRITE_ERRORS}, tags=["wishes"])
def wish_claim(request, wish_id: Id, payload: ClaimIn):
    """Claim a wish on the wall as a sponsor. ``sponsor`` (``partner:ID``,
    ``party_member:ID``, ``team:ID``) is needed only with several identities. Of many
    simultaneous claims one wins; the others get 409."""
    wish = selectors.claimable_get(request.auth, wish_id)
    try:
        claim = services.wish_claim(actor=request.auth, wish=wish, sponsor=payload.sponsor)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "taken":
            raise HttpError(409, exc.messages[0]) from None
        raise
    return Status(201, _claim_out(claim))


@api.post("/wishes/{wish_id}/release", response={200: ClaimOut, **WRITE_ERRORS}, tags=["wishes"])
def wish_release(request, wish_id: Id, payload: WishReasonIn):
    """Give a claimed wish up; it goes back to the wall."""
    wish = selectors.claimed_wish_for(request.auth, wish_id)
    services.wish_release(actor=request.auth, wish=wish, reason=payload.reason)
    claim = (
        WishClaim.objects.filter(wish_id=wish_id)
        .select_related("partner_unit", "team")
        .latest("claimed_at", "id")
    )
    return _claim_out(claim)


class FulfilIn(Schema):
    proof_text: str = limited(TEXT_MAX, ...)


@api.post("/wishes/{wish_id}/fulfil", response={200: ClaimOut, **WRITE_ERRORS}, tags=["wishes"])
def wish_fulfil(request, wish_id: Id, payload: FulfilIn):
    """Say a claimed wish is done (a photo can be added on the page)."""
    wish = selectors.claimed_wish_for(request.auth, wish_id)
    claim = services.wish_fulfil(actor=request.auth, wish=wish, proof_text=payload.proof_text)
    return _claim_out(claim)


class ConfirmIn(Schema):
    note: str = limited(services.REASON_MAX)


@api.post("/wishes/{wish_id}/confirm", response={200: WishOut, **WRITE_ERRORS}, tags=["wishes"])
def wish_confirm(request, wish_id: Id, payload: ConfirmIn):
    """The resident confirms the wish came true, or a leader does so for them."""
    services.wish_confirm(actor=request.auth, wish=_get_full(request, wish_id), note=payload.note)
    return _wish_out(_get_full(request, wish_id), full=True)
