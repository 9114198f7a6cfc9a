"""Who reaches what: the builder of ``core.scoping.Scope`` from a user's posts and
residence. ``AccountsConfig.ready`` registers it with ``core.scoping``; everything reads
through the doors there (``visible``, ``require``...), never through this module."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from gongzhi.core.scoping import Scope, invalidate_scopes
from gongzhi.orgs.models import Post
from gongzhi.places.models import (
    Building,
    Community,
    Compound,
    Entrance,
    Grid,
    Household,
    Resident,
    Subdistrict,
)

from .rules import kinds_granting, resident_may

# What a scope is built from: posts, the place tree (ancestors of a post's node) and the
# household a resident lives in. A save or delete of any of them drops the cached scopes
# (``core.scoping``). The user's own flags (superuser, active, resident link) are read from
# the request's user and are part of the cache key, so account saves (every login writes
# ``last_login``) need not drop anything.
SCOPE_SOURCES = (
    Post,
    Subdistrict,
    Community,
    Grid,
    Compound,
    Building,
    Entrance,
    Household,
    Resident,
)


def _invalidate(sender, **kwargs) -> None:
    invalidate_scopes()


def connect_invalidation() -> None:
    for model in SCOPE_SOURCES:
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"scope-{model.__name__}")
        post_delete.connect(_invalidate, sender=model, dispatch_uid=f"scope-del-{model.__name__}")


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
