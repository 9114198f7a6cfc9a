"""The JSON API under /api/v1/. Every route reads through the scoping selectors and writes
through the services, exactly as the workbench does."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError as NinjaValidationError

from gongzhi.accounts.services import api_token_issue, login_check

from .auth import AUTH

api = NinjaAPI(
    title="gongzhi 共治 API",
    version="1",
    urls_namespace="api",
    auth=AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)


class ErrorOut(Schema):
    detail: str


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("未找到。")}, status=404)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc):
    return api.create_response(request, {"detail": _("请求内容不正确。"), "errors": exc.errors}, status=422)


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@api.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut}, tags=["auth"])
def auth_token(request, payload: TokenIn):
    """Exchange a username (or mobile number) and password for a bearer token."""
    result = login_check(request, login=payload.username, password=payload.password)
    if result.user is None:
        raise HttpError(401, result.error)
    return {"token": api_token_issue(user=result.user)}


from . import places  # noqa: E402,F401  (registers the routes)
