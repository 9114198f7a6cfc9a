"""Who may do what with a wish, on top of ``core.scoping``. The register's capability
table (``accounts.rules``) is not extended: wishes reuse its capabilities and add the
sponsor identities, which come from partner units, party membership and team leadership
rather than from posts.

- see a wish: ``view`` over its household (any post over the place; the resident's own
  household), or being its sponsor;
- enter a wish for someone: the resident themself, or a post holder (网格长, 楼栋长, 单元长,
  staff...) whose own reach — not a resident's household — holds the resident;
- verify, publish or reject: ``edit_registry`` over the wish (community staff, grid chief
  and grid workers of its place);
- claim: a sponsor identity serving the wish's community — a partner unit's user (the
  unit's co-building communities), a party member (their own community), the leader of a
  team (the team's community); never a wish of one's own household;
- fulfil or release: whoever holds the claim (any user of the unit, the party member, any
  leader of the team); staff with ``edit_registry`` may also release a stalled claim;
- confirm and thank: the resident, or a post holder with reach over the wish, after a visit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongzhi.core.scoping import Scope, may, scope_for
from gongzhi.orgs.enums import TeamRole
from gongzhi.orgs.models import PartnerUnit, PartyMember, Team, TeamMembership

from .enums import SponsorKind


@dataclass(frozen=True)
class Sponsor:
    kind: str
    communities: frozenset[int]
    partner_unit: PartnerUnit | None = None
    party_member: PartyMember | None = None
    team: Team | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.obj.pk}"

    @property
    def obj(self):
        return self.partner_unit or self.party_member or self.team

    @property
    def label(self) -> str:
        """How the sponsor is named to the resident and on the wall. A party member is a
        private person: the wall says only that a party member took the wish."""
        if self.kind == SponsorKind.PARTY_MEMBER:
            return _("一位党员")
        if self.partner_unit is not None:
            return self.partner_unit.short_name or self.partner_unit.name
        return self.team.name

    def claim_fields(self) -> dict:
        return {
            "sponsor_kind": self.kind,
            "partner_unit": self.partner_unit,
            "party_member": self.party_member,
            "team": self.team,
        }


def sponsor_identities(user) -> list[Sponsor]:
    """Every identity under which ``user`` may sponsor a wish. Cached on the user object,
    which lives for one request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = user.__dict__
    if "_gongzhi_sponsors" not in cache:
        cache["_gongzhi_sponsors"] = _build_identities(user)
    return cache["_gongzhi_sponsors"]


def _build_identities(user) -> list[Sponsor]:
    out: list[Sponsor] = []
    if user.partner_unit_id:
        unit = PartnerUnit.objects.get(pk=user.partner_unit_id)
        communities = frozenset(unit.communities.values_list("pk", flat=True))
        out.append(Sponsor(SponsorKind.PARTNER, communities, partner_unit=unit))
    if user.resident_id:
        member = (
            PartyMember.objects.filter(resident_id=user.resident_id)
            .select_related("resident")
            .first()
        )
        if member is not None:
            out.append(
                Sponsor(
                    SponsorKind.PARTY_MEMBER,
                    frozenset({member.resident.community_id}),
                    party_member=member,
                )
            )
        leads = TeamMembership.objects.filter(
            resident_id=user.resident_id, role=TeamRole.LEADER
        ).select_related("team")
        for m in leads.order_by("team__name"):
            out.append(Sponsor(SponsorKind.TEAM, frozenset({m.team.community_id}), team=m.team))
    return out


def sponsors_for(user, wish) -> list[Sponsor]:
    """The identities under which ``user`` may claim ``wish``: they serve its community,
    and the wish is not of the user's own household."""
    if user.resident_id and wish.household_id == _own_household(user):
        return []
    return [s for s in sponsor_identities(user) if wish.community_id in s.communities]


def sponsor_communities(user) -> set[int]:
    return {c for s in sponsor_identities(user) for c in s.communities}


def _own_household(user) -> int | None:
    from gongzhi.places.models import Resident

    if "_gongzhi_household" not in user.__dict__:
        user.__dict__["_gongzhi_household"] = (
            Resident.objects.filter(pk=user.resident_id)
            .values_list("household_id", flat=True)
            .first()
        )
    return user.__dict__["_gongzhi_household"]


def holds_claim(user, claim) -> bool:
    if claim.sponsor_kind == SponsorKind.PARTNER:
        return bool(user.partner_unit_id) and user.partner_unit_id == claim.partner_unit_id
    if claim.sponsor_kind == SponsorKind.PARTY_MEMBER:
        return any(
            s.kind == SponsorKind.PARTY_MEMBER and s.party_member.pk == claim.party_member_id
            for s in sponsor_identities(user)
        )
    return any(
        s.kind == SponsorKind.TEAM and s.team.pk == claim.team_id for s in sponsor_identities(user)
    )


def leader_scope(user) -> Scope:
    """The reach of ``user``'s posts alone. Being a resident of a household does not count:
    a family member is not a leader."""
    scope = scope_for(user, "view")
    if scope.everything:
        return scope
    return Scope(held={k: set(v) for k, v in scope.held.items() if k != "household"})


def leader_may(user, obj) -> bool:
    scope = leader_scope(user)
    return not scope.empty and scope.contains(obj, containers=False)


def may_view(user, wish) -> bool:
    return may(user, "view", wish)


def may_enter_for(user, resident) -> bool:
    return user.resident_id == resident.pk or leader_may(user, resident)


def may_verify(user, wish) -> bool:
    return may(user, "edit_registry", wish)


def may_confirm(user, wish) -> bool:
    return user.resident_id == wish.resident_id or leader_may(user, wish)


def may_release(user, claim) -> bool:
    return holds_claim(user, claim) or may_verify(user, claim.wish)
