"""Reads of residents' voice, always scoped.

Who sees an item:
- a post holder: the items in their reach (``core.scoping``, over the item's place columns);
- a partner unit's user: exactly the items dispatched to their unit, in any state;
- a resident: exactly the items they reported (or joined, or that were merged with theirs);
  *not* every item of their household.

One person may be several of these at once (a building chief who is also a resident); the
answer is the union. Missing and forbidden both answer 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core.identity import mask_phone
from gongzhi.core.redact import Names, redact
from gongzhi.core.scoping import Scope, scope_for, visible
from gongzhi.core.text import bounded_text
from gongzhi.places.models import Resident

from . import duplicates
from .deadlines import with_overdue
from .enums import OPEN_STATUSES, DispatchRole, DispatchStatus, EventType, Publication
from .events import describe
from .models import (
    Dispatch,
    EventSession,
    ExtensionRequest,
    Item,
    ItemEvent,
    ItemReporter,
    Notification,
)


def _posts_scope(user) -> Scope:
    """The user's reach through posts only. ``core.scoping`` also gives a resident their
    household, which here must not open the neighbours' items of that household."""
    scope = scope_for(user, "view")
    if scope.everything or not scope.held.get("household"):
        return scope
    # Posts never sit on a household, so whatever is held there came from being a resident.
    held = {level: ids for level, ids in scope.held.items() if level != "household"}
    return Scope(held=held, ancestors=scope.ancestors)


def item_visibility_q(user) -> Q | None:
    """The condition that selects the items ``user`` may see; ``None`` means all of them.

    The reporter and partner parts are fetched as id lists first when the user also has a
    reach through posts: an OR of the reach with a subquery keeps PostgreSQL from using the
    (community, status, due) indexes, and it scans every item of the city instead (about
    80 ms per query on 120,000 items, against under 1 ms this way)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    scope = _posts_scope(user)
    if scope.everything:
        return None
    reporter = Q(user=user)
    if user.resident_id:
        reporter |= Q(resident_id=user.resident_id)
    reported = ItemReporter.objects.filter(reporter).values("item_id")
    dispatched = (
        Dispatch.objects.filter(unit_id=user.partner_unit_id).values("item_id")
        if user.partner_unit_id
        else None
    )
    if scope.empty:
        q = Q(pk__in=reported)
        if dispatched is not None:
            q |= Q(pk__in=dispatched)
        return q
    q = scope.q_for(Item, containers=False)
    extra = set(reported.values_list("item_id", flat=True))
    if dispatched is not None:
        extra.update(dispatched.values_list("item_id", flat=True))
    if extra:
        q |= Q(pk__in=sorted(extra))
    return q


def item_list_visible_to(user) -> QuerySet[Item]:
    """Every item ``user`` may see (any status)."""
    q = item_visibility_q(user)
    qs = Item.objects.all()
    return qs if q is None else qs.filter(q)


def get_item_visible_or_404(user, *, pk: int | None = None, number: str | None = None) -> Item:
    lookup = {"pk": pk} if pk is not None else {"number": number}
    if not any(v is not None for v in lookup.values()):
        raise Http404
    item = item_list_visible_to(user).filter(**lookup).first()
    if item is None:
        raise Http404
    return item


def is_visible(user, item: Item) -> bool:
    return item_list_visible_to(user).filter(pk=item.pk).exists()


def is_reporter(user, item: Item) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    q = Q(user=user)
    if user.resident_id:
        q |= Q(resident_id=user.resident_id)
    return ItemReporter.objects.filter(q, item=item).exists()


def sees_internal(user, item: Item) -> bool:
    """Staff who hold the item in their reach see internal notes and the full picture;
    reporters and partner units see the public timeline only."""
    scope = _posts_scope(user)
    return scope.everything or (not scope.empty and scope.contains(item, containers=False))


def inbox(user, *, now: dt.datetime | None = None, statuses=None) -> QuerySet[Item]:
    """Open items in the user's reach, most urgent first: overdue, then nearest deadline.
    Annotated with ``is_overdue``; place, category and lead loaded in the same query."""
    statuses = sorted(statuses or OPEN_STATUSES)
    qs = item_list_visible_to(user).filter(status__in=statuses)
    return (
        with_overdue(qs, now)
        .select_related("category", "community", "grid", "building", "responsible_unit")
        .order_by("-is_overdue", "due_at", "pk")
    )


def items_reported_by(user) -> QuerySet[Item]:
    """The items a resident raised or joined, newest first (their "my items" page)."""
    q = Q(user=user)
    if user.resident_id:
        q |= Q(resident_id=user.resident_id)
    return Item.objects.filter(
        pk__in=ItemReporter.objects.filter(q).values("item_id")
    ).select_related("category")


def dispatch_list_for_unit(user, *, statuses=None) -> QuerySet[Dispatch]:
    """The dispatches to the user's partner unit; empty for anyone else."""
    if not getattr(user, "partner_unit_id", None):
        return Dispatch.objects.none()
    qs = Dispatch.objects.filter(unit_id=user.partner_unit_id)
    if statuses:
        qs = qs.filter(status__in=statuses)
    return qs.select_related("item", "item__category", "item__community", "unit")


