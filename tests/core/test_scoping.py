"""The role × scope matrix for reading the register: who sees which residents."""

import pytest

from gongzhi.core.scoping import scope_for
from gongzhi.places.models import Building, Community, Household, Resident
from gongzhi.places.selectors import resident_list_visible_to

ALL = {"zhangsan", "lisi", "wangwu", "zhaoliu"}

EXPECTED_RESIDENTS = {
    "admin": ALL,
    "subdistrict": ALL,
    "secretary": {"zhangsan", "lisi", "wangwu"},
    "staff": {"zhangsan", "lisi", "wangwu"},
    "grid": {"zhangsan", "lisi"},
    "grid_worker": {"wangwu"},
    "building": {"zhangsan", "lisi"},
    "entrance": {"lisi"},
    "resident": {"zhangsan"},
    "partner": set(),
    "other_staff": {"zhaoliu"},
    "nobody": set(),
}


def _names(world, qs):
    by_pk = {r.pk: key for key, r in world.residents.items()}
    return {by_pk[pk] for pk in qs.values_list("pk", flat=True)}


@pytest.mark.parametrize("role", sorted(EXPECTED_RESIDENTS))
def test_residents_visible_per_role(world, role):
    assert _names(world, resident_list_visible_to(world.users[role])) == EXPECTED_RESIDENTS[role]


@pytest.mark.parametrize(
    ("role", "communities"),
    [
        ("grid", {"望江街社区"}),
        ("other_staff", {"其他社区"}),
        ("subdistrict", {"望江街社区", "其他社区"}),
        ("partner", set()),
    ],
)
def test_containing_nodes_are_visible_for_navigation(world, role, communities):
    from gongzhi.core.scoping import visible

    assert (
        set(visible(world.users[role], Community.objects.all()).values_list("name", flat=True))
        == communities
    )


def test_grid_chief_sees_own_buildings_and_households_only(world):
    user = world.users["grid"]
    from gongzhi.core.scoping import visible

    assert list(visible(user, Building.objects.all())) == [world.b1]
    assert set(visible(user, Household.objects.all())) == {
        world.households["1-1-101"],
        world.households["1-2-201"],
    }


def test_entrance_chief_sees_building_but_only_own_entrance_households(world):
    from gongzhi.core.scoping import visible

    user = world.users["entrance"]
    assert list(visible(user, Building.objects.all())) == [world.b1]
    assert list(visible(user, Household.objects.all())) == [world.households["1-2-201"]]


def test_capability_narrows_reach(world):
    # A building chief sees residents but may not reveal their ID numbers.
    user = world.users["building"]
    assert not scope_for(user, "view").empty
    assert scope_for(user, "reveal_pii").empty
    assert Resident.objects.count() == 4


def test_ended_post_gives_no_reach(world):
    import datetime as dt

    from gongzhi.orgs.models import Post

    user = world.users["grid"]
    Post.objects.filter(user=user).update(ended_on=dt.date(2021, 1, 1))
    user.__dict__.pop("_gongzhi_scopes", None)
    assert resident_list_visible_to(user).count() == 0
