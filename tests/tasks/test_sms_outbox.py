"""The SMS outbox: claimed before sending so nothing goes twice, retried with backoff after
a gateway failure, given up after five attempts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.voices import notify
from gongzhi.voices.models import Notification, SMSStatus


class BrokenBackend(notify.BaseSMSBackend):
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        raise ConnectionError("gateway down")


@pytest.fixture
def broken(settings):
    settings.GONGZHI_SMS_BACKEND = "tests.tasks.test_sms_outbox.BrokenBackend"
    BrokenBackend.calls = 0
    return BrokenBackend


def _note(world, resident="zhangsan", **fields) -> Notification:
    return Notification.objects.create(resident=world.residents[resident], text="测试", **fields)


def test_two_claims_give_one_sender(world):
    note = _note(world)
    now = timezone.now()
    first = notify.sms_claim([note.pk], now=now)
    second = notify.sms_claim([note.pk], now=now)
    assert (first, second) == ([note.pk], [])
    note.refresh_from_db()
    assert (note.sms_status, note.sms_attempts) == (SMSStatus.SENDING, 1)


def test_sending_twice_sends_once(world, sms):
    note = _note(world)
    assert notify.send_sms([note.pk]) == 1
    assert notify.send_sms([note.pk]) == 0
    assert [m.to for m in sms] == ["13812345678"]
    note.refresh_from_db()
    assert (note.sms_status, note.sms_attempts) == (SMSStatus.SENT, 1)


def test_a_claimed_message_is_not_sent_by_another_sender(world, sms):
    note = _note(world)
    notify.sms_claim([note.pk], now=timezone.now())  # another worker holds it
    assert notify.send_sms([note.pk]) == 0
    assert sms == []


def test_a_person_without_a_phone_is_marked_so(world, sms):
    resident = world.residents["zhangsan"]
    resident.phone = ""
    resident.save()
    note = _note(world)
    assert notify.send_sms([note.pk]) == 0
    note.refresh_from_db()
    assert note.sms_status == SMSStatus.NO_PHONE
    assert sms == []


def test_a_failed_gateway_is_retried_with_backoff_then_given_up(world, broken, settings):
    settings.GONGZHI_SMS_RETRY_SECONDS = 30
    settings.GONGZHI_SMS_MAX_ATTEMPTS = 5
    note = _note(world)
    now = timezone.now()
    waits = []
    for _attempt in range(5):
        assert notify.send_sms([note.pk], now=now) == 0
        note.refresh_from_db()
        if note.sms_status == SMSStatus.FAILED:
            break
        assert note.sms_status == SMSStatus.PENDING
        waits.append((note.sms_next_try_at - now).total_seconds())
        # Not due yet: a sender now claims nothing and the gateway is not called.
        calls = broken.calls
        assert notify.send_sms([note.pk], now=now) == 0
        assert broken.calls == calls
        now = note.sms_next_try_at
    assert waits == [30, 60, 120, 240]
    assert (note.sms_status, note.sms_attempts, broken.calls) == (SMSStatus.FAILED, 5, 5)


def test_the_sweep_sends_what_is_due_again(world, sms):
    now = timezone.now()
    due = _note(world, sms_next_try_at=now - dt.timedelta(seconds=1), sms_attempts=1)
    later = _note(world, resident="lisi", sms_next_try_at=now + dt.timedelta(seconds=60))
    fresh = _note(world, resident="lisi")  # its own queued task will send it

    outcome = notify.sms_sweep(now=now)

    assert outcome == {"sent": 1, "swept": 1, "given_up": 0}
    assert [m.to for m in sms] == ["13812345678"]
    statuses = dict(
        Notification.objects.filter(pk__in=[due.pk, later.pk, fresh.pk]).values_list(
            "pk", "sms_status"
        )
    )
    assert statuses == {due.pk: "sent", later.pk: "pending", fresh.pk: "pending"}


def test_a_message_stuck_sending_is_failed_never_resent(world, sms):
    now = timezone.now()
    stuck = _note(
        world,
        sms_status=SMSStatus.SENDING,
        sms_attempts=1,
        sms_claimed_at=now - dt.timedelta(minutes=30),
    )
    outcome = notify.sms_sweep(now=now)
    stuck.refresh_from_db()
    assert outcome["given_up"] == 1
    assert stuck.sms_status == SMSStatus.FAILED
    assert sms == []


def test_an_item_queues_its_messages_after_commit(world, sms, django_capture_on_commit_callbacks):
    from gongzhi.voices.enums import Channel, ItemKind
    from gongzhi.voices.services import item_submit

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = item_submit(
            actor=None,
            kind=ItemKind.PROBLEM,
            text="楼下路灯不亮",
            channel=Channel.PHONE,
            reporter_resident=world.residents["zhangsan"],
        )
    note = Notification.objects.get(item=item, resident=world.residents["zhangsan"])
    assert (note.sms_status, sms) == (SMSStatus.PENDING, [])
    for callback in callbacks:
        callback()
    note.refresh_from_db()
    assert note.sms_status == SMSStatus.SENT
    assert [m.to for m in sms] == ["13812345678"]
