"""The register and the place tree through the JSON API, as each role sees them."""

import json

import pytest

from gongzhi.core.models import AuditEvent
from gongzhi.places.models import Resident


def body(response):
    return json.loads(response.content)


def test_anonymous_gets_401_with_chinese_detail(client, world):
    for path in [
        "/communities",
        "/me",
        "/residents?q=zs",
        f"/residents/{world.residents['zhangsan'].pk}",
    ]:
        response = client.get(f"/api/v1{path}")
        assert response.status_code == 401, path
        assert body(response) == {"detail": "请先登录。"}


def test_me_lists_posts_and_capabilities(world, api_as):
    response = api_as(world.users["grid"]).get("/me")
    data = body(response)
    assert response.status_code == 200
    assert data["username"] == "wj-grid1"
    assert [
        (p["kind"], p["kind_label"], p["node"]["level"], p["node"]["name"]) for p in data["posts"]
    ] == [("grid_chief", "网格长", "grid", "第一网格")]
    assert data["capabilities"] == [
        "view",
        "edit_registry",
        "reveal_pii",
        "export",
        "submit_on_behalf",
        "handle_items",
        "view_measures",
    ]
    assert data["household_id"] is None


def test_me_for_a_resident_names_their_household(world, api_as):
    data = body(api_as(world.users["resident"]).get("/me"))
    assert data["posts"] == []
    assert data["household_id"] == world.households["1-1-101"].pk
    assert data["capabilities"] == ["view"]


def test_communities_counted_within_reach(world, api_as):
    data = body(api_as(world.users["grid"]).get("/communities"))
    assert data == [
        {
            "code": "510402001001",
            "name": "望江街社区",
            "buildings": 1,
            "households": 2,
            "residents": 2,
            "residents_60_plus": 1,
        }
    ]


def test_grids_by_community(world, api_as):
    api = api_as(world.users["secretary"])
    assert [g["code"] for g in body(api.get("/grids", community=world.wj.code))] == [
        "WJ-G1",
        "WJ-G2",
    ]
    assert body(api.get("/grids", community=world.ot.code)) == []
    assert [g["code"] for g in body(api_as(world.users["grid"]).get("/grids"))] == ["WJ-G1"]


def test_buildings_filtered_and_paginated(world, api_as):
    api = api_as(world.users["secretary"])
    data = body(api.get("/buildings"))
    assert data["count"] == 2
    assert [(b["label"], b["grid"]) for b in data["items"]] == [("1栋", "WJ-G1"), ("2栋", "WJ-G2")]
    assert [b["id"] for b in body(api.get("/buildings", grid="WJ-G2"))["items"]] == [world.b2.pk]
    page = body(api.get("/buildings", limit=1, offset=1))
    assert page["count"] == 2
    assert [b["id"] for b in page["items"]] == [world.b2.pk]
    assert body(api.get("/buildings", community=world.ot.code)) == {"items": [], "count": 0}


def test_page_size_is_capped(world, api_as):
    response = api_as(world.users["secretary"]).get("/buildings", limit=100000)
    assert response.status_code == 422
    assert body(response)["detail"] == "请求内容不正确。"


def test_building_detail_with_floors(world, api_as):
    data = body(api_as(world.users["grid"]).get(f"/buildings/{world.b1.pk}"))
    assert [(e["number"], e["households"]) for e in data["entrances"]] == [(1, 1), (2, 1)]
    assert [
        (f["floor"], [(h["address"], h["residents"]) for h in f["households"]])
        for f in data["floors_summary"]
    ] == [(2, [("1栋2单元201", 1)]), (1, [("1栋1单元101", 1)])]


def test_entrance_chief_sees_only_own_entrance_in_building(world, api_as):
    data = body(api_as(world.users["entrance"]).get(f"/buildings/{world.b1.pk}"))
    assert [e["number"] for e in data["entrances"]] == [2]
    assert [h["address"] for f in data["floors_summary"] for h in f["households"]] == [
        "1栋2单元201"
    ]


@pytest.mark.parametrize(
    "path", ["/buildings/{b2}", "/households/{h2}", "/residents/{wangwu}", "/buildings/999999"]
)
def test_out_of_reach_and_missing_look_the_same(world, api_as, path):
    url = path.format(
        b2=world.b2.pk, h2=world.households["2-1-101"].pk, wangwu=world.residents["wangwu"].pk
    )
    response = api_as(world.users["grid"]).get(url)
    assert response.status_code == 404
    assert body(response) == {"detail": "未找到。"}


