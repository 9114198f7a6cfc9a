"""Telling people what happened to an item: in-app notifications always, an SMS when the
person has a phone.

SMS goes through a pluggable backend named by ``settings.GONGZHI_SMS_BACKEND`` (like
Django's email backends): ``ConsoleSMSBackend`` prints to stdout (the demo),
``LocmemSMSBackend`` keeps messages in ``outbox`` (tests). A real gateway is one more class
with ``send_messages``.

Messages are queued (``core.tasks.enqueue``) only after the transaction commits, so a
refused or rolled-back step never sends anything; the worker claims each one before
sending, retries a failed gateway with backoff and never sends one twice. Phones are read
from their sealed columns at that moment and handed only to the backend; the audit log
gets masked numbers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.core import audit
from gongzhi.core.identity import mask_phone
from gongzhi.core.tasks import enqueue

from .models import Item, Notification, SMSStatus

log = logging.getLogger(__name__)

DEFAULT_BACKEND = "gongzhi.voices.notify.ConsoleSMSBackend"
SMS_PREFIX = "【共治】"


@dataclass(frozen=True)
class SMSMessage:
    to: str
    text: str


class BaseSMSBackend:
    def send_messages(self, messages: list[SMSMessage]) -> int:
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    """Prints each message with the number masked: the demo's console is not a phone."""

    def send_messages(self, messages: list[SMSMessage]) -> int:
        for message in messages:
            print(f"SMS to {mask_phone(message.to)}: {message.text}", flush=True)  # noqa: T201
        return len(messages)


class LocmemSMSBackend(BaseSMSBackend):
    """Keeps messages in ``LocmemSMSBackend.outbox``, for tests."""

    outbox: list[SMSMessage] = []

    def send_messages(self, messages: list[SMSMessage]) -> int:
        type(self).outbox.extend(messages)
        return len(messages)


def get_backend() -> BaseSMSBackend:
    path = getattr(settings, "GONGZHI_SMS_BACKEND", DEFAULT_BACKEND)
    return import_string(path)()


def notify(*, item: Item | None, text: str, residents: Iterable = (), users: Iterable = ()) -> int:
    """Create one notification per distinct person and queue an SMS to each who has a
    phone. A user who is the account of a listed resident is told once. Returns how many
    people were notified."""
    text = text[:300]
    seen_residents: set[int] = set()
    seen_users: set[int] = set()
    rows: list[Notification] = []
    for resident in residents:
        if resident is None or resident.pk in seen_residents:
            continue
        seen_residents.add(resident.pk)
        rows.append(Notification(item=item, resident=resident, text=text))
    for user in users:
        if user is None or user.pk in seen_users:
            continue
        if user.resident_id and user.resident_id in seen_residents:
            continue
        seen_users.add(user.pk)
        rows.append(Notification(item=item, user=user, text=text))
    if not rows:
        return 0
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None]
    from .tasks import send_sms_for_item_task, send_sms_task

    if ids:
        enqueue(send_sms_task, ids)
    else:  # backends that return no keys from bulk inserts
        enqueue(send_sms_for_item_task, item.pk if item is not None else None, text)
    return len(rows)


def notify_unit(*, item: Item, unit_id: int, text: str) -> int:
    """Tell the active logins of a partner unit about ``item``. The message, and so its
    SMS, reads as the unit reads the item: the reporters and the register's names, phones
    and ID numbers masked, the title too (``selectors.PartnerMask.message``)."""
    from gongzhi.accounts.models import User

    from .selectors import PartnerMask

    users = User.objects.filter(partner_unit_id=unit_id, is_active=True)
    return notify(item=item, text=PartnerMask().message(item, text), users=users)


def send_sms(notification_ids: list[int], *, now: dt.datetime | None = None) -> int:
    """Send the SMS of these notifications that are due, each at most once: they are
    claimed first (PENDING → SENDING), and only what this call claimed is sent. A gateway
    failure puts them back as PENDING with a later ``sms_next_try_at`` (30 s, 60 s, 120 s
    … after ``GONGZHI_SMS_RETRY_SECONDS``), or FAILED after the last attempt; the in-app
    notification stands either way. Returns how many messages the gateway took."""
    now = now or timezone.now()
    claimed = sms_claim(notification_ids, now=now)
    if not claimed:
        return 0
    notifications = list(
        Notification.objects.filter(pk__in=claimed)
        .select_related("resident", "user", "item")
        .order_by("pk")
    )
    messages: list[SMSMessage] = []
    sending: list[Notification] = []
    no_phone: list[int] = []
    masked: list[str] = []
    for notification in notifications:
        person = notification.resident or notification.user
        phone = getattr(person, "phone", "") if person is not None else ""
        if not phone:
            no_phone.append(notification.pk)
            continue
        messages.append(SMSMessage(to=phone, text=SMS_PREFIX + notification.text))
        sending.append(notification)
        masked.append(mask_phone(phone))
    if no_phone:
        Notification.objects.filter(pk__in=no_phone).update(sms_status=SMSStatus.NO_PHONE)
    if not messages:
        return 0
    try:
        get_backend().send_messages(messages)
    except Exception:
        # The in-app notification stands; a failed gateway must not undo the step.
        log.exception("SMS backend failed for %d messages", len(messages))
        _sms_retry_later(sending, now=now)
        return 0
    Notification.objects.filter(
        pk__in=[n.pk for n in sending], sms_status=SMSStatus.SENDING
    ).update(sms_status=SMSStatus.SENT)
    first = sending[0]
    audit.record(
        actor=None,
        action="voices.notification.sms_sent",
        object_type="voices.item",
        object_id=str(first.item_id or ""),
        object_repr=first.item.number if first.item_id else "",
        changes={"to": masked, "count": len(messages)},
    )
    return len(messages)


