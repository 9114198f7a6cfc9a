"""A case is filed where the problem is, not where its reporter lives: 张三 of 1栋 reporting
2栋's stairwell light files a case at 2栋 — shown to 2栋's chiefs and grid, routed to 2栋's
grid, and offered as a duplicate to whoever reports the same thing at 2栋 — while 张三
keeps it among their own items and their home stays on their reporter row."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gongzhi.orgs.enums import PostKind
from gongzhi.places.models import Building, Compound, Entrance
from gongzhi.voices import selectors, services
from gongzhi.voices.enums import Channel, ItemKind, Level
from gongzhi.voices.models import Item, Notification
from tests.world import make_user

from .conftest import at

TEXT = "2栋楼道灯坏了，晚上上下楼看不见"


def file(world, text=TEXT, *, user="resident", **place):
    return services.item_submit(
        actor=world.users[user],
        kind=ItemKind.PROBLEM,
        text=text,
        channel=Channel.ONLINE,
        now=at(2026, 6, 9, 9),
        **place,
    )


def resident_user(world, key):
    return make_user(f"resident-{key}", resident=world.residents[key])


@pytest.fixture
def b2_posts(world):
    """The grid chief of grid 2 and the building chief of 2栋 (the world has a grid
    worker of grid 2 already)."""
    return {
        "grid2": make_user("wj-grid2", kind=PostKind.GRID_CHIEF, node=world.g2),
        "building2": make_user("wj-building2", kind=PostKind.BUILDING_CHIEF, node=world.b2),
    }


def in_inbox(user, item) -> bool:
    return selectors.inbox(user).filter(pk=item.pk).exists()


# --- the case ---------------------------------------------------------------


def test_a_case_about_another_building_is_filed_shown_routed_and_deduplicated_there(
    world, categories, b2_posts
):
    u = world.users
    item = file(world, place="other", building=world.b2)

    # Filed at 2栋, not at 张三's home.
    assert (item.community, item.grid, item.compound_id, item.building) == (
        world.wj,
        world.g2,
        world.b2.compound_id,
        world.b2,
    )
    assert (item.entrance_id, item.household_id) == (None, None)
    reporter = item.reporters.get()
    assert reporter.resident == world.residents["zhangsan"]
    assert reporter.resident.household == world.households["1-1-101"]

    # Shown at 2栋: its grid chief, building chief and grid worker; the community above.
    for user in [b2_posts["grid2"], b2_posts["building2"], u["grid_worker"], u["staff"]]:
        assert in_inbox(user, item), user
    # Not at 1栋: 张三's building chief, entrance chief and grid chief do not see it.
    for role in ["building", "entrance", "grid", "other_staff", "partner", "nobody"]:
        assert not in_inbox(u[role], item), role
        with pytest.raises(Http404):
            selectors.get_item_visible_or_404(u[role], pk=item.pk)
    # 张三 sees it as its reporter, not as a handler.
    assert selectors.get_item_visible_or_404(u["resident"], pk=item.pk) == item
    assert selectors.sees_internal(u["resident"], item) is False

    # Routed at 2栋's grid: the category's grid level, told to grid 2's handlers.
    assert (item.suggested_category, item.level) == (categories["lights"], Level.GRID)
    handlers = {user.pk for user in services.handlers(item)}
    assert handlers == {b2_posts["grid2"].pk, u["grid_worker"].pk}
    told = set(
        Notification.objects.filter(item=item, user__isnull=False).values_list("user_id", flat=True)
    )
    assert told == handlers

    # 李四, who lives in 1栋 too, reports the same thing at 2栋: offered as "我也遇到了".
    lisi = world.residents["lisi"]
    offers = selectors.join_offers(lisi, "2栋楼道的灯不亮了", place="other", building=world.b2)
    assert [o.item for o in offers] == [item]
    # About their own building, it is not 1栋's case and is not offered.
    assert selectors.join_offers(lisi, "楼道的灯不亮了") == []


def test_the_other_buildings_chief_sees_it_on_the_inbox_page(world, categories, b2_posts, login):
    item = file(world, place="other", building=world.b2)
    page = login(b2_posts["building2"]).get("/voices/inbox/").content.decode()
    assert item.number in page
    page = login(world.users["building"]).get("/voices/inbox/").content.decode()
    assert item.number not in page


# --- each kind of place -------------------------------------------------------------


def test_my_home_is_the_household(world, categories):
    item = file(world, "家里厨房的水管漏水", place="home")
    home = world.households["1-1-101"]
    assert (item.household, item.entrance_id, item.building_id, item.grid) == (
        home,
        home.entrance_id,
        world.b1.pk,
        world.g1,
    )


def test_no_place_is_the_home_as_before(world, categories):
    item = file(world, "家里厨房的水管漏水")
    assert item.household == world.households["1-1-101"]


def test_my_building_is_the_building_without_the_household(world, categories):
    item = file(world, "楼顶的防水层坏了", place="building")
    assert (item.building, item.entrance_id, item.household_id, item.grid) == (
        world.b1,
        None,
        None,
        world.g1,
    )


def test_an_entrance_carries_its_building(world, categories):
    entrance = world.b1.entrances.get(number=2)
    item = file(world, "2单元的单元门关不上", place="other", entrance=entrance)
    assert (item.building, item.entrance, item.household_id, item.compound_id) == (
        world.b1,
        entrance,
        None,
        world.b1.compound_id,
    )
    # 2单元's chief sees it; it is not 张三's entrance.
    assert in_inbox(world.users["entrance"], item)


def test_a_public_place_of_a_compound(world, categories):
    compound = Compound.objects.get(grid=world.g2)
    item = file(
        world, "小区大门的门禁坏了", place="public", compound=compound, location_text="小区大门"
    )
    assert (item.compound, item.building_id, item.household_id, item.grid) == (
        compound,
        None,
        None,
        world.g2,
    )
    assert item.location_text == "小区大门"
    assert in_inbox(world.users["grid_worker"], item)
    assert not in_inbox(world.users["grid"], item)


def test_a_public_place_of_the_community_is_handled_by_the_community(world, categories):
    item = file(world, "社区广场的路灯不亮", place="public", location_text="社区广场")
    assert (item.community, item.grid, item.compound_id, item.building_id) == (
        world.wj,
        None,
        None,
        None,
    )
    assert item.level == Level.COMMUNITY
    assert in_inbox(world.users["staff"], item)
    assert not in_inbox(world.users["grid"], item)


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ({"place": "other"}, {"building": ["请选择是哪一栋楼。"]}),
        ({"place": "public"}, {"location_text": ["请说一说在哪里，例如：小区大门口、广场。"]}),
        ({"place": "elsewhere"}, {"place": ["请选择问题在哪里。"]}),
        ({"place": "other", "building": "b3"}, {"place": ["所选位置不在居民所在的社区。"]}),
        (
            {"place": "other", "building": "b2", "entrance": "b1-1"},
            {"entrance": ["所选单元不在所选楼栋。"]},
        ),
    ],
)
def test_a_place_that_cannot_be_is_refused_in_chinese_and_nothing_is_written(
    world, categories, place, expected
):
    named = {
        "b2": world.b2,
        "b3": world.b3,
        "b1-1": Entrance.objects.get(building=world.b1, number=1),
    }
    place = {k: named.get(v, v) for k, v in place.items()}
    with pytest.raises(ValidationError) as exc:
        file(world, **place)
    assert exc.value.message_dict == expected
    assert Item.objects.count() == 0


# --- who sees what ------------------------------------------------------------------


def test_a_resident_sees_only_what_they_reported_wherever_it_is(world, categories):
    """李四 lives in 1栋: 张三's case about 1栋 and about 李四's own entrance are not
    theirs to see; nor is one at their own household entered by someone else."""
    lisi = resident_user(world, "lisi")
    at_building = file(world, "楼顶的防水层坏了", place="building")
    at_entrance = file(
        world, "2单元的单元门关不上", place="other", entrance=world.b1.entrances.get(number=2)
    )
    visible = set(selectors.item_list_visible_to(lisi).values_list("pk", flat=True))
    assert visible.isdisjoint({at_building.pk, at_entrance.pk})
    assert set(selectors.item_list_visible_to(world.users["resident"])) == {
        at_building,
        at_entrance,
    }


def test_who_entered_a_case_for_a_resident_follows_it_as_a_reporter(world, categories):
    """1栋's building chief enters 张三's report about 2栋: the chief sees the case as its
    reporter does (public timeline), not as a handler; other 1栋 cases filed by others
    stay out of reach unless they are in 1栋."""
    chief = world.users["building"]
    item = services.item_submit(
        actor=chief,
        kind=ItemKind.PROBLEM,
        text=TEXT,
        channel=Channel.VISIT,
        on_behalf_of=world.residents["zhangsan"],
        place="other",
        building=world.b2,
    )
    assert item.building == world.b2
    assert selectors.get_item_visible_or_404(chief, pk=item.pk) == item
    assert selectors.sees_internal(chief, item) is False
    other = file(world, user="admin", on_behalf_of=world.residents["wangwu"], place="home")
    with pytest.raises(Http404):
        selectors.get_item_visible_or_404(chief, pk=other.pk)


def test_cases_a_leader_entered_in_their_own_reach_add_no_id_list(world, categories):
    """Community staff enter many cases for residents; those already in their reach are
    not listed one by one in every item query."""
    for _ in range(3):
        file(world, user="staff", on_behalf_of=world.residents["zhangsan"], place="home")
    q = selectors.item_visibility_q(world.users["staff"])
    listed = [c[1] for c in q.children if isinstance(c, tuple) and c[0] == "pk__in"]
    assert [ids for ids in listed if ids] == []
    assert selectors.item_list_visible_to(world.users["staff"]).count() == 3


def test_a_leader_may_not_file_for_a_resident_out_of_reach_whatever_the_place(world, categories):
    with pytest.raises(Http404):
        services.item_submit(
            actor=world.users["building"],
            kind=ItemKind.PROBLEM,
            text=TEXT,
            channel=Channel.VISIT,
            on_behalf_of=world.residents["wangwu"],
            place="other",
            building=world.b1,
        )
    assert Item.objects.count() == 0


# --- duplicates near the place -----------------------------------------------------


@pytest.fixture
def b1_neighbour(world):
    """Another building of 甘露园, 张三's compound."""
    building = Building.objects.create(
        community=world.wj, grid=world.g1, compound=world.b1.compound, number="3", floors=6
    )
    Entrance.objects.create(
        building=building, community=world.wj, grid=world.g1, compound=building.compound, number=1
    )
    return building


