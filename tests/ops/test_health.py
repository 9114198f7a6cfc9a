"""Health, readiness, metrics, the request id and JSON log lines (gongzhi.ops)."""

from __future__ import annotations

import json
import logging
import socket

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from gongzhi.core.logging import JsonFormatter, MaskPersonalData
from gongzhi.core.requestid import current_request_id

REDIS_TEST_URL = "redis://127.0.0.1:6379/2"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_cache(url: str) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


def test_healthz_is_alive_without_touching_the_database(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_readyz_reports_each_check(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    # The test settings have no Redis and no broker: tasks run inline.
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not used",
        "worker": "inline",
    }


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_readyz_green_with_redis(client, db):
    with override_settings(CACHES=_redis_cache(REDIS_TEST_URL)):
        response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["redis"] == "ok"


def test_readyz_503_when_redis_does_not_answer(client, db):
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    with override_settings(CACHES=_redis_cache(url), GONGZHI_READY_TIMEOUT=0.5):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["redis"].startswith("error")
    assert body["database"] == "ok"


def test_readyz_503_when_no_worker_can_be_asked(client, db):
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    with override_settings(CELERY_BROKER_URL=url, GONGZHI_READY_TIMEOUT=0.5):
        from gongzhi.config.celery import app

        app.conf.broker_url = url
        try:
            response = client.get("/readyz")
        finally:
            app.conf.broker_url = None
    assert response.status_code == 503
    assert response.json()["worker"].startswith("error")


def test_metrics_names_every_metric(client, db):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    for name in (
        "gongzhi_http_requests_total",
        "gongzhi_http_request_duration_seconds_bucket",
        "gongzhi_celery_task_failures_total",
        "gongzhi_celery_queue_length",
        "gongzhi_voices_overdue_items",
    ):
        assert name in text, name
    assert 'view="healthz"' in text


def test_overdue_items_are_counted(world, client):
    import datetime as dt

    from django.utils import timezone

    from gongzhi.voices import services
    from gongzhi.voices.enums import Channel, ItemKind
    from gongzhi.voices.models import Item

    item = services.item_submit(
        actor=world.users["resident"],
        kind=ItemKind.PROBLEM,
        text="楼下路灯不亮",
        channel=Channel.ONLINE,
    )
    before = _overdue(client)
    # Time passing, not a decision anyone makes: no service moves a deadline backwards.
    Item.objects.filter(pk=item.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    assert _overdue(client) == before + 1


def _overdue(client) -> int:
    text = client.get("/metrics").content.decode()
    line = next(x for x in text.splitlines() if x.startswith("gongzhi_voices_overdue_items "))
    return int(float(line.split()[1]))


def test_metrics_refused_to_a_remote_client_without_token(client, db):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403


def test_metrics_behind_a_proxy_believe_only_the_trusted_hop(client, db):
    # Behind nginx REMOTE_ADDR is loopback: the client nginx saw decides, and what the
    # client itself wrote further left is not believed.
    with override_settings(GONGZHI_TRUSTED_PROXIES=1, TRUSTED_PROXIES=1):
        remote = client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.9")
        local = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9, 127.0.0.1")
    assert remote.status_code == 403
    assert local.status_code == 200


def test_metrics_with_the_token_from_anywhere(client, db):
    with override_settings(GONGZHI_METRICS_TOKEN="s3cret-token"):
        ok = client.get(
            "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token"
        )
        wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer guess")
    assert ok.status_code == 200
    assert wrong.status_code == 403


def test_request_id_is_taken_from_the_proxy_and_returned(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef")
    assert response["X-Request-ID"] == "0123456789abcdef0123456789abcdef"


def test_request_id_is_made_when_missing_or_odd(client, db):
    made = client.get("/healthz")["X-Request-ID"]
    odd = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert len(made) == 32 and made != odd
    assert "<" not in odd and len(odd) == 32


def test_json_log_line_carries_the_request_id(client, db, monkeypatch):
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Capture()
    handler.addFilter(MaskPersonalData())
    handler.setFormatter(JsonFormatter())
    seen = []

    from gongzhi.ops import views

    def healthz(request):
        seen.append(current_request_id())
        logging.getLogger("gongzhi.test").warning("查询手机 %s", "13812345678")
        return views.JsonResponse({"status": "ok"})

    monkeypatch.setattr(views, "healthz", healthz)
    logger = logging.getLogger("gongzhi.test")
    logger.addHandler(handler)
    try:
        from django.urls import clear_url_caches

        clear_url_caches()
        with override_settings(ROOT_URLCONF="tests.ops.urls_log"):
            response = client.get("/healthz", HTTP_X_REQUEST_ID="req-1234567890")
    finally:
        logger.removeHandler(handler)
    assert response["X-Request-ID"] == "req-1234567890"
    assert seen == ["req-1234567890"]
    entry = json.loads(lines[-1])
    assert entry["request_id"] == "req-1234567890"
    assert entry["level"] == "WARNING"
    assert entry["message"] == "查询手机 138****5678"
    assert current_request_id() is None


def test_django_request_log_line_after_the_middleware_carries_the_request_id(client, db):
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Capture()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-0987654321")
    finally:
        logger.removeHandler(handler)
    entry = json.loads(lines[-1])
    assert entry["message"].startswith("Not Found")
    assert entry["request_id"] == "req-0987654321"


def test_a_failed_task_is_counted(client, db):
    from celery.signals import task_failure

    class Task:
        name = "gongzhi.tests.boom"

    def failures() -> float:
        text = client.get("/metrics").content.decode()
        line = next(
            (
                x
                for x in text.splitlines()
                if x.startswith("gongzhi_celery_task_failures_total{")
                and 'task="gongzhi.tests.boom"' in x
            ),
            None,
        )
        return float(line.split()[-1]) if line else 0.0

    before = failures()
    task_failure.send(sender=Task, task_id="1", exception=RuntimeError("boom"))
    assert failures() == before + 1
