"""Where the problem is, through the API: ``place`` with a building, entrance or compound of
the reporter's community; anything else 404 like a missing id, writing nothing; clients
that send no place file at the reporter's home as before."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.places.models import Building, Compound, Entrance
from gongzhi.voices import services as voices
from gongzhi.voices.catalogue import ensure_categories
from gongzhi.voices.models import Item

MISSING = 987_654_321


@pytest.fixture
def cats(world):
    ensure_categories()


def body(response):
    return json.loads(response.content)


def test_a_resident_files_at_another_building_of_their_community(world, api_as, cats):
    api = api_as(world.users["resident"])
    response = api.post(
        "/voices/items", {"text": "2栋楼道灯坏了", "place": "other", "building_id": world.b2.pk}
    )
    assert response.status_code == 201, response.content
    out = body(response)
    assert out["place"] == {
        "community": "望江街社区",
        "grid": "第二网格",
        "compound": "民安巷小区",
        "building": "2栋",
        "entrance": None,
    }
    item = Item.objects.get(pk=out["id"])
    assert (item.building, item.household_id) == (world.b2, None)
    assert item.reporters.get().resident == world.residents["zhangsan"]


def test_an_entrance_and_a_public_place(world, api_as, cats):
    api = api_as(world.users["resident"])
    entrance = Entrance.objects.get(building=world.b1, number=2)
    out = body(
        api.post(
            "/voices/items",
            {"text": "2单元单元门坏了", "place": "other", "entrance_id": entrance.pk},
        )
    )
    assert (out["place"]["building"], out["place"]["entrance"]) == ("1栋", 2)
    compound = Compound.objects.get(grid=world.g2)
    out = body(
        api.post(
            "/voices/items",
            {
                "text": "小区大门门禁坏了",
                "place": "public",
                "compound_id": compound.pk,
                "location_text": "大门",
            },
        )
    )
    assert (out["place"]["compound"], out["place"]["building"], out["location_text"]) == (
        "民安巷小区",
        None,
        "",  # the location is for the staff who hold the item, not its reporter
    )
    assert Item.objects.get(pk=out["id"]).location_text == "大门"


def test_without_a_place_an_old_client_files_at_home(world, api_as, cats):
    out = body(api_as(world.users["resident"]).post("/voices/items", {"text": "家里水管漏水"}))
    item = Item.objects.get(pk=out["id"])
    assert item.household == world.households["1-1-101"]


def test_a_place_that_cannot_be_is_422_in_chinese(world, api_as, cats):
    api = api_as(world.users["resident"])
    response = api.post("/voices/items", {"text": "路灯坏了", "place": "other"})
    assert response.status_code == 422
    assert body(response)["errors"] == {"building": ["请选择是哪一栋楼。"]}
    response = api.post("/voices/items", {"text": "路灯坏了", "place": "public"})
    assert body(response)["errors"] == {
        "location_text": ["请说一说在哪里，例如：小区大门口、广场。"]
    }
    response = api.post("/voices/items", {"text": "路灯坏了", "place": "somewhere"})
    assert response.status_code == 422
    assert Item.objects.count() == 0


@pytest.mark.parametrize("field", ["building_id", "entrance_id", "compound_id"])
@pytest.mark.parametrize("role", ["resident", "building", "grid", "staff"])
def test_places_out_of_reach_are_not_found_and_write_nothing(world, api_as, cats, field, role):
    """Another community's building, entrance or compound, or a missing id: 404 alike —
    for a resident filing for themselves and for a leader filing for 张三."""
    far = {
        "building_id": world.b3.pk,
        "entrance_id": Entrance.objects.get(building=world.b3).pk,
        "compound_id": Compound.objects.get(grid=world.g3).pk,
    }
    api = api_as(world.users[role])
    extra = {} if role == "resident" else {"resident_id": world.residents["zhangsan"].pk}
    place = "public" if field == "compound_id" else "other"
    for pk in (far[field], MISSING):
        payload = {"text": "路灯坏了", "place": place, field: pk, "location_text": "门口", **extra}
        response = api.post("/voices/items", payload)
        assert (response.status_code, body(response)) == (404, {"detail": "未找到。"})
    assert Item.objects.count() == 0


def test_a_leader_files_for_a_resident_at_a_building_outside_their_own_reach(world, api_as, cats):
    """1栋's building chief enters 张三's report about 2栋: filed at 2栋, and the chief
    reads it back as its reporter does."""
    api = api_as(world.users["building"])
    response = api.post(
        "/voices/items",
        {
            "text": "2栋楼道灯坏了",
            "resident_id": world.residents["zhangsan"].pk,
            "place": "other",
            "building_id": world.b2.pk,
        },
    )
    assert response.status_code == 201, response.content
    out = body(response)
    assert (out["place"]["building"], out["full_timeline"]) == ("2栋", False)


def test_a_named_reporter_place_stays_in_the_callers_reach(world, api_as, cats):
    """Without a registered resident, the caller names a place of their own reach, as
    before: 1栋's chief cannot file a named person's report at 2栋."""
    api = api_as(world.users["building"])
    response = api.post(
        "/voices/items",
        {
            "text": "路灯坏了",
            "reporter_name": "热心人",
            "place": "other",
            "building_id": world.b2.pk,
        },
    )
    assert response.status_code == 404
    assert Item.objects.count() == 0


def test_similar_looks_where_the_problem_is(world, api_as, cats):
    item = voices.item_submit(
        actor=world.users["admin"],
        kind="problem",
        text="2栋楼道灯坏了好几天",
        channel="visit",
        on_behalf_of=world.residents["wangwu"],
    )
    api = api_as(world.users["resident"])
    at_home = body(api.post("/voices/similar", {"text": "楼道灯坏了好几天"}))
    assert at_home == []
    there = body(
        api.post(
            "/voices/similar",
            {"text": "楼道灯坏了好几天", "place": "other", "building_id": world.b2.pk},
        )
    )
    assert [o["item_id"] for o in there] == [item.pk]
    far = api.post(
        "/voices/similar", {"text": "楼道灯坏了", "place": "other", "building_id": world.b3.pk}
    )
    assert far.status_code == 404


def test_the_items_list_reads_places_in_a_fixed_number_of_queries(world, login, cats):
    client = login(world.users["staff"])
    for n, building in enumerate([world.b1, world.b2, world.b1]):
        voices.item_submit(
            actor=world.users["staff"],
            kind="problem",
            text=f"楼道灯坏了{n}",
            channel="visit",
            on_behalf_of=world.residents["zhangsan"],
            place="other",
            entrance=Building.objects.get(pk=building.pk).entrances.first(),
        )
    with CaptureQueriesContext(connection) as three:
        items = body(client.get("/api/v1/voices/items"))["items"]
    assert [i["place"]["entrance"] for i in items] == [1, 1, 1]
    voices.item_submit(
        actor=world.users["staff"],
        kind="problem",
        text="楼道灯坏了3",
        channel="visit",
        on_behalf_of=world.residents["zhangsan"],
        place="building",
    )
    with CaptureQueriesContext(connection) as four:
        assert len(body(client.get("/api/v1/voices/items"))["items"]) == 4
    assert len(four.captured_queries) == len(three.captured_queries)
