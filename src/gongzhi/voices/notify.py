"""Telling people what happened to an item: in-app notifications always, an SMS when the
person has a phone.

SMS goes through a pluggable backend named by ``settings.GONGZHI_SMS_BACKEND`` (like
Django's email backends): ``ConsoleSMSBackend`` prints to stdout (the demo),
``LocmemSMSBackend`` keeps messages in ``outbox`` (tests). A real gateway is one more class
with ``send_messages``.

Messages leave only after the transaction commits, so a refused or rolled-back step never
sends anything. Phones are read from their sealed columns at that moment and handed only
to the backend; the audit log gets masked numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from gongzhi.core import audit
from gongzhi.core.identity import mask_phone

from .models import Item, Notification

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
    if ids:
        transaction.on_commit(lambda: send_sms(ids))
    else:  # backends that return no keys from bulk inserts
        transaction.on_commit(lambda: send_sms_for_item(item, text))
    return len(rows)


def notify_unit(*, item: Item, unit_id: int, text: str) -> int:
    """Tell the active logins of a partner unit about ``item``. The message, and so its
    SMS, reads as the unit reads the item: the reporters and the register's names, phones
    and ID numbers masked, the title too (``selectors.PartnerMask.message``)."""
    from gongzhi.accounts.models import User

    from .selectors import PartnerMask

    users = User.objects.filter(partner_unit_id=unit_id, is_active=True)
    return notify(item=item, text=PartnerMask().message(item, text), users=users)


def send_sms(notification_ids: list[int]) -> int:
    """Send the SMS of these notifications (those with a phone) and mark them sent."""
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, sms_sent=False).select_related(
            "resident", "user"
        )
    )
    return _send(notifications)


def send_sms_for_item(item: Item | None, text: str) -> int:
    notifications = list(
        Notification.objects.filter(item=item, text=text, sms_sent=False).select_related(
            "resident", "user"
        )
    )
    return _send(notifications)


def _send(notifications: list[Notification]) -> int:
    messages: list[SMSMessage] = []
    sent: list[int] = []
    masked: list[str] = []
    for notification in notifications:
        person = notification.resident or notification.user
        phone = getattr(person, "phone", "") if person is not None else ""
        if not phone:
            continue
        messages.append(SMSMessage(to=phone, text=SMS_PREFIX + notification.text))
        sent.append(notification.pk)
        masked.append(mask_phone(phone))
    if not messages:
        return 0
    try:
        get_backend().send_messages(messages)
    except Exception:
        # The in-app notification stands; a failed gateway must not undo the step.
        log.exception("SMS backend failed for %d messages", len(messages))
        return 0
    Notification.objects.filter(pk__in=sent).update(sms_sent=True)
    first = notifications[0]
    audit.record(
        actor=None,
        action="voices.notification.sms_sent",
        object_type="voices.item",
        object_id=str(first.item_id or ""),
        object_repr=first.item.number if first.item_id else "",
        changes={"to": masked, "count": len(messages)},
    )
    return len(messages)
