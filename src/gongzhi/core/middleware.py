from __future__ import annotations

import contextvars
import ipaddress
import json
from urllib.parse import unquote_to_bytes
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("gongzhi_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or with ``TRUSTED_PROXIES`` = n the n-th entry
    from the right of X-Forwarded-For, the one our own nearest proxy saw. Entries further
    left are whatever the client wrote and are never believed."""
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    if not hops:
        return remote
    hop = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        # A misconfigured proxy chain; the audit log's address column takes only addresses.
        return remote


class RequestContextMiddleware:
    """Keeps the client address where the audit log can read it without every service
    taking a ``request`` argument."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _ip.set(client_address(request) or None)
        try:
            return self.get_response(request)
        finally:
            _ip.reset(token)


class InputGuardMiddleware:
    """Refuses, before any view reads it, input that no person typed and no database
    stores: a NUL character, or text that is not valid UTF-8 — among them the lone
    surrogates (``"\\ud800"``) that JSON can spell but UTF-8 cannot encode. Looked for in
    the path, the query string, form bodies and JSON bodies.

    Without this each of them is a 500 somewhere far from the input: PostgreSQL refuses NUL
    in text, SQLite's driver cannot encode a surrogate, and Django decodes a broken query
    string with replacement characters, silently changing what was sent. The answer is a
    400 with a Chinese message, shaped like the errors of the part of the site asked: JSON
    for the API, the specification's error list for Open311, plain text for pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            unsafe = _unsafe_request(request)
        except MultiPartParserError:
            return _refusal(request, _("请求内容的格式不正确。"))
        if unsafe:
            return _refusal(request, refusal_message())
        return self.get_response(request)


def _unsafe_request(request) -> bool:
    if "\x00" in request.path_info:
        return True
    if _unsafe_urlencoded(_raw_query(request)):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    try:
        if content_type == "application/x-www-form-urlencoded":
            return _unsafe_urlencoded(request.body)
        if content_type == "multipart/form-data":
            # Django decodes multipart fields with replacement characters, so only NUL
            # survives to the view.
            return any(
                "\x00" in key or any("\x00" in v for v in values)
                for key, values in request.POST.lists()
            )
        # The API's parser reads any other body as JSON, whatever it is labelled.
        return _unsafe_json(request.body)
    except RequestDataTooBig:
        # Not ours to judge: the view reading the body answers it as Django does.
        return False


def _raw_query(request) -> bytes:
    raw = request.META.get("QUERY_STRING", "")
    try:
        # WSGI hands the query string over as bytes decoded as Latin-1 (PEP 3333).
        return raw.encode("latin-1")
    except UnicodeEncodeError:
        return raw.encode("utf-8", "surrogatepass")


def _unsafe_urlencoded(raw: bytes) -> bool:
    if not raw:
        return False
    data = unquote_to_bytes(raw.replace(b"+", b" "))
    if b"\x00" in data:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _unsafe_json(raw: bytes) -> bool:
    if not raw:
        return False
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        # Not JSON at all: the view's parser says so in its own words.
        return False
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _unsafe_text(value):
                return True
        elif isinstance(value, dict):
            for key, item in value.items():
                if _unsafe_text(key):
                    return True
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _unsafe_text(value: str) -> bool:
    if "\x00" in value:
        return True
    if value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def refusal_message() -> str:
    return _("请求中含有无法识别的字符（空字符或无效的编码），请删除后重试。")


def _refusal(request, message: str) -> HttpResponse:
    path = request.path_info
    if path.startswith("/api/"):
        body = {"detail": message}
        content_type = "application/json; charset=utf-8"
    elif path.startswith("/open311/"):
        if path.endswith(".xml"):
            xml = (
                '<?xml version="1.0" encoding="utf-8"?>'
                f"<errors><error><code>400</code><description>{escape(message)}</description>"
                "</error></errors>"
            )
            return HttpResponse(
                xml.encode("utf-8"), status=400, content_type="text/xml; charset=utf-8"
            )
        body = [{"code": 400, "description": message}]
        content_type = "application/json; charset=utf-8"
    else:
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status=400,
        content_type=content_type,
    )
