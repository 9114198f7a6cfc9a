"""Writes to posts, teams, partner units and party members. Each function is atomic, checks
that the actor may ``manage_orgs`` over the place concerned, locks what it changes and
writes a dotted audit event (``orgs.post.assigned``...). ``actor=None`` means the system
(a management command run by an operator)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.dates import check_date
from gongzhi.core.identity import mask_phone, normalize_phone, validate_mobile
from gongzhi.core.scoping import require, scope_for
from gongzhi.core.text import bounded_text
from gongzhi.places.models import Community, Household, Resident

from .enums import POST_LEVEL, SINGLE_HOLDER_KINDS, PartnerKind, PostKind, TeamKind, TeamRole
from .models import PartnerContact, PartnerUnit, PartyMember, Post, Team, TeamMembership

PARTNER_FIELDS = ["name", "short_name", "kind", "offers", "in_alliance"]
TEAM_DESCRIPTION_MAX = 500
OFFERS_MAX = 1000


def require_manage(actor, obj) -> None:
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


def require_manage_post(actor, post: Post) -> None:
    """A post is managed through the node it sits on (it carries only that node's column)."""
    require_manage(actor, post.node)


def _forget_scopes(user) -> None:
    # Reach is cached on the user object for one request; a new or ended post changes it.
    if user is not None:
        user.__dict__.pop("_gongzhi_scopes", None)


def _date(value: dt.date | None, *, field: str) -> dt.date:
    return check_date(value or timezone.localdate(), field=field)


def _lock_node(node):
    # Appointments on one node wait for each other, so that the check for a sitting chief
    # below sees what the other desk just wrote.
    return type(node)._default_manager.select_for_update().get(pk=node.pk)


def _check_single_holder(kind: PostKind, level: str, node, started_on: dt.date) -> None:
    """Refuse a second 楼栋长 (单元长, 网格长, 社区书记) while one serves or will serve: any
    post of the kind on the node not ended by the day the new one starts."""
    if kind not in SINGLE_HOLDER_KINDS:
        return
    sitting = (
        Post.objects.filter(kind=kind, **{level: node})
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=started_on))
        .order_by("started_on", "pk")
        .first()
    )
    if sitting is None:
        return
    raise ValidationError(
        {
            "kind": _(
                "%(node)s已有%(kind)s：%(name)s（%(since)s起任职）。"
                "同一时间只能有一位%(kind)s，请先办理离任，或用“交接”换人。"
            )
            % {
                "node": node,
                "kind": kind.label,
                "name": sitting.holder_name,
                "since": sitting.started_on.isoformat(),
            }
        }
    )


def _new_post(
    *,
    actor,
    kind: str,
    node,
    user=None,
    resident: Resident | None = None,
    holder_name: str = "",
    started_on: dt.date | None = None,
) -> Post:
    """Check and write a post; the caller holds the transaction and writes the audit event."""
    try:
        kind = PostKind(kind)
    except ValueError:
        raise ValidationError({"kind": _("未知的岗位。")}) from None
    level = POST_LEVEL[kind]
    if node is None or getattr(type(node), "scope_level", None) != level:
        raise ValidationError({"node": _("该岗位只能设在对应层级的地点上。")})
    require_manage(actor, node)
    if resident is not None and actor is not None:
        require(actor, "view", resident)
    if user is not None and (not user.is_active or user.partner_unit_id):
        raise ValidationError({"user": _("该账号已停用或属于共建单位，不能担任岗位。")})
    holder_name = (holder_name or "").strip()
    if not holder_name:
        holder_name = (user.display_name if user is not None else "") or (
            resident.name if resident is not None else ""
        )
    holder_name = bounded_text(
        holder_name, field="holder_name", limit=50, required=_("请填写任职人姓名。")
    )
    started_on = _date(started_on, field="started_on")
    node = _lock_node(node)
    open_posts = Post.objects.active(started_on).filter(kind=kind, **{level: node})
    if user is not None and open_posts.filter(user=user).exists():
        raise ValidationError({"user": _("该账号已担任此岗位。")})
    if resident is not None and open_posts.filter(resident=resident).exists():
        raise ValidationError({"resident": _("该居民已担任此岗位。")})
    _check_single_holder(kind, level, node, started_on)
    post = Post(
        kind=kind,
        user=user,
        resident=resident,
        holder_name=holder_name,
        started_on=started_on,
        **{level: node},
    )
    post.full_clean()
    try:
        with transaction.atomic():
            post.save()
    except IntegrityError:
        # Another desk appointed someone in the same instant: say who, as above.
        _check_single_holder(kind, level, node, started_on)
        raise
    _forget_scopes(user)
    return post