def test_household_members_are_masked(world, api_as):
    response = api_as(world.users["resident"]).get(f"/households/{world.households['1-1-101'].pk}")
    data = body(response)
    assert [(m["name"], m["phone_masked"], m["care_tags"]) for m in data["members"]] == [
        ("张三", "138****5678", ["alone"])
    ]
    assert data["members"][0]["id_number_masked"].count("*") == 8
    assert b"13812345678" not in response.content
    assert world.residents["zhangsan"].id_number.encode() not in response.content


def test_resident_search_masked_and_paginated(world, api_as):
    api = api_as(world.users["secretary"])
    response = api.get("/residents", q="5678")
    data = body(response)
    assert [r["name"] for r in data["items"]] == ["张三"]
    assert data["items"][0]["phone_masked"] == "138****5678"
    assert b"13812345678" not in response.content
    everyone = body(api.get("/residents", q="1栋"))
    assert (everyone["count"], [r["name"] for r in everyone["items"]]) == (2, ["李四", "张三"])
    second = body(api.get("/residents", q="1栋", limit=1, offset=1))
    assert (second["count"], [r["name"] for r in second["items"]]) == (2, ["张三"])


def test_resident_search_stays_in_reach(world, api_as):
    api = api_as(world.users["grid"])
    assert body(api.get("/residents", q="王五")) == {"items": [], "count": 0}
    assert body(api.post("/residents/search", {"q": "13700002222"})) == {"items": [], "count": 0}
    assert body(api.post("/residents/search", {"q": "王五"})) == {"items": [], "count": 0}
    assert [r["name"] for r in body(api.get("/residents", q="zs"))["items"]] == ["张三"]


@pytest.mark.parametrize(
    "q", ["13812345678", "+8613812345678", "138 1234 5678", "zhangsan_id", "５１０４０２"]
)
def test_a_phone_or_id_number_in_the_query_string_is_refused(world, api_as, q):
    if q == "zhangsan_id":
        q = world.residents["zhangsan"].id_number
    if q == "５１０４０２":
        q = "５１０４０２" + world.residents["zhangsan"].id_number[6:]
    response = api_as(world.users["grid"]).get("/residents", q=q)
    assert response.status_code == 400
    assert body(response) == {
        "detail": "身份证号和手机号不能放在网址中（网址会被记录在访问日志里）。"
        "请改用 POST /api/v1/residents/search，在请求正文中提交 q。"
    }


def test_search_by_phone_or_id_number_in_the_body(world, api_as):
    zhangsan = world.residents["zhangsan"]
    api = api_as(world.users["grid"])
    for q in ["13812345678", zhangsan.id_number]:
        response = api.post("/residents/search", {"q": q})
        data = body(response)
        assert (data["count"], [r["id"] for r in data["items"]]) == (1, [zhangsan.pk])
        assert data["items"][0]["phone_masked"] == "138****5678"
        assert b"13812345678" not in response.content
        assert zhangsan.id_number.encode() not in response.content
    everyone = body(api.post("/residents/search", {"q": "1栋", "limit": 1, "offset": 1}))
    assert (everyone["count"], [r["name"] for r in everyone["items"]]) == (2, ["张三"])
    too_big = api.post("/residents/search", {"q": "1栋", "limit": 100000})
    assert (too_big.status_code, body(too_big)["detail"]) == (422, "请求内容不正确。")


def test_search_in_the_body_costs_the_same_for_one_and_three(world, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.places.services import resident_create

    api = api_as(world.users["grid"])
    api.post("/residents/search", {"q": "1栋"})
    with CaptureQueriesContext(connection) as few:
        assert body(api.post("/residents/search", {"q": "1栋"}))["count"] == 2
    household = world.households["1-1-101"]
    for n in range(3):
        resident = resident_create(actor=None, household=household, name=f"新{n}", relation="child")
        resident.care_tags.set(world.residents["zhangsan"].care_tags.all())
    with CaptureQueriesContext(connection) as many:
        assert body(api.post("/residents/search", {"q": "1栋"}))["count"] == 5
    assert len(many) == len(few)


def test_reveal_returns_value_and_is_audited_with_its_reason(world, api_as):
    zhangsan = world.residents["zhangsan"]
    response = api_as(world.users["grid"]).post(
        f"/residents/{zhangsan.pk}/reveal", {"field": "phone", "reason": "emergency"}
    )
    assert body(response) == {"field": "phone", "value": "13812345678"}
    event = AuditEvent.objects.get(action="places.resident.revealed")
    assert (event.actor, event.object_id, event.changes) == (
        world.users["grid"],
        str(zhangsan.pk),
        {"field": "phone", "reason": "emergency", "reason_note": ""},
    )


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"field": "phone"},
            {"reason": ["请先选择查看事由（入户走访、核实身份、紧急联系或其他）。"]},
        ),
        (
            {"field": "phone", "reason": "入户走访"},
            {"reason": ["请先选择查看事由（入户走访、核实身份、紧急联系或其他）。"]},
        ),
        (
            {"field": "id_number", "reason": "other"},
            {"reason_note": ["选择“其他”时，请写明查看事由。"]},
        ),
    ],
)
def test_reveal_without_a_reason_is_422_and_shows_nothing(world, api_as, payload, errors):
    response = api_as(world.users["grid"]).post(
        f"/residents/{world.residents['zhangsan'].pk}/reveal", payload
    )
    assert response.status_code == 422
    assert body(response) == {"detail": "请检查填写的内容。", "errors": errors}
    assert b"13812345678" not in response.content
    assert not AuditEvent.objects.filter(action="places.resident.revealed").exists()


