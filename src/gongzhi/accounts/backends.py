"""Login by username or mobile number. Refusals are counted per (account, address) and per
address (``accounts.lockout``); every way in — the login page, the API's token endpoint,
the Django admin's login — goes through ``check_credentials``."""

from __future__ import annotations

import enum

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from gongzhi.core.crypto import blind_index
from gongzhi.core.identity import normalize_phone
from gongzhi.core.middleware import client_address

from . import lockout
from .models import User


def find_user(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    user = User.objects.filter(username=login).first()
    if user is None:
        phone = normalize_phone(login)
        if phone.isdigit():
            user = User.objects.filter(phone_bidx=blind_index(phone, purpose="phone")).first()
    return user


class Outcome(enum.Enum):
    OK = "ok"
    # Unknown login, wrong password, blocked, locked or disabled: one answer for all.
    REFUSED = "refused"
    # The right password of a demo login outside demo mode; saying so tells nothing to
    # someone who did not know the password.
    DEMO_REFUSED = "demo_refused"


def _same_work_as_a_check(password: str) -> None:
    # Hash anyway, so that the time taken does not tell refusals apart.
    User().set_password(password or "")


def check_credentials(request, login: str, password: str) -> tuple[User | None, Outcome]:
    from .services import login_failure_record, login_failures_clear_pair

    ip = client_address(request)
    user = find_user(login)
    key = lockout.login_key(login, user)
    if lockout.is_blocked(key, ip):
        _same_work_as_a_check(password)
        return None, Outcome.REFUSED
    if user is None:
        _same_work_as_a_check(password)
        login_failure_record(key=key, user=None, ip=ip)
        return None, Outcome.REFUSED
    password_ok = user.check_password(password or "")
    if password_ok and user.is_active and user.locked_at is None:
        if user.is_demo and not settings.DEMO_MODE:
            return None, Outcome.DEMO_REFUSED
        login_failures_clear_pair(key=key, ip=ip)
        return user, Outcome.OK
    login_failure_record(key=key, user=user, ip=ip)
    return None, Outcome.REFUSED


class PhoneOrUsernameBackend(ModelBackend):
    """``authenticate()`` for Django's own callers (the admin's login form). Raising
    PermissionDenied stops Django from trying another backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user, outcome = check_credentials(request, username, password)
        if outcome is Outcome.DEMO_REFUSED:
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        # A session outlives neither an administrator's lock nor the account being disabled.
        user = super().get_user(user_id)
        if user is not None and user.locked_at is not None:
            return None
        return user
