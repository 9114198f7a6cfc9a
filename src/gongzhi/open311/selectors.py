"""Reads of the Open311 channel. GeoReport v2 makes service requests public, so these
read only what staff made public: published items (``voices.services.item_publish``),
never a private one. Anything else answers as if it did not exist — absent from lists,
404 by id. ``serializers`` shows the approved ``public_text`` and nothing below the
building."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Q, QuerySet

from gongzhi.voices.enums import Publication, Status
from gongzhi.voices.models import Category, Item

from .models import ServiceRequest

CLOSED = [Status.CLOSED, Status.MERGED, Status.WITHDRAWN]
MAX_REQUESTS = 1000


def services() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")


def service_get(code: str) -> Category | None:
    return services().filter(code=code).first()


def _requests() -> QuerySet[Item]:
    return (
        Item.objects.filter(publication=Publication.PUBLISHED, private=False)
        .select_related(
            "category",
            "suggested_category",
            "community",
            "grid",
            "compound",
            "building",
            "responsible_unit",
            "open311",
        )
        .annotate(updated_at=Max("events__at", filter=Q(events__public=True)))
    )


def request_list(
    *,
    ids: list[str] | None = None,
    codes: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    statuses: list[str] | None = None,
    community_id: int | None = None,
) -> list[Item]:
    """Requests newest first, at most ``MAX_REQUESTS``. ``ids`` (item numbers) override
    every other filter, as the specification says."""
    qs = _requests()
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    if ids:
        qs = qs.filter(number__in=ids)
    else:
        if codes:
            qs = qs.filter(
                Q(category__code__in=codes)
                | Q(category__isnull=True, open311__service_code__in=codes)
                | Q(category__isnull=True, open311__isnull=True, suggested_category__code__in=codes)
            )
        if start is not None:
            qs = qs.filter(submitted_at__gte=start)
        if end is not None:
            qs = qs.filter(submitted_at__lte=end)
        if statuses and set(statuses) != {"open", "closed"}:
            closed = Q(status__in=CLOSED)
            qs = qs.filter(closed if statuses == ["closed"] else ~closed)
    return list(qs.order_by("-submitted_at", "-pk")[:MAX_REQUESTS])


def request_get(number: str) -> Item | None:
    return _requests().filter(number=number).first()


def token_get(token: str) -> ServiceRequest | None:
    """A posted request by its token, published or not: the token is the poster's own
    secret, and tells them only the id they were given when they posted."""
    return ServiceRequest.objects.select_related("item").filter(token=token).first()
