"""Who may do what with exemplars.

- A resident (a login linked to a living resident) nominates a neighbour or themself in
  their own community.
- Those who handle residents' items (``handle_items``: grid chiefs and workers over their
  grid, community staff and the secretary, the subdistrict) review the nominations of
  their reach: confirm the nominee, accept or decline.
- Those who manage the community (``manage_orgs``: its secretary and staff, the
  subdistrict) write and publish stories, record and withdraw consent, and commend.
- A published story with consent on record, and the commendations, are read by everyone
  whose reach lies in the community (residents included), as a venue is.
"""

from __future__ import annotations

from gongzhi.core.scoping import may, scope_for

REVIEW = "handle_items"
PUBLISH = "manage_orgs"


def communities_in_reach(user) -> set[int] | None:
    """The communities ``user`` reads exemplars of; None for everything."""
    scope = scope_for(user, "view")
    if scope.everything:
        return None
    return set(scope.held.get("community", ())) | set(scope.ancestors.get("community", ()))


def may_see_community(user, community_id: int) -> bool:
    reach = communities_in_reach(user)
    return reach is None or community_id in reach


def may_review(user, obj) -> bool:
    return may(user, REVIEW, obj)


def may_publish(user, obj) -> bool:
    return may(user, PUBLISH, obj)


def may_nominate(user) -> bool:
    return bool(getattr(user, "resident_id", None))
