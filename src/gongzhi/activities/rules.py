"""Who may do what with an activity.

- Anyone whose reach lies in the activity's community sees it once published (a resident
  too); drafts are seen by those who manage it.
- Those who manage the community's organisations (``manage_orgs``: its secretary and
  staff, the subdistrict) create, edit, publish, finish and cancel activities, keep the
  volunteer groups and set quizzes.
- Check-in is done on a phone by the managers, by any post holder of the community (grid
  and building chiefs help at the door), or by a member of the organising volunteer group
  or team.
- A resident living in the community signs themselves up, shows their QR code and takes
  the quiz.
"""

from __future__ import annotations

from gongzhi.core.scoping import may, scope_for
from gongzhi.orgs.models import TeamMembership
from gongzhi.places.enums import ResidentStatus

from .enums import ActivityStatus
from .models import Activity, GroupMembership


def communities(user) -> set[int]:
    scope = scope_for(user, "view")
    return set(scope.held.get("community", ())) | set(scope.ancestors.get("community", ()))


def may_manage_in(user, community) -> bool:
    return may(user, "manage_orgs", community)


def may_manage(user, activity: Activity) -> bool:
    return may_manage_in(user, activity.community)


def may_see(user, activity: Activity) -> bool:
    scope = scope_for(user, "view")
    if not (scope.everything or activity.community_id in communities(user)):
        return False
    return activity.status != ActivityStatus.DRAFT or may_manage(user, activity)


def holds_a_post_in(user, community_id: int) -> bool:
    scope = scope_for(user, "view")
    if scope.everything:
        return True
    holds = any(ids for level, ids in scope.held.items() if level != "household")
    return holds and community_id in communities(user)


def is_organiser_member(user, activity: Activity) -> bool:
    resident_id = getattr(user, "resident_id", None)
    if not resident_id:
        return False
    if activity.group_id:
        return GroupMembership.objects.filter(
            group_id=activity.group_id, resident_id=resident_id
        ).exists()
    if activity.team_id:
        return TeamMembership.objects.filter(
            team_id=activity.team_id, resident_id=resident_id
        ).exists()
    return False


def may_check_in(user, activity: Activity) -> bool:
    if not may_see(user, activity):
        return False
    return holds_a_post_in(user, activity.community_id) or is_organiser_member(user, activity)


def may_take_part(resident, activity: Activity) -> bool:
    """A living resident of the activity's community."""
    return (
        resident is not None
        and resident.status == ResidentStatus.LIVING
        and resident.community_id == activity.community_id
    )
