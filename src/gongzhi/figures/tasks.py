"""The roll-ups on the schedule (``config/celery.py``): every few minutes the worker
recounts the communities whose records changed (``figures.rollups``)."""

from __future__ import annotations

from celery import shared_task

from gongzhi.core.tasks import task_lock

from . import rollups


@shared_task(name="gongzhi.figures.refresh")
def refresh_task() -> str:
    # One round at a time: a slow round over a city must not be joined by the next.
    with task_lock("figures:refresh", timeout=3600) as held:
        if not held:
            return "skipped: another round is running"
        return f"recounted {len(rollups.refresh_stale())} community-years"
