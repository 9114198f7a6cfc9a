"""enqueue: after commit, inline without a broker, with the request id of the caller."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from gongzhi.core.requestid import current_request_id, reset_request_id, set_request_id
from gongzhi.core.tasks import enqueue, task_lock

seen: list[tuple[int, str | None]] = []


@shared_task(name="tests.tasks.record")
def record(value: int) -> None:
    seen.append((value, current_request_id()))


@pytest.fixture(autouse=True)
def _clean():
    seen.clear()
    yield
    seen.clear()


def test_a_task_runs_only_after_commit_and_carries_the_request_id(
    db, django_capture_on_commit_callbacks
):
    token = set_request_id("req-1234")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            enqueue(record, 7)
        assert seen == []
        set_request_id("another-request")
        for callback in callbacks:
            callback()
    finally:
        reset_request_id(token)
    # The id of the request that queued it, not of whatever runs when it is sent.
    assert seen == [(7, "req-1234")]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_step_queues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(record, 1)
        raise RuntimeError("refused")
    enqueue(record, 2)  # no transaction: at once
    assert seen == [(2, None)]


def test_the_request_id_does_not_leak_out_of_an_inline_task(db, django_capture_on_commit_callbacks):
    token = set_request_id("outer")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            enqueue(record, 3)
        assert current_request_id() == "outer"
    finally:
        reset_request_id(token)
    assert seen == [(3, "outer")]


def test_task_lock_keeps_a_second_holder_out_until_released():
    cache.delete("lock:tests")
    with task_lock("tests", timeout=60) as first:
        with task_lock("tests", timeout=60) as second:
            assert (first, second) == (True, False)
        assert cache.get("lock:tests") is not None  # the loser did not free the winner's lock
    with task_lock("tests", timeout=60) as again:
        assert again is True
