"""Reads of residents' voice, always scoped.

Who sees an item:
- a post holder: the items in their reach (``core.scoping``, over the item's place columns);
- a partner unit's user: exactly the items dispatched to their unit, in any state;
- a resident: exactly the items they reported (or joined, or that were merged with theirs);
  *not* every item of their household, nor the items about their building;
- whoever entered an item for a resident (a leader on a visit): that item, as a reporter
  sees it, wherever it is — the problem may lie outside the leader's own reach.

One person may be several of these at once (a building chief who is also a resident); the
answer is the union. Missing and forbidden both answer 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core.identity import mask_phone
from gongzhi.core.redact import Names, redact
from gongzhi.core.scoping import Scope, get_visible_or_404, scope_for, visible
from gongzhi.core.text import bounded_text
from gongzhi.places.models import Building, Compound, Entrance, Household, Resident

from . import duplicates
from .deadlines import clock, due_soon_q, overdue_q, with_overdue
from .enums import OPEN_STATUSES, DispatchRole, DispatchStatus, EventType, Publication, Status
from .events import describe, signature
from .models import (
    Dispatch,
    EventSession,
    ExtensionRequest,
    Item,
    ItemEvent,
    ItemReporter,
    Notification,
)
from .places import Place, building_key, parse_places


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
    # Who typed an item in for a resident follows it as its reporter does: the case may be
    # filed at a building outside their reach (张三 of 1栋 reporting 2栋's stairwell).
    entered = ItemReporter.objects.filter(entered_by=user).values("item_id")
    dispatched = (
        Dispatch.objects.filter(unit_id=user.partner_unit_id).values("item_id")
        if user.partner_unit_id
        else None
    )
    if scope.empty:
        q = Q(pk__in=reported) | Q(pk__in=entered)
        if dispatched is not None:
            q |= Q(pk__in=dispatched)
        return q
    q = scope.q_for(Item, containers=False)
    # Of the items a leader reported or entered, only those outside their reach are listed:
    # usually none, so the list stays short however many they have filed over the years (a
    # staff member filing thousands in their own community had made every inbox query carry
    # thousands of ids).
    extra = set(
        Item.objects.filter((Q(pk__in=reported) | Q(pk__in=entered)) & ~q).values_list(
            "pk", flat=True
        )
    )
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


# Today's work, as the workbench counts it and the inbox lists it (``?queue=``): one
# condition per queue, so that a count and its list never disagree.
WORK_QUEUES = ("new", "due_soon", "overdue", "returned", "to_verify", "to_revisit")


def work_queue_q(queue: str, now: dt.datetime) -> Q:
    """新诉求: submitted, to accept; 即将超时 / 已超时: from ``due_at``; 被退回: a partner
    unit returned it and nothing has been done with it since (its clock restarted then);
    待核实: the unit replied; 待回访: resolved, awaiting the return visit."""
    if queue == "new":
        return Q(status=Status.SUBMITTED)
    if queue == "due_soon":
        return due_soon_q(now)
    if queue == "overdue":
        return overdue_q(now)
    if queue == "returned":
        returned = Dispatch.objects.filter(
            item=OuterRef("pk"),
            status=DispatchStatus.RETURNED,
            returned_at__gte=OuterRef("stage_started_at"),
        )
        return Q(status=Status.ACCEPTED) & Q(Exists(returned))
    if queue == "to_verify":
        replied = Dispatch.objects.filter(item=OuterRef("pk"), status=DispatchStatus.REPLIED)
        return Q(status=Status.DISPATCHED) & Q(Exists(replied))
    if queue == "to_revisit":
        return Q(status=Status.RESOLVED)
    raise ValueError(queue)


def work_counts(user, *, now: dt.datetime | None = None) -> dict[str, int]:
    """How many items of each queue lie in the user's reach: one aggregate query."""
    now = now or clock()
    return item_list_visible_to(user).aggregate(
        **{queue: Count("pk", filter=work_queue_q(queue, now)) for queue in WORK_QUEUES}
    )


