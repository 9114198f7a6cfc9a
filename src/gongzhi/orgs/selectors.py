"""Reads of posts, teams, partner units and party organisations, always through the one
scoping mechanism (``core.scoping.visible``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from gongzhi.core.scoping import scope_for, visible

from .models import PartnerUnit, PartyOrganisation, Post, Team


def post_list_visible_to(user, *, include_ended: bool = False) -> QuerySet[Post]:
    """Posts sitting on a node inside ``user``'s reach (the active ones unless asked).

    A post carries only the column of its own node (a 单元长 post has no community id), so
    the reach is applied to the node tables instead, one subquery per level. Containers of
    the reach do not count: a grid chief sees the posts in their grid, not their secretary's."""
    qs = Post.objects.all() if include_ended else Post.objects.active()
    qs = qs.select_related("user", "entrance__building", *Post.NODE_FIELDS)
    scope = scope_for(user, "view")
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
