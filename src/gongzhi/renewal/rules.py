"""Who may do what with a renewal project, on top of ``core.scoping``. Like wishes,
renewal adds no capability to the register's table (``accounts.rules``): it reuses

- ``view`` — see a project: over its community (community and subdistrict staff), or over
  an entrance it touches (grid, building and entrance chiefs of those places); a resident
  sees the projects touching their own building; a partner unit those it takes part in;
- ``dispatch`` — run a project (create, edit, attach buildings, publish rounds, answer
  opinions, close phases): the community desks and subdistrict staff who already send work
  to partner units, over the project's community;
- ``submit_on_behalf`` — enter a resident's paper, visit, phone or meeting opinion, over
  the resident (as for residents' voice items and wishes).
"""

from __future__ import annotations

from gongzhi.core.scoping import may

MANAGE = "dispatch"
ENTER = "submit_on_behalf"


def may_manage(user, project) -> bool:
    return may(user, MANAGE, project)


def may_enter_for(user, resident) -> bool:
    """The resident themself, or a post holder whose own reach holds the resident."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.resident_id == resident.pk:
        return True
    return may(user, ENTER, resident)