def items_of_resident(user, resident) -> QuerySet[Item]:
    """The items ``resident`` raised or joined, of those ``user`` may see, newest first (a
    resident's page in the workbench)."""
    raised = ItemReporter.objects.filter(resident=resident).values("item_id")
    return (
        item_list_visible_to(user)
        .filter(pk__in=raised)
        .select_related("category")
        .order_by("-submitted_at", "-pk")
    )


def awaiting_rating(user) -> QuerySet[Item]:
    """请您评价: the resolved items the user raised or joined and has not rated yet, oldest
    first. (A rating closes or reopens the item, so this is "resolved" in practice; the
    exclusion keeps it right should several reporters ever rate one item.)"""
    return (
        items_reported_by(user)
        .filter(status=Status.RESOLVED)
        .exclude(return_visits__visited_by=user)
        .order_by("resolved_at", "pk")
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
        return [TimelineRow(e, describe(e), signature(e)) for e in events]
    if getattr(user, "partner_unit_id", None) and not is_reporter(user, item):
        # A partner unit reads its own part of a joint dispatch, not the other units'.
        own = set(item.dispatches.filter(unit_id=user.partner_unit_id).values_list("pk", flat=True))
        events = [e for e in events if "dispatch" not in e.data or e.data["dispatch"] in own]
    reporter_users = {
        pk for pk in item.reporters.values_list("user_id", flat=True) if pk is not None
    }
    # A unit reads the notes too (staff write "已联系李绍华" as people do), masked.
    mask = PartnerMask() if getattr(user, "partner_unit_id", None) else None
    rows = []
    for e in events:
        by = signature(e)
        if e.actor_id is None or e.actor_id != user.pk:
            staff_entered = e.type == EventType.SUBMITTED and e.data.get("entered_by")
            if (e.type in REPORTER_EVENTS and not staff_entered) or e.actor_id in reporter_users:
                by = _("居民")
        text = describe(e)
        rows.append(TimelineRow(e, mask(item, text) if mask else text, by))
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


# --- what a partner unit reads -----------------------------------------------------------

# The unit has to find the place, so the building, entrance and door stay; whatever leads
# to a person (names of the register and of the reporters, phones, ID numbers, e-mails,
# plates, forms of address) is masked in every word of an item it reads.
PARTNER_KEEPS = frozenset({"door"})


def reads_as_partner(user, item: Item) -> bool:
    """Whether ``user`` reads ``item`` as its partner unit does: through a dispatch to their
    unit, not as the staff who hold it (someone who is both reads it as staff)."""
    return bool(getattr(user, "partner_unit_id", None)) and not sees_internal(user, item)


def mask_for_partner(text: str, names: Names | list[str]) -> str:
    """``text`` as a partner unit may read it (``PARTNER_KEEPS``): 李绍华 → 李**, phones and
    ID numbers starred; the same length as ``text``."""
    return redact(text, names=names, keep=PARTNER_KEEPS)


class PartnerMask:
    """The words of items — text, title, where, notes, instructions, messages — as a partner
    unit reads them. One per page or answer: each community's register is read once (about
    20 ms for 12,000 names), each item's reporters once (prefetch ``reporters__resident``
    for a list)."""

    def __init__(self) -> None:
        self._registers: dict[int, Names] = {}
        self._names: dict[int, Names] = {}

    def names(self, item: Item) -> Names:
        if item.pk not in self._names:
            if item.community_id not in self._registers:
                self._registers[item.community_id] = register_names(item.community_id)
            register = self._registers[item.community_id]
            self._names[item.pk] = register.plus(reporter_names(item))
        return self._names[item.pk]

    def __call__(self, item: Item, text: str) -> str:
        return mask_for_partner(text, self.names(item)) if text else text

    def title(self, item: Item) -> str:
        """The title, masked. A title cut from the text may end inside a phone number
        ("联系13987…"), which no pattern recognises any more: it is cut again from the
        masked text (masking keeps every character where it was)."""
        title = item.title or ""
        flat = " ".join((item.text or "").split())
        if title.endswith("…") and flat.startswith(title[:-1]):
            return self(item, flat)[: len(title) - 1] + "…"
        return self(item, title)

    def message(self, item: Item, text: str) -> str:
        """A message about ``item`` (a notification, its SMS) with the item's title, if it
        quotes it, replaced by the masked title before the rest is masked."""
        if item.title and item.title in text:
            text = text.replace(item.title, self.title(item))
        return self(item, text)


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


def join_offers(
    resident,
    text: str,
    *,
    place: str | None = None,
    building=None,
    entrance=None,
    compound=None,
    limit: int = 3,
) -> list[JoinOffer]:
    """Open items at and near where the problem is that read like ``text``, each offered
    to this resident only and shown as the public would read it. A private report is never
    offered. The place is given as ``services.item_submit`` takes it (``place`` and the
    building, entrance or compound of the resident's community); by default the
    resident's own building. Neighbours' reports count wherever the neighbours live: the
    same stairwell light reported from 1栋 and from 2栋 is one case."""
    text = bounded_text(text, field="text", limit=MAX_OFFER_TEXT)
    household = resident.household
    if place is None:  # as ``item_submit`` reads a place given without its kind
        place = (
            Place.OTHER
            if entrance is not None or building is not None
            else (Place.PUBLIC if compound is not None else Place.HOME)
        )
    around = {"building": household.building_id, "compound": household.compound_id}
    if place == Place.OTHER and (entrance is not None or building is not None):
        node = entrance if entrance is not None else building
        spot = entrance.building_id if entrance is not None else building.pk
        around = {"building": spot, "compound": node.compound_id}
    elif place == Place.PUBLIC:
        around = {"compound": compound.pk} if compound is not None else {"community_wide": True}
    found = duplicates.similar_open_items(
        text=text,
        community=household.community_id,
        limit=limit,
        public_only=True,
        **around,
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


# --- where the problem is ------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """One answer to "这件事在哪里？": the value its button sends (``key``: "home",
    "building", "b12" a building, "e34" an entrance, "c5" a compound's public place,
    "community" one of the community's), what it reads as, and the place as
    ``services.item_submit`` takes it."""

    key: str
    place: str
    label: str
    building: Building | None = None
    entrance: Entrance | None = None
    compound: Compound | None = None

    def as_kwargs(self) -> dict:
        return {
            "place": self.place,
            "building": self.building,
            "entrance": self.entrance,
            "compound": self.compound,
        }


@dataclass
class BuildingChoice:
    building: Building
    entrances: list[Entrance]
    label: str


@dataclass
class ReportPlaces:
    """What a report by one resident can be about: their home, their building, and the
    compounds, buildings and entrances of their community, grouped by compound (their own
    first). Names and numbers only — who lives where stays in the register."""

    home: Household | None
    community_name: str
    groups: list[tuple[Compound, list[BuildingChoice]]]
    buildings: dict[int, BuildingChoice]
    entrances: dict[int, Entrance]
    compounds: dict[int, Compound]

    @property
    def home_choice(self) -> BuildingChoice | None:
        return self.buildings.get(self.home.building_id) if self.home is not None else None

    def _prefix(self, compound_id: int) -> str:
        # With one compound the number says it all; with several, the compound is named.
        return self.compounds[compound_id].name if len(self.compounds) > 1 else ""

    def where(self, key: str | None) -> Where | None:
        """The answer a button sent, or None for anything not offered (a building of
        another community, a made-up id): those are refused like an unknown choice."""
        key = (key or "").strip()
        home = self.home
        if key == "home" and home is not None:
            return Where(key, Place.HOME, home.address_label)
        if key == "building" and home is not None and home.building_id in self.buildings:
            return Where(key, Place.BUILDING, self.buildings[home.building_id].label)
        if key == "community":
            return Where(key, Place.PUBLIC, self.community_name)
        kind, digits = key[:1], key[1:]
        if not digits.isdigit():
            return None
        pk = int(digits)
        if kind == "b" and pk in self.buildings:
            choice = self.buildings[pk]
            return Where(key, Place.OTHER, choice.label, building=choice.building)
        if kind == "e" and pk in self.entrances:
            entrance = self.entrances[pk]
            return Where(
                key,
                Place.OTHER,
                self._entrance_label(entrance),
                building=self.buildings[entrance.building_id].building,
                entrance=entrance,
            )
        if kind == "c" and pk in self.compounds:
            return Where(key, Place.PUBLIC, self.compounds[pk].name, compound=self.compounds[pk])
        return None

    def _entrance_label(self, entrance: Entrance) -> str:
        return self._prefix(entrance.compound_id) + str(entrance)

    def mentioned(self, text: str) -> Where | None:
        """The first building or entrance of the community that ``text`` names, to be
        offered ("您说的是 3栋2单元吗？"); "三单元" alone is of the reporter's own building. A
        name of a building the community does not have, or of a building in another
        compound than the one named with it, is passed over."""
        by_number = {building_key(c.building.number): c for c in self.buildings.values()}
        home_building = self.buildings.get(self.home.building_id) if self.home else None
        for mention in parse_places(text, [c.name for c in self.compounds.values()]):
            choice = by_number.get(mention.building) if mention.building else home_building
            if choice is None:
                continue
            if mention.compound and self.compounds[choice.building.compound_id].name != (
                mention.compound
            ):
                continue
            if mention.entrance:
                entrance = next((e for e in choice.entrances if e.number == mention.entrance), None)
                if entrance is not None:
                    return self.where(f"e{entrance.pk}")
                if not mention.building:
                    continue
            return self.where(f"b{choice.building.pk}")
        return None


def report_places(resident: Resident) -> ReportPlaces:
    """The places ``resident``'s report can be about (their community's; see
    ``ReportPlaces``). Four queries whatever the size of the community."""
    home = Household.objects.filter(pk=resident.household_id).select_related("community").first()
    community_id = resident.community_id
    compounds = list(Compound.objects.filter(community_id=community_id).order_by("name", "pk"))
    buildings = list(
        Building.objects.filter(community_id=community_id).order_by("sort_key", "number", "pk")
    )
    entrances = list(
        Entrance.objects.filter(community_id=community_id).order_by("building_id", "number")
    )
    several = len(compounds) > 1
    by_compound = {c.pk: c for c in compounds}
    choices: dict[int, BuildingChoice] = {}
    for b in buildings:
        prefix = by_compound[b.compound_id].name if several else ""
        choices[b.pk] = BuildingChoice(building=b, entrances=[], label=prefix + str(b))
    for e in entrances:
        choice = choices[e.building_id]
        e.building = choice.building  # so that str(e) reads no more
        choice.entrances.append(e)
    own = home.compound_id if home is not None else None
    ordered = sorted(compounds, key=lambda c: c.pk != own)
    groups = [
        (c, [choice for choice in choices.values() if choice.building.compound_id == c.pk])
        for c in ordered
    ]
    return ReportPlaces(
        home=home,
        community_name=home.community.name if home is not None else "",
        groups=groups,
        buildings=choices,
        entrances={e.pk: e for e in entrances},
        compounds=by_compound,
    )


def report_place_or_404(user, model, pk: int | None, *, reporter: Resident | None = None):
    """A building, entrance or compound a report may be about, or None when ``pk`` is None.

    Naming where a problem is takes the numbers of the reporter's community, not its
    register: for a reporter who is a registered resident (the caller themselves, or one
    the caller may see and files for), any building, entrance or compound of that
    resident's community, as the where step offers them; for anyone else, those in the
    caller's reach. Anything else is not found, exactly like a missing id."""
    if pk is None:
        return None
    if reporter is not None:
        obj = model.objects.filter(community_id=reporter.community_id, pk=pk).first()
        if obj is None:
            raise Http404
        return obj
    return get_visible_or_404(user, model.objects.all(), pk=pk)


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
