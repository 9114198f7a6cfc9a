"""A real worker killed in the middle of an import: nothing is half-written, and the sweep
queues the job again (which then imports every row once).

This starts ``celery worker`` as a subprocess on Redis, against the test database, so it
needs PostgreSQL (``make test-pg``: the worker cannot see an in-memory SQLite database)
and a Redis server (GONGZHI_TEST_REDIS_URL, default redis://127.0.0.1:6379/1). Without
either it is skipped with the reason.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from gongzhi.places.models import Resident
from gongzhi.register import services
from gongzhi.register.models import ImportJob, ImportStatus

from .conftest import person, xlsx

REDIS_URL = os.environ.get("GONGZHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
ROWS = int(os.environ.get("GONGZHI_TEST_KILL_ROWS", "12000"))
LEASE = 3

pytestmark = pytest.mark.django_db(transaction=True)


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 (any failure to connect means: skip)
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    return client


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return (
        f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
        f"/{s['NAME']}"
    )


def _wait(predicate, *, timeout: float, every: float = 0.02, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _status(job_id: int) -> str:
    return ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).get()


@pytest.fixture
def shared_cache(settings):
    """The worker's cache (leases, progress) must be the one this test reads."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    settings.GONGZHI_IMPORT_LEASE_SECONDS = LEASE


@pytest.fixture
def worker(tmp_path):
    """Start a worker on a queue of its own; yield (queue, process); kill it if still up."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (make test-pg): the worker must see the test database")
    client = _redis()
    queue = f"gongzhi-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongzhi.config.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "REDIS_URL": REDIS_URL,
        "GONGZHI_IMPORT_LEASE_SECONDS": str(LEASE),
        "GONGZHI_TASKS_EAGER": "0",
    }
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "gongzhi.config.celery",
            "worker",
            "--concurrency=1",
            "-P",
            "prefork",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the kill reaches the pool too
    )
    try:
        yield queue, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        log.close()
        _forget_queue(client, queue)


def _forget_queue(client, queue: str) -> None:
    """Drop the test queue and the message the killed worker left unacknowledged, so that
    no later worker on this Redis database restores it."""
    import json

    for tag, raw in client.hgetall("unacked").items():
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def test_killing_the_worker_mid_import_writes_nothing_and_the_sweep_requeues(
    world, shared_cache, worker, tmp_path
):
    from celery import Celery

    queue, process = worker
    community = world.wj
    before = Resident.objects.filter(community=community).count()
    data = xlsx([person(n) for n in range(1, ROWS + 1)])
    job = ImportJob.objects.create(
        community=community,
        uploaded_by=world.users["staff"],
        file_name="大表.xlsx",
        upload=services._seal_upload(data),
    )
    # Not the current app: the sweep below must queue through the project's (inline) one.
    sender = Celery("sender", broker=REDIS_URL, set_as_current=False)
    sender.send_task("gongzhi.register.import_run", args=[job.pk], queue=queue)

    # Kill in the writing phase: the import's transaction is open, rows are going in.
    try:
        _wait(
            lambda: _status(job.pk) == ImportStatus.IMPORTING,
            timeout=120,
            what="the worker to reach the writing phase",
        )
    except AssertionError:
        log = (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
        raise AssertionError(f"job {_status(job.pk)}; worker log:\n{log}") from None
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)

    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTING, "the import finished before the kill: more ROWS"
    assert job.runs == 1
    assert Resident.objects.filter(community=community).count() == before  # nothing half-written

    # The lease lapses with nobody renewing it; the sweep then queues the job again.
    assert services.import_lease_held(job.pk)
    _wait(lambda: not services.import_lease_held(job.pk), timeout=LEASE * 3, what="the lease")
    outcome = services.register_import_sweep()  # here the re-queued task runs inline

    assert outcome == {"requeued": 1, "failed": 0, "nudged": 0}
    job.refresh_from_db()
    assert (job.status, job.runs, job.created_count) == (ImportStatus.DONE, 2, ROWS)
    assert Resident.objects.filter(community=community).count() == before + ROWS


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def test_a_pool_process_killed_mid_import_hands_the_task_back_which_runs_nothing_twice(
    world, shared_cache, worker, tmp_path
):
    """The worker's pool process dies, the worker itself lives: the task is handed back
    (reject_on_worker_lost) and delivered again at once. That second delivery finds the
    job already claimed and does nothing; the sweep, once the lease lapses, re-queues it."""
    from celery import Celery

    queue, process = worker
    log_path = tmp_path / "worker.log"
    community = world.wj
    before = Resident.objects.filter(community=community).count()
    job = ImportJob.objects.create(
        community=community,
        uploaded_by=world.users["staff"],
        file_name="大表.xlsx",
        upload=services._seal_upload(xlsx([person(n) for n in range(1, ROWS + 1)])),
    )
    Celery("sender", broker=REDIS_URL, set_as_current=False).send_task(
        "gongzhi.register.import_run", args=[job.pk], queue=queue
    )
    _wait(lambda: _status(job.pk) == ImportStatus.IMPORTING, timeout=120, what="writing")
    (child,) = _children(process.pid)
    os.kill(child, signal.SIGKILL)

    # Handed back and delivered again: the second run sees a claimed job and stops.
    _wait(
        lambda: re.search(
            r"gongzhi\.register\.import_run\[\S+\] succeeded", log_path.read_text(errors="replace")
        ),
        timeout=60,
        what="the task to be delivered again",
    )
    log = log_path.read_text(errors="replace")
    assert "WorkerLostError" in log
    job.refresh_from_db()
    assert (job.status, job.runs) == (ImportStatus.IMPORTING, 1)
    assert Resident.objects.filter(community=community).count() == before

    _wait(lambda: not services.import_lease_held(job.pk), timeout=LEASE * 3, what="the lease")
    assert services.register_import_sweep()["requeued"] == 1
    job.refresh_from_db()
    assert (job.status, job.runs, job.created_count) == (ImportStatus.DONE, 2, ROWS)
    assert Resident.objects.filter(community=community).count() == before + ROWS
