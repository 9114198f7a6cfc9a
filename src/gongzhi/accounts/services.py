from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import audit
from gongzhi.core.crypto import blind_index
from gongzhi.core.identity import mask_phone, validate_mobile
from gongzhi.core.text import bounded_text
from gongzhi.orgs.models import PartnerUnit
from gongzhi.orgs.services import partner_unit_place, require_manage

from . import lockout
from .backends import Outcome, check_credentials
from .models import ApiToken, LoginFailure, User

# The one answer for an unknown login, a wrong password and a blocked or locked account,
# on the login page and from the API alike.
LOGIN_REFUSED = gettext_lazy("账号或密码不正确，或尝试次数过多，请稍后再试。")
DEMO_REFUSED = gettext_lazy("演示账号只能在演示模式下登录。")


@dataclass
class LoginResult:
    user: User | None
    error: str = ""


def login_check(request, *, login: str, password: str) -> LoginResult:
    """Authenticate, or say in Chinese that it did not work, without telling which
    accounts exist or which of them are blocked."""
    user, outcome = check_credentials(request, login, password)
    if outcome is Outcome.OK:
        return LoginResult(user)
    if outcome is Outcome.DEMO_REFUSED:
        return LoginResult(None, str(DEMO_REFUSED))
    return LoginResult(None, str(LOGIN_REFUSED))


def user_set_phone(*, user: User, phone: str) -> None:
    phone = validate_mobile(phone) if phone else ""
    user.phone = phone
    user.phone_bidx = blind_index(phone, purpose="phone") if phone else ""


# Failed logins.


@transaction.atomic
def login_failure_record(*, key: str, user: User | None, ip: str) -> None:
    """Count one refused login. Reaching the limit for a known account is written to the
    audit log; reaching the address cap too (a spray across accounts)."""
    now = timezone.now()
    LoginFailure.objects.filter(at__lt=lockout.window_start()).delete()
    LoginFailure.objects.create(login_key=key, user=user, ip=ip, at=now)
    pair, address = lockout.failure_counts(key, ip)
    if user is not None and pair == settings.LOGIN_MAX_FAILURES:
        audit.record(
            actor=None,
            action="accounts.user.login_locked",
            obj=user,
            changes={"ip": ip, "failures": pair},
        )
    if address == settings.LOGIN_MAX_FAILURES_PER_ADDRESS:
        audit.record(
            actor=None,
            action="accounts.login.address_blocked",
            object_type="accounts.loginfailure",
            object_repr=ip,
            changes={"ip": ip, "failures": address},
        )


def login_failures_clear_pair(*, key: str, ip: str) -> None:
    """A successful login forgets that pair's earlier mistakes."""
    LoginFailure.objects.filter(login_key=key, ip=ip).delete()


# Administrators: locks and accounts.


def _locked_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def user_lock(*, actor, user: User) -> User:
    """Lock an account until an administrator unlocks it; its tokens die with the lock."""
    user = _locked_user(user)
    if user.locked_at is not None:
        return user
    now = timezone.now()
    user.locked_at = now
    user.credentials_changed_at = now
    user.save(update_fields=["locked_at", "credentials_changed_at"])
    audit.record(actor=actor, action="accounts.user.locked", obj=user)
    return user


@transaction.atomic
def user_unlock(*, actor, user: User) -> User:
    """Lift an administrator's lock and every block of failed logins on the account.
    Tokens issued before the lock stay dead."""
    user = _locked_user(user)
    cleared, _per_model = LoginFailure.objects.filter(user=user).delete()
    was_locked = user.locked_at is not None
    if was_locked:
        user.locked_at = None
        user.save(update_fields=["locked_at"])
    if was_locked or cleared:
        audit.record(
            actor=actor,
            action="accounts.user.unlocked",
            obj=user,
            changes={"locked": was_locked, "failures_cleared": cleared},
        )
    return user


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> User:
    """Disable or re-enable an account. Disabling ends its tokens for good."""
    user = _locked_user(user)
    if user.is_active == active:
        return user
    user.is_active = active
    fields = ["is_active"]
    if not active:
        user.credentials_changed_at = timezone.now()
        fields.append("credentials_changed_at")
    user.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="accounts.user.enabled" if active else "accounts.user.disabled",
        obj=user,
    )
    return user


# API tokens.


