"""The wish API: through the services, scoped like the pages, Chinese errors."""

import json

import pytest

from gongzhi.wishes.models import Wish


class Api:
    def __init__(self, client):
        self.client = client

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path, body=None):
        return self.client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json"
        )


@pytest.fixture
def api_as(login):
    return lambda user: Api(login(user))


def test_the_lifecycle_over_the_api(world, sponsors, api_as, client):
    u = world.users
    made = api_as(u["resident"]).post("/wishes", {"category": "repair", "text": "电视坏了"})
    assert made.status_code == 201, made.content
    wish_id = made.json()["id"]
    assert made.json()["status"] == "submitted"
    assert made.json()["events"][0]["label"] == "提交心愿"

    published = api_as(u["grid"]).post(f"/wishes/{wish_id}/publish", {})
    assert published.json()["status"] == "published"

    claimed = api_as(u["team"]).post(f"/wishes/{wish_id}/claim", {})
    assert claimed.status_code == 201
    assert claimed.json()["sponsor"] == "春雨志愿队"
    refused = api_as(u["partner"]).post(f"/wishes/{wish_id}/claim", {})
    assert refused.status_code == 409
    assert refused.json() == {"detail": "这个心愿已被认领，谢谢您的爱心！"}

    # The sponsor sees the wish as the wall shows it, not the resident.
    listed = api_as(u["team"]).get("/wishes").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["resident_name"], item["text"]) == ("", "电视坏了")
    assert item["public_place"] == "望江街社区 1栋 的一位老人"

    fulfilled = api_as(u["team"]).post(f"/wishes/{wish_id}/fulfil", {"proof_text": "修好了"})
    assert fulfilled.json()["status"] == "fulfilled"
    confirmed = api_as(u["resident"]).post(f"/wishes/{wish_id}/confirm", {})
    assert confirmed.json()["status"] == "confirmed"

    wall = client.get("/api/v1/wishes/wall").json()
    assert wall["counts"] == {"waiting": 0, "taken": 0, "done": 1}
    assert "张三" not in json.dumps(wall, ensure_ascii=False)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"category": "other", "text": ""}, "text", "请说说您的心愿。"),
        ({"category": "other", "text": "愿" * 501}, "text", "不能超过500个字，现在是501个字。"),
        ({"category": "magic", "text": "想要"}, "category", "请选择心愿的类别。"),
    ],
)
def test_bad_input_gets_a_chinese_422(world, api_as, body, field, message):
    response = api_as(world.users["resident"]).post("/wishes", body)
    assert response.status_code == 422
    assert response.json()["detail"] == "请检查填写的内容。"
    assert response.json()["errors"][field] == [message]
    assert Wish.objects.count() == 0


def test_out_of_reach_is_404(world, sponsors, make_wish, api_as):
    wish = make_wish("published", resident="wangwu")
    grid = api_as(world.users["grid"])
    for path in ["", "/publish", "/claim", "/fulfil", "/confirm", "/release"]:
        method = grid.get if path == "" else grid.post
        response = (
            method(f"/wishes/{wish.pk}{path}")
            if path == ""
            else method(f"/wishes/{wish.pk}{path}", {"proof_text": "x"})
        )
        assert response.status_code == 404, path
        assert response.json() == {"detail": "未找到。"}
    response = grid.post(
        "/wishes", {"resident_id": world.residents["wangwu"].pk, "category": "other", "text": "x"}
    )
    assert response.status_code == 404
    assert api_as(world.users["grid"]).get("/wishes").json()["count"] == 0
    assert api_as(world.users["grid_worker"]).get("/wishes").json()["count"] == 1


def test_a_visible_wish_one_may_not_verify_is_403(world, make_wish, api_as):
    wish = make_wish()
    response = api_as(world.users["building"]).post(f"/wishes/{wish.pk}/publish", {})
    assert response.status_code == 403
    assert response.json() == {"detail": "没有权限执行此操作。"}


def test_a_leader_creates_for_a_resident(world, api_as):
    response = api_as(world.users["building"]).post(
        "/wishes",
        {
            "resident_id": world.residents["zhangsan"].pk,
            "category": "companionship",
            "text": "想有人陪着散步",
            "channel": "visit",
        },
    )
    assert response.status_code == 201
    assert (response.json()["channel"], response.json()["resident_name"]) == ("visit", "张三")


def test_the_wall_needs_no_login_and_the_rest_does(world, client):
    assert client.get("/api/v1/wishes/wall").status_code == 200
    assert client.get("/api/v1/wishes").status_code == 401
    assert client.get("/api/v1/wishes").json() == {"detail": "请先登录。"}
