"""Who may try a password now. Failures are counted per (account, client address) and per
address, within a sliding window (``LOGIN_FAILURE_WINDOW_SECONDS``):

- ``LOGIN_MAX_FAILURES`` for one pair block that pair only, so the owner logging in from
  home is not locked out by someone guessing from elsewhere;
- ``LOGIN_MAX_FAILURES_PER_ADDRESS`` across all accounts block the address (a spray).

Unknown logins are counted exactly like known ones, so being blocked says nothing about
whether an account exists. The writes are ``accounts.services.login_failure_record`` and
``login_failures_clear``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.core.crypto import blind_index
from gongzhi.core.identity import normalize_phone

from .models import LoginFailure, User


def login_key(login: str, user: User | None) -> str:
    """One key per account whatever spelling found it (username, 139-…, +86 …); for an
    unknown login a keyed hash of its normal form."""
    if user is not None:
        return f"u:{user.pk}"
    typed = (login or "").strip()
    phone = normalize_phone(typed)
    return "h:" + blind_index(phone if phone.isdigit() else typed, purpose="login")


def window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def failure_counts(key: str, ip: str) -> tuple[int, int]:
    """(failures of this pair, failures of this address) within the window, in one query."""
    counts = LoginFailure.objects.filter(ip=ip, at__gte=window_start()).aggregate(
        address=Count("id"), pair=Count("id", filter=Q(login_key=key))
    )
    return counts["pair"], counts["address"]


def is_blocked(key: str, ip: str) -> bool:
    pair, address = failure_counts(key, ip)
    return pair >= settings.LOGIN_MAX_FAILURES or address >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS


def blocked_addresses(user: User) -> list[str]:
    """The addresses from which ``user``'s account is blocked now, for the administrator."""
    return list(
        LoginFailure.objects.filter(user=user, at__gte=window_start())
        .values("ip")
        .annotate(failures=Count("id"))
        .filter(failures__gte=settings.LOGIN_MAX_FAILURES)
        .order_by("ip")
        .values_list("ip", flat=True)
    )
