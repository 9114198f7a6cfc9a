"""Who may do what with residents' items, as plain functions of (user, item) on top of
``core.scoping``.

Publication: an item's public text is approved — or the item held back — by the staff who
handle it at its level: a grid chief or grid worker for the grid-level items of their grid,
community staff for the grid- and community-level items of their community, subdistrict
staff for every item of their subdistrict. That is ``handle_items`` at the item's level or
above, the same rule as accepting or resolving it.
"""

from __future__ import annotations

from django.db.models import Q

from gongzhi.core.scoping import scope_for

from .enums import LEVEL_ORDER, Level


def can_publish(user, item) -> bool:
    """Whether ``user`` may publish or withhold ``item``'s public text."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    # The level rule is the handling one; it lives in the services until every voices
    # check moves here.
    from .services import actor_level

    level = actor_level(user, item, "handle_items")
    return level is not None and LEVEL_ORDER.index(level) >= LEVEL_ORDER.index(item.level)


def publishable_q(user) -> Q | None:
    """The items ``user`` may publish, as a condition for a list (``can_publish`` for one
    item); ``None`` means every item."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    scope = scope_for(user, "handle_items")
    if scope.everything:
        return None
    q = Q(pk__in=[])
    if scope.held.get("subdistrict"):
        q |= Q(community__subdistrict_id__in=sorted(scope.held["subdistrict"]))
    if scope.held.get("community"):
        q |= Q(
            community_id__in=sorted(scope.held["community"]),
            level__in=[Level.GRID, Level.COMMUNITY],
        )
    if scope.held.get("grid"):
        q |= Q(grid_id__in=sorted(scope.held["grid"]), level=Level.GRID)
    return q
