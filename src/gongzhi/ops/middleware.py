"""The request id and the request metrics, first in MIDDLEWARE so both cover everything
after them."""

from __future__ import annotations

import re
import time

from gongzhi.core.requestid import new_request_id, reset_request_id, set_request_id

from . import metrics

# nginx's $request_id is 32 hex digits; a client or another proxy may send its own. Anything
# else (too long, odd characters) is replaced: it ends up in log lines and headers.
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Any other method is counted as "other": a label per invented method would grow forever.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestIdMiddleware:
    """Takes X-Request-ID from nginx (or makes one), keeps it where log lines and queued
    tasks read it (``core.requestid``) and returns it in the response's X-Request-ID, so a
    resident's complaint with that header's value finds every log line of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _SANE_ID.match(given) else new_request_id()
        request.request_id = request_id
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class MetricsMiddleware:
    """Counts each request and its duration under the name of the view that answered
    (``voices:inbox``), never the path: paths carry ids and would make a series per item."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match else "unmatched"
        metrics.observe_request(
            view,
            request.method if request.method in _METHODS else "other",
            response.status_code,
            time.perf_counter() - started,
        )
        return response