def test_duplicates_come_from_the_building_then_nearby_ones_of_its_compound(
    world, categories, b1_neighbour
):
    zhangsan = world.residents["zhangsan"]
    here = file(
        world,
        "1栋楼道灯坏了好几天",
        user="admin",
        on_behalf_of=world.residents["lisi"],
        place="building",
    )
    nearby = file(
        world,
        "3栋楼道灯坏了好几天",
        user="admin",
        on_behalf_of=world.residents["lisi"],
        place="other",
        building=b1_neighbour,
    )
    far = file(
        world,
        "2栋楼道灯坏了好几天",
        user="admin",
        on_behalf_of=world.residents["wangwu"],
        place="home",
    )
    offers = selectors.join_offers(zhangsan, "楼道灯坏了好几天", place="building")
    assert [o.item for o in offers] == [here, nearby]
    assert offers[0].score > offers[1].score
    assert far not in [o.item for o in offers]
    # At 3栋, 3栋's own report comes first.
    offers = selectors.join_offers(
        zhangsan, "楼道灯坏了好几天", place="other", building=b1_neighbour
    )
    assert [o.item for o in offers] == [nearby, here]


def test_public_places_are_compared_with_their_compound_or_community(world, categories):
    zhangsan = world.residents["zhangsan"]
    square = file(world, "社区广场的路灯不亮了", place="public", location_text="社区广场")
    gate = file(
        world,
        "小区大门的门禁坏了",
        place="public",
        compound=world.b1.compound,
        location_text="大门",
    )
    wide = selectors.join_offers(zhangsan, "广场路灯不亮", place="public")
    assert [o.item for o in wide] == [square]
    in_compound = selectors.join_offers(
        zhangsan, "大门门禁坏了", place="public", compound=world.b1.compound
    )
    assert [o.item for o in in_compound] == [gate]


