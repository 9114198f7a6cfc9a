"""Login by username or mobile number, with lockout after repeated failures."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from gongzhi.core import audit
from gongzhi.core.crypto import blind_index
from gongzhi.core.identity import normalize_phone

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


class PhoneOrUsernameBackend(ModelBackend):
    """A locked account or a demo login outside demo mode raises PermissionDenied, which
    makes Django stop trying other backends. ``accounts.services.login_check`` asks the
    same questions first so that the person is told why."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_user(username)
        if user is None:
            # Same work as a real check, so timing does not tell which logins exist.
            User().set_password(password or "")
            return None
        now = timezone.now()
        if user.locked_until and user.locked_until > now:
            raise PermissionDenied
        if user.is_demo and not settings.DEMO_MODE:
            raise PermissionDenied
        if user.check_password(password or "") and self.user_can_authenticate(user):
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            return user
        register_failure(user)
        return None


def register_failure(user: User) -> None:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.failed_logins += 1
        fields = ["failed_logins"]
        if locked.failed_logins >= settings.LOGIN_MAX_FAILURES:
            locked.locked_until = timezone.now() + dt.timedelta(
                seconds=settings.LOGIN_LOCKOUT_SECONDS
            )
            locked.failed_logins = 0
            fields.append("locked_until")
            audit.record(actor=None, action="accounts.user.login_locked", obj=locked)
        locked.save(update_fields=fields)