def get_dispatch_for_partner_or_404(user, pk: int) -> Dispatch:
    """A dispatch of the user's own unit; anything else is not found."""
    dispatch = dispatch_list_for_unit(user).filter(pk=pk).first()
    if dispatch is None:
        raise Http404
    return dispatch


LIVE_DISPATCH = [DispatchStatus.SENT, DispatchStatus.ACCEPTED, DispatchStatus.REPLIED]


def live_dispatch(item: Item) -> Dispatch | None:
    """The item's live lead dispatch (主办): the one whose reply is verified."""
    return (
        item.dispatches.filter(status__in=LIVE_DISPATCH, role=DispatchRole.LEAD)
        .select_related("unit")
        .first()
    )


def item_dispatches(item: Item) -> list[Dispatch]:
    """Every dispatch of the item, the lead of each round before its supporting units, in
    the order sent: what the staff's item page shows."""
    return list(item.dispatches.select_related("unit").order_by("sent_at", "role", "pk"))


def item_timeline(user, item: Item) -> QuerySet[ItemEvent]:
    """The item's events in order; internal notes only for the staff who hold it."""
    qs = ItemEvent.objects.filter(item=item).select_related("actor")
    if not sees_internal(user, item):
        qs = qs.filter(public=True)
    return qs.order_by("at", "pk")


# The reporter's own acts. On the timeline of anyone but the staff who hold the item, they
# are signed "居民": a neighbour who joined, or a partner unit, learns what was done, never
# who among the residents did it.
REPORTER_EVENTS = frozenset({EventType.SUBMITTED, EventType.JOINED, EventType.WITHDRAWN})


@dataclass(frozen=True)
class TimelineRow:
    event: ItemEvent
    text: str
    by: str


def item_timeline_rows(user, item: Item) -> list[TimelineRow]:
    """The timeline as ``user`` may read it: the events ``item_timeline`` gives, each with
    its text and the name it is signed with. Staff who see the internals read every name;
    everyone else reads the names of staff and units, their own, and "居民" for any other
    resident (a reporter's own acts, or acts by a user who reported the item)."""
    events = list(item_timeline(user, item))
    if sees_internal(user, item):
        return [TimelineRow(e, describe(e), e.actor_label) for e in events]
    if getattr(user, "partner_unit_id", None) and not is_reporter(user, item):
        # A partner unit reads its own part of a joint dispatch, not the other units'.
        own = set(item.dispatches.filter(unit_id=user.partner_unit_id).values_list("pk", flat=True))
        events = [e for e in events if "dispatch" not in e.data or e.data["dispatch"] in own]
    reporter_users = {
        pk for pk in item.reporters.values_list("user_id", flat=True) if pk is not None
    }
    rows = []
    for e in events:
        by = e.actor_label
        if e.actor_id is None or e.actor_id != user.pk:
            staff_entered = e.type == EventType.SUBMITTED and e.data.get("entered_by")
            if (e.type in REPORTER_EVENTS and not staff_entered) or e.actor_id in reporter_users:
                by = _("居民")
        rows.append(TimelineRow(e, describe(e), by))
    return rows


