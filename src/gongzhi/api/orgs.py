"""Organisations: posts, teams, partner units and the party organisation tree, read through
``orgs.selectors``."""

from __future__ import annotations

from django.db.models import Count
from ninja import Schema
from ninja.pagination import paginate

from gongzhi.orgs.selectors import (
    PartyOrgNode,
    partner_list_visible_to,
    party_org_tree_visible_to,
    post_list_visible_to,
    team_list_visible_to,
)

from .api import ERRORS, api
from .inputs import filter_
from .me import NodeOut
from .pagination import Mapped, Page


class PostListOut(Schema):
    id: int
    kind: str
    kind_label: str
    holder_name: str
    node: NodeOut
    started_on: str
    ended_on: str | None


@api.get("/posts", response={200: list[PostListOut], **ERRORS}, tags=["orgs"])
@paginate(Page)
def posts(request, kind: str = filter_(40, description="岗位类型代码")):
    """Active posts over the places in the caller's reach."""
    qs = post_list_visible_to(request.auth)
    if kind:
        qs = qs.filter(kind=kind)
    return Mapped(qs.order_by("kind", "id"), _post_out)


def _post_out(p) -> dict:
    return {
        "id": p.pk,
        "kind": p.kind,
        "kind_label": str(p.get_kind_display()),
        "holder_name": p.holder_name,
        "node": {"level": p.level, "id": p.node.pk, "name": str(p.node)},
        "started_on": p.started_on.isoformat(),
        "ended_on": p.ended_on.isoformat() if p.ended_on else None,
    }


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    community: str
    description: str
    members: int


@api.get("/teams", response={200: list[TeamOut], **ERRORS}, tags=["orgs"])
def teams(request):
    """Teams of the communities in the caller's reach, with their member counts."""
    qs = (
        team_list_visible_to(request.auth)
        .annotate(n=Count("memberships"))
        .order_by("community__code", "kind", "name")
    )
    return [
        {
            "id": t.pk,
            "name": t.name,
            "kind": t.kind,
            "kind_label": str(t.get_kind_display()),
            "community": t.community.code,
            "description": t.description,
            "members": t.n,
        }
        for t in qs
    ]


class ContactOut(Schema):
    name: str
    title: str
    phone_masked: str


class PartnerOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    in_alliance: bool
    offers: str
    communities: list[str]
    contacts: list[ContactOut]


@api.get("/partners", response={200: list[PartnerOut], **ERRORS}, tags=["orgs"])
def partners(request):
    """Partner units serving the caller's communities; a partner user sees their own unit."""
    qs = (
        partner_list_visible_to(request.auth)
        .prefetch_related("communities", "contacts")
        .order_by("kind", "name")
    )
    return [
        {
            "id": u.pk,
            "name": u.name,
            "short_name": u.short_name,
            "kind": u.kind,
            "kind_label": str(u.get_kind_display()),
            "in_alliance": u.in_alliance,
            "offers": u.offers,
            "communities": sorted(c.code for c in u.communities.all()),
            "contacts": [
                {"name": c.name, "title": c.title, "phone_masked": c.phone_masked}
                for c in u.contacts.all()
            ],
        }
        for u in qs
    ]


class PartyOrgOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    secretary_name: str
    children: list[PartyOrgOut]


PartyOrgOut.model_rebuild()


def _party_org_out(node: PartyOrgNode) -> dict:
    o = node.org
    return {
        "id": o.pk,
        "kind": o.kind,
        "kind_label": str(o.get_kind_display()),
        "name": o.name,
        "secretary_name": o.secretary_name,
        "children": [_party_org_out(child) for child in node.children],
    }


@api.get("/party-organisations", response={200: list[PartyOrgOut], **ERRORS}, tags=["orgs"])
def party_organisations(request):
    """The party organisations in the caller's reach as a tree (综合党委 → 社区党组织 →
    小区党支部 → 楼栋先锋 → 党员中心户); one whose parent is out of reach is a root."""
    return [_party_org_out(node) for node in party_org_tree_visible_to(request.auth)]
