"""Who may do what with a compound's governance and a station's duty roster.

- **See** a compound's bodies, meetings, notices and measures: everyone whose posts reach
  the compound (``core.scoping``, ``view``); a resident sees the notices and the duty
  roster of their own place.
- **Manage** (terms, members, contracts, staff, self-management, stewards, meetings,
  notices, polls): the holders of ``manage_orgs`` over the compound (community secretary
  and staff, subdistrict staff).
- **Route** a property case to the compound's company or stewards: whoever may dispatch
  the item (``voices.rules``, checked by ``voices.services.item_dispatch``).
- **Keep the duty roster** of a grid station: the holders of ``handle_items`` over the
  station's grid (grid chief and workers, community staff).
"""

from __future__ import annotations

from gongzhi.core.scoping import may, scope_for


def may_manage(user, compound) -> bool:
    return may(user, "manage_orgs", compound)


def may_keep_roster(user, station) -> bool:
    return station.grid_id is not None and may(user, "handle_items", station.grid)


def uses_compounds(user) -> bool:
    """Whether the staff pages are for ``user``: a post holder with some reach."""
    scope = scope_for(user, "view")
    return scope.everything or any(ids for level, ids in scope.held.items() if level != "household")
