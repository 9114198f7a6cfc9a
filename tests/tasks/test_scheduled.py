"""The scheduled tick never overlaps itself; key rotation can be handed to the workers."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from gongzhi.config.celery import app
from gongzhi.core import crypto
from gongzhi.core.models import AuditEvent
from gongzhi.core.tasks import task_lock
from gongzhi.places.models import Resident
from gongzhi.voices.tasks import voices_tick, voices_tick_task


def test_the_schedule_names_tasks_that_exist():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} == {
        "gongzhi.voices.tick",
        "gongzhi.renewal.tick",
        "gongzhi.register.import_sweep",
        "gongzhi.voices.sms_sweep",
        "gongzhi.deliberation.tick",
        "gongzhi.points.expire",
        "gongzhi.figures.refresh",
    }
    for entry in schedule.values():
        assert entry["task"] in app.tasks
    assert schedule["voices-tick"]["schedule"] == settings.GONGZHI_TICK_SECONDS == 120


def test_the_worker_acknowledges_late_and_takes_one_task_at_a_time():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_a_tick_while_another_runs_does_nothing(world):
    with task_lock("voices:tick", timeout=60) as held:
        assert held
        assert voices_tick() is None
        assert voices_tick_task() == "skipped: another tick is running"
        err = io.StringIO()
        call_command("voices_tick", stdout=io.StringIO(), stderr=err)
        assert err.getvalue() == "another tick is running; nothing done\n"
    outcome = voices_tick()
    assert outcome is not None
    assert outcome.report.warned == []


def test_the_command_and_the_task_run_the_same_tick(world):
    out = io.StringIO()
    call_command("voices_tick", stdout=out, stderr=io.StringIO())
    assert out.getvalue() == voices_tick_task() + "\n"


def test_rotate_keys_queue_reseals_in_chunks(world, django_capture_on_commit_callbacks):
    old = settings.GONGZHI_FIELD_KEYS
    new = "k9:" + crypto.generate_field_key()
    with override_settings(GONGZHI_FIELD_KEYS=f"{new},{old}"):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            call_command("rotate_keys", "--queue", stdout=out)
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM places_resident WHERE phone <> ''")
            assert "k9" not in {row[0].split("$")[0] for row in cursor.fetchall()}
        assert callbacks  # queued, not done
        for callback in callbacks:
            callback()
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM places_resident WHERE phone <> ''")
            assert {row[0].split("$")[0] for row in cursor.fetchall()} == {"k9"}
        with override_settings(GONGZHI_FIELD_KEYS=new):
            assert Resident.objects.get(name="张三").phone == "13812345678"
    assert "queued" in out.getvalue()
    event = AuditEvent.objects.get(action="core.keys.keys_rotated")
    assert event.changes["queued"] is True
