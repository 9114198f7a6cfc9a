"""Background work for voices: text messages, and the scheduled tick (warnings before a
deadline, reminders, supervision, automatic escalation) and SMS sweep
(``config/celery.py`` schedules both)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from gongzhi.core import workcal
from gongzhi.core.tasks import task_lock

from . import deadlines, notify

logger = logging.getLogger(__name__)


@dataclass
class TickOutcome:
    report: deadlines.TickReport
    # A year whose holiday schedule nobody has entered: its limits count Monday to Friday.
    missing_schedule_year: int | None


def voices_tick(*, now: dt.datetime | None = None) -> TickOutcome | None:
    """One tick (``deadlines.tick``), never two at once: None when another is running.
    The lock lapses after a few tick periods, so a worker that died holding it does not
    stop the schedule for long."""
    with task_lock("voices:tick", timeout=max(settings.GONGZHI_TICK_SECONDS * 5, 600)) as held:
        if not held:
            return None
        report = deadlines.tick(now=now)
        missing = workcal.missing_schedule_year(timezone.localdate(now) if now else None)
        return TickOutcome(report=report, missing_schedule_year=missing)


@shared_task(name="gongzhi.voices.tick")
def voices_tick_task() -> str:
    outcome = voices_tick()
    if outcome is None:
        return "skipped: another tick is running"
    report = outcome.report
    if outcome.missing_schedule_year is not None:
        logger.warning(
            "no holiday schedule for %s: its time limits count Monday to Friday",
            outcome.missing_schedule_year,
        )
    return (
        f"warned {len(report.warned)}, reminded {len(report.reminded)}, "
        f"supervised {len(report.supervised)}, escalated {len(report.escalated)}"
    )


@shared_task(name="gongzhi.voices.send_sms")
def send_sms_task(notification_ids: list[int]) -> int:
    return notify.send_sms(notification_ids)


@shared_task(name="gongzhi.voices.send_sms_for_item")
def send_sms_for_item_task(item_id: int | None, text: str) -> int:
    return notify.send_sms_for_item(item_id, text)


@shared_task(name="gongzhi.voices.sms_sweep")
def sms_sweep_task() -> dict[str, int]:
    with task_lock(
        "voices:sms_sweep", timeout=max(settings.GONGZHI_SWEEP_SECONDS * 5, 300)
    ) as held:
        if not held:
            return {"skipped": 1}
        return notify.sms_sweep()
