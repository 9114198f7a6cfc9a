"""Prometheus metrics: requests and latency by view, Celery queue lengths, task failures,
overdue items.

Several processes serve one site (two gunicorn servers with N workers each, the Celery
worker), and each has its own memory. With ``PROMETHEUS_MULTIPROC_DIR`` set (the stack and
the systemd units set it) prometheus_client's multiprocess mode keeps every process's
counters in memory-mapped files in that directory and /metrics adds them up, whichever
process answers; the gunicorn config removes a dead worker's live gauges. Chosen over
counters in Redis because a request then costs no network round trip to be counted. Without
the variable (``make demo``, tests) the process's own registry is used.

Queue lengths and the overdue count are read when /metrics is scraped (a collector), not
kept up to date by anyone.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter(
    "gongzhi_http_requests_total",
    "HTTP requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "gongzhi_http_request_duration_seconds",
    "Time from the first middleware to the response, by view and method.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASK_FAILURES = Counter(
    "gongzhi_celery_task_failures_total", "Celery tasks that raised, by task name.", ["task"]
)


def observe_request(view: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(view, method, str(status)).inc()
    LATENCY.labels(view, method).observe(seconds)


def task_failed(sender=None, **kwargs) -> None:
    """``celery.signals.task_failure`` receiver (connected in OpsConfig.ready)."""
    TASK_FAILURES.labels(getattr(sender, "name", None) or "unknown").inc()


def celery_queues() -> list[str]:
    from django.conf import settings

    names = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None) or "celery"}
    for queue in getattr(settings, "CELERY_TASK_QUEUES", None) or ():
        names.add(getattr(queue, "name", queue))
    for route in (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).values():
        if isinstance(route, dict) and route.get("queue"):
            names.add(route["queue"])
    return sorted(names)


def redis_client(url: str, timeout: float = 1.0):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


class ScrapeTimeCollector:
    """Figures read at scrape time: messages waiting per Celery queue (a Redis list per
    queue with the Redis broker) and open items past their deadline."""

    def collect(self):
        from django.conf import settings

        queued = GaugeMetricFamily(
            "gongzhi_celery_queue_length", "Tasks waiting in each Celery queue.", labels=["queue"]
        )
        broker = settings.CELERY_BROKER_URL
        if broker.startswith(("redis://", "rediss://")):
            try:
                client = redis_client(broker)
                for name in celery_queues():
                    queued.add_metric([name], client.llen(name))
            except Exception:  # a scrape must not fail because Redis is down; /readyz says it
                pass
        yield queued

        from gongzhi.voices import deadlines
        from gongzhi.voices.models import Item

        # A count over the whole platform for the operator, no rows and nothing personal:
        # no one's scope applies (the same figure the tick works through).
        overdue = GaugeMetricFamily(
            "gongzhi_voices_overdue_items", "Open items past their deadline."
        )
        overdue.add_metric([], deadlines.overdue(Item.objects.all()).count())
        yield overdue


def render() -> tuple[bytes, str]:
    """The text /metrics answers and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, LATENCY, TASK_FAILURES):
            registry.register(collector)
    registry.register(ScrapeTimeCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


__all__ = ["REGISTRY", "observe_request", "render", "task_failed"]
