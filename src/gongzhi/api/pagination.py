from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 200
# Past any list a person pages through (a city's register is about a million rows), and
# far below the 2**63 at which the database's integers overflow.
MAX_OFFSET = 1_000_000


class Page(LimitOffsetPagination):
    """``?limit=&offset=``; answers ``{"items": [...], "count": n}``. A page is capped so
    that no single request walks a whole city's register, and the offset is bounded, so
    both are refused with 422 rather than sent to the database."""

    MAX = MAX_LIMIT

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"跳过的条数（0–{MAX_OFFSET:,}）")

    def __init__(self, **kwargs):
        super().__init__(max_limit=self.MAX, **kwargs)


class Mapped:
    """A queryset that the paginator counts and slices in SQL, turned into output rows only
    for the page that is sent."""

    def __init__(self, queryset, convert):
        self.queryset, self.convert = queryset, convert

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        return [self.convert(obj) for obj in self.queryset[index]]
