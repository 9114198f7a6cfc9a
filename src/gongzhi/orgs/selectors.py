"""Reads of posts, teams, partner units and party organisations, always through the one
scoping mechanism (``core.scoping.visible``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from gongzhi.core.scoping import scope_for, visible
from gongzhi.places.models import Building, Community, Entrance, Grid, Household, Subdistrict

from .enums import POST_LEVEL, SINGLE_HOLDER_KINDS, PostKind, TeamRole
from .models import PartnerUnit, PartyMember, PartyOrganisation, Post, Team, TeamMembership


def post_list_visible_to(
    user, *, include_ended: bool = False, capability: str = "view"
) -> QuerySet[Post]:
    """Posts sitting on a node inside ``user``'s reach (the active ones unless asked).

    A post carries only the column of its own node (a 单元长 post has no community id), so
    the reach is applied to the node tables instead, one subquery per level. Containers of
    the reach do not count: a grid chief sees the posts in their grid, not their secretary's."""
    qs = Post.objects.all() if include_ended else Post.objects.active()
    qs = qs.select_related("user", "entrance__building", *Post.NODE_FIELDS)
    scope = scope_for(user, capability)
    if scope.everything:
        return qs
    q = Q(pk__in=[])
    for level in Post.NODE_FIELDS:
        model = Post._meta.get_field(level).related_model
        inside = _held_q(scope, model)
        if inside is not None:
            q |= Q(**{f"{level}__in": model.objects.filter(inside).values("pk")})
    return qs.filter(q)


def _held_q(scope, model) -> Q | None:
    columns = model.scope_columns
    parts = [
        Q(**{f"{columns[level]}__in": sorted(ids)})
        for level, ids in scope.held.items()
        if ids and level in columns
    ]
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def team_list_visible_to(user) -> QuerySet[Team]:
    return visible(user, Team.objects.select_related("community"))


def partner_list_visible_to(user) -> QuerySet[PartnerUnit]:
    """Partner units serving a community in ``user``'s reach. A partner user sees their own
    unit and nothing else: partner users have no reach into the register."""
    if (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.partner_unit_id
        and not user.is_superuser
    ):
        return PartnerUnit.objects.filter(pk=user.partner_unit_id)
    # The reach filter joins the many-to-many communities: one row per matching community.
    ids = visible(user, PartnerUnit.objects.all()).values("pk")
    return PartnerUnit.objects.filter(pk__in=ids)


@dataclass
class PartyOrgNode:
    org: PartyOrganisation
    children: list[PartyOrgNode] = field(default_factory=list)


def party_org_tree_visible_to(user) -> list[PartyOrgNode]:
    """The party organisations in ``user``'s reach as a forest: an organisation whose parent
    is outside the reach becomes a root, so nothing above the reach is disclosed."""
    orgs = list(visible(user, PartyOrganisation.objects.all()).order_by("id"))
    nodes = {o.pk: PartyOrgNode(o) for o in orgs}
    roots: list[PartyOrgNode] = []
    for o in orgs:
        parent = nodes.get(o.parent_id)
        (parent.children if parent is not None else roots).append(nodes[o.pk])
    return roots


# --- the post board -------------------------------------------------------------------


@dataclass
class Seat:
    """One row of the board: a post kind on a node, with who holds it. A single-holder seat
    with nobody in it is shown as vacant (空缺), with a button to appoint."""

    node: object
    kind: PostKind
    posts: list[Post]

    @property
    def level(self) -> str:
        return POST_LEVEL[self.kind]

    @property
    def vacant(self) -> bool:
        return not self.posts

    @property
    def single(self) -> bool:
        return self.kind in SINGLE_HOLDER_KINDS


@dataclass
class Section:
    """A heading of the board (the subdistrict, the community, one grid) and its seats."""

    node: object
    seats: list[Seat]


def _kinds_at(level: str) -> list[PostKind]:
    return [k for k in PostKind if POST_LEVEL[k] == level]


def managed_communities(user) -> QuerySet[Community]:
    return visible(user, Community.objects.all(), "manage_orgs").order_by("code")


def managed_subdistricts(user) -> QuerySet[Subdistrict]:
    """Subdistricts whose own posts the user hands out. A community post sees its
    subdistrict as a container, which gives no right over it."""
    scope = scope_for(user, "manage_orgs")
    if scope.everything:
        return Subdistrict.objects.order_by("code")
    return Subdistrict.objects.filter(pk__in=sorted(scope.held.get("subdistrict", ()))).order_by(
        "code"
    )


