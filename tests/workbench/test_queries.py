"""Query-count guards: every list page costs the same with one row as with many."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gongzhi.places import services
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Building, Community, Compound, Entrance, Grid
from tests.world import _building

from .conftest import add_household, add_resident

OLD = dt.date(1940, 5, 6)


def test_building_with_one_or_many_households(world, login, same_queries):
    # Building 2 holds one household; add nine more, with residents, tags and elders.
    def grow():
        for i in range(3, 12):
            add_household(
                world.b2,
                1,
                f"{(i % 6) + 1}0{i}",
                (i % 6) + 1,
                (f"住户{i}", OLD, ["alone", "key_care"]),
                (f"家人{i}", dt.date(1990, 1, 1), []),
            )

    small, big = same_queries(
        login(world.users["secretary"]), reverse("wb-building", args=[world.b2.pk]), grow
    )
    assert small.count('class="hh"') == 1
    assert big.count('class="hh"') == 10


def test_household_with_one_or_many_residents(world, login, same_queries):
    household = world.households["1-1-101"]

    def grow():
        for i in range(4):
            add_resident(household, f"成员{i}", born=OLD, tags=["disabled", "low_income"])

    small, big = same_queries(
        login(world.users["grid"]), reverse("wb-household", args=[household.pk]), grow
    )
    assert small.count('id="pii-') == 2
    assert big.count('id="pii-') == 10


def test_resident_history_with_one_or_many_changes(world, login, same_queries):
    zhangsan = world.residents["zhangsan"]

    def grow():
        for status in [ResidentStatus.MOVED_OUT, ResidentStatus.LIVING, ResidentStatus.MOVED_OUT]:
            services.resident_set_status(
                actor=world.users["grid"], resident=zhangsan, status=status
            )

    small, big = same_queries(
        login(world.users["grid"]), reverse("wb-resident", args=[zhangsan.pk]), grow
    )
    assert small.count('<td data-label="变更">登记 → 在住</td>') == 1
    assert big.count("→ 已迁出") == 2


def test_compound_with_one_or_many_buildings(world, login, same_queries):
    compound = Compound.objects.get(pk=world.b1.compound_id)

    def grow():
        for n in ["5", "6", "7"]:
            b = _building(world.wj, world.g1, compound, n)
            add_household(b, 1, "101", 1, ("新居民", OLD, []))

    small, big = same_queries(
        login(world.users["grid"]), reverse("wb-compound", args=[compound.pk]), grow
    )
    assert small.count("/building/") == 1
    assert big.count("/building/") == 4


def test_grid_with_one_or_many_compounds(world, login, same_queries):
    def grow():
        for name in ["东苑", "西苑", "南苑"]:
            c = Compound.objects.create(community=world.wj, grid=world.g1, name=name)
            _building(world.wj, world.g1, c, f"{name}1")

    small, big = same_queries(
        login(world.users["grid"]), reverse("wb-grid", args=[world.g1.pk]), grow
    )
    assert small.count("/compound/") == 1
    assert big.count("/compound/") == 4


def test_community_with_one_or_many_grids(world, login, same_queries):
    def grow():
        for i in range(3, 6):
            g = Grid.objects.create(community=world.wj, code=f"WJ-G{i}", name=f"第{i}网格")
            c = Compound.objects.create(community=world.wj, grid=g, name=f"小区{i}")
            b = _building(world.wj, g, c, f"{i}0")
            add_household(b, 1, "101", 1, ("居民", OLD, []))

    small, big = same_queries(
        login(world.users["secretary"]), reverse("wb-community", args=[world.wj.pk]), grow
    )
    assert small.count("/grid/") == 2
    assert big.count("/grid/") == 5


def test_home_with_one_or_many_communities(world, login, same_queries):
    def grow():
        for i in range(3, 6):
            c = Community.objects.create(
                subdistrict=world.sd, code=f"51040200100{i}", name=f"新社区{i}"
            )
            g = Grid.objects.create(community=c, code=f"N{i}", name="网格")
            cp = Compound.objects.create(community=c, grid=g, name="小区")
            _building(c, g, cp, "1")

    small, big = same_queries(login(world.users["subdistrict"]), reverse("home"), grow)
    assert small.count("/community/") == 2
    assert big.count("/community/") == 5
    assert Building.objects.count() == 6 and Entrance.objects.count() >= 6


def test_resident_visits_with_one_or_many(world, login, same_queries):
    zhangsan = world.residents["zhangsan"]
    today = timezone.localdate()

    def grow():
        for days in range(1, 14):
            services.contact_log_create(
                actor=world.users["building"],
                resident=zhangsan,
                visited_on=today - dt.timedelta(days=days),
                note=f"第{days}次",
            )

    services.contact_log_create(actor=world.users["grid"], resident=zhangsan, visited_on=today)
    small, big = same_queries(
        login(world.users["grid"]), reverse("wb-resident", args=[zhangsan.pk]), grow
    )
    assert small.count('data-label="走访日期"') == 1
    assert big.count('data-label="走访日期"') == 10  # the latest ten
