"""Who may do what with surveys, on top of ``core.scoping``; no new capability is added.

- manage a questionnaire, campaign, assignment or base survey: ``edit_registry`` over the
  community (community staff and secretary);
- record a visit or an answer for a household: the visitor the household's building is
  assigned to in that campaign, or a post holder with ``edit_registry`` over the household
  (the grid chief and grid workers of its grid, community staff);
- see a campaign: ``view`` over its community or any of its households, or holding an
  assignment in it (volunteers and party members hold no post);
- write a visit log: a post holder with ``view`` over the household (楼栋长 and 单元长 visit
  too) — ``submit_on_behalf`` also lets them raise the problem heard as a voices item.
"""

from __future__ import annotations

from gongzhi.core.scoping import may

from .models import Assignment


def may_manage(user, community) -> bool:
    return may(user, "edit_registry", community)


def is_assigned(user, campaign, building_id: int) -> bool:
    return Assignment.objects.filter(
        campaign=campaign, building_id=building_id, visitor_id=user.pk
    ).exists()


def may_record_for(user, campaign, household) -> bool:
    return is_assigned(user, campaign, household.building_id) or may(
        user, "edit_registry", household
    )


def lives_in(user, household) -> bool:
    from gongzhi.places.models import Resident

    return (
        bool(user.resident_id)
        and Resident.objects.filter(pk=user.resident_id, household_id=household.pk).exists()
    )


def may_log_visit(user, household) -> bool:
    return may(user, "submit_on_behalf", household)
