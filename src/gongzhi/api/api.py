"""The JSON API under /api/v1/. Every route reads through the scoping selectors and writes
through the services, exactly as the workbench does.

Errors always carry a Chinese ``detail``: 401 without a login, 404 for what is missing *or*
outside the caller's reach (the two must look the same), 403 for what the caller may see
but not change, 422 with per-field ``errors`` for input a service refused."""

from __future__ import annotations

import datetime as dt
import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.selectors import tokens_of
from gongzhi.accounts.services import api_token_issue, login_check
from gongzhi.accounts.throttling import AddressThrottle, too_many_message

from .auth import AUTH, TokenRefused
from .docs import LocalSwagger


class ChineseJSONRenderer(JSONRenderer):
    # Readable Chinese in responses (and in logs of them) instead of \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="gongzhi 共治 API",
    version="1",
    urls_namespace="api",
    auth=AUTH,
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=ChineseJSONRenderer(),
)


class ErrorOut(Schema):
    detail: str


class FieldErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]]


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    detail = str(exc) if isinstance(exc, TokenRefused) else _("请先登录。")
    return api.create_response(request, {"detail": detail}, status=401)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("未找到。")}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": _("没有权限执行此操作。")}, status=403)


@api.exception_handler(ValidationError)
def service_refused(request, exc):
    """A service's ValidationError: field → Chinese messages, as the form would show them."""
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    return api.create_response(
        request, {"detail": _("请检查填写的内容。"), "errors": errors}, status=422
    )


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc):
    return api.create_response(
        request, {"detail": _("请求内容不正确。"), "errors": exc.errors}, status=422
    )


class TokenIn(Schema):
    username: str
    password: str
    # What the token is for ("巡查App"), to recognise it in the list of one's tokens.
    name: str = ""


class TokenOut(Schema):
    token: str
    id: int
    expires_at: dt.datetime


@api.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    throttle=[AddressThrottle("auth_token")],
    tags=["auth"],
)
def auth_token(request, payload: TokenIn):
    """Exchange a username (or mobile number) and password for a bearer token. The token is
    shown once; only its hash is stored. It expires after the configured lifetime, and
    earlier if revoked or if the password changes or the account is locked or disabled.
    An unknown login, a wrong password and too many failures all answer the same 401."""
    result = login_check(request, login=payload.username, password=payload.password)
    if result.user is None:
        raise HttpError(401, result.error)
    key = api_token_issue(user=result.user, name=payload.name)
    token = tokens_of(result.user).get(key_hash=ApiToken.hash(key))
    return {"token": key, "id": token.pk, "expires_at": token.expires_at}


@api.exception_handler(Throttled)
def throttled(request, exc):
    # ninja adds Retry-After to this answer.
    seconds = max(1, math.ceil(exc.wait or 1))
    return api.create_response(request, {"detail": too_many_message(seconds)}, status=429)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


# Each module registers its routes on ``api`` when imported.
from . import me, orgs, places, routing, tokens, voices, wishes  # noqa: E402,F401
