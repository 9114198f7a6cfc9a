from __future__ import annotations

import contextvars
import ipaddress

from django.conf import settings

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