def post_board(user, community: Community, *, on: dt.date | None = None) -> list[Section]:
    """Who holds which post in ``community``, place by place: the community's own posts,
    then each grid with its buildings and their entrances. Posts not ended by ``on``
    (today) count, including those that start later. Five queries whatever the size."""
    on = on or timezone.localdate()
    grids = list(visible(user, Grid.objects.filter(community=community), "manage_orgs"))
    buildings = list(
        visible(user, Building.objects.filter(community=community), "manage_orgs").order_by(
            "grid_id", "sort_key", "number"
        )
    )
    entrances = list(
        visible(user, Entrance.objects.filter(community=community), "manage_orgs")
        .select_related("building")
        .order_by("building_id", "number")
    )
    posts = (
        Post.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .filter(
            Q(community=community)
            | Q(grid__in=[g.pk for g in grids])
            | Q(building__in=[b.pk for b in buildings])
            | Q(entrance__in=[e.pk for e in entrances])
        )
        .select_related("user", "resident")
        .order_by("started_on", "pk")
    )
    held: dict[tuple[str, int, str], list[Post]] = {}
    for p in posts:
        held.setdefault((p.level, getattr(p, f"{p.level}_id"), p.kind), []).append(p)

    def seats(node, level: str) -> list[Seat]:
        return [Seat(node, k, held.get((level, node.pk, k), [])) for k in _kinds_at(level)]

    by_grid: dict[int, list[Building]] = {}
    for b in buildings:
        by_grid.setdefault(b.grid_id, []).append(b)
    by_building: dict[int, list[Entrance]] = {}
    for e in entrances:
        by_building.setdefault(e.building_id, []).append(e)
    sections = [Section(community, seats(community, "community"))]
    for g in grids:
        rows = seats(g, "grid")
        for b in by_grid.get(g.pk, []):
            rows += seats(b, "building")
            for e in by_building.get(b.pk, []):
                rows += seats(e, "entrance")
        sections.append(Section(g, rows))
    return sections


def subdistrict_board(user, *, on: dt.date | None = None) -> list[Section]:
    on = on or timezone.localdate()
    subdistricts = list(managed_subdistricts(user))
    if not subdistricts:
        return []
    posts = (
        Post.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .filter(subdistrict__in=[s.pk for s in subdistricts])
        .select_related("user", "resident")
        .order_by("started_on", "pk")
    )
    held: dict[int, list[Post]] = {}
    for p in posts:
        held.setdefault(p.subdistrict_id, []).append(p)
    return [
        Section(sd, [Seat(sd, PostKind.SUBDISTRICT_STAFF, held.get(sd.pk, []))])
        for sd in subdistricts
    ]


# --- teams and party members ------------------------------------------------------------


def team_rows_visible_to(user) -> QuerySet[Team]:
    """Teams in reach with their member count and their 队长's name, in one query."""
    leader = TeamMembership.objects.filter(team=OuterRef("pk"), role=TeamRole.LEADER).values(
        "resident__name"
    )[:1]
    return (
        team_list_visible_to(user)
        .annotate(member_count=Count("memberships"), leader_name=Subquery(leader))
        .order_by("community__code", "kind", "name")
    )


def party_member_list_visible_to(user, capability: str = "view") -> QuerySet[PartyMember]:
    return visible(
        user,
        PartyMember.objects.select_related(
            "resident", "resident__household", "resident__community", "organisation"
        ),
        capability,
    )


def team_roster(team: Team) -> QuerySet[TeamMembership]:
    """A team's members, the 队长 first, then by name."""
    leader_first = Case(When(role=TeamRole.LEADER, then=Value(0)), default=Value(1))
    return (
        TeamMembership.objects.filter(team=team)
        .select_related("resident", "resident__household")
        .order_by(leader_first, "resident__name_pinyin", "pk")
    )


def membership_of(team: Team, resident_id: int) -> TeamMembership | None:
    return (
        TeamMembership.objects.filter(team=team, resident_id=resident_id)
        .select_related("resident")
        .first()
    )


def memberships_visible_to(user, resident) -> QuerySet[TeamMembership]:
    """The teams in ``user``'s reach that ``resident`` serves in."""
    return (
        TeamMembership.objects.filter(resident=resident, team__in=team_list_visible_to(user))
        .select_related("team")
        .order_by("team__name")
    )


def unit_contacts(unit: PartnerUnit) -> QuerySet:
    return unit.contacts.order_by("pk")


def unit_contact(unit: PartnerUnit, contact_id: int):
    return unit.contacts.filter(pk=contact_id).first()


def unit_logins(unit: PartnerUnit) -> QuerySet:
    """The unit's logins, the usable ones first."""
    return unit.users.order_by("-is_active", "username")


def login_by_username(username: str):
    """The login a member of staff names to hold a post (exactly as typed)."""
    return get_user_model().objects.filter(username=username).first()


def households_at(user, community_id: int, *, building: str, entrance: str, door: str):
    """Households of one community at an address (3栋, 3栋2单元, 3栋2单元501), in the
    user's ``manage_orgs`` reach, in the order of the building."""
    qs = visible(user, Household.objects.filter(community_id=community_id), "manage_orgs")
    qs = qs.filter(building__number=building)
    if entrance:
        qs = qs.filter(entrance__number=int(entrance))
    if door:
        qs = qs.filter(door_number=door)
    return qs.order_by("building_id", "entrance_id", "floor", "door_number")
