"""Love points in 望江街社区: "now" is 8 June 2026, 09:00 Beijing time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongzhi.points import services
from gongzhi.points.models import EarningRule

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 6, 8, 9, 0, tzinfo=TZ)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def zhangsan(world):
    return world.residents["zhangsan"]


@pytest.fixture
def earn(zhangsan):
    """Give a resident ``hours`` hours of service (10 points an hour) at ``on``."""
    counter = iter(range(1, 10_000))
    # Seeded by a migration; a transactional test before this one may have emptied it.
    EarningRule.objects.get_or_create(
        code="service_hour", defaults={"label": "志愿服务", "unit": "小时", "points": 10}
    )

    def _earn(hours=1, on=NOW, resident=None, key=None):
        return services.award(
            actor=None,
            resident=resident or zhangsan,
            rule_code="service_hour",
            quantity=hours,
            key=key or f"test:{next(counter)}",
            on=on,
        )

    return _earn


@pytest.fixture
def item(world):
    return services.item_create(
        actor=None, community=world.wj, name="大米一袋", price=30, stock=5, supplier=None
    )


from tests.api.conftest import api_as  # noqa: E402,F401 — the JSON client fixture
