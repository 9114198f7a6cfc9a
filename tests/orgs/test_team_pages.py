"""Teams on screen: create, find and add members from the register, set the 队长, remove a
member after a confirmation; who may, and bad input."""

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.orgs import services
from gongzhi.orgs.models import Team, TeamMembership


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def team(world):
    return services.team_create(actor=None, community=world.wj, name="巡逻队", kind="service")


def roster(team):
    return sorted(TeamMembership.objects.filter(team=team).values_list("resident__name", "role"))


def test_create_a_team(world, login):
    client = login(world.users["staff"])
    form = text(client.get(reverse("orgs:team_new")))
    assert f'<option value="{world.wj.pk}">望江街社区</option>' in form
    assert "其他社区" not in form
    done = client.post(
        reverse("orgs:team_new"),
        {
            "community": world.wj.pk,
            "name": "调解队",
            "kind": "mediation",
            "description": "邻里纠纷",
        },
    )
    team = Team.objects.get(name="调解队")
    assert done.status_code == 302 and done.url == reverse("orgs:team", args=[team.pk])
    assert (team.community, team.kind, team.description) == (world.wj, "mediation", "邻里纠纷")
    assert "调解队" in text(client.get(reverse("orgs:teams")))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "请填写此项。"),
        ({"name": "巡逻队"}, "本社区已有同名队伍。"),
        ({"name": "新队", "kind": "bogus"}, "请选择队伍类别。"),
        ({"name": "新队", "description": "长" * 501}, "不能超过500字（现有501字）。"),
    ],
)
def test_bad_team_input_is_refused_and_kept(world, login, team, data, message):
    response = login(world.users["staff"]).post(
        reverse("orgs:team_new"), {"community": world.wj.pk, "kind": "service", **data}
    )
    assert response.status_code == 400
    assert message in text(response)
    assert Team.objects.count() == 1


def test_a_team_of_another_community_is_not_created(world, login):
    response = login(world.users["staff"]).post(
        reverse("orgs:team_new"), {"community": world.ot.pk, "name": "越界队", "kind": "service"}
    )
    assert response.status_code == 404
    assert not Team.objects.filter(name="越界队").exists()


def test_find_and_add_members_then_choose_the_leader(world, login, team):
    client = login(world.users["secretary"])
    url = reverse("orgs:team_member_add", args=[team.pk])
    found = client.post(url, {"q": "zs", "action": "search"})
    zhangsan = world.residents["zhangsan"]
    assert f'name="resident" value="{zhangsan.pk}"' in text(found)
    assert roster(team) == []
    client.post(url, {"resident": zhangsan.pk, "role": "leader", "action": "save"})
    client.post(url, {"resident": world.residents["lisi"].pk, "role": "member", "action": "save"})
    assert roster(team) == [("张三", "leader"), ("李四", "member")]
    # 设为队长: the sitting one becomes a 队员.
    done = client.post(
        reverse("orgs:team_member_role", args=[team.pk, world.residents["lisi"].pk]),
        {"role": "leader"},
    )
    assert done.status_code == 302
    assert roster(team) == [("张三", "member"), ("李四", "leader")]
    changed = AuditEvent.objects.get(action="orgs.team.member_role_changed")
    assert changed.changes["former_leader"] == "张三"
    page = text(client.get(reverse("orgs:team", args=[team.pk])))
    names = page.split('id="roster-h"')[1].split('id="add-h"')[0]
    assert "成员名单（2人）" in names
    assert names.index("李四") < names.index("张三")  # the 队长 first


def test_a_resident_of_another_community_is_not_found_to_add(world, login, team):
    client = login(world.users["subdistrict"])
    url = reverse("orgs:team_member_add", args=[team.pk])
    found = text(client.post(url, {"q": "赵六", "action": "search"}))
    assert "没有找到符合的居民" in found
    response = client.post(url, {"resident": world.residents["zhaoliu"].pk, "action": "save"})
    assert response.status_code == 400
    assert "只能添加本社区的居民。" in text(response)
    far = login(world.users["staff"]).post(
        url, {"resident": world.residents["zhaoliu"].pk, "action": "save"}
    )
    assert far.status_code == 404
    assert roster(team) == []


def test_adding_without_choosing_someone_says_so(world, login, team):
    response = login(world.users["staff"]).post(
        reverse("orgs:team_member_add", args=[team.pk]), {"q": "", "action": "save"}
    )
    assert response.status_code == 400
    assert "请先查找并选中要加入的居民。" in text(response)


def test_adding_twice_is_refused(world, login, team):
    services.team_member_add(actor=None, team=team, resident=world.residents["lisi"])
    response = login(world.users["staff"]).post(
        reverse("orgs:team_member_add", args=[team.pk]),
        {"resident": world.residents["lisi"].pk, "action": "save"},
    )
    assert response.status_code == 400
    assert "李四已是队伍成员。" in text(response)


def test_a_phone_number_is_not_searched_here(world, login, team):
    response = login(world.users["staff"]).post(
        reverse("orgs:team_member_add", args=[team.pk]), {"q": "13812345678", "action": "search"}
    )
    page = text(response)
    assert "不要输入完整的手机号或身份证号" in page
    assert 'name="resident" value=' not in page


def test_removing_asks_first(world, login, team):
    services.team_member_add(actor=None, team=team, resident=world.residents["lisi"])
    client = login(world.users["staff"])
    url = reverse("orgs:team_member_remove", args=[team.pk, world.residents["lisi"].pk])
    assert "李四将移出巡逻队。" in text(client.get(url))
    assert roster(team) == [("李四", "member")]
    assert client.post(url).status_code == 302
    assert roster(team) == []
    assert AuditEvent.objects.filter(action="orgs.team.member_removed").count() == 1
    # Gone: the page for them is gone too.
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("subdistrict", 200),
        ("secretary", 200),
        ("staff", 200),
        ("other_staff", 404),
        ("grid", 404),
        ("building", 404),
        ("resident", 404),
        ("partner", 404),
    ],
)
def test_who_may_open_a_team(world, login, team, role, status):
    client = login(world.users[role])
    assert client.get(reverse("orgs:team", args=[team.pk])).status_code == status
    client.post(
        reverse("orgs:team_member_add", args=[team.pk]),
        {"resident": world.residents["lisi"].pk, "action": "save"},
    )
    assert roster(team) == ([("李四", "member")] if status == 200 else [])
