"""Activities of 望江街社区. "Now" is Monday 8 June 2026, 09:00 Beijing time; the default
activity runs Tuesday 9 June 09:00–11:00, organised by a volunteer group."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongzhi.activities import services
from gongzhi.activities.enums import ActivityKind, ServiceArea

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 6, 8, 9, 0, tzinfo=TZ)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


# During the default activity.
DURING = at(2026, 6, 9, 9, 30)


@pytest.fixture
def group(world):
    return services.group_create(actor=None, community=world.wj, name="“银河”志愿队")


@pytest.fixture
def make_activity(world, group):
    def _make(publish=True, **kwargs):
        args = {
            "actor": None,
            "community": world.wj,
            "kind": ActivityKind.VOLUNTEER,
            "service_area": ServiceArea.ENVIRONMENT,
            "title": "楼道清洁",
            "starts_at": at(2026, 6, 9, 9, 0),
            "ends_at": at(2026, 6, 9, 11, 0),
            "capacity": 10,
            "group": group,
            "place": "甘露园1栋",
            "now": NOW,
        }
        args.update(kwargs)
        a = services.activity_create(**args)
        if publish:
            a = services.activity_publish(actor=None, activity=a, now=NOW)
        return a

    return _make


@pytest.fixture
def activity(make_activity):
    return make_activity()


from tests.api.conftest import api_as  # noqa: E402,F401 — the JSON client fixture
