"""Requests per client address, for the doors that take passwords and anonymous posts.

One mechanism for the JSON API and plain Django views: django-ninja's cache-based
``SimpleRateThrottle`` (the Django cache: locmem in tests, Redis with ``REDIS_URL``), keyed
by ``core.middleware.client_address`` so that ``TRUSTED_PROXIES`` governs it as it governs
the audit log and login failures. Rates are ``GONGZHI_THROTTLE_RATES[scope]``, read on each
request so that a test (or an operator's settings) can change them."""

from __future__ import annotations

import math
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja.throttling import SimpleRateThrottle

from gongzhi.core.middleware import client_address


class AddressThrottle(SimpleRateThrottle):
    def __init__(self, scope: str):
        # Not the parent's __init__: it would read the rate once, at import.
        self.scope = scope

    def allow_request(self, request) -> bool:
        self.rate = settings.GONGZHI_THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}

    def retry_after(self) -> int:
        """Whole seconds until the oldest counted request leaves the window."""
        return max(1, math.ceil(self.duration - (self.now - self.history[-1])))


def too_many_message(seconds: int) -> str:
    return _("操作太频繁，请 %(s)d 秒后再试。") % {"s": seconds}


def _json_refusal(request, message, **kwargs):
    return JsonResponse({"detail": message}, status=429, json_dumps_params={"ensure_ascii": False})


def throttle(scope: str, *, methods=("POST",), refuse=_json_refusal):
    """Throttle a Django view for ``methods``. Over the rate, ``refuse(request, message,
    **view_kwargs)`` gives the answer (a page, or a format the caller's protocol expects);
    it is sent with status 429 and Retry-After."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                # A fresh throttle per request: the check keeps its state on the object.
                limiter = AddressThrottle(scope)
                if not limiter.allow_request(request):
                    seconds = limiter.retry_after()
                    response = refuse(request, too_many_message(seconds), **kwargs)
                    response.status_code = 429
                    response["Retry-After"] = str(seconds)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
