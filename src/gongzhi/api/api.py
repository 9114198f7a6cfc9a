"""The JSON API under /api/v1/. Every route reads through the scoping selectors and writes
through the services, exactly as the workbench does.

Errors always carry a Chinese ``detail``: 401 without a login, 404 for what is missing *or*
outside the caller's reach (the two must look the same), 403 for what the caller may see
but not change, 422 with per-field ``errors`` for input a service refused."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from gongzhi.accounts.services import api_token_issue, login_check

from .auth import AUTH
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
    return api.create_response(request, {"detail": _("请先登录。")}, status=401)


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


class TokenOut(Schema):
    token: str


@api.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut}, tags=["auth"])
def auth_token(request, payload: TokenIn):
    """Exchange a username (or mobile number) and password for a bearer token. The token is
    shown once; only its hash is stored."""
    result = login_check(request, login=payload.username, password=payload.password)
    if result.user is None:
        raise HttpError(401, result.error)
    return {"token": api_token_issue(user=result.user)}


@api.exception_handler(HttpError)
def http_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


# Each module registers its routes on ``api`` when imported.
from . import me, orgs, places, routing, voices, wishes  # noqa: E402,F401
