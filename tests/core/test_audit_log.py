"""The audit log reader: only for ``view_audit``, only the reader's region, filters that
narrow it, pages of 30, bad dates answered in Chinese, and a query count that does not
grow with the log."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import audit
from gongzhi.core.models import AuditEvent
from gongzhi.orgs import services
from gongzhi.orgs.enums import PostKind

URL = reverse("audit:log")


def text(response) -> str:
    return response.content.decode()


def sentences(response) -> list[str]:
    return [row.sentence for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("subdistrict", 200),
        ("secretary", 200),
        ("staff", 404),  # community staff manage, the secretary audits
        ("grid", 404),
        ("building", 404),
        ("resident", 404),
        ("partner", 404),
        ("other_staff", 404),
        ("nobody", 404),
    ],
)
def test_who_reads_the_log(world, login, role, status):
    client = login(world.users[role])
    assert client.get(URL).status_code == status
    assert ("审计日志" in text(client.get("/"))) == (status == 200)


def test_anonymous_is_sent_to_log_in(world, client):
    response = client.get(URL)
    assert (response.status_code, response.url.split("?")[0]) == (302, "/accounts/login/")


def test_the_secretary_reads_their_community_only(world, login):
    response = login(world.users["secretary"]).get(URL)
    shown = sentences(response)
    assert "系统 登记居民：张三" in shown and "系统 登记居民：王五" in shown
    assert "系统 登记居民：赵六" not in shown
    assert (
        response.context["page"].paginator.count
        == AuditEvent.objects.filter(community_id=world.wj.pk).count()
    )


def test_the_subdistrict_reads_every_community_and_its_own_events(world, login):
    services.post_assign(
        actor=world.users["subdistrict"],
        kind=PostKind.SUBDISTRICT_STAFF,
        node=world.sd,
        holder_name="新同事",
    )
    shown = sentences(login(world.users["subdistrict"]).get(URL))
    assert "系统 登记居民：赵六" in shown and "系统 登记居民：张三" in shown
    assert any(s.startswith("sd-staff 任命岗位：街道工作人员 新同事") for s in shown)
    secretary = sentences(login(world.users["secretary"]).get(URL))
    assert not any("新同事" in s for s in secretary)


def test_events_without_a_place_are_for_operators(world, login):
    audit.record(actor=None, action="accounts.user.locked", obj=world.users["grid"])
    assert "系统 锁定账号：wj-grid1" not in sentences(login(world.users["subdistrict"]).get(URL))
    assert "系统 锁定账号：wj-grid1" in sentences(login(world.users["admin"]).get(URL))


def test_filters(world, login):
    secretary = world.users["secretary"]
    services.team_create(actor=secretary, community=world.wj, name="巡逻队", kind="service")
    client = login(secretary)
    by_action = sentences(client.get(URL, {"action": "orgs"}))
    assert by_action == ["wj-secretary 新建队伍：巡逻队"]
    assert sentences(client.get(URL, {"action": "orgs.team.created"})) == by_action
    assert sentences(client.get(URL, {"action": "orgs.team"})) == by_action
    assert sentences(client.get(URL, {"action": "orgs.tea"})) == []  # a whole word only
    assert sentences(client.get(URL, {"actor": "secret"})) == by_action
    assert sentences(client.get(URL, {"object": "巡逻"})) == by_action
    people = sentences(client.get(URL, {"action": "places.resident"}))
    assert sorted(people) == ["系统 登记居民：张三", "系统 登记居民：李四", "系统 登记居民：王五"]
    today = timezone.localdate()
    # The world of three households and three residents, and the team: all written today.
    assert len(sentences(client.get(URL, {"since": today.isoformat()}))) == 7
    assert sentences(client.get(URL, {"until": (today - dt.timedelta(days=1)).isoformat()})) == []


def test_a_record_is_followed_through_a_link(world, login):
    post = services.post_assign(
        actor=world.users["secretary"], kind=PostKind.GRID_WORKER, node=world.g1, holder_name="甲"
    )
    services.post_end(actor=world.users["secretary"], post=post)
    response = login(world.users["secretary"]).get(
        URL, {"object_type": "orgs.post", "object_id": str(post.pk)}
    )
    assert sentences(response) == [
        "wj-secretary 岗位离任：网格员 甲（第一网格）",
        "wj-secretary 任命岗位：网格员 甲（第一网格）",
    ]
    assert "离任日期" in text(response)  # the changes, under each sentence


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2026-02-30"}, "请按“2026-03-01”的格式填写日期。"),
        ({"since": "9999-01-01"}, "日期须在1900年至2100年之间。"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "结束日期不能早于开始日期。"),
        ({"action": "orgs'; drop"}, "请从列表中选择动作。"),
    ],
)
def test_bad_filters_are_a_chinese_400(world, login, params, message):
    response = login(world.users["secretary"]).get(URL, params)
    assert response.status_code == 400
    assert message in text(response)


def test_pages_of_thirty(world, login):
    for _n in range(35):
        audit.record(actor=None, action="places.resident.updated", obj=world.residents["lisi"])
    client = login(world.users["secretary"])
    first = client.get(URL, {"action": "places.resident.updated"})
    assert len(first.context["rows"]) == 30
    assert "第1页，共2页" in text(first)
    assert 'href="?action=places.resident.updated&amp;page=2"' in text(first)
    second = client.get(URL, {"action": "places.resident.updated", "page": 2})
    assert len(second.context["rows"]) == 5


def test_the_query_count_does_not_grow_with_the_log(world, login, django_assert_num_queries):
    client = login(world.users["subdistrict"])
    with CaptureQueriesContext(connection) as first:
        assert client.get(URL).status_code == 200
    for n in range(20):
        services.team_create(
            actor=world.users["secretary"], community=world.wj, name=f"队{n}", kind="service"
        )
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(URL).status_code == 200


def test_changes_read_as_words(world):
    event = services.partner_unit_update(
        actor=world.users["staff"], unit=world.partner, offers="上门检修", in_alliance=False
    )
    assert event is not None
    updated = AuditEvent.objects.get(action="orgs.partner_unit.updated")
    assert audit.change_rows(updated) == [
        ("可提供的资源与服务", "— → 上门检修"),
        ("党建联盟成员", "是 → 否"),
    ]


def test_codes_read_as_words_and_ids_stay_out_of_sight(world):
    post = services.post_assign(
        actor=world.users["staff"],
        kind=PostKind.BUILDING_CHIEF,
        node=world.b2,
        resident=world.residents["wangwu"],
        started_on=dt.date(2025, 1, 2),
    )
    event = AuditEvent.objects.get(action="orgs.post.assigned", object_id=str(post.pk))
    assert audit.change_rows(event) == [
        ("类别", "楼栋长"),
        ("地点", "2栋"),
        ("账号", "—"),
        ("任职人", "王五"),
        ("任职日期", "2025-01-02"),
    ]
