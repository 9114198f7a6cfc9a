"""Love points on the schedule: the year-end expiry (see ``config/celery.py``)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="gongzhi.points.expire")
def expire() -> int:
    """Post any expiry due. Run daily: on every day but the first of the year it finds
    nothing, and a day missed is caught up the next (the service is idempotent)."""
    return len(services.expire())