def test_reveal_visible_without_capability_is_403(world, api_as):
    response = api_as(world.users["building"]).post(
        f"/residents/{world.residents['zhangsan'].pk}/reveal",
        {"field": "id_number", "reason": "home_visit"},
    )
    assert response.status_code == 403
    assert body(response) == {"detail": "没有权限执行此操作。"}
    assert not AuditEvent.objects.filter(action="places.resident.revealed").exists()


def test_reveal_out_of_reach_is_404_and_bad_field_422(world, api_as):
    api = api_as(world.users["grid"])
    outside = api.post(
        f"/residents/{world.residents['wangwu'].pk}/reveal",
        {"field": "phone", "reason": "home_visit"},
    )
    assert (outside.status_code, body(outside)) == (404, {"detail": "未找到。"})
    response = api.post(
        f"/residents/{world.residents['zhangsan'].pk}/reveal",
        {"field": "name", "reason": "home_visit"},
    )
    assert response.status_code == 422
    assert body(response)["detail"] == "请求内容不正确。"
    assert not AuditEvent.objects.filter(action="places.resident.revealed").exists()


def test_create_resident(world, api_as):
    household = world.households["1-1-101"]
    response = api_as(world.users["grid"]).post(
        "/residents",
        {
            "household_id": household.pk,
            "name": "张小三",
            "phone": "13811112222",
            "relation": "child",
            "care_tags": ["disabled"],
        },
    )
    assert response.status_code == 201
    data = body(response)
    assert (data["name"], data["relation_label"], data["phone_masked"], data["care_tags"]) == (
        "张小三",
        "子女",
        "138****2222",
        ["disabled"],
    )
    created = Resident.objects.get(pk=data["id"])
    assert (created.household, created.grid) == (household, world.g1)
    assert (
        AuditEvent.objects.filter(
            action="places.resident.created", object_id=str(created.pk)
        ).count()
        == 1
    )


def test_create_resident_field_errors_in_chinese(world, api_as):
    response = api_as(world.users["grid"]).post(
        "/residents",
        {
            "household_id": world.households["1-1-101"].pk,
            "name": "",
            "id_number": "123",
            "phone": "12345",
        },
    )
    assert response.status_code == 422
    data = body(response)
    assert data["detail"] == "请检查填写的内容。"
    assert data["errors"] == {
        "name": ["请填写姓名。"],
        "id_number": ["身份证号应为18位，前17位是数字，最后一位是数字或X。"],
        "phone": ["手机号应为11位，以1开头，例如 13812345678。"],
    }
    assert Resident.objects.count() == 4


def test_create_resident_unknown_care_tag(world, api_as):
    response = api_as(world.users["grid"]).post(
        "/residents",
        {"household_id": world.households["1-1-101"].pk, "name": "某人", "care_tags": ["nope"]},
    )
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"care_tags": ["未知的关爱标签：nope"]},
    )


def test_create_resident_refusals(world, api_as):
    payload = {"household_id": world.households["1-1-101"].pk, "name": "某人"}
    assert api_as(world.users["building"]).post("/residents", payload).status_code == 403
    outside = {"household_id": world.households["2-1-101"].pk, "name": "某人"}
    assert api_as(world.users["grid"]).post("/residents", outside).status_code == 404
    assert Resident.objects.count() == 4


