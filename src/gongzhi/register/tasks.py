"""Background work for the register: imports, large exports, and the sweep that finds
imports whose worker was lost and deletes exports past their time (``config/celery.py``
schedules it)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from gongzhi.core.tasks import task_lock

from . import services


@shared_task(
    name="gongzhi.register.import_run",
    soft_time_limit=settings.GONGZHI_IMPORT_TIME_LIMIT,
    time_limit=settings.GONGZHI_IMPORT_TIME_LIMIT + 60,
)
def register_import_task(job_id: int) -> None:
    services.register_import_run(job_id=job_id)


@shared_task(name="gongzhi.register.import_sweep")
def register_import_sweep_task() -> dict[str, int]:
    with task_lock(
        "register:import_sweep", timeout=max(settings.GONGZHI_SWEEP_SECONDS * 5, 300)
    ) as held:
        if not held:
            return {"skipped": 1}
        outcome = services.register_import_sweep()
        outcome["exports_deleted"] = services.register_export_purge()
        return outcome


@shared_task(
    name="gongzhi.register.export_run",
    soft_time_limit=settings.GONGZHI_IMPORT_TIME_LIMIT,
    time_limit=settings.GONGZHI_IMPORT_TIME_LIMIT + 60,
)
def register_export_task(job_id: int) -> None:
    services.register_export_run(job_id=job_id)
