"""One's own API tokens: list them, revoke one. Anyone else's token answers 404, exactly
like a token that does not exist (``accounts.selectors``)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from gongzhi.accounts.selectors import token_of_or_404, tokens_of
from gongzhi.accounts.services import api_token_revoke

from .api import ERRORS, api
from .inputs import Id


class ApiTokenOut(Schema):
    id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    # active, expired, revoked, or superseded (issued before a password change or lock).
    state: str


def _out(token) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "state": token.state(),
    }


@api.get("/auth/tokens", response={200: list[ApiTokenOut], **ERRORS}, tags=["auth"])
def auth_tokens(request):
    """The caller's own tokens, newest first (the keys themselves are never shown again)."""
    return [_out(t) for t in tokens_of(request.auth)]


@api.get("/auth/tokens/{token_id}", response={200: ApiTokenOut, **ERRORS}, tags=["auth"])
def auth_token_detail(request, token_id: Id):
    """One of the caller's tokens."""
    return _out(token_of_or_404(request.auth, token_id))


@api.delete(
    "/auth/tokens/{token_id}",
    response={200: ApiTokenOut, **ERRORS},
    tags=["auth"],
)
def auth_token_revoke(request, token_id: Id):
    """Revoke one of the caller's tokens; it stops working at once. Revoking a revoked
    token changes nothing."""
    token = api_token_revoke(actor=request.auth, token=token_of_or_404(request.auth, token_id))
    return _out(token)
