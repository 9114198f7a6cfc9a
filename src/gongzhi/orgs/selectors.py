"""Reads of posts, teams, partner units and party organisations, always through the one
scoping mechanism (``core.scoping.visible``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from gongzhi.core.scoping import visible

from .models import PartnerUnit, PartyOrganisation, Post, Team


def post_list_visible_to(user, *, include_ended: bool = False) -> QuerySet[Post]:
    """Posts sitting on a node in ``user``'s reach (the active ones unless asked)."""
    qs = Post.objects.all() if include_ended else Post.objects.active()
    return visible(user, qs.select_related("user", "entrance__building", *Post.NODE_FIELDS))


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