@dataclass(frozen=True)
class ReporterView:
    """A reporter as one viewer may see them. ``phone`` is masked; a full number goes
    through ``services.reporter_phone_reveal`` (audited)."""

    pk: int
    name: str
    phone: str
    phone_revealable: bool
    entered_by: str
    channel: str
    is_original: bool


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def item_reporters_for(user, item: Item) -> list[ReporterView]:
    """The item's reporters. Staff in reach see names and masked phones; a partner unit
    sees masked names, and a masked phone only where the reporter agreed to share it."""
    staff = sees_internal(user, item)
    partner = bool(getattr(user, "partner_unit_id", None)) and not staff
    out = []
    reporters = item.reporters.select_related("resident", "user", "entered_by").order_by(
        "joined_at", "pk"
    )
    if not staff and not partner:
        # A resident reads only their own line: the neighbours who filed or joined the same
        # thing stay unnamed to each other.
        own = Q(user=user)
        if getattr(user, "resident_id", None):
            own |= Q(resident_id=user.resident_id)
        reporters = reporters.filter(own)
    for r in reporters:
        name = r.resident.name if r.resident_id else (r.name or str(r.user or ""))
        phone = _reporter_phone(r)
        shown_phone = ""
        if staff or (partner and r.share_phone_with_partner):
            shown_phone = mask_phone(phone)
        out.append(
            ReporterView(
                pk=r.pk,
                name=mask_name(name) if partner else name,
                phone=shown_phone,
                phone_revealable=bool(shown_phone),
                entered_by=str(r.entered_by) if (r.entered_by_id and not partner) else "",
                channel=r.channel,
                is_original=r.is_original,
            )
        )
    return out


def _reporter_phone(reporter: ItemReporter) -> str:
    if reporter.resident_id and reporter.resident.phone:
        return reporter.resident.phone
    if reporter.user_id:
        return reporter.user.phone or ""
    return ""


def notifications_for(user) -> QuerySet[Notification]:
    """A person's notifications: those to their login and, for a resident, to them."""
    q = Q(user=user)
    if user.resident_id:
        q |= Q(resident_id=user.resident_id)
    return Notification.objects.filter(q).select_related("item")


def event_session_list_visible_to(user) -> QuerySet[EventSession]:
    """The opinion-gathering events of the communities in the user's reach (a community's
    staff: theirs; the subdistrict: all of its communities; a grid chief or a resident:
    none), newest first. Each carries ``opinion_count``, the items entered from it, counted
    in the same query."""
    return (
        visible(user, EventSession.objects.all())
        .select_related("community")
        .annotate(opinion_count=Count("items"))
        .order_by("-held_on", "-pk")
    )


# A join offer lets one resident join one item for a day: long enough to read and decide,
# short enough that an offer copied out of a page does not stay a key to the item.
JOIN_OFFER_SALT = "gongzhi.voices.join-offer"
JOIN_OFFER_MAX_AGE = 24 * 3600
# What an item's text may hold (``services.MAX_TEXT``): a longer text is refused as it
# would be on filing, before it is compared with anything.
MAX_OFFER_TEXT = 2000


@dataclass(frozen=True)
class JoinOffer:
    """An open item the duplicate finder showed one resident ("我也遇到了"), with the
    signed token that lets that resident, and nobody else, join it."""

    item: Item
    score: float
    token: str
    # The item as a neighbour may read it: the approved public text once published, else
    # the redaction a reviewer would start from (names, phones and doors masked).
    text: str


def join_offers(resident, text: str, *, limit: int = 3) -> list[JoinOffer]:
    """Open items of the resident's building, and of their compound that name no
    building, that read like ``text``, each offered to this resident only and shown as the
    public would read it. A private report is never offered."""
    text = bounded_text(text, field="text", limit=MAX_OFFER_TEXT)
    household = resident.household
    found = duplicates.similar_open_items(
        text=text,
        community=household.community_id,
        building=household.building_id,
        compound=household.compound_id,
        limit=limit,
        public_only=True,
    )
    names = register_names(household.community_id) if found else None
    return [
        JoinOffer(
            item=item,
            score=score,
            token=signing.dumps({"r": resident.pk, "i": item.pk}, salt=JOIN_OFFER_SALT),
            text=(
                item.public_text
                if item.publication == Publication.PUBLISHED
                else public_text_suggestion(item, names)
            ),
        )
        for item, score in found
    ]


