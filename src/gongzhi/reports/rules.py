"""Who may write a work report's paragraphs: whoever holds the measures of the whole area
the report speaks for (a community's staff for their community, a subdistrict's for its
communities and itself, administrators everywhere). A post below the community reads the
report of its own part but writes none: its words would stand for the whole community."""

from __future__ import annotations

from gongzhi.core.scoping import scope_for
from gongzhi.figures.selectors import CAPABILITY


def can_edit(user, *, community=None, subdistrict=None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    scope = scope_for(user, CAPABILITY)
    if scope.everything:
        return True
    held = scope.held
    if community is not None:
        return community.pk in held.get("community", ()) or community.subdistrict_id in held.get(
            "subdistrict", ()
        )
    if subdistrict is not None:
        return subdistrict.pk in held.get("subdistrict", ())
    return False