def _assigned_changes(post: Post, user) -> dict:
    return {
        "kind": post.kind,
        "node": str(post.node),
        "user": user.get_username() if user is not None else "",
        "resident_id": post.resident_id,
        "holder_name": post.holder_name,
        "started_on": post.started_on.isoformat(),
    }


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
    the kind sits on. The post gives ``user`` (if any) its reach from ``started_on``.
    A single-holder post (``SINGLE_HOLDER_KINDS``) is refused while someone holds it."""
    post = _new_post(
        actor=actor,
        kind=kind,
        node=node,
        user=user,
        resident=resident,
        holder_name=holder_name,
        started_on=started_on,
    )
    audit.record(
        actor=actor,
        action="orgs.post.assigned",
        obj=post,
        changes=_assigned_changes(post, user),
        place=post.node,
    )
    return post


def _close(post: Post, ended_on: dt.date | None) -> Post:
    locked = Post.objects.select_for_update().get(pk=post.pk)
    ended_on = _date(ended_on, field="ended_on")
    if locked.ended_on is not None:
        raise ValidationError(
            {
                "ended_on": _("该岗位已于%(day)s离任，不能再次离任。")
                % {"day": locked.ended_on.isoformat()}
            }
        )
    if ended_on < locked.started_on:
        raise ValidationError(
            {
                "ended_on": _("离任日期不能早于任职日期（%(day)s）。")
                % {"day": locked.started_on.isoformat()}
            }
        )
    locked.ended_on = ended_on
    locked.save(update_fields=["ended_on"])
    _forget_scopes(locked.user)
    return locked


@transaction.atomic
def post_end(*, actor, post: Post, ended_on: dt.date | None = None) -> Post:
    """End a post on ``ended_on`` (today by default); the reach it gave ends with it. The
    record stays as the history of who served."""
    require_manage_post(actor, post)
    locked = _close(post, ended_on)
    audit.record(
        actor=actor,
        action="orgs.post.ended",
        obj=locked,
        changes={"ended_on": locked.ended_on.isoformat()},
        place=locked.node,
    )
    return locked


@transaction.atomic
def post_hand_over(
    *,
    actor,
    post: Post,
    on: dt.date | None = None,
    user=None,
    resident: Resident | None = None,
    holder_name: str = "",
) -> Post:
    """交接: ``post`` ends on ``on`` and its successor takes the same post on the same node
    from that day, in one step; if the successor cannot be appointed, the post does not
    end either. Returns the successor's post."""
    require_manage_post(actor, post)
    ended = _close(post, on)
    successor = _new_post(
        actor=actor,
        kind=ended.kind,
        node=ended.node,
        user=user,
        resident=resident,
        holder_name=holder_name,
        started_on=ended.ended_on,
    )
    audit.record(
        actor=actor,
        action="orgs.post.handed_over",
        obj=ended,
        changes={
            "ended_on": ended.ended_on.isoformat(),
            "successor_post_id": successor.pk,
            "successor": successor.holder_name,
        },
        place=ended.node,
    )
    audit.record(
        actor=actor,
        action="orgs.post.assigned",
        obj=successor,
        changes={**_assigned_changes(successor, user), "handed_over_from": ended.pk},
        place=successor.node,
    )
    return successor


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
    require_manage(actor, community)
    name = _clean_text(name, field="name", max_length=100)
    if kind not in TeamKind.values:
        raise ValidationError({"kind": _("未知的队伍类别。")})
    description = bounded_text(description, field="description", limit=TEAM_DESCRIPTION_MAX)
    if Team.objects.filter(community=community, name=name).exists():
        raise ValidationError({"name": _("本社区已有同名队伍。")})
    team = Team.objects.create(community=community, name=name, kind=kind, description=description)
    audit.record(
        actor=actor,
        action="orgs.team.created",
        obj=team,
        changes={"community": str(community), "kind": kind},
    )
    return team


