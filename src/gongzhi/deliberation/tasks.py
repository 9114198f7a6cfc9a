"""The deliberation tick: reminders of tasks due within a working day (``config/celery.py``
schedules it next to the voices tick)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings

from gongzhi.core.tasks import task_lock

from . import services


def deliberation_tick(*, now: dt.datetime | None = None) -> int | None:
    """Send the due reminders once; None when another tick holds the lock."""
    with task_lock(
        "deliberation:tick", timeout=max(settings.GONGZHI_TICK_SECONDS * 5, 600)
    ) as held:
        if not held:
            return None
        return services.tasks_remind(now=now)


@shared_task(name="gongzhi.deliberation.tick")
def deliberation_tick_task() -> str:
    sent = deliberation_tick()
    return "skipped: another tick is running" if sent is None else f"reminded {sent}"