def send_sms_for_item(item_id: int | None, text: str) -> int:
    ids = list(
        Notification.objects.filter(
            item_id=item_id, text=text, sms_status=SMSStatus.PENDING
        ).values_list("pk", flat=True)
    )
    return send_sms(ids)


def sms_claim(notification_ids: list[int], *, now: dt.datetime) -> list[int]:
    """Take the due PENDING notifications among these for sending: PENDING → SENDING, one
    attempt more. Rows locked by another sender are skipped, and the update repeats the
    PENDING condition, so a notification is claimed by one caller only."""
    due = Q(sms_next_try_at__isnull=True) | Q(sms_next_try_at__lte=now)
    with transaction.atomic():
        candidates = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(due, pk__in=list(notification_ids), sms_status=SMSStatus.PENDING)
            .values_list("pk", flat=True)
        )
        if not candidates:
            return []
        claimed = Notification.objects.filter(
            pk__in=candidates, sms_status=SMSStatus.PENDING
        ).update(
            sms_status=SMSStatus.SENDING,
            sms_attempts=F("sms_attempts") + 1,
            sms_claimed_at=now,
            sms_next_try_at=None,
        )
    return (
        candidates
        if claimed == len(candidates)
        else list(
            Notification.objects.filter(
                pk__in=candidates, sms_status=SMSStatus.SENDING, sms_claimed_at=now
            ).values_list("pk", flat=True)
        )
    )


def sms_retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed try: the base, doubled each time."""
    return dt.timedelta(seconds=settings.GONGZHI_SMS_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def _sms_retry_later(notifications: list[Notification], *, now: dt.datetime) -> None:
    # sms_attempts on the instances is as claimed (the claim's F() was not re-read).
    attempts_by_pk = dict(
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).values_list(
            "pk", "sms_attempts"
        )
    )
    by_attempts: dict[int, list[int]] = {}
    for pk, attempts in attempts_by_pk.items():
        by_attempts.setdefault(attempts, []).append(pk)
    for attempts, pks in by_attempts.items():
        rows = Notification.objects.filter(pk__in=pks, sms_status=SMSStatus.SENDING)
        if attempts >= settings.GONGZHI_SMS_MAX_ATTEMPTS:
            rows.update(sms_status=SMSStatus.FAILED)
        else:
            rows.update(
                sms_status=SMSStatus.PENDING, sms_next_try_at=now + sms_retry_delay(attempts)
            )


# A claimed message still SENDING after this long lost its worker mid-send. Whether the
# gateway took it is unknown; it is marked FAILED rather than risk sending it twice.
SENDING_STUCK_AFTER = dt.timedelta(minutes=10)
SWEEP_BATCH = 200


def sms_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the messages due again after a failure (and any PENDING ones whose queued task
    was lost), and give up on those stuck in SENDING. Run by the schedule."""
    now = now or timezone.now()
    stuck = Notification.objects.filter(
        sms_status=SMSStatus.SENDING, sms_claimed_at__lt=now - SENDING_STUCK_AFTER
    ).update(sms_status=SMSStatus.FAILED)
    # Fresh PENDING rows belong to the task queued with them; only older ones are swept.
    due = Notification.objects.filter(
        Q(sms_next_try_at__lte=now)
        | Q(sms_next_try_at__isnull=True, created_at__lt=now - SENDING_STUCK_AFTER),
        sms_status=SMSStatus.PENDING,
    ).order_by("pk")
    sent = 0
    ids = list(due.values_list("pk", flat=True)[: SWEEP_BATCH * 10])
    for start in range(0, len(ids), SWEEP_BATCH):
        sent += send_sms(ids[start : start + SWEEP_BATCH], now=now)
    return {"sent": sent, "swept": len(ids), "given_up": stuck}