@transaction.atomic
def api_token_issue(*, user: User, name: str = "") -> str:
    """A new token for ``user``, who has just proved their password (or is logged in).
    Returns the key, which is shown once; only its hash is kept."""
    name = (name or "").strip()
    if len(name) > 100:
        raise ValidationError({"name": [_("名称不能超过100个字。")]})
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash(key),
        expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS),
    )
    audit.record(
        actor=user,
        action="accounts.api_token.created",
        obj=token,
        changes={"name": name, "expires_at": token.expires_at.isoformat()},
    )
    return key


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke one token. The owner reaches only their own tokens through
    ``accounts.selectors``; administrators revoke any from the admin or a command."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="accounts.api_token.revoked", obj=token)
    return token


def api_token_user(key: str) -> User | None:
    """The user a bearer token stands for, or None if it is unknown, revoked, expired,
    issued before its user's credentials last changed, or its user may not log in."""
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(key)).first()
    if token is None or token.state() != "active":
        return None
    user = token.user
    if not user.is_active or user.locked_at is not None:
        return None
    if user.is_demo and not settings.DEMO_MODE:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


@transaction.atomic
def login_failures_clear(*, actor, ip: str) -> int:
    """Forget every failed login from one address (a shared office behind one address
    that tripped the cap), for an administrator."""
    cleared, _per_model = LoginFailure.objects.filter(ip=ip).delete()
    if cleared:
        audit.record(
            actor=actor,
            action="accounts.login.address_cleared",
            object_type="accounts.loginfailure",
            object_repr=ip,
            changes={"ip": ip, "failures_cleared": cleared},
        )
    return cleared


# Partner units' logins (共建单位账号), opened and closed by the community's staff.

# No 0/o, 1/l/i: the password is read aloud or copied from a screen once.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_USERNAME = re.compile(r"^[\w.@+-]+$")
USERNAME_MAX = 150


@dataclass
class NewLogin:
    user: User
    # Shown to the member of staff once, on the page that created the login; never stored.
    password: str


def _initial_password() -> str:
    groups = ("".join(secrets.choice(_PASSWORD_ALPHABET) for _n in range(4)) for _g in range(3))
    return "-".join(groups)


def _clean_username(username: str) -> str:
    username = bounded_text(
        username, field="username", limit=USERNAME_MAX, required=_("请填写登录用户名。")
    )
    if not _USERNAME.match(username):
        raise ValidationError(
            {"username": [_("用户名只能由字母、数字和 @ . + - _ 组成，不能有空格。")]}
        )
    if username.isdigit():
        # A login of digits would read as a mobile number at the login box.
        raise ValidationError({"username": [_("用户名不能全是数字；手机号请填在“手机号”一栏。")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": [_("用户名“%(name)s”已被使用，请换一个。") % {"name": username}]}
        )
    return username


@transaction.atomic
def partner_user_create(
    *, actor, unit: PartnerUnit, username: str, display_name: str, phone: str = ""
) -> NewLogin:
    """A login for a person of a partner unit. It sees only what is dispatched to the unit
    and nothing of the register. The initial password is returned once, to be handed over;
    the person logs in with it (or with the phone) and the unit's staff never see it again."""
    require_manage(actor, unit)
    locked = PartnerUnit.objects.select_for_update().get(pk=unit.pk)
    username = _clean_username(username)
    display_name = bounded_text(
        display_name, field="display_name", limit=50, required=_("请填写使用人姓名。")
    )
    user = User(username=username, display_name=display_name, partner_unit=locked)
    if phone and phone.strip():
        try:
            user_set_phone(user=user, phone=phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None
        if User.objects.filter(phone_bidx=user.phone_bidx).exists():
            raise ValidationError({"phone": [_("该手机号已绑定其他账号。")]})
    password = _initial_password()
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor,
        action="accounts.partner_user.created",
        obj=user,
        changes={
            "unit": locked.name,
            "username": username,
            "display_name": display_name,
            "phone": mask_phone(user.phone),
        },
        place=partner_unit_place(actor, locked),
    )
    return NewLogin(user=user, password=password)


@transaction.atomic
def partner_user_disable(*, actor, unit: PartnerUnit, user: User) -> User:
    """Close a partner unit's login: it can no longer log in, and its tokens and sessions
    end. Only an operator opens it again (the admin's *启用*)."""
    require_manage(actor, unit)
    locked = _locked_user(user)
    if locked.partner_unit_id != unit.pk:
        raise ValidationError({"user": [_("该账号不属于这个共建单位。")]})
    if not locked.is_active:
        raise ValidationError({"user": [_("该账号已经停用。")]})
    locked.is_active = False
    locked.credentials_changed_at = timezone.now()
    locked.save(update_fields=["is_active", "credentials_changed_at"])
    audit.record(
        actor=actor,
        action="accounts.partner_user.disabled",
        obj=locked,
        changes={"unit": unit.name},
        place=partner_unit_place(actor, unit),
    )
    return locked
