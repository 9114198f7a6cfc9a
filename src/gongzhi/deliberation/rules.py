"""Who may do what in deliberation, on top of ``core.scoping``. No new capability is
added to the register's table: running deliberation is the work of the posts that handle
residents' items (``handle_items``: community secretary and staff, grid chief and
workers, subdistrict staff), each over their own region. Every post sees (``view``) what
touches its place; a partner unit sees the tasks given to it; a resident takes part in
what touches their own household's place (objects to a notice, votes, proposes topics).
"""

from __future__ import annotations

from gongzhi.core.scoping import may, require

RUN = "handle_items"


def may_view(user, obj) -> bool:
    return may(user, "view", obj)


def may_run(user, obj) -> bool:
    return may(user, RUN, obj)


def require_run(user, obj) -> None:
    """404 outside the user's sight, 403 for what they see but may not run."""
    require(user, RUN, obj)


def touches_household(obj, household) -> bool:
    """Whether a record placed at community/grid/building covers ``household``."""
    if household is None or household.community_id != obj.community_id:
        return False
    if obj.grid_id and household.grid_id != obj.grid_id:
        return False
    return not (obj.building_id and household.building_id != obj.building_id)


def may_task_done(user, task) -> bool:
    """The owner of a task (the login, or any login of the owning unit) or a runner over
    its place marks it done."""
    if task.owner_user_id and task.owner_user_id == user.pk:
        return True
    if task.owner_unit_id and getattr(user, "partner_unit_id", None) == task.owner_unit_id:
        return True
    return may_run(user, task)
