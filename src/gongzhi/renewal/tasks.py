"""The renewal tick: rounds whose time for opinions has passed are closed, so a resident
opening the page after the deadline is told the round is over rather than writing into
it. Scheduled by ``config/celery.py`` beside the voices tick."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from gongzhi.core.tasks import task_lock

from . import services


def renewal_tick(*, now: dt.datetime | None = None) -> int | None:
    """Closed rounds, or None when another tick is running."""
    with task_lock("renewal:tick", timeout=600) as held:
        if not held:
            return None
        return services.round_sweep(now=now)


@shared_task(name="gongzhi.renewal.tick")
def renewal_tick_task() -> str:
    closed = renewal_tick()
    if closed is None:
        return "skipped: another tick is running"
    return f"rounds closed: {closed}"
