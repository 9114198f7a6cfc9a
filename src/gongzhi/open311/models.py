"""Open311 GeoReport v2: the keys that third-party clients post with, and what a posted
request brought that an item has no column for (coordinates, the client's address string,
media URL, contact) together with its token.

A request read through Open311 is an ``voices.Item``; its ``service_request_id`` is the
item's number, so items from every channel are readable the same way.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField
from gongzhi.places.models import Community
from gongzhi.voices.models import Item


class ApiKey(models.Model):
    """A client's key. Only a hash is stored; the key is shown once when issued. Requests
    posted with it are filed in its community and recorded as coming from its service
    account."""

    name = models.CharField(_("名称"), max_length=80)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters, so that staff can tell keys apart without the secret.
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="open311_keys", verbose_name=_("社区")
    )
    service_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="open311_keys",
        verbose_name=_("服务账号"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 接口密钥")
        verbose_name_plural = _("Open311 接口密钥")
        ordering = ["community_id", "name"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)


class ServiceRequest(models.Model):
    """An item that arrived through Open311, with what only this channel carries."""

    item = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="open311")
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="requests")
    token = models.CharField(max_length=40, unique=True)
    # The service the client chose; the item's own category is set when staff accept it.
    service_code = models.CharField(max_length=40)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address_string = models.CharField(max_length=200, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    # Contact details are personal data: sealed at rest and never sent in a response.
    email = EncryptedTextField(blank=True, default="")
    phone = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 请求")
        verbose_name_plural = _("Open311 请求")

    def __str__(self):
        return self.token
