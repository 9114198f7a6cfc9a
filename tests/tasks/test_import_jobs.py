"""Imports as jobs: the upload sealed on the job, one claim per job, and the sweep that
re-queues an import whose worker was lost or, after three runs, fails it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from gongzhi.core import crypto
from gongzhi.core.models import AuditEvent
from gongzhi.places.models import Resident
from gongzhi.register import services
from gongzhi.register.models import ImportJob, ImportStatus

from .conftest import person, xlsx

INTERRUPTED = "导入进程意外中断，未导入任何数据。请重新上传。"


def _queued_job(world, staff, rows=3) -> ImportJob:
    """A job as the upload page leaves it when a worker will run it."""
    data = xlsx([person(n) for n in range(1, rows + 1)])
    return ImportJob.objects.create(
        community=world.wj,
        uploaded_by=staff,
        file_name="登记表.xlsx",
        upload=services._seal_upload(data),
    )


def _as_if_lost(job: ImportJob, *, status=ImportStatus.IMPORTING, runs=1) -> None:
    """The row a killed worker leaves: running, counted, and no lease renewing it."""
    ImportJob.objects.filter(pk=job.pk).update(status=status, runs=runs)
    cache.delete(services._lease_key(job.pk))


def test_the_upload_is_sealed_on_the_job_and_dropped_when_done(world, staff):
    job = services.register_import_start(
        actor=staff, community=world.wj, file_name="登记表.xlsx", data=xlsx([person(1)])
    )
    assert (job.status, job.runs, job.created_count) == (ImportStatus.DONE, 1, 1)
    assert job.upload == ""  # ID numbers kept no longer than the job needs them


def test_the_stored_upload_is_not_readable_without_the_key(world, staff):
    job = _queued_job(world, staff)
    assert crypto.key_id_of(job.upload) == crypto.primary_key_id()
    # Neither the ID numbers nor the .xlsx itself in base64 ("UEsDB…" is "PK\x03\x04"):
    # sealed, not merely encoded. (Two random letters "PK" can occur in ciphertext.)
    assert "510402" not in job.upload and "UEsDB" not in job.upload
    assert services._open_upload(job.upload)[:2] == b"PK"  # the .xlsx, once opened


def test_a_second_delivery_of_the_same_task_does_nothing(world, staff):
    job = _queued_job(world, staff)
    services.register_import_run(job_id=job.pk)
    before = Resident.objects.count()

    services.register_import_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.runs, job.created_count) == (ImportStatus.DONE, 1, 3)
    assert Resident.objects.count() == before


def test_a_running_import_with_a_live_lease_is_left_alone(world, staff):
    job = _queued_job(world, staff)
    _as_if_lost(job)
    cache.set(services._lease_key(job.pk), "alive", timeout=60)
    try:
        outcome = services.register_import_sweep()
    finally:
        cache.delete(services._lease_key(job.pk))
    job.refresh_from_db()
    assert outcome == {"requeued": 0, "failed": 0, "nudged": 0}
    assert (job.status, job.runs) == (ImportStatus.IMPORTING, 1)


def test_the_sweep_requeues_a_lost_import_which_then_runs_once(
    world, staff, django_capture_on_commit_callbacks
):
    job = _queued_job(world, staff)
    _as_if_lost(job, status=ImportStatus.VALIDATING, runs=1)
    before = Resident.objects.count()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = services.register_import_sweep()
    job.refresh_from_db()
    assert outcome == {"requeued": 1, "failed": 0, "nudged": 0}
    assert (job.status, job.runs) == (ImportStatus.QUEUED, 1)
    event = AuditEvent.objects.get(action="register.import.interrupted")
    assert (event.changes["job"], event.changes["runs"], event.changes["outcome"]) == (
        job.pk,
        1,
        "requeued",
    )

    for callback in callbacks:  # the queued task, inline here
        callback()
    job.refresh_from_db()
    assert (job.status, job.runs, job.created_count) == (ImportStatus.DONE, 2, 3)
    assert Resident.objects.count() == before + 3


def test_after_three_runs_the_sweep_fails_the_job_with_a_chinese_message(world, staff, login):
    job = _queued_job(world, staff)
    _as_if_lost(job, runs=3)
    before = Resident.objects.count()

    outcome = services.register_import_sweep()

    job.refresh_from_db()
    assert outcome == {"requeued": 0, "failed": 1, "nudged": 0}
    assert (job.status, job.message, job.upload) == (ImportStatus.FAILED, INTERRUPTED, "")
    assert job.finished_at is not None
    assert Resident.objects.count() == before
    assert (
        AuditEvent.objects.get(action="register.import.interrupted").changes["outcome"] == "failed"
    )
    page = login(staff).get(reverse("register:job", args=[job.pk]))
    assert page.status_code == 200
    assert INTERRUPTED in page.content.decode()
    assert "未导入" in page.content.decode()


@pytest.mark.parametrize("runs", [1, 2])
def test_fewer_than_three_runs_are_requeued_not_failed(world, staff, runs):
    job = _queued_job(world, staff)
    _as_if_lost(job, runs=runs)
    services.register_import_sweep()
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    assert job.message == ""


def test_finished_jobs_are_never_swept(world, staff):
    job = _queued_job(world, staff)
    services.register_import_run(job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(runs=5)
    assert services.register_import_sweep() == {"requeued": 0, "failed": 0, "nudged": 0}
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE


def test_a_job_the_broker_lost_while_queued_is_queued_again(
    world, staff, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    job = _queued_job(world, staff)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.register_import_sweep()
    job.refresh_from_db()
    assert outcome["nudged"] == 1
    assert (job.status, job.runs) == (ImportStatus.DONE, 1)