def _demote_leader(team: Team, keep: Resident | None = None) -> str:
    """A team has one 队长: the sitting one becomes a 队员. Returns their name, if any."""
    sitting = (
        TeamMembership.objects.filter(team=team, role=TeamRole.LEADER)
        .exclude(resident=keep)
        .select_related("resident")
        .first()
    )
    if sitting is None:
        return ""
    sitting.role = TeamRole.MEMBER
    sitting.save(update_fields=["role"])
    return sitting.resident.name


@transaction.atomic
def team_member_add(
    *,
    actor,
    team: Team,
    resident: Resident,
    role: str = TeamRole.MEMBER,
    joined_on: dt.date | None = None,
) -> TeamMembership:
    """Add a resident of the team's community to the team. Added as 队长, they take over
    from the sitting one, who stays on as a 队员."""
    require_manage(actor, team)
    if actor is not None:
        require(actor, "view", resident)
    if role not in TeamRole.values:
        raise ValidationError({"role": _("未知的队伍角色。")})
    joined_on = _date(joined_on, field="joined_on")
    # One membership change at a time per team.
    locked = Team.objects.select_for_update().get(pk=team.pk)
    if resident.community_id != locked.community_id:
        raise ValidationError({"resident": _("只能添加本社区的居民。")})
    if TeamMembership.objects.filter(team=locked, resident=resident).exists():
        raise ValidationError({"resident": _("%(name)s已是队伍成员。") % {"name": resident.name}})
    former_leader = _demote_leader(locked) if role == TeamRole.LEADER else ""
    membership = TeamMembership.objects.create(
        team=locked, resident=resident, role=role, joined_on=joined_on
    )
    changes = {"resident_id": resident.pk, "resident": resident.name, "role": role}
    if former_leader:
        changes["former_leader"] = former_leader
    audit.record(actor=actor, action="orgs.team.member_added", obj=locked, changes=changes)
    return membership


@transaction.atomic
def team_member_set_role(*, actor, team: Team, resident: Resident, role: str) -> TeamMembership:
    """Make a member the 队长 (the sitting one becomes a 队员) or a 队员 again."""
    require_manage(actor, team)
    if role not in TeamRole.values:
        raise ValidationError({"role": _("未知的队伍角色。")})
    locked = Team.objects.select_for_update().get(pk=team.pk)
    membership = TeamMembership.objects.filter(team=locked, resident=resident).first()
    if membership is None:
        raise ValidationError({"resident": _("该居民不是队伍成员。")})
    if membership.role == role:
        return membership
    former_leader = _demote_leader(locked, keep=resident) if role == TeamRole.LEADER else ""
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    changes = {"resident_id": resident.pk, "resident": resident.name, "role": [before, role]}
    if former_leader:
        changes["former_leader"] = former_leader
    audit.record(actor=actor, action="orgs.team.member_role_changed", obj=locked, changes=changes)
    return membership


@transaction.atomic
def team_member_remove(*, actor, team: Team, resident: Resident) -> None:
    """Take a member off the team. The audit log keeps that they were in it."""
    require_manage(actor, team)
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
    if "offers" in out:
        out["offers"] = bounded_text(out["offers"], field="offers", limit=OFFERS_MAX)
    return out


