from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Page(LimitOffsetPagination):
    """``?limit=&offset=``; answers ``{"items": [...], "count": n}``. A page is capped so
    that no single request walks a whole city's register."""

    MAX = 200

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="每页条数（最多200）")
        offset: int = Field(0, ge=0, description="跳过的条数")

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
