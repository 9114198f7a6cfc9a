"""Writes to posts, teams, partner units and party members. Each function is atomic, checks
that the actor may ``manage_orgs`` over the place concerned, locks what it changes and
writes a dotted audit event (``orgs.post.assigned``...). ``actor=None`` means the system
(a management command run by an operator)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.scoping import require, scope_for
from gongzhi.places.models import Community, Household, Resident

from .enums import POST_LEVEL, PartnerKind, PostKind, TeamKind, TeamRole
from .models import PartnerUnit, PartyMember, Post, Team, TeamMembership

PARTNER_FIELDS = ["name", "short_name", "kind", "offers", "in_alliance"]


def _require_manage(actor, obj) -> None:
    """404 outside the actor's reach, 403 when visible without ``manage_orgs``.

    For a place node, seeing it is not enough: a grid chief's community is visible as the
    container of their grid, and a community post's subdistrict likewise, but managing the
    posts of a container belongs to whoever holds it or a node above it."""
    if actor is None:
        return
    require(actor, "manage_orgs", obj)
    level = getattr(type(obj), "scope_level", None)
    if level is None:
        return
    scope = scope_for(actor, "manage_orgs")
    if scope.everything or obj.pk in scope.held.get(level, ()):
        return
    if any(
        anc_id in scope.held.get(anc_level, ()) for anc_level, anc_id in obj.ancestor_ids().items()
    ):
        return
    raise PermissionDenied


def _forget_scopes(user) -> None:
    # Reach is cached on the user object for one request; a new or ended post changes it.
    if user is not None:
        user.__dict__.pop("_gongzhi_scopes", None)


@transaction.atomic
def post_assign(
    *,
    actor,
    kind: str,
    node,
    user=None,
    resident: Resident | None = None,
    holder_name: str = "",
    started_on: dt.date | None = None,
) -> Post:
    """Give someone a post (网格长, 楼栋长...) over ``node``, whose level must be the one
    the kind sits on. The post gives ``user`` (if any) its reach from ``started_on``."""
    try:
        kind = PostKind(kind)
    except ValueError:
        raise ValidationError({"kind": _("未知的岗位。")}) from None
    level = POST_LEVEL[kind]
    if node is None or getattr(type(node), "scope_level", None) != level:
        raise ValidationError({"node": _("该岗位只能设在对应层级的地点上。")})
    _require_manage(actor, node)
    if resident is not None and actor is not None:
        require(actor, "view", resident)
    holder_name = (holder_name or "").strip()
    if not holder_name:
        holder_name = (user.display_name if user is not None else "") or (
            resident.name if resident is not None else ""
        )
    if not holder_name:
        raise ValidationError({"holder_name": _("请填写任职人姓名。")})
    started_on = started_on or timezone.localdate()
    if (
        user is not None
        and Post.objects.active(started_on).filter(user=user, kind=kind, **{level: node}).exists()
    ):
        raise ValidationError({"user": _("该账号已担任此岗位。")})
    post = Post(
        kind=kind,
        user=user,
        resident=resident,
        holder_name=holder_name,
        started_on=started_on,
        **{level: node},
    )
    post.full_clean()
    post.save()
    _forget_scopes(user)
    audit.record(
        actor=actor,
        action="orgs.post.assigned",
        obj=post,
        changes={
            "kind": kind.value,
            "node": str(node),
            "user": user.get_username() if user is not None else "",
            "holder_name": holder_name,
            "started_on": started_on.isoformat(),
        },
    )
    return post


@transaction.atomic
def post_end(*, actor, post: Post, ended_on: dt.date | None = None) -> Post:
    """End a post on ``ended_on`` (today by default); the reach it gave ends with it. The
    record stays as the history of who served."""
    _require_manage(actor, post.node)
    locked = Post.objects.select_for_update().get(pk=post.pk)
    ended_on = ended_on or timezone.localdate()
    if locked.ended_on is not None:
        raise ValidationError({"ended_on": _("该岗位已经离任。")})
    if ended_on < locked.started_on:
        raise ValidationError({"ended_on": _("离任日期不能早于任职日期。")})
    locked.ended_on = ended_on
    locked.save(update_fields=["ended_on"])
    _forget_scopes(locked.user)
    audit.record(
        actor=actor,
        action="orgs.post.ended",
        obj=locked,
        changes={"ended_on": ended_on.isoformat()},
    )
    return locked


def _clean_text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > max_length:
        raise ValidationError({field: _("不能超过%(n)d个字。") % {"n": max_length}})
    return value


@transaction.atomic
def team_create(
    *, actor, community: Community, name: str, kind: str, description: str = ""
) -> Team:
    """A team (先锋队, 志愿服务队...) of one community."""
    _require_manage(actor, community)
    name = _clean_text(name, field="name", max_length=100)
    if kind not in TeamKind.values:
        raise ValidationError({"kind": _("未知的队伍类别。")})
    if Team.objects.filter(community=community, name=name).exists():
        raise ValidationError({"name": _("本社区已有同名队伍。")})
    team = Team.objects.create(
        community=community, name=name, kind=kind, description=(description or "").strip()
    )
    audit.record(
        actor=actor,
        action="orgs.team.created",
        obj=team,
        changes={"community": str(community), "kind": kind},
    )
    return team


@transaction.atomic
def team_member_add(
    *,
    actor,
    team: Team,
    resident: Resident,
    role: str = TeamRole.MEMBER,
    joined_on: dt.date | None = None,
) -> TeamMembership:
    """Add a resident of the team's community to the team."""
    _require_manage(actor, team)
    if actor is not None:
        require(actor, "view", resident)
    if role not in TeamRole.values:
        raise ValidationError({"role": _("未知的队伍角色。")})
    # One membership change at a time per team.
    locked = Team.objects.select_for_update().get(pk=team.pk)
    if resident.community_id != locked.community_id:
        raise ValidationError({"resident": _("只能添加本社区的居民。")})
    if TeamMembership.objects.filter(team=locked, resident=resident).exists():
        raise ValidationError({"resident": _("该居民已是队伍成员。")})
    membership = TeamMembership.objects.create(
        team=locked, resident=resident, role=role, joined_on=joined_on or timezone.localdate()
    )
    audit.record(
        actor=actor,
        action="orgs.team.member_added",
        obj=locked,
        changes={"resident_id": resident.pk, "resident": resident.name, "role": role},
    )
    return membership