def offered_item_or_404(user, pk: int, token: str) -> Item:
    """The open item ``pk`` when ``token`` is an offer of it to ``user``'s own resident
    record; 404 otherwise, exactly as for a missing item, so that joining opens no item
    the resident was not shown. An offer older than a day is refused in words: the
    resident simply files again and is shown the current duplicates."""
    resident_id = getattr(user, "resident_id", None)
    if not resident_id or not token:
        raise Http404
    try:
        offer = signing.loads(token, salt=JOIN_OFFER_SALT, max_age=JOIN_OFFER_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            _("这条提示已过期，请重新反映一次，系统会再为您查找相同的诉求。")
        ) from None
    except signing.BadSignature:
        raise Http404 from None
    if offer != {"r": resident_id, "i": pk}:
        raise Http404
    # A private item is shown to no neighbour, so none can have been offered it.
    item = Item.objects.filter(pk=pk, status__in=OPEN_STATUSES, private=False).first()
    if item is None:
        raise Http404
    return item


# --- publication ----------------------------------------------------------------------


def publication_queue(user, *, done_only: bool = True) -> QuerySet[Item]:
    """待公开审核: items the user may publish (``rules.publishable_q`` within what they
    see) that nobody has reviewed yet and that are not private — resolved and closed ones
    (``done_only``), or every publishable one. Oldest decision first: the items resolved
    or closed longest ago lead."""
    from . import rules
    from .enums import PUBLISHABLE_STATUSES, Publication, Status

    statuses = [Status.RESOLVED, Status.CLOSED] if done_only else sorted(PUBLISHABLE_STATUSES)
    qs = item_list_visible_to(user).filter(
        publication=Publication.PENDING, private=False, status__in=statuses
    )
    q = rules.publishable_q(user)
    if q is not None:
        qs = qs.filter(q)
    return qs.select_related("category", "community", "grid", "building").order_by(
        "submitted_at", "pk"
    )


def register_names(community_id: int) -> Names:
    """The names of everyone in the community's register (moved out and deceased too: a
    public text must not name them either), as ``core.redact`` looks them up. The
    simplified names only, read from the (community, name_simplified) index without
    touching the table: about 20 ms for a community of 12,000 on SQLite (``core.redact``
    matches a traditional text against them character by character)."""
    return Names.of(
        Resident.objects.filter(community_id=community_id)
        .order_by()
        .values_list("name_simplified", flat=True)
    )


def public_text_suggestion(item: Item, names: Names | None = None) -> str:
    """The item's text with its reporters, the register's names and every number that
    leads to a door masked: what the reviewer starts from."""
    if names is None:
        names = register_names(item.community_id)
    return redact(item.text, names=names.plus(reporter_names(item)))


def reporter_names(item: Item) -> list[str]:
    """The names of the item's reporters (``reporters__resident`` prefetched by lists; one
    item reads its few reporters)."""
    return [
        name for r in item.reporters.all() if (name := r.resident.name if r.resident_id else r.name)
    ]


# --- extensions (延期申请) --------------------------------------------------------------


def extension_queue(user) -> QuerySet[ExtensionRequest]:
    """延期审批: the requests awaiting a decision that ``user`` may decide (the level above
    the item; at the subdistrict another handler there; never their own), oldest first.
    Only requests of the stage that is running: one whose stage ended has lapsed."""
    from . import rules
    from .enums import Status

    items = item_list_visible_to(user).filter(status=Status.ACCEPTED)
    q = rules.extension_decidable_q(user)
    if q is not None:
        items = items.filter(q)
    return (
        ExtensionRequest.objects.filter(
            item__in=items,
            decision__isnull=True,
            stage=F("item__stage"),
            stage_started_at=F("item__stage_started_at"),
        )
        .exclude(requested_by=user)
        .select_related("item", "item__community", "item__grid", "requested_by", "decision")
        .order_by("requested_at", "pk")
    )


def extension_history(item: Item) -> QuerySet[ExtensionRequest]:
    """Every extension request of the item with its decision, in order: for its staff."""
    return item.extension_requests.select_related(
        "requested_by", "decision", "decision__decided_by"
    ).order_by("requested_at", "pk")