# --- the where step's places --------------------------------------------------------


def test_report_places_offer_the_community_grouped_by_compound_own_first(
    world, django_assert_num_queries, b1_neighbour
):
    zhangsan = world.residents["zhangsan"]
    with django_assert_num_queries(4):
        places = selectors.report_places(zhangsan)
        groups = [
            (compound.name, [(c.label, [str(e) for e in c.entrances]) for c in choices])
            for compound, choices in places.groups
        ]
    assert groups == [
        ("甘露园", [("甘露园1栋", ["1栋1单元", "1栋2单元"]), ("甘露园3栋", ["3栋1单元"])]),
        ("民安巷小区", [("民安巷小区2栋", ["2栋1单元"])]),
    ]
    # Another community's building is no answer, whatever id is sent.
    assert places.where(f"b{world.b3.pk}") is None
    assert places.where("b999999") is None
    assert places.where("x1") is None
    assert places.where(f"b{world.b2.pk}").as_kwargs() == {
        "place": "other",
        "building": world.b2,
        "entrance": None,
        "compound": None,
    }


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2栋楼道灯坏了", "民安巷小区2栋"),
        ("二棟一單元門口積水", "民安巷小区2栋1单元"),
        ("1栋2单元楼道灯坏了", "甘露园1栋2单元"),
        ("二单元的门坏了", "甘露园1栋2单元"),  # 张三's own building
        ("甘露园2栋", None),  # 2栋 is not in 甘露园
        ("9栋的路灯", None),  # no such building
        ("三单元的门坏了", None),  # 张三's building has no 3单元
        ("楼下路灯不亮", None),
    ],
)
def test_a_place_named_in_the_text_is_found_in_the_community(world, text, label):
    where = selectors.report_places(world.residents["zhangsan"]).mentioned(text)
    assert (where.label if where else None) == label