def partner_unit_place(actor, unit: PartnerUnit, communities=None):
    """The place an event about ``unit`` is filed under in the audit log: the community it
    serves, or the one of them the actor works for, or else the subdistrict they share."""
    communities = list(unit.communities.all() if communities is None else communities)
    if len(communities) == 1:
        return communities[0]
    if actor is not None and communities:
        scope = scope_for(actor, "manage_orgs")
        if not scope.everything:
            held = scope.held.get("community", set())
            mine = [c for c in communities if c.pk in held]
            if len(mine) == 1:
                return mine[0]
    subdistricts = {c.subdistrict_id for c in communities}
    if len(subdistricts) == 1:
        return communities[0].subdistrict
    return None


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
        require_manage(actor, community)
    values = _clean_partner(
        {"name": name, "short_name": short_name, "kind": kind, "offers": offers}
    )
    if PartnerUnit.objects.filter(name=values["name"]).exists():
        raise ValidationError({"name": _("已有同名的共建单位。")})
    unit = PartnerUnit.objects.create(**values, in_alliance=bool(in_alliance))
    unit.communities.set(communities)
    audit.record(
        actor=actor,
        action="orgs.partner_unit.created",
        obj=unit,
        changes={"kind": values["kind"], "communities": sorted(c.code for c in communities)},
        place=partner_unit_place(actor, unit, communities),
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
    require_manage(actor, unit)
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
        if actor is not None and not new:
            raise ValidationError({"communities": _("请选择至少一个共建社区。")})
        old = {c.pk: c for c in locked.communities.all()}
        for pk in set(new) ^ set(old):
            require_manage(actor, new.get(pk) or old[pk])
        if set(new) != set(old):
            locked.communities.set(new.values())
            changes["communities"] = [
                sorted(c.code for c in old.values()),
                sorted(c.code for c in new.values()),
            ]
    if changes:
        audit.record(
            actor=actor,
            action="orgs.partner_unit.updated",
            obj=locked,
            changes=changes,
            place=partner_unit_place(actor, locked),
        )
    return locked


_LANDLINE = re.compile(r"^0\d{9,11}$")


def _contact_phone(value: str) -> str:
    """A contact's mobile, or an office line with its area code (0812-3334567)."""
    phone = normalize_phone(value)
    if not phone:
        return ""
    try:
        return validate_mobile(phone)
    except ValidationError:
        if _LANDLINE.match(phone):
            return phone
    raise ValidationError({"phone": _("电话应为11位手机号，或带区号的座机号，例如 0812-3334567。")})


@transaction.atomic
def partner_contact_add(
    *, actor, unit: PartnerUnit, name: str, title: str = "", phone: str = ""
) -> PartnerContact:
    """A contact person of a partner unit; the phone is sealed like every phone."""
    require_manage(actor, unit)
    locked = PartnerUnit.objects.select_for_update().get(pk=unit.pk)
    name = bounded_text(name, field="name", limit=50, required=_("请填写联系人姓名。"))
    title = bounded_text(title, field="title", limit=60)
    phone = _contact_phone(phone)
    contact = PartnerContact.objects.create(unit=locked, name=name, title=title, phone=phone)
    audit.record(
        actor=actor,
        action="orgs.partner_contact.added",
        obj=locked,
        changes={"contact": name, "title": title, "phone": mask_phone(phone)},
        place=partner_unit_place(actor, locked),
    )
    return contact


@transaction.atomic
def partner_contact_remove(*, actor, contact: PartnerContact) -> None:
    require_manage(actor, contact.unit)
    locked = PartnerUnit.objects.select_for_update().get(pk=contact.unit_id)
    gone = PartnerContact.objects.filter(pk=contact.pk, unit=locked).first()
    if gone is None:
        raise ValidationError({"contact": _("该联系人已删除。")})
    gone.delete()
    audit.record(
        actor=actor,
        action="orgs.partner_contact.removed",
        obj=locked,
        changes={"contact": gone.name, "title": gone.title, "phone": mask_phone(gone.phone)},
        place=partner_unit_place(actor, locked),
    )


@transaction.atomic
def party_member_link_household(*, actor, member: PartyMember, household: Household) -> None:
    """Make ``member`` look after ``household`` (党员联系家庭). Linking twice changes nothing."""
    require_manage(actor, household)
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
    require_manage(actor, household)
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
