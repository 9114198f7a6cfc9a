"""Organisations: posts, teams, partner units and the party organisation tree, read through
``orgs.selectors``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.choices import choice_label
from gongzhi.core.scoping import get_visible_or_404
from gongzhi.orgs import services
from gongzhi.orgs.enums import PostKind, TeamRole
from gongzhi.orgs.models import Team
from gongzhi.orgs.selectors import (
    PartyOrgNode,
    login_by_username,
    membership_of,
    partner_list_visible_to,
    party_org_tree_visible_to,
    post_list_visible_to,
    team_list_visible_to,
    team_roster,
)
from gongzhi.places.models import Building, Community, Entrance, Grid, Resident, Subdistrict

from .api import ERRORS, api
from .inputs import Id, code, filter_, limited
from .me import NodeOut
from .pagination import Mapped, Page

NODE_MODELS = {
    "subdistrict": Subdistrict,
    "community": Community,
    "grid": Grid,
    "building": Building,
    "entrance": Entrance,
}


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
        "kind_label": choice_label(p, "kind"),
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
            "kind_label": choice_label(t, "kind"),
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
            "kind_label": choice_label(u, "kind"),
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
        "kind_label": choice_label(o, "kind"),
        "name": o.name,
        "secretary_name": o.secretary_name,
        "children": [_party_org_out(child) for child in node.children],
    }


@api.get("/party-organisations", response={200: list[PartyOrgOut], **ERRORS}, tags=["orgs"])
def party_organisations(request):
    """The party organisations in the caller's reach as a tree (综合党委 → 社区党组织 →
    小区党支部 → 楼栋先锋 → 党员中心户); one whose parent is out of reach is a root."""
    return [_party_org_out(node) for node in party_org_tree_visible_to(request.auth)]


# --- writes: posts and team members -------------------------------------------------------

PostKindCode = Literal[tuple(PostKind.values)]
LevelCode = Literal[tuple(NODE_MODELS)]
RoleCode = Literal[tuple(TeamRole.values)]


class PersonIn(Schema):
    """Who takes the post: a resident of the register, a login (by its username), or only
    a name. With a resident or a login, ``holder_name`` may be left out."""

    resident_id: Id | None = Field(None, description="登记居民的编号")
    username: str = code(150, description="登录账号的用户名")
    holder_name: str = limited(50, description="任职人姓名")


class PostAssignIn(PersonIn):
    kind: PostKindCode = Field(..., description="岗位类型代码，须与地点的层级相符")
    node_level: LevelCode = Field(..., description="地点层级")
    node_id: Id = Field(..., description="地点编号")
    started_on: dt.date | None = Field(None, description="任职日期，1900年至2100年；不填为今天")


class PostEndIn(Schema):
    ended_on: dt.date | None = Field(None, description="离任日期，不早于任职日期；不填为今天")


class HandOverIn(PersonIn):
    on: dt.date | None = Field(
        None, description="交接日期：现任这天离任、接任人这天到任；不填为今天"
    )


def _node(request, level: str, node_id: int):
    qs = NODE_MODELS[level].objects.all()
    if level == "entrance":
        qs = qs.select_related("building")
    return get_visible_or_404(request.auth, qs, pk=node_id)


def _person(request, payload: PersonIn) -> dict:
    resident = None
    if payload.resident_id is not None:
        resident = get_visible_or_404(
            request.auth, Resident.objects.living(), pk=payload.resident_id
        )
    login = None
    username = payload.username.strip()
    if username:
        login = login_by_username(username)
        if login is None:
            raise ValidationError(
                {"username": [_("没有用户名为“%(name)s”的账号。") % {"name": username}]}
            )
    return {"resident": resident, "user": login, "holder_name": payload.holder_name}


def _visible_post(request, post_id: int):
    post = post_list_visible_to(request.auth, include_ended=True).filter(pk=post_id).first()
    if post is None:
        raise Http404
    return post


@api.post("/posts", response={201: PostListOut, **ERRORS}, tags=["orgs"])
def post_assign(request, payload: PostAssignIn):
    """任命: a post on a place in the caller's reach (needs ``manage_orgs`` there). A second
    楼栋长, 单元长, 网格长 or 社区书记 while one serves is refused (422) naming them."""
    node = _node(request, payload.node_level, payload.node_id)
    post = services.post_assign(
        actor=request.auth,
        kind=payload.kind,
        node=node,
        started_on=payload.started_on,
        **_person(request, payload),
    )
    return Status(201, _post_out(_visible_post(request, post.pk)))


@api.post("/posts/{post_id}/end", response={200: PostListOut, **ERRORS}, tags=["orgs"])
def post_end(request, post_id: Id, payload: PostEndIn):
    """离任: the post ends and the reach it gave with it; the record stays. Ending twice or
    before the start is refused (422)."""
    post = services.post_end(
        actor=request.auth, post=_visible_post(request, post_id), ended_on=payload.ended_on
    )
    return _post_out(_visible_post(request, post.pk))


@api.post("/posts/{post_id}/hand-over", response={201: PostListOut, **ERRORS}, tags=["orgs"])
def post_hand_over(request, post_id: Id, payload: HandOverIn):
    """交接: the post ends on ``on`` and the successor's starts that day, in one step; if the
    successor cannot be appointed nothing changes. Answers the successor's post."""
    successor = services.post_hand_over(
        actor=request.auth,
        post=_visible_post(request, post_id),
        on=payload.on,
        **_person(request, payload),
    )
    return Status(201, _post_out(_visible_post(request, successor.pk)))


