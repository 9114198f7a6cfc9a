from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
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
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

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


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)
