"""The API's writes to posts and team members: the same services as the pages, the API's
404/403/422 conventions, and the same Chinese refusals."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.orgs import services
from gongzhi.orgs.models import Post, TeamMembership


def call(client, method, path, body=None):
    return client.generic(
        method, f"/api/v1{path}", json.dumps(body or {}), content_type="application/json"
    )


@pytest.fixture
def as_user(login):
    return lambda user: login(user)


def building_chief(world):
    return Post.objects.get(kind="building_chief", building=world.b1)


def test_appoint_end_and_hand_over(world, as_user):
    client = as_user(world.users["staff"])
    created = call(
        client,
        "POST",
        "/posts",
        {
            "kind": "building_chief",
            "node_level": "building",
            "node_id": world.b2.pk,
            "resident_id": world.residents["wangwu"].pk,
            "started_on": "2025-02-01",
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["holder_name"], body["node"]["name"], body["started_on"]) == (
        "王五",
        "2栋",
        "2025-02-01",
    )
    handed = call(
        client,
        "POST",
        f"/posts/{body['id']}/hand-over",
        {"on": "2025-08-01", "holder_name": "新楼栋长"},
    )
    assert handed.status_code == 201
    assert (handed.json()["holder_name"], handed.json()["started_on"]) == (
        "新楼栋长",
        "2025-08-01",
    )
    assert Post.objects.get(pk=body["id"]).ended_on == dt.date(2025, 8, 1)
    ended = call(client, "POST", f"/posts/{handed.json()['id']}/end", {"ended_on": "2025-09-01"})
    assert (ended.status_code, ended.json()["ended_on"]) == (200, "2025-09-01")


def test_a_second_chief_is_a_422_in_chinese(world, as_user):
    response = call(
        as_user(world.users["staff"]),
        "POST",
        "/posts",
        {
            "kind": "building_chief",
            "node_level": "building",
            "node_id": world.b1.pk,
            "holder_name": "x",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"]["kind"] == [
        "1栋已有楼栋长：wj-building1（2020-01-01起任职）。"
        "同一时间只能有一位楼栋长，请先办理离任，或用“交接”换人。"
    ]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"ended_on": "2019-01-01"}, "ended_on", "离任日期不能早于任职日期（2020-01-01）。"),
        ({"ended_on": "9999-12-31"}, "ended_on", "日期须在1900年至2100年之间。"),
    ],
)
def test_bad_end_dates(world, as_user, body, field, message):
    post = building_chief(world)
    response = call(as_user(world.users["staff"]), "POST", f"/posts/{post.pk}/end", body)
    assert (response.status_code, response.json()["errors"]) == (422, {field: [message]})
    assert Post.objects.get(pk=post.pk).ended_on is None


def test_ending_twice(world, as_user):
    post = building_chief(world)
    client = as_user(world.users["staff"])
    assert (
        call(client, "POST", f"/posts/{post.pk}/end", {"ended_on": "2024-01-01"}).status_code == 200
    )
    again = call(client, "POST", f"/posts/{post.pk}/end", {})
    assert again.json()["errors"] == {"ended_on": ["该岗位已于2024-01-01离任，不能再次离任。"]}


def test_an_unknown_username_is_a_422(world, as_user):
    response = call(
        as_user(world.users["staff"]),
        "POST",
        "/posts",
        {"kind": "grid_worker", "node_level": "grid", "node_id": world.g1.pk, "username": "ghost"},
    )
    assert (response.status_code, response.json()["errors"]) == (
        422,
        {"username": ["没有用户名为“ghost”的账号。"]},
    )


@pytest.mark.parametrize(
    ("role", "node", "status"),
    [
        ("grid", "g1", 403),  # sees grid 1, manages nothing
        ("grid", "g2", 404),
        ("building", "g2", 404),
        ("other_staff", "g1", 404),
        ("secretary", "g1", 201),
        ("subdistrict", "g3", 201),
    ],
)
def test_who_may_appoint_through_the_api(world, as_user, role, node, status):
    response = call(
        as_user(world.users[role]),
        "POST",
        "/posts",
        {
            "kind": "grid_worker",
            "node_level": "grid",
            "node_id": getattr(world, node).pk,
            "holder_name": "甲",
        },
    )
    assert response.status_code == status
    assert Post.objects.filter(holder_name="甲").exists() == (status == 201)


def test_team_members(world, as_user, django_assert_num_queries):
    team = services.team_create(actor=None, community=world.wj, name="巡逻队", kind="service")
    client = as_user(world.users["staff"])
    path = f"/teams/{team.pk}/members"
    added = call(
        client, "POST", path, {"resident_id": world.residents["zhangsan"].pk, "role": "leader"}
    )
    assert (added.status_code, added.json()["role_label"]) == (201, "队长")
    call(client, "POST", path, {"resident_id": world.residents["lisi"].pk})
    changed = call(client, "PATCH", f"{path}/{world.residents['lisi'].pk}", {"role": "leader"})
    assert changed.json()["role"] == "leader"
    with CaptureQueriesContext(connection) as two:
        roster = client.get(f"/api/v1{path}").json()
    queries = len(two.captured_queries)  # the next request empties Django's query log
    assert [(m["name"], m["role"]) for m in roster] == [("李四", "leader"), ("张三", "member")]
    call(client, "POST", path, {"resident_id": world.residents["wangwu"].pk})
    with django_assert_num_queries(queries):
        assert len(client.get(f"/api/v1{path}").json()) == 3
    gone = call(client, "DELETE", f"{path}/{world.residents['wangwu'].pk}")
    assert gone.status_code == 204
    assert TeamMembership.objects.filter(team=team).count() == 2
    twice = call(client, "DELETE", f"{path}/{world.residents['wangwu'].pk}")
    assert twice.status_code == 404


def test_team_members_out_of_reach(world, as_user):
    team = services.team_create(actor=None, community=world.wj, name="巡逻队", kind="service")
    path = f"/teams/{team.pk}/members"
    far = call(
        as_user(world.users["other_staff"]),
        "POST",
        path,
        {"resident_id": world.residents["zhaoliu"].pk},
    )
    assert far.status_code == 404
    other_community = call(
        as_user(world.users["staff"]), "POST", path, {"resident_id": world.residents["zhaoliu"].pk}
    )
    assert other_community.status_code == 404
    assert not TeamMembership.objects.exists()
