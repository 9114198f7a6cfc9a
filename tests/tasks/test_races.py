"""Two workers at once, on PostgreSQL (real row locks; SQLite serialises writers anyway):
a text message claimed by both is sent once; an import delivered twice runs once."""

from __future__ import annotations

import pytest
from django.db import connection

from gongzhi.places.models import Resident
from gongzhi.register import services as register
from gongzhi.register.models import ImportJob, ImportStatus
from gongzhi.voices import notify
from gongzhi.voices.models import Notification, SMSStatus
from tests.voices.test_concurrency import race

from .conftest import person, xlsx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")


def test_four_senders_of_the_same_messages_send_each_once(world, sms):
    notes = [
        Notification.objects.create(resident=world.residents[name], text="测试")
        for name in ("zhangsan", "lisi")
    ]
    ids = [n.pk for n in notes]

    results = race([lambda: notify.send_sms(ids) for _ in range(4)])

    assert sorted(result for _kind, result in results) == [0, 0, 0, 2]
    assert sorted(m.to for m in sms) == sorted({m.to for m in sms})
    assert len(sms) == 2
    assert set(Notification.objects.filter(pk__in=ids).values_list("sms_status", flat=True)) == {
        SMSStatus.SENT
    }
    assert set(Notification.objects.filter(pk__in=ids).values_list("sms_attempts", flat=True)) == {
        1
    }


def test_an_import_delivered_twice_at_once_runs_once(world):
    rows = 50
    job = ImportJob.objects.create(
        community=world.wj,
        uploaded_by=world.users["staff"],
        file_name="登记表.xlsx",
        upload=register._seal_upload(xlsx([person(n) for n in range(1, rows + 1)])),
    )
    before = Resident.objects.count()

    results = race([lambda: register.register_import_run(job_id=job.pk) for _ in range(2)])

    assert [kind for kind, _ in results] == ["ok", "ok"]
    job.refresh_from_db()
    assert (job.status, job.runs, job.created_count) == (ImportStatus.DONE, 1, rows)
    assert Resident.objects.count() == before + rows
