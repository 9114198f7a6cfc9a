"""Who reaches what: the builder of ``core.scoping.Scope`` from a user's posts and
residence. ``AccountsConfig.ready`` registers it with ``core.scoping``; everything reads
through the doors there (``visible``, ``require``...), never through this module."""

from __future__ import annotations

from gongzhi.core.scoping import Scope
from gongzhi.orgs.models import Post
from gongzhi.places.models import Community, Household

from .rules import kinds_granting, resident_may


def build_scope(user, capability: str) -> Scope:
    """The place nodes of ``user``'s active posts whose kind grants ``capability``, with
    their ancestors as containers; a resident's own household when residents hold the
    capability; everything for a superuser."""
    if user.is_superuser:
        return Scope(everything=True)
    scope = Scope()
    kinds = kinds_granting(capability)
    posts = list(
        Post.objects.active().filter(user=user, kind__in=kinds).select_related(*Post.NODE_FIELDS)
    )
    for post in posts:
        node = post.node
        scope.held[post.level].add(node.pk)
        for anc_level, anc_id in node.ancestor_ids().items():
            scope.ancestors[anc_level].add(anc_id)
    # A subdistrict post reaches every community in it; the scoped models carry
    # community columns, not subdistrict ones.
    if scope.held.get("subdistrict"):
        scope.held["community"].update(
            Community.objects.filter(subdistrict_id__in=scope.held["subdistrict"]).values_list(
                "pk", flat=True
            )
        )
    if user.resident_id and resident_may(capability):
        household = Household.objects.filter(residents__pk=user.resident_id).first()
        if household is not None:
            scope.held["household"].add(household.pk)
            for anc_level, anc_id in household.ancestor_ids().items():
                scope.ancestors[anc_level].add(anc_id)
    return scope
