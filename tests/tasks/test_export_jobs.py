"""Large exports as jobs: written by a worker, sealed, for the requester only, deleted
after 24 hours; small ones stay in the request."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from gongzhi.core import crypto
from gongzhi.core.models import AuditEvent
from gongzhi.register import services
from gongzhi.register.models import ExportJob, ExportStatus


@pytest.fixture
def small_limit(settings):
    settings.GONGZHI_EXPORT_INLINE_MAX = 1


def _post(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("register:export"), data)


def test_a_large_export_becomes_a_job_for_the_requester_only(
    world, login, small_limit, django_capture_on_commit_callbacks
):
    staff = world.users["staff"]
    client = login(staff)
    response = _post(client, django_capture_on_commit_callbacks)

    job = ExportJob.objects.get(requested_by=staff)
    assert response.status_code == 302
    assert response["Location"] == reverse("register:export_job", args=[job.pk])
    assert job.status == ExportStatus.DONE
    assert job.row_count > 1
    assert crypto.key_id_of(job.file) == crypto.primary_key_id()  # sealed at rest
    assert job.expires_at - job.finished_at == dt.timedelta(hours=24)
    assert AuditEvent.objects.filter(action="register.export.completed").count() == 1

    page = client.get(reverse("register:export_job", args=[job.pk]))
    assert page.status_code == 200
    assert reverse("register:export_download", args=[job.pk]) in page.content.decode()

    download = client.get(reverse("register:export_download", args=[job.pk]))
    assert download.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(download.content)).active.values)
    assert len(rows) - 1 == job.row_count

    other = login(world.users["secretary"])  # same community, wider reach: still not theirs
    for name in ("register:export_job", "register:export_download"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404


def test_a_small_export_stays_in_the_request(world, login, django_capture_on_commit_callbacks):
    response = _post(login(world.users["staff"]), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ExportJob.objects.count() == 0


def test_a_full_export_job_is_refused_without_a_reason(
    world, login, small_limit, django_capture_on_commit_callbacks
):
    response = _post(login(world.users["staff"]), django_capture_on_commit_callbacks, reveal="on")
    assert response.status_code == 400
    assert ExportJob.objects.count() == 0


def test_a_full_export_job_keeps_its_reason(
    world, login, small_limit, django_capture_on_commit_callbacks
):
    response = _post(
        login(world.users["staff"]),
        django_capture_on_commit_callbacks,
        reveal="on",
        reason="home_visit",
    )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.status, job.reveal, job.reason) == (ExportStatus.DONE, True, "home_visit")
    event = AuditEvent.objects.get(action="register.export.revealed")
    assert event.changes["count"] == job.row_count


def test_a_job_is_written_once_and_deleted_after_a_day(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.register_export_start(actor=world.users["staff"])
    services.register_export_run(job_id=job.pk)  # a second delivery
    assert AuditEvent.objects.filter(action="register.export.completed").count() == 1

    job.refresh_from_db()
    assert services.register_export_purge(now=job.expires_at - dt.timedelta(minutes=1)) == 0
    assert services.register_export_purge(now=job.expires_at + dt.timedelta(minutes=1)) == 1
    assert not ExportJob.objects.filter(pk=job.pk).exists()


def test_a_job_still_being_written_offers_no_download(world, login):
    staff = world.users["staff"]
    job = ExportJob.objects.create(requested_by=staff, status=ExportStatus.RUNNING)
    client = login(staff)
    page = client.get(reverse("register:export_job", args=[job.pk]))
    assert "正在后台生成文件" in page.content.decode()
    download = client.get(reverse("register:export_download", args=[job.pk]))
    assert download.status_code == 302
    assert download["Location"] == reverse("register:export_job", args=[job.pk])
