"""Which post kinds grant which capability. The table in docs/roles_and_permissions.md is
this table; the permission tests walk it. The *where* comes from the post's place node
(see ``core.scoping``): a capability is always exercised over a region, never globally."""

from __future__ import annotations

from gongzhi.orgs.enums import PostKind as K

ALL_POSTS = frozenset(K)

CAPABILITIES: dict[str, frozenset[str]] = {
    # Read the registry and the organisations inside one's region.
    "view": ALL_POSTS,
    # Create and change households, residents, statuses.
    "edit_registry": frozenset(
        {K.COMMUNITY_SECRETARY, K.COMMUNITY_STAFF, K.GRID_CHIEF, K.GRID_WORKER}
    ),
    # See a full ID number or phone (each reveal audited).
    "reveal_pii": frozenset(
        {K.COMMUNITY_SECRETARY, K.COMMUNITY_STAFF, K.GRID_CHIEF, K.GRID_WORKER}
    ),
    # Export the register to .xlsx (masked unless reveal_pii too).
    "export": frozenset(
        {K.COMMUNITY_SECRETARY, K.COMMUNITY_STAFF, K.GRID_CHIEF, K.GRID_WORKER, K.SUBDISTRICT_STAFF}
    ),
    # Import a household register (whole community at a time).
    "import_register": frozenset({K.COMMUNITY_SECRETARY, K.COMMUNITY_STAFF}),
    # Posts, teams, party organisations, partner units.
    "manage_orgs": frozenset({K.COMMUNITY_SECRETARY, K.COMMUNITY_STAFF, K.SUBDISTRICT_STAFF}),
    # Read the audit log of one's region.
    "view_audit": frozenset({K.COMMUNITY_SECRETARY, K.SUBDISTRICT_STAFF}),
    # Residents' voice. Enter an item for a resident who has no phone (走访, 电话, 纸质).
    "submit_on_behalf": frozenset(
        {
            K.COMMUNITY_SECRETARY,
            K.COMMUNITY_STAFF,
            K.GRID_CHIEF,
            K.GRID_WORKER,
            K.BUILDING_CHIEF,
            K.ENTRANCE_CHIEF,
        }
    ),
    # Accept, categorise, escalate, resolve and return-visit items; each post acts only on
    # items at its own level or below (see ``voices.services``).
    "handle_items": frozenset(
        {
            K.COMMUNITY_SECRETARY,
            K.COMMUNITY_STAFF,
            K.GRID_CHIEF,
            K.GRID_WORKER,
            K.SUBDISTRICT_STAFF,
        }
    ),
    # 社区吹哨: send an item to a partner unit.
    "dispatch": frozenset({K.COMMUNITY_SECRETARY, K.COMMUNITY_STAFF, K.SUBDISTRICT_STAFF}),
    # Check a partner unit's reply before the item goes to its return visit.
    "verify": frozenset({K.COMMUNITY_SECRETARY, K.COMMUNITY_STAFF, K.SUBDISTRICT_STAFF}),
    # Enter in bulk the opinions gathered at an event.
    "enter_event_opinions": frozenset({K.COMMUNITY_SECRETARY, K.COMMUNITY_STAFF}),
    # Read the response, resolution, satisfaction and on-time rates of one's region: every
    # post, over the items of its own place (a building chief, of their building).
    "view_measures": ALL_POSTS,
    # Enter and correct a year's holiday schedule (节假日安排, ``core.holidays``). The
    # schedule is national, one for the whole deployment: the reach does not narrow it.
    "manage_calendar": frozenset({K.SUBDISTRICT_STAFF}),
}

# What a resident may do over their own household.
RESIDENT_CAPABILITIES = frozenset({"view"})


def kinds_granting(capability: str) -> frozenset[str]:
    try:
        return CAPABILITIES[capability]
    except KeyError:
        raise ValueError(f"unknown capability {capability!r}") from None


def resident_may(capability: str) -> bool:
    kinds_granting(capability)
    return capability in RESIDENT_CAPABILITIES


def is_staff_user(user) -> bool:
    """Someone with at least one active post: sees the workbench rather than the resident home."""
    from gongzhi.core.scoping import scope_for

    scope = scope_for(user, "view")
    return scope.everything or any(ids for level, ids in scope.held.items() if level != "household")
