"""Who may do what with a mediation case.

- **See that it exists and how it ended**: everyone whose posts reach its community or
  grid (``core.scoping``, ``view``), and its own mediators.
- **Read what was said** (summary, parties' statements, session notes, the agreement, the
  signed copy): only the case's mediators and the holders of the posts granted it in the
  case's community — the community secretary, and whatever post kinds the deployment adds
  in ``GONGZHI_MEDIATION_READERS``. Nobody else, not even an administrator by that alone:
  confidentiality is the point of a mediation.
- **Mediate** (parties, sessions, outcome, follow-ups): the readers.
- **Open a case**: a member of the community's mediation team, or a post holder who
  handles residents' items there (from an item: one who may handle that item).
"""

from __future__ import annotations

from django.conf import settings

from gongzhi.core.scoping import may, scope_for
from gongzhi.orgs.enums import PostKind, TeamKind
from gongzhi.orgs.models import Post, TeamMembership

from .models import Case

READER_POSTS = frozenset({PostKind.COMMUNITY_SECRETARY})


def reader_posts() -> frozenset[str]:
    return READER_POSTS | frozenset(getattr(settings, "GONGZHI_MEDIATION_READERS", ()))


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def mediator_communities(user) -> set[int]:
    """The communities whose mediation team ``user`` (through their resident record) is in."""
    if not _active(user) or not user.resident_id:
        return set()
    cache = user.__dict__.setdefault("_gongzhi_mediation", {})
    if "teams" not in cache:
        cache["teams"] = set(
            TeamMembership.objects.filter(
                resident_id=user.resident_id, team__kind=TeamKind.MEDIATION
            ).values_list("team__community_id", flat=True)
        )
    return cache["teams"]


def reader_communities(user) -> set[int]:
    """The communities where ``user`` holds a post granted the confidential record."""
    if not _active(user):
        return set()
    cache = user.__dict__.setdefault("_gongzhi_mediation", {})
    if "reads" not in cache:
        cache["reads"] = set(
            Post.objects.active()
            .filter(user=user, kind__in=reader_posts(), community__isnull=False)
            .values_list("community_id", flat=True)
        )
    return cache["reads"]


def is_mediator(user, case: Case) -> bool:
    return (
        _active(user)
        and bool(user.resident_id)
        and case.mediators.filter(pk=user.resident_id).exists()
    )


def may_see(user, case: Case) -> bool:
    return is_mediator(user, case) or may(user, "view", case)


def may_read(user, case: Case) -> bool:
    return case.community_id in reader_communities(user) or is_mediator(user, case)


def may_mediate(user, case: Case) -> bool:
    return may_read(user, case)


def may_open(user, community, grid=None) -> bool:
    if community.pk in mediator_communities(user):
        return True
    return may(user, "handle_items", grid or community) or may(user, "handle_items", community)


def may_open_from_item(user, item) -> bool:
    from gongzhi.voices import rules as voices_rules

    return voices_rules.may_comment(user, item) and not user.partner_unit_id


def uses_mediation(user) -> bool:
    """Whether the mediation pages are for ``user`` at all: a post holder in reach of some
    community, or a mediator."""
    scope = scope_for(user, "view")
    holds_a_post = scope.everything or any(
        ids for level, ids in scope.held.items() if level != "household"
    )
    return holds_a_post or bool(mediator_communities(user))
