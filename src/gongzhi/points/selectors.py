"""Reads of love points, through the one scoping mechanism.

A resident reads their own account, statement and redemptions, and the shop of their own
community. Post holders read the shop of the communities in their reach; those who manage
a community's organisations (``manage_orgs``) read its redemptions; those who may enter
things for residents (``submit_on_behalf``) find a resident in their reach to redeem for.
"""

from __future__ import annotations

from django.http import Http404

from gongzhi.core.scoping import scope_for
from gongzhi.places.models import Resident
from gongzhi.places.selectors import resident_search

from .enums import RedemptionStatus
from .models import Account, EarningRule, Entry, Redemption, ShopItem


def account_of(resident_id: int) -> Account | None:
    return Account.objects.filter(code=f"resident:{resident_id}").first()


def statement(resident_id: int):
    """The resident's entries, newest first, each with its transaction: one query a page."""
    return (
        Entry.objects.filter(account__code=f"resident:{resident_id}")
        .select_related("transaction")
        .order_by("-transaction__created_at", "-pk")
    )


def shop_items(community_id: int):
    """What a resident of ``community_id`` may redeem: items on the shelf."""
    return (
        ShopItem.objects.filter(community_id=community_id, is_active=True)
        .select_related("supplier")
        .order_by("price", "name")
    )


def shop_item_or_404(community_id: int, pk: int) -> ShopItem:
    item = shop_items(community_id).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def resident_redemptions(resident_id: int):
    return (
        Redemption.objects.filter(resident_id=resident_id)
        .select_related("item")
        .order_by("-created_at", "-pk")
    )


def _communities(user) -> list[int] | None:
    scope = scope_for(user, "view")
    if scope.everything:
        return None
    held = set(scope.held.get("community", ())) | set(scope.ancestors.get("community", ()))
    return sorted(held)


def items_in_reach(user):
    """Every item (on the shelf or not) of the communities in ``user``'s reach."""
    qs = ShopItem.objects.select_related("community", "supplier")
    communities = _communities(user)
    return qs if communities is None else qs.filter(community_id__in=communities)


def managed_item_or_404(user, pk: int) -> ShopItem:
    item = (
        scope_for(user, "manage_orgs")
        .filter(ShopItem.objects.select_related("community", "supplier"))
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


def redemptions_to_hand_over(user):
    """Redemptions placed and not yet collected, in the communities ``user`` manages."""
    return (
        scope_for(user, "manage_orgs")
        .filter(Redemption.objects.filter(status=RedemptionStatus.PLACED))
        .select_related("item", "resident", "community")
        .order_by("created_at", "pk")
    )


def redemption_or_404(user, pk: int) -> Redemption:
    """A redemption of one's own (as resident or as the proxy who placed it) or of a
    community one manages."""
    qs = Redemption.objects.select_related("item", "resident", "community", "transaction")
    redemption = qs.filter(pk=pk).first()
    if redemption is None:
        raise Http404
    if (
        redemption.resident_id == user.resident_id
        or redemption.placed_by_id == user.pk
        or scope_for(user, "manage_orgs").filter(Redemption.objects.filter(pk=pk)).exists()
    ):
        return redemption
    raise Http404


def residents_to_serve(user, query: str, *, limit: int = 30):
    """Residents matching ``query`` whom ``user``'s posts let them redeem for."""
    if not query:
        return []
    found = resident_search(user, query, limit=None)
    scope = scope_for(user, "submit_on_behalf")
    return list(scope.filter(found).select_related("household", "community")[:limit])


def served_resident_or_404(user, pk: int, capability: str = "submit_on_behalf") -> Resident:
    resident = (
        scope_for(user, capability)
        .filter(Resident.objects.living().select_related("household", "community"))
        .filter(pk=pk)
        .first()
    )
    if resident is None:
        raise Http404
    return resident


def rules_list():
    return EarningRule.objects.order_by("-is_active", "code")
