from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.crypto import blind_index
from gongzhi.core.identity import validate_mobile

from .backends import find_user
from .models import ApiToken, User


@dataclass
class LoginResult:
    user: User | None
    error: str = ""


def login_check(request, *, login: str, password: str) -> LoginResult:
    """Authenticate and say, in Chinese, why not. One message for unknown login and wrong
    password so that the form does not tell which accounts exist."""
    user = find_user(login)
    if user is not None:
        if user.locked_until and user.locked_until > timezone.now():
            minutes = max(1, int((user.locked_until - timezone.now()).total_seconds() // 60) + 1)
            return LoginResult(
                None,
                _("密码错误次数过多，账号已锁定，请 %(m)d 分钟后再试，或联系社区工作人员。")
                % {"m": minutes},
            )
        if user.is_demo and not settings.DEMO_MODE:
            return LoginResult(None, _("演示账号只能在演示模式下登录。"))
    authed = authenticate(request, username=login, password=password)
    if authed is None:
        user = find_user(login)
        if user is not None and user.locked_until and user.locked_until > timezone.now():
            return LoginResult(
                None, _("密码错误次数过多，账号已锁定，请稍后再试，或联系社区工作人员。")
            )
        return LoginResult(None, _("账号或密码不正确。"))
    return LoginResult(authed)


def user_set_phone(*, user: User, phone: str) -> None:
    phone = validate_mobile(phone) if phone else ""
    user.phone = phone
    user.phone_bidx = blind_index(phone, purpose="phone") if phone else ""


@transaction.atomic
def api_token_issue(*, user: User) -> str:
    key = ApiToken.new_key()
    ApiToken.objects.create(user=user, key_hash=ApiToken.hash(key))
    audit.record(actor=user, action="accounts.api_token.created", obj=user)
    return key


def api_token_user(key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at and token.expires_at <= timezone.now():
        return None
    if token.user.is_demo and not settings.DEMO_MODE:
        return None
    if token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
