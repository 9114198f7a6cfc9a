"""Compound governance in the test world: 民安巷小区 (grid 2, building 2, 王五) has an owners'
committee and a property company (安居物业) under contract for 2026; 甘露园 (grid 1,
building 1, 张三 and 李四) has no company and is self-managed, with one steward who has a
login. "Now" is Monday 8 June 2026, 10:00 Beijing time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongzhi.compounds import services
from gongzhi.orgs.models import PartnerUnit
from gongzhi.voices import services as voices
from gongzhi.voices.enums import Level
from gongzhi.voices.models import Category
from tests.world import make_user

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 6, 8, 10, 0, tzinfo=TZ)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGZHI_SMS_BACKEND = "gongzhi.voices.notify.LocmemSMSBackend"


@pytest.fixture
def minan(world):
    return world.b2.compound


@pytest.fixture
def ganluyuan(world):
    return world.b1.compound


@pytest.fixture
def company(world):
    return PartnerUnit.objects.create(
        name="攀枝花市安居物业服务有限公司", short_name="安居物业", kind="enterprise"
    )


@pytest.fixture
def contract(world, minan, company):
    return services.property_contract_create(
        actor=world.users["staff"],
        compound=minan,
        company=company,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        scope="公共区域保洁、绿化、公共设施维修、秩序维护",
        fee="0.80",
        contact_name="周经理",
        contact_phone="13500001111",
        manager_name="周经理",
    )


@pytest.fixture
def term(world, minan):
    return services.committee_term_create(
        actor=world.users["staff"],
        compound=minan,
        name="第一届",
        elected_on=dt.date(2024, 3, 1),
        starts_on=dt.date(2024, 3, 10),
        ends_on=dt.date(2029, 3, 9),
    )


@pytest.fixture
def group(world, ganluyuan):
    return services.self_management_create(
        actor=world.users["staff"],
        compound=ganluyuan,
        name="自治管理小组",
        started_on=dt.date(2023, 5, 1),
    )


@pytest.fixture
def steward_user(world, group):
    user = make_user("steward-lisi", resident=world.residents["lisi"])
    services.steward_add(
        actor=world.users["staff"],
        group=group,
        resident=world.residents["lisi"],
        duty="公共设施报修",
        user=user,
    )
    user.refresh_from_db()
    return user


@pytest.fixture
def property_category(db):
    return Category.objects.get_or_create(
        code="property_service", defaults={"name": "物业服务", "default_level": Level.GRID}
    )[0]


def stairwell_case(world, resident_key, category, *, level=Level.COMMUNITY):
    """A broken stairwell light reported by a resident, accepted by community staff."""
    item = voices.item_submit(
        actor=world.users["staff"],
        kind="problem",
        text="楼道灯坏了好几天，晚上上下楼看不见，老人容易摔",
        channel="visit",
        on_behalf_of=world.residents[resident_key],
        now=at(2026, 6, 5, 9),
    )
    return voices.item_accept(
        actor=world.users["staff"],
        item=item,
        category=category,
        level=level,
        now=at(2026, 6, 5, 10),
    )


@pytest.fixture
def minan_case(world, property_category):
    return stairwell_case(world, "wangwu", property_category)


@pytest.fixture
def ganluyuan_case(world, property_category):
    return stairwell_case(world, "zhangsan", property_category)


from tests.api.conftest import api_as  # noqa: E402,F401 — the JSON client fixture
