from __future__ import annotations

import contextvars

_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("gongzhi_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


class RequestContextMiddleware:
    """Keeps the client address where the audit log can read it without every service
    taking a ``request`` argument."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _ip.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            _ip.reset(token)
