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

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
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


def scope_for(user, capability: str = "view") -> Scope:
    """The region in which ``user`` may exercise ``capability``. Cached on the user object,
    which lives for one request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    if _builder is None:
        raise ImproperlyConfigured("No scope builder is registered (is accounts installed?).")
    cache = user.__dict__.setdefault("_gongzhi_scopes", {})
    if capability not in cache:
        cache[capability] = _builder(user, capability)
    return cache[capability]


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
