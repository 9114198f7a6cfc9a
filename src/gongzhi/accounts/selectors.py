"""Reads of one's own login data. API tokens belong to a person, not to a place, so they
are scoped by owner: a user reaches only their own, and anyone else's answers 404 exactly
like a token that does not exist (``core.scoping``'s rule for what is out of reach)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import ApiToken


def tokens_of(user) -> QuerySet[ApiToken]:
    if user is None or not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).select_related("user").order_by("-created_at", "-pk")


def token_of_or_404(user, token_id: int) -> ApiToken:
    token = tokens_of(user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token
