"""Writes of the Open311 channel: issuing keys, checking them, and filing a posted request
as an item through ``voices.services.item_submit`` — the same intake as every other
channel, classification included."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import audit
from gongzhi.places.models import Building, Community
from gongzhi.voices import services as voices
from gongzhi.voices.enums import Channel, ItemKind
from gongzhi.voices.models import Category

from .models import ApiKey, ServiceRequest

# "3栋2单元501", "3号楼", "12A幢": the building number, the rest is below the building.
BUILDING_RE = re.compile(r"(\d+[A-Za-z]?)\s*(?:栋|幢|号楼|號樓|棟)")
LAST_USE_PRECISION = 300  # seconds: a busy client must not write the key row on every call


@transaction.atomic
def api_key_issue(*, actor, community: Community, name: str) -> tuple[ApiKey, str]:
    """Issue a key for a client filing into ``community``. Makes the key's service account
    (a login that cannot sign in and holds no post, so it sees nothing through the other
    APIs). Returns the key row and the key itself, which is not stored and shown once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写密钥名称。")})
    account = User(
        username=f"open311-{secrets.token_hex(4)}",
        display_name=_("开放接口：%(name)s") % {"name": name[:40]},
    )
    account.set_unusable_password()
    account.save()
    raw = ApiKey.new_key()
    key = ApiKey.objects.create(
        name=name[:80],
        key_hash=ApiKey.hash(raw),
        prefix=raw[:8],
        community=community,
        service_account=account,
    )
    audit.record(actor=actor, action="open311.api_key.issued", obj=key)
    return key, raw


def api_key_check(raw: str | None) -> ApiKey | None:
    """The active key matching ``raw``, or None."""
    if not raw:
        return None
    key = (
        ApiKey.objects.select_related("community", "service_account")
        .filter(key_hash=ApiKey.hash(raw), is_active=True, service_account__is_active=True)
        .first()
    )
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > LAST_USE_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def building_from_address(community: Community, address: str) -> Building | None:
    """The community's building named in an address such as "3栋2单元501", or None."""
    match = BUILDING_RE.search(address or "")
    if match is None:
        return None
    return Building.objects.filter(community=community, number__iexact=match.group(1)).first()


@dataclass(frozen=True)
class Posted:
    service_code: str
    description: str
    lat: Decimal | None = None
    long: Decimal | None = None
    address_string: str = ""
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    media_url: str = ""


@transaction.atomic
def request_submit(*, key: ApiKey, posted: Posted, idempotency_key: str = "") -> ServiceRequest:
    """File a posted request in the key's community. The item is submitted with
    ``actor=None`` — the channel has checked its key, and the service account holds no
    post that could file on someone's behalf — and the service account is named in the
    audit event. ``service_code`` must be an active category; the classifier still
    suggests one from the text, and staff confirm either when they accept the item.

    ``idempotency_key`` (the ``Idempotency-Key`` header) is the client's, per API key: a
    client that resends after a dropped connection gets back the request it filed."""
    if not Category.objects.filter(code=posted.service_code, is_active=True).exists():
        raise ValidationError({"service_code": _("未知的服务类型。")})
    building = building_from_address(key.community, posted.address_string)
    # Chinese order: family name first.
    reporter = f"{posted.last_name.strip()}{posted.first_name.strip()}"[:50]
    location = posted.address_string.strip()
    if not location and posted.lat is not None:
        location = f"{posted.lat},{posted.long}"
    item = voices.item_submit(
        actor=None,
        kind=ItemKind.PROBLEM,
        text=posted.description,
        channel=Channel.OPEN311,
        community=key.community,
        building=building,
        location_text=location[:120],
        reporter_name=reporter,
        idempotency_key=idempotency_key,
        idempotency_owner=f"open311:{key.pk}",
    )
    if idempotency_key:
        earlier = ServiceRequest.objects.filter(item=item).first()
        if earlier is not None:
            return earlier
    request = ServiceRequest.objects.create(
        item=item,
        api_key=key,
        token=secrets.token_urlsafe(16),
        service_code=posted.service_code,
        lat=posted.lat,
        long=posted.long,
        address_string=posted.address_string.strip()[:200],
        media_url=posted.media_url.strip()[:500],
        email=posted.email.strip()[:200],
        phone=posted.phone.strip()[:40],
    )
    audit.record(
        actor=key.service_account,
        action="open311.request.submitted",
        obj=item,
        changes={"key": key.prefix, "service_code": posted.service_code},
    )
    return request
