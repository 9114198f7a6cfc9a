"""The one place that decides who may see and change what.

A user's reach is the set of place nodes their active posts sit on (a resident's reach is
their own household). For a capability (``view``, ``edit_registry``, ``reveal_pii``...)
only the posts whose kind grants it count; ``accounts.rules.CAPABILITIES`` is the table and
``accounts.scopes`` builds the reach. This module holds only the scope type and the doors,
and imports nothing above ``core``.

Every scoped model declares ``scope_columns``: for each level of the place tree, the
column that holds the id of its node at that level, and ``scope_level`` when the model is
itself a place node. ``Scope.filter`` turns the reach into one ``Q`` over those columns.
A place node that *contains* a node of the reach is visible too (a grid chief sees their
community in the navigation), but never the other nodes below it.

Views, the API, exports and search all go through ``visible(user, queryset, capability)``;
``get_visible_or_404`` gives the same 404 for missing and forbidden.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404

LEVELS = ("subdistrict", "community", "grid", "compound", "building", "entrance", "household")


@dataclass
class Scope:
    everything: bool = False
    # Node ids held directly, per level.
    held: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    # Ancestors of held nodes, per level (visible as containers, not their other contents).
    ancestors: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    @property
    def empty(self) -> bool:
        return not self.everything and not any(self.held.values())

    def q_for(self, model, *, containers: bool = True) -> Q:
        if self.everything:
            return Q()
        columns: dict[str, str] = model.scope_columns
        q = Q(pk__in=[])
        for level, ids in self.held.items():
            if ids and level in columns:
                q |= Q(**{f"{columns[level]}__in": sorted(ids)})
        own_level = getattr(model, "scope_level", None)
        if containers and own_level and self.ancestors.get(own_level):
            q |= Q(pk__in=sorted(self.ancestors[own_level]))
        return q

    def filter(self, queryset: QuerySet) -> QuerySet:
        if self.everything:
            return queryset
        if self.empty:
            return queryset.none()
        return queryset.filter(self.q_for(queryset.model))

    def contains(self, obj, *, containers: bool = True) -> bool:
        if self.everything:
            return True
        q = self.q_for(type(obj), containers=containers)
        return type(obj)._default_manager.filter(q, pk=obj.pk).exists()


ScopeBuilder = Callable[[Any, str], Scope]
_builder: ScopeBuilder | None = None


def register_scope_builder(builder: ScopeBuilder) -> None:
    """Say how a user's reach is built. ``core`` knows nothing of posts, residents or
    partner units: ``accounts`` registers its builder when the app is ready, so the layers
    below never import the ones above them."""
    global _builder
    _builder = builder


# The shared cache (Redis in production) keeps each user's scopes under a version. Building
# a scope joins posts with six place tables, which was a third of a list page's time; the
# result only changes when posts, accounts, residents' households or the place tree do, and
# every such write calls ``invalidate_scopes`` (signals in ``accounts.apps``, audited bulk
# writes in ``core.audit``). Bumping the version drops every user's entry at once: writes
# that move reach are rare next to the reads that need it. The timeout is only a backstop.
SCOPE_VERSION_KEY = "scope:version"
SCOPE_TIMEOUT = 15 * 60


def _scope_version() -> int:
    version = cache.get(SCOPE_VERSION_KEY)
    if version is None:
        # Never 0 again after a restart of the cache: an entry written under an older
        # number must not be read back, so a fresh number is taken from the clock.
        import time

        version = time.time_ns()
        cache.add(SCOPE_VERSION_KEY, version, timeout=None)
        version = cache.get(SCOPE_VERSION_KEY, version)
    return version


def data_version() -> int:
    """The number every change to posts, accounts, the place tree or the register moves on
    (see ``invalidate_scopes``). Anything cached from those tables — a user's reach, a
    community's figures — is keyed by it, so one bump drops it all."""
    return _scope_version()


def _bump() -> None:
    try:
        cache.incr(SCOPE_VERSION_KEY)
    except ValueError:  # missing: the next read starts a new number
        _scope_version()


def invalidate_scopes() -> None:
    """Forget every cached scope, now and again when the transaction commits. Now, so that
    the writing request (and a test's rolled-back transaction) sees the change at once; on
    commit, so that a request which rebuilt a scope from the database between the write
    and its commit cannot leave the old reach cached under the current version."""
    _bump()
    transaction.on_commit(_bump)


def _cache_key(user, capability: str, version: int) -> str:
    # Posts begin and end on dates: the day is part of the key, so yesterday's reach is
    # never served today.
    from django.utils import timezone

    day = timezone.localdate().isoformat()
    return f"scope:{version}:{user.pk}:{user.resident_id or 0}:{capability}:{day}"


def scope_for(user, capability: str = "view") -> Scope:
    """The region in which ``user`` may exercise ``capability``. Kept on the user object
    for the request and in the shared cache across requests (see ``invalidate_scopes``)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    if _builder is None:
        raise ImproperlyConfigured("No scope builder is registered (is accounts installed?).")
    held = user.__dict__.setdefault("_gongzhi_scopes", {})
    if capability not in held:
        if user.is_superuser or not getattr(settings, "GONGZHI_SCOPE_CACHE", True):
            held[capability] = _builder(user, capability)
            return held[capability]
        key = _cache_key(user, capability, _scope_version())
        scope = cache.get(key)
        if scope is None:
            scope = _builder(user, capability)
            cache.set(key, scope, timeout=SCOPE_TIMEOUT)
        held[capability] = scope
    return held[capability]


def visible(user, queryset: QuerySet, capability: str = "view") -> QuerySet:
    return scope_for(user, capability).filter(queryset)


def get_visible_or_404(user, queryset: QuerySet, capability: str = "view", **lookup):
    obj = visible(user, queryset, capability).filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def may(user, capability: str, obj) -> bool:
    """Whether ``user`` may exercise ``capability`` on ``obj``. A node that merely contains
    one's reach is visible (``view``) but never acted on: a grid chief may not change
    their community."""
    return scope_for(user, capability).contains(obj, containers=capability == "view")


def require(user, capability: str, obj) -> None:
    """Raise 404 when ``obj`` is outside the user's reach (a record one may not see must not
    be confirmed to exist), 403 when it is visible but the capability is not granted."""
    if may(user, capability, obj):
        return
    if capability != "view" and may(user, "view", obj):
        raise PermissionDenied
    raise Http404