@transaction.atomic
def team_member_remove(*, actor, team: Team, resident: Resident) -> None:
    _require_manage(actor, team)
    locked = Team.objects.select_for_update().get(pk=team.pk)
    deleted, _rows = TeamMembership.objects.filter(team=locked, resident=resident).delete()
    if not deleted:
        raise ValidationError({"resident": _("该居民不是队伍成员。")})
    audit.record(
        actor=actor,
        action="orgs.team.member_removed",
        obj=locked,
        changes={"resident_id": resident.pk, "resident": resident.name},
    )


def _clean_partner(values: dict) -> dict:
    out = dict(values)
    if "name" in out:
        out["name"] = _clean_text(out["name"], field="name", max_length=120)
    if "short_name" in out:
        out["short_name"] = _clean_text(
            out["short_name"], field="short_name", max_length=40, required=False
        )
    if "kind" in out and out["kind"] not in PartnerKind.values:
        raise ValidationError({"kind": _("未知的单位类别。")})
    return out


@transaction.atomic
def partner_unit_create(
    *,
    actor,
    name: str,
    kind: str,
    communities: Iterable[Community],
    short_name: str = "",
    offers: str = "",
    in_alliance: bool = True,
) -> PartnerUnit:
    """A partner unit of the alliance, serving the given communities (each in the actor's reach)."""
    communities = list(communities)
    if actor is not None and not communities:
        raise ValidationError({"communities": _("请选择至少一个共建社区。")})
    for community in communities:
        _require_manage(actor, community)
    values = _clean_partner({"name": name, "short_name": short_name, "kind": kind})
    if PartnerUnit.objects.filter(name=values["name"]).exists():
        raise ValidationError({"name": _("已有同名的共建单位。")})
    unit = PartnerUnit.objects.create(
        **values, offers=(offers or "").strip(), in_alliance=in_alliance
    )
    unit.communities.set(communities)
    audit.record(
        actor=actor,
        action="orgs.partner_unit.created",
        obj=unit,
        changes={"kind": values["kind"], "communities": sorted(c.code for c in communities)},
    )
    return unit


@transaction.atomic
def partner_unit_update(
    *, actor, unit: PartnerUnit, communities: Iterable[Community] | None = None, **fields
) -> PartnerUnit:
    """Change a partner unit's details and, if given, the communities it serves. Adding or
    removing a community needs ``manage_orgs`` over that community."""
    unknown = set(fields) - set(PARTNER_FIELDS)
    if unknown:
        raise TypeError(f"partner_unit_update does not change {sorted(unknown)}")
    _require_manage(actor, unit)
    locked = PartnerUnit.objects.select_for_update().get(pk=unit.pk)
    before = audit.snapshot(locked, PARTNER_FIELDS)
    values = _clean_partner(fields)
    if (
        "name" in values
        and PartnerUnit.objects.filter(name=values["name"]).exclude(pk=locked.pk).exists()
    ):
        raise ValidationError({"name": _("已有同名的共建单位。")})
    for key, value in values.items():
        setattr(locked, key, value)
    locked.save()
    changes = audit.diff(locked, before, PARTNER_FIELDS)
    if communities is not None:
        new = {c.pk: c for c in communities}
        old = {c.pk: c for c in locked.communities.all()}
        for pk in set(new) ^ set(old):
            _require_manage(actor, new.get(pk) or old[pk])
        if set(new) != set(old):
            locked.communities.set(new.values())
            changes["communities"] = [
                sorted(c.code for c in old.values()),
                sorted(c.code for c in new.values()),
            ]
    if changes:
        audit.record(actor=actor, action="orgs.partner_unit.updated", obj=locked, changes=changes)
    return locked


@transaction.atomic
def party_member_link_household(*, actor, member: PartyMember, household: Household) -> None:
    """Make ``member`` look after ``household`` (党员联系家庭). Linking twice changes nothing."""
    _require_manage(actor, household)
    if actor is not None:
        require(actor, "view", member)
    locked = PartyMember.objects.select_for_update().get(pk=member.pk)
    if locked.linked_households.filter(pk=household.pk).exists():
        return
    locked.linked_households.add(household)
    audit.record(
        actor=actor,
        action="orgs.party_member.household_linked",
        obj=locked,
        changes={"household_id": household.pk, "household": str(household)},
    )


@transaction.atomic
def party_member_unlink_household(*, actor, member: PartyMember, household: Household) -> None:
    _require_manage(actor, household)
    if actor is not None:
        require(actor, "view", member)
    locked = PartyMember.objects.select_for_update().get(pk=member.pk)
    if not locked.linked_households.filter(pk=household.pk).exists():
        return
    locked.linked_households.remove(household)
    audit.record(
        actor=actor,
        action="orgs.party_member.household_unlinked",
        obj=locked,
        changes={"household_id": household.pk, "household": str(household)},
    )
