from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField
from gongzhi.core.identity import mask_phone


class User(AbstractUser):
    """A login. Reach comes from posts (``orgs.Post``), from being a resident (own
    household), or from belonging to a partner unit (dispatched work only)."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    phone_bidx = models.CharField(
        max_length=40, blank=True, default="", db_index=True, editable=False
    )
    resident = models.OneToOneField(
        "places.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("居民"),
    )
    partner_unit = models.ForeignKey(
        "orgs.PartnerUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("共建单位"),
    )
    is_demo = models.BooleanField(_("演示账号"), default=False)
    # Set by an administrator (``user_lock``), never by failed logins: those only block the
    # address they come from (``LoginFailure``), so nobody can lock someone else out.
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True, editable=False)
    # Tokens issued before this moment are refused: a password change, a lock or disabling
    # the account moves it forward (``accounts.services.api_token_user``).
    credentials_changed_at = models.DateTimeField(
        _("凭据变更时间"), null=True, blank=True, editable=False
    )

    BLIND_INDEXES = {"phone": ("phone_bidx", "phone")}

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_bidx"], condition=~models.Q(phone_bidx=""), name="user_unique_phone"
            )
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def set_password(self, raw_password):
        # Here rather than in a service so that every way of changing a password (the
        # admin's form, ``changepassword``, a service) ends the tokens issued before it.
        super().set_password(raw_password)
        self.credentials_changed_at = timezone.now()


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a hash is stored; the token is shown once. It
    works until it expires or is revoked, and never past a change of its user's
    credentials (``User.credentials_changed_at``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100, blank=True, default="")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_created")]

    def __str__(self):
        return f"{self.user} · {self.name or self.created_at.strftime('%Y-%m-%d')}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    def state(self, now=None) -> str:
        """``active``, ``expired``, ``revoked`` or ``superseded`` (issued before the
        user's credentials last changed)."""
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        changed = self.user.credentials_changed_at
        if changed and self.created_at < changed:
            return "superseded"
        if self.expires_at <= now:
            return "expired"
        return "active"


class LoginFailure(models.Model):
    """One refused login (wrong password, unknown login, locked or disabled account) from
    one client address. ``accounts.lockout`` counts them per (account, address) and per
    address within ``LOGIN_FAILURE_WINDOW_SECONDS``; older rows are pruned."""

    # ``u:<user id>`` for a known account, else a keyed hash of what was typed (which may
    # be someone's password typed in the wrong box, so it is never stored as such).
    login_key = models.CharField(max_length=48)
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="login_failures",
        verbose_name=_("用户"),
    )
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        indexes = [
            models.Index(fields=["ip", "at"], name="loginfailure_ip_at"),
            models.Index(fields=["login_key", "ip", "at"], name="loginfailure_key_ip_at"),
            models.Index(fields=["at"], name="loginfailure_at"),
        ]

    def __str__(self):
        return f"{self.user or self.login_key[:10]} · {self.ip} · {self.at:%Y-%m-%d %H:%M}"
