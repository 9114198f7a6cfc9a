"""Queueing background work, and the request id that follows it.

``enqueue`` is the one way code queues a task: after the surrounding transaction commits
(a rolled-back step queues nothing, and the worker never reads a row that is not there
yet), with the id of the request that queued it in the message headers, so the task's log
lines carry the same id. Without a broker the task runs inline at that moment.

Also here: ``task_lock``, a cache lock that keeps a scheduled task from overlapping
itself, and key rotation in chunks (``manage.py rotate_keys --queue``).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator

from celery import shared_task, signals
from django.apps import apps
from django.core.cache import cache
from django.db import transaction

from . import crypto
from .requestid import current_request_id, reset_request_id, set_request_id

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "gongzhi_request_id"


def enqueue(task, *args, **kwargs) -> None:
    """Queue ``task(*args, **kwargs)`` once the current transaction commits (at once when
    there is none). Arguments must be plain JSON values: ids, not model instances."""
    request_id = current_request_id()

    def send() -> None:
        task.apply_async(args=args, kwargs=kwargs, headers={REQUEST_ID_HEADER: request_id})

    transaction.on_commit(send)


def _request_id_of(task) -> str | None:
    request = task.request
    value = getattr(request, REQUEST_ID_HEADER, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(REQUEST_ID_HEADER)
    return value


_tokens: dict[str, object] = {}


@signals.task_prerun.connect
def _task_prerun(task_id=None, task=None, **_kwargs) -> None:
    if task is None or task_id is None:
        return
    _tokens[task_id] = set_request_id(_request_id_of(task))


@signals.task_postrun.connect
def _task_postrun(task_id=None, **_kwargs) -> None:
    token = _tokens.pop(task_id, None) if task_id else None
    if token is not None:
        with contextlib.suppress(ValueError):
            # A token from another context (an eager task inside a request) is dropped.
            reset_request_id(token)


@contextlib.contextmanager
def task_lock(name: str, *, timeout: float) -> Iterator[bool]:
    """Hold ``name`` for at most ``timeout`` seconds; yields False when someone else holds
    it. The cache must be shared by every worker (Redis in production) for this to keep
    two workers apart; ``timeout`` frees the lock of a worker that died holding it."""
    key = f"lock:{name}"
    token = uuid.uuid4().hex
    acquired = cache.add(key, token, timeout=timeout)
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == token:
            cache.delete(key)


# --------------------------------------------------------------------------- keys


def encrypted_fields(model) -> list:
    from .fields import EncryptedTextField

    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def reseal_rows(*, model_label: str, pks: list, reindex: bool = False) -> int:
    """Re-seal the personal data of these rows under the primary key (and recompute their
    blind indexes when ``reindex``), in one transaction with the rows locked. Running it
    twice is harmless: a value already under the primary key is sealed again."""
    model = apps.get_model(model_label)
    fields = encrypted_fields(model)
    indexes = getattr(model, "BLIND_INDEXES", {}) if reindex else {}
    with transaction.atomic():
        rows = list(model._default_manager.select_for_update().filter(pk__in=pks))
        for row in rows:
            for source, (target, purpose) in indexes.items():
                value = getattr(row, source)
                setattr(row, target, crypto.blind_index(value, purpose=purpose) if value else "")
        update_fields = [f.name for f in fields] + [t for t, _p in indexes.values()]
        if rows and update_fields:
            model._default_manager.bulk_update(rows, update_fields)
    return len(rows)


@shared_task(name="gongzhi.core.reseal_rows")
def reseal_rows_task(model_label: str, pks: list, reindex: bool = False) -> int:
    return reseal_rows(model_label=model_label, pks=pks, reindex=reindex)
