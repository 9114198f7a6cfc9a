"""Health, readiness and metrics, for the load balancer, the operator and Prometheus."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from gongzhi.core.middleware import client_address

from . import metrics


@require_safe
def healthz(request):
    """Alive: the process answers. No database, no Redis — a database outage must not get
    every app server restarted. Kept this small on purpose: the benchmarks use it as the
    cost of a bare Django JSON view behind the same middleware."""
    return JsonResponse({"status": "ok"})


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _redis() -> str:
    url = settings.CACHES["default"].get("LOCATION") if _uses_redis_cache() else None
    if not url:
        return "not used"
    metrics.redis_client(url, settings.GONGZHI_READY_TIMEOUT).ping()
    return "ok"


def _uses_redis_cache() -> bool:
    return settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def _worker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "inline"  # no broker: tasks run in the process that queues them
    from gongzhi.config.celery import app

    # limit=1: answer as soon as one worker has, instead of waiting out the timeout.
    replies = app.control.ping(timeout=settings.GONGZHI_READY_TIMEOUT, limit=1)
    if not replies:
        raise RuntimeError("no worker answered")
    return f"ok ({len(replies)})"


CHECKS = {"database": _database, "redis": _redis, "worker": _worker}


@never_cache
@require_safe
def readyz(request):
    """Ready: the database answers a query, Redis a ping and a Celery worker a control ping
    (each within GONGZHI_READY_TIMEOUT). Each check is reported; 503 when one fails, so
    nginx or a deploy script waits for this before sending traffic."""
    report, ok = {}, True
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception as exc:  # whatever it is, it is the answer of this check
            ok = False
            report[name] = f"error: {type(exc).__name__}"
    return JsonResponse({"status": "ok" if ok else "error", **report}, status=200 if ok else 503)


def _allowed(request) -> bool:
    token = settings.GONGZHI_METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    # The client as the trusted proxies report it (GONGZHI_TRUSTED_PROXIES): behind nginx,
    # REMOTE_ADDR is always nginx's own loopback address.
    try:
        return ipaddress.ip_address(client_address(request)).is_loopback
    except ValueError:
        return False


@never_cache
@require_safe
def metrics_view(request):
    """Prometheus text. Loopback clients, or a bearer token (GONGZHI_METRICS_TOKEN)."""
    if not _allowed(request):
        return HttpResponse("403 Forbidden\n", status=403, content_type="text/plain")
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)
