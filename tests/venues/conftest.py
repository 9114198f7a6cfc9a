"""A venue of 望江街社区 open Monday to Friday 08:30–12:00 and 14:00–17:30, Saturday
09:00–17:00; "now" is Monday 8 June 2026, 09:00 Beijing time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongzhi.venues import services
from gongzhi.venues.enums import VenueKind

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 6, 8, 9, 0, tzinfo=TZ)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def venue(world):
    v = services.venue_create(
        actor=None,
        community=world.wj,
        kind=VenueKind.PARTY_POSITION,
        name="党群服务中心活动室",
        capacity=40,
        needs_approval=True,
    )
    services.venue_set_hours(actor=None, venue=v, text="1-5 08:30-12:00 14:00-17:30\n6 09:00-17:00")
    return v


@pytest.fixture
def book(world, venue):
    """Book ``venue`` as the grid chief on Tuesday 9 June (by default 09:00–11:00)."""

    def _book(start=(9, 0), end=(11, 0), day=9, actor=None, **kwargs):
        args = {
            "actor": actor or world.users["grid"],
            "venue": venue,
            "starts_at": at(2026, 6, day, *start),
            "ends_at": at(2026, 6, day, *end),
            "purpose": "网格议事会",
            "expected": 12,
            "organiser": "第一网格居民代表",
            "now": NOW,
        }
        args.update(kwargs)
        return services.booking_request(**args)

    return _book


from tests.api.conftest import api_as  # noqa: E402,F401 — the JSON client fixture
