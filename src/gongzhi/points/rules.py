"""Who may do what with love points.

- A resident sees their own balance and statement and redeems their own points; a member
  of the same household may redeem for them (``family``), and a post holder who may enter
  things for residents (``submit_on_behalf``: grid workers, building and entrance chiefs,
  community staff) may redeem for a resident in their reach (``volunteer``). Either is
  written on the transaction and the redemption.
- Those who manage the community's organisations (``manage_orgs``: its secretary and staff,
  the subdistrict) stock the shop, hand redemptions over, cancel them and correct a
  resident's points with a reason.
"""

from __future__ import annotations

from gongzhi.core.scoping import may
from gongzhi.places.models import Community, Resident

from .enums import Relation
from .models import Redemption


def relation_to(user, resident: Resident) -> str | None:
    """How ``user`` stands to ``resident`` when spending their points; None: not at all."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.resident_id == resident.pk:
        return Relation.SELF
    if (
        user.resident_id
        and Resident.objects.filter(pk=user.resident_id, household_id=resident.household_id)
        .living()
        .exists()
    ):
        return Relation.FAMILY
    if may(user, "submit_on_behalf", resident):
        return Relation.VOLUNTEER
    return None


def may_manage(user, community: Community) -> bool:
    return may(user, "manage_orgs", community)


def may_correct(user, resident: Resident) -> bool:
    return may(user, "manage_orgs", resident)


def may_cancel(user, redemption: Redemption) -> bool:
    return (
        getattr(user, "resident_id", None) == redemption.resident_id
        or redemption.placed_by_id == getattr(user, "pk", None)
        or may_manage(user, redemption.community)
    )