def test_patch_resident(world, api_as):
    zhangsan = world.residents["zhangsan"]
    response = api_as(world.users["grid"]).patch(
        f"/residents/{zhangsan.pk}", {"note": "腿脚不便", "phone": "13899998888"}
    )
    data = body(response)
    assert (response.status_code, data["phone_masked"]) == (200, "138****8888")
    zhangsan.refresh_from_db()
    assert (zhangsan.note, zhangsan.phone, zhangsan.name) == ("腿脚不便", "13899998888", "张三")
    event = AuditEvent.objects.get(action="places.resident.updated")
    assert event.changes["phone"] == ["138****5678", "138****8888"]


def test_patch_resident_refusals(world, api_as):
    zhangsan = world.residents["zhangsan"]
    bad = api_as(world.users["grid"]).patch(f"/residents/{zhangsan.pk}", {"phone": "123"})
    assert (bad.status_code, list(body(bad)["errors"])) == (422, ["phone"])
    assert (
        api_as(world.users["building"])
        .patch(f"/residents/{zhangsan.pk}", {"note": "x"})
        .status_code
        == 403
    )
    assert (
        api_as(world.users["grid"])
        .patch(f"/residents/{world.residents['wangwu'].pk}", {"note": "x"})
        .status_code
        == 404
    )
    zhangsan.refresh_from_db()
    assert (zhangsan.phone, zhangsan.note) == ("13812345678", "")


def test_status_change_and_refusals(world, api_as):
    lisi = world.residents["lisi"]
    api = api_as(world.users["grid"])
    moved = api.post(f"/residents/{lisi.pk}/status", {"status": "deceased", "reason": "病故"})
    assert (moved.status_code, body(moved)["status_label"]) == (200, "已故")
    back = api.post(f"/residents/{lisi.pk}/status", {"status": "living"})
    assert back.status_code == 422
    assert body(back)["errors"] == {"status": ["不能从“已故”变更为“在住”。"]}
    unknown = api.post(f"/residents/{world.residents['zhangsan'].pk}/status", {"status": "gone"})
    assert (unknown.status_code, list(body(unknown)["errors"])) == (422, ["status"])
    outside = api.post(f"/residents/{world.residents['wangwu'].pk}/status", {"status": "moved_out"})
    assert outside.status_code == 404
    assert Resident.objects.get(pk=world.residents["wangwu"].pk).status == "living"


def test_bearer_token_reaches_the_api(world, client):
    token = body(
        client.post(
            "/api/v1/auth/token",
            {"username": "wj-grid1", "password": "correct-horse-battery"},
            "application/json",
        )
    )["token"]
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert body(response)["username"] == "wj-grid1"
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_token_refused_with_chinese_reason(world, client):
    response = client.post(
        "/api/v1/auth/token", {"username": "wj-grid1", "password": "nope"}, "application/json"
    )
    assert (response.status_code, body(response)) == (
        401,
        {"detail": "账号或密码不正确，或尝试次数过多，请稍后再试。"},
    )


def test_a_new_door_is_registered_behind_an_entrance_in_reach(world, api_as):
    from gongzhi.places.models import Household

    entrance = world.b1.entrances.get(number=1)
    grid = api_as(world.users["grid"])
    made = grid.post("/households", {"entrance_id": entrance.pk, "door_number": "602", "floor": 6})
    assert made.status_code == 201, made.content
    data = body(made)
    assert (data["door_number"], data["floor"], data["members"]) == ("602", 6, [])
    household = Household.objects.get(pk=data["id"])
    assert (household.building_id, household.grid_id) == (world.b1.pk, world.g1.pk)
    assert AuditEvent.objects.filter(
        action="places.household.created", object_id=str(household.pk)
    ).exists()
    # A floor the building does not have: a Chinese refusal, nothing written.
    high = grid.post("/households", {"entrance_id": entrance.pk, "door_number": "901", "floor": 9})
    assert (high.status_code, body(high)["errors"]) == (422, {"floor": ["楼层应在1到6之间。"]})
    # The building chief sees the entrance but does not keep the register: 403. An entrance
    # of another grid is out of the grid chief's reach: 404.
    chief = api_as(world.users["building"])
    denied = chief.post(
        "/households", {"entrance_id": entrance.pk, "door_number": "603", "floor": 6}
    )
    assert denied.status_code == 403
    other = world.b2.entrances.get()
    away = grid.post("/households", {"entrance_id": other.pk, "door_number": "603", "floor": 6})
    assert away.status_code == 404
    assert Household.objects.filter(door_number__in=["901", "603"]).count() == 0