class TeamMemberIn(Schema):
    resident_id: Id = Field(..., description="本社区登记居民的编号")
    role: RoleCode = Field("member", description="leader 队长（原队长改为队员）/ member 队员")


class TeamMemberRoleIn(Schema):
    role: RoleCode = Field(..., description="leader 队长（原队长改为队员）/ member 队员")


class TeamMemberOut(Schema):
    resident_id: int
    name: str
    role: str
    role_label: str
    joined_on: str


def _member_out(m) -> dict:
    return {
        "resident_id": m.resident_id,
        "name": m.resident.name,
        "role": m.role,
        "role_label": choice_label(m, "role"),
        "joined_on": m.joined_on.isoformat(),
    }


def _visible_team(request, team_id: int):
    return get_visible_or_404(request.auth, Team.objects.select_related("community"), pk=team_id)


def _membership(request, team_id: int, resident_id: int):
    team = _visible_team(request, team_id)
    membership = membership_of(team, resident_id)
    if membership is None:
        raise Http404
    return team, membership


@api.get("/teams/{team_id}/members", response={200: list[TeamMemberOut], **ERRORS}, tags=["orgs"])
def team_members(request, team_id: Id):
    """A team's roster, the 队长 first."""
    return [_member_out(m) for m in team_roster(_visible_team(request, team_id))]


@api.post("/teams/{team_id}/members", response={201: TeamMemberOut, **ERRORS}, tags=["orgs"])
def team_member_add(request, team_id: Id, payload: TeamMemberIn):
    """Add a resident of the team's community (needs ``manage_orgs``)."""
    team = _visible_team(request, team_id)
    resident = get_visible_or_404(request.auth, Resident.objects.all(), pk=payload.resident_id)
    services.team_member_add(actor=request.auth, team=team, resident=resident, role=payload.role)
    return Status(201, _member_out(membership_of(team, resident.pk)))


@api.get(
    "/teams/{team_id}/members/{resident_id}",
    response={200: TeamMemberOut, **ERRORS},
    tags=["orgs"],
)
def team_member(request, team_id: Id, resident_id: Id):
    """One member of a team."""
    return _member_out(_membership(request, team_id, resident_id)[1])


@api.patch(
    "/teams/{team_id}/members/{resident_id}",
    response={200: TeamMemberOut, **ERRORS},
    tags=["orgs"],
)
def team_member_role(request, team_id: Id, resident_id: Id, payload: TeamMemberRoleIn):
    """Make a member the 队长 (the sitting one becomes a 队员), or a 队员 again."""
    team, membership = _membership(request, team_id, resident_id)
    services.team_member_set_role(
        actor=request.auth, team=team, resident=membership.resident, role=payload.role
    )
    return _member_out(membership_of(team, resident_id))


@api.delete("/teams/{team_id}/members/{resident_id}", response={204: None, **ERRORS}, tags=["orgs"])
def team_member_remove(request, team_id: Id, resident_id: Id):
    """Take a member off the team; the audit log keeps that they were in it."""
    team, membership = _membership(request, team_id, resident_id)
    services.team_member_remove(actor=request.auth, team=team, resident=membership.resident)
    return Status(204, None)
