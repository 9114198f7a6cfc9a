"""The JSON API under /api/v1/. Every route reads through the scoping selectors and writes
through the services, exactly as the workbench does.

Errors always carry a Chinese ``detail``: 400 for a body that cannot be read, 401 without a
login, 404 for what is missing *or* outside the caller's reach (the two must look the same),
403 for what the caller may see but not change, 422 with per-field ``errors`` for input
that does not fit the route's schema or that a service refused — the same shape for both.
Every route declares these in its ``response=`` (``ERRORS``), so the OpenAPI schema says
what the API really answers; ``tests/api/test_fuzz.py`` holds it to that."""

from __future__ import annotations

import datetime as dt
import math
import re

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.selectors import tokens_of
from gongzhi.accounts.services import api_token_issue, login_check
from gongzhi.accounts.throttling import AddressThrottle, too_many_message

from .auth import AUTH, TokenRefused
from .docs import LocalSwagger
from .inputs import limited


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
    errors: dict[str, list[str]] = Field(
        ..., description="字段路径（如 rows.2.text）→ 中文说明；不属于某个字段的为 __all__"
    )


# What any route may answer besides its success, for every route to include (and a new
# route to copy): 400 for a body that is not JSON or holds characters no one typed, 401
# without a login, 403 for what the caller sees but may not change, 404 for what is missing
# or out of reach, 422 for input refused field by field.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorsOut}
# Routes open to anyone: no login to miss, nothing in reach to be refused.
PUBLIC_ERRORS = {400: ErrorOut, 422: FieldErrorsOut}


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


def _refused(request, detail: str, errors: dict[str, list[str]]):
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(ValidationError)
def service_refused(request, exc):
    """A service's ValidationError: field → Chinese messages, as the form would show them."""
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    return _refused(request, _("请检查填写的内容。"), errors)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc):
    """Input that does not fit a route's schema, in the same shape as a service's refusal:
    ``{"detail": ..., "errors": {"rows.1.kind": ["不是可选的值，可选：problem、suggestion。"]}}``.
    pydantic's English never reaches the caller; an error type not named below gets a
    general Chinese message."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_path(error), []).append(validation_message(error))
    return _refused(request, _("请求内容不正确。"), errors)


def _field_path(error: dict) -> str:
    loc = list(error.get("loc") or ())
    # ("body", "payload", "rows", 2, "text"): where it came from, then (for a body) the
    # view's argument name; neither means anything to the caller.
    if loc and loc[0] == "body":
        loc = loc[2:]
    elif loc:
        loc = loc[1:]
    return ".".join(str(part) for part in loc) or "__all__"


def _choices(expected: str) -> str:
    # pydantic lists choices as "'a', 'b' or 'c'".
    found = re.findall(r"'([^']*)'", expected or "")
    return "、".join(found) if found else str(expected or "")


def validation_message(error: dict) -> str:
    """pydantic's error, by its ``type``, in Chinese."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("此项必须填写。")
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return _("请填写整数。")
    if kind in ("float_parsing", "float_type", "finite_number"):
        return _("请填写数字。")
    if kind in ("bool_parsing", "bool_type"):
        return _("请填写 true 或 false。")
    if kind in ("string_type", "string_unicode"):
        return _("请填写文字。")
    if kind == "string_too_short":
        return _("至少%(limit)d字。") % {"limit": ctx.get("min_length", 1)}
    if kind == "string_too_long":
        return _("不能超过%(limit)d字。") % {"limit": ctx.get("max_length", 0)}
    if kind == "too_long":
        return _("最多%(limit)d条（现有%(n)d条）。") % {
            "limit": ctx.get("max_length", 0),
            "n": ctx.get("actual_length") or 0,
        }
    if kind == "too_short":
        return _("至少%(limit)d条。") % {"limit": ctx.get("min_length", 1)}
    if kind == "greater_than_equal":
        return _("不能小于%(bound)s。") % {"bound": ctx.get("ge")}
    if kind == "greater_than":
        return _("须大于%(bound)s。") % {"bound": ctx.get("gt")}
    if kind == "less_than_equal":
        return _("不能大于%(bound)s。") % {"bound": ctx.get("le")}
    if kind == "less_than":
        return _("须小于%(bound)s。") % {"bound": ctx.get("lt")}
    if kind in ("literal_error", "enum"):
        return _("不是可选的值，可选：%(choices)s。") % {"choices": _choices(ctx.get("expected"))}
    if kind.startswith("date_"):
        return _("请按“2026-03-01”的格式填写有效的日期。")
    if kind.startswith("datetime_"):
        return _("请填写有效的日期和时间。")
    if kind == "json_invalid":
        return _("请求内容不是有效的 JSON。")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("应为 JSON 对象。")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("应为列表。")
    if kind == "string_pattern_mismatch":
        return _("格式不正确。")
    if kind == "extra_forbidden":
        return _("不认识这一项。")
    return _("填写的内容不正确。")


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    # Django hashes nothing longer than this either.
    password: str = Field(..., max_length=4096)
    # What the token is for ("巡查App"), to recognise it in the list of one's tokens.
    name: str = limited(100)


class TokenOut(Schema):
    token: str
    id: int
    expires_at: dt.datetime


@api.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut, **PUBLIC_ERRORS},
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
    return api.create_response(request, {"detail": _http_message(exc)}, status=exc.status_code)


def _http_message(exc: HttpError) -> str:
    # django-ninja's own refusals are in English; ours are Chinese already.
    message = str(exc)
    if message.startswith("Cannot parse request body"):
        if isinstance(exc.__cause__, RequestDataTooBig):
            return _("请求内容过大。")
        return _("请求内容不是有效的 JSON。")
    if message.startswith("CSRF check Failed"):
        return _("页面已过期，请刷新后重试。")
    return message


# Each module registers its routes on ``api`` when imported.
from . import (  # noqa: E402,F401
    activities,
    compounds,
    deliberation,
    exemplars,
    figures,
    me,
    mediation,
    orgs,
    places,
    points,
    renewal,
    reports,
    routing,
    surveys,
    tokens,
    venues,
    voices,
    wishes,
)
