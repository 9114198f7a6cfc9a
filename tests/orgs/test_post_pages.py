"""The post pages: who reaches them, the board place by place, appointing, ending with a
confirmation, handing over, and bad input answered in Chinese with nothing written."""

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.orgs import services
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import Post
from tests.world import make_user

MANAGERS = ["admin", "subdistrict", "secretary", "staff", "other_staff"]
OTHERS = ["grid", "grid_worker", "building", "entrance", "resident", "partner", "nobody"]
PAGES = ["orgs:posts", "orgs:teams", "orgs:team_new", "orgs:partners", "orgs:partner_new"]
PAGES += ["orgs:party"]


def text(response) -> str:
    return response.content.decode()


def building_chief(world) -> Post:
    return Post.objects.get(kind=PostKind.BUILDING_CHIEF, building=world.b1)


@pytest.mark.parametrize("role", MANAGERS + OTHERS)
def test_the_pages_exist_only_for_those_who_manage_organisations(world, login, role):
    client = login(world.users[role])
    answers = {name: client.get(reverse(name)).status_code for name in PAGES}
    expected = 200 if role in MANAGERS else 404
    assert answers == dict.fromkeys(PAGES, expected)
    home = text(client.get("/"))
    assert ("组织管理" in home) == (role in MANAGERS and role != "resident")


def test_anonymous_is_sent_to_log_in(world, client):
    response = client.get(reverse("orgs:posts"))
    assert (response.status_code, response.url.split("?")[0]) == (302, "/accounts/login/")


def test_the_board_lists_every_place_with_its_holder_or_a_vacancy(world, login):
    page = text(login(world.users["secretary"]).get(reverse("orgs:posts")))
    for heading in ["望江街社区", "第一网格", "第二网格"]:
        assert f">{heading}</h2>" in page
    assert "wj-building1" in page and "wj-entrance1-2" in page and "wj-gridworker2" in page
    # Building 2 has no 楼栋长, entrance 1 of building 1 no 单元长, grid 2 no 网格长.
    new = reverse("orgs:post_new", args=["building", world.b2.pk])
    assert f'href="{new}?kind=building_chief"' in page
    # Vacant: grid 2's 网格长, building 2's 楼栋长, the 单元长 of 1栋1单元 and 2栋1单元.
    assert page.count('<span class="vacant-mark">空缺</span>') == 4
    assert "其他社区" not in page and "ot-staff" not in page


def test_the_board_of_another_community_is_not_found(world, login):
    client = login(world.users["secretary"])
    assert client.get(reverse("orgs:posts"), {"community": world.ot.pk}).status_code == 404
    sd = login(world.users["subdistrict"]).get(reverse("orgs:posts"), {"community": world.ot.pk})
    assert sd.status_code == 200
    assert ">其他网格</h2>" in text(sd) and ">第一网格</h2>" not in text(sd)
    assert "街道工作人员" in text(sd)  # the subdistrict's own posts, for its staff


def test_appoint_a_resident_as_building_chief(world, login):
    client = login(world.users["staff"])
    url = reverse("orgs:post_new", args=["building", world.b2.pk])
    form = text(client.get(url, {"kind": "building_chief"}))
    assert '<option value="building_chief" selected>楼栋长</option>' in form
    found = client.post(url, {"kind": "building_chief", "q": "王五", "action": "search"})
    assert found.status_code == 200
    wangwu = world.residents["wangwu"]
    assert f'name="resident" value="{wangwu.pk}"' in text(found)
    assert not Post.objects.filter(building=world.b2).exists()  # searching saves nothing
    done = client.post(
        url,
        {
            "kind": "building_chief",
            "resident": wangwu.pk,
            "started_on": "2025-04-01",
            "action": "save",
        },
    )
    assert done.status_code == 302
    assert done.url == f"{reverse('orgs:posts')}?community={world.wj.pk}#grid-{world.g2.pk}"
    post = Post.objects.get(building=world.b2)
    assert (post.kind, post.resident, post.holder_name, post.started_on) == (
        "building_chief",
        wangwu,
        "王五",
        dt.date(2025, 4, 1),
    )
    [event] = AuditEvent.objects.filter(action="orgs.post.assigned")
    assert (event.actor, event.community_id) == (world.users["staff"], world.wj.pk)


def test_appoint_a_login_by_username(world, login):
    newcomer = make_user("new-worker")
    newcomer.display_name = "新网格员"
    newcomer.save()
    client = login(world.users["secretary"])
    url = reverse("orgs:post_new", args=["grid", world.g2.pk])
    done = client.post(url, {"kind": "grid_worker", "username": "new-worker", "action": "save"})
    assert done.status_code == 302
    post = Post.objects.get(user=newcomer)
    assert (post.grid, post.holder_name, post.started_on) == (
        world.g2,
        "新网格员",
        dt.date.today(),
    )


def test_a_second_building_chief_is_refused_on_the_page_and_the_typing_kept(world, login):
    client = login(world.users["staff"])
    url = reverse("orgs:post_new", args=["building", world.b1.pk])
    response = client.post(
        url,
        {"kind": "building_chief", "holder_name": "第二个楼栋长", "action": "save"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "1栋已有楼栋长：wj-building1（2020-01-01起任职）" in page
    assert 'value="第二个楼栋长"' in page
    assert Post.objects.filter(kind="building_chief", building=world.b1).count() == 1
    assert not AuditEvent.objects.filter(action="orgs.post.assigned").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "grid_worker", "username": "nobody-such"}, "没有用户名为“nobody-such”的账号。"),
        ({"kind": "grid_worker", "started_on": "2026-02-30"}, "请按“2026-03-01”的格式填写日期。"),
        (
            {"kind": "grid_worker", "holder_name": "x", "started_on": "9999-01-01"},
            "日期须在1900年至2100年之间。",
        ),
        ({"kind": "grid_worker", "holder_name": ""}, "请填写任职人姓名。"),
        ({"kind": "building_chief", "holder_name": "x"}, "请选择岗位。"),
    ],
)
def test_bad_input_is_a_chinese_400_that_writes_nothing(world, login, data, message):
    client = login(world.users["staff"])
    url = reverse("orgs:post_new", args=["grid", world.g1.pk])
    before = Post.objects.count()
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 400
    assert message in text(response)
    assert Post.objects.count() == before


def test_a_resident_out_of_reach_in_the_body_is_not_found(world, login):
    url = reverse("orgs:post_new", args=["grid", world.g1.pk])
    response = login(world.users["staff"]).post(
        url, {"kind": "grid_worker", "resident": world.residents["zhaoliu"].pk, "action": "save"}
    )
    assert response.status_code == 404
    assert not Post.objects.filter(resident=world.residents["zhaoliu"]).exists()


@pytest.mark.parametrize(
    ("role", "level", "node", "status"),
    [
        ("grid", "grid", "g1", 404),  # manages nothing: every organisation page is absent
        ("secretary", "subdistrict", "sd", 403),  # a container of the community, not theirs
        ("secretary", "grid", "g3", 404),
        ("other_staff", "building", "b1", 404),
        ("staff", "nowhere", "g1", 404),
        ("subdistrict", "subdistrict", "sd", 200),
        ("staff", "grid", "g2", 200),
    ],
)
def test_who_may_open_the_appointment_page(world, login, role, level, node, status):
    url = reverse("orgs:post_new", args=[level, getattr(world, node).pk])
    client = login(world.users[role])
    assert client.get(url).status_code == status
    kind = "subdistrict_staff" if level == "subdistrict" else "grid_worker"
    posted = client.post(url, {"kind": kind, "holder_name": "x", "action": "save"})
    assert posted.status_code == (302 if status == 200 else status)
    assert Post.objects.filter(holder_name="x").exists() == (status == 200)


# --- ending a post ---------------------------------------------------------------------


def test_ending_asks_first_and_names_what_will_happen(world, login):
    post = building_chief(world)
    client = login(world.users["secretary"])
    url = reverse("orgs:post_end", args=[post.pk])
    page = text(client.get(url))
    assert "wj-building1将不再担任1栋楼栋长。" in page
    assert "离任不能撤销" in page
    assert Post.objects.get(pk=post.pk).ended_on is None
    done = client.post(url, {"ended_on": "2025-05-01"})
    assert done.status_code == 302
    assert Post.objects.get(pk=post.pk).ended_on == dt.date(2025, 5, 1)
    # Twice: the page says so, and a second POST is refused in Chinese.
    assert "已于2025-05-01离任，不能再次离任。" in text(client.get(url))
    again = client.post(url, {"ended_on": "2025-06-01"})
    assert again.status_code == 400
    assert "已于2025-05-01离任，不能再次离任。" in text(again)
    assert Post.objects.get(pk=post.pk).ended_on == dt.date(2025, 5, 1)


def test_an_end_before_the_start_is_refused(world, login):
    post = building_chief(world)
    response = login(world.users["staff"]).post(
        reverse("orgs:post_end", args=[post.pk]), {"ended_on": "2019-12-31"}
    )
    assert response.status_code == 400
    assert "离任日期不能早于任职日期（2020-01-01）。" in text(response)
    assert Post.objects.get(pk=post.pk).ended_on is None


@pytest.mark.parametrize(
    ("role", "post_of", "status"),
    [
        ("secretary", "building", 302),
        ("subdistrict", "grid_worker", 302),
        ("other_staff", "building", 404),
        ("grid", "grid", 404),  # manages nothing: the pages are absent
        ("staff", "other_staff", 404),
    ],
)
def test_who_may_end_a_post(world, login, role, post_of, status):
    post = Post.objects.get(user=world.users[post_of])
    response = login(world.users[role]).post(reverse("orgs:post_end", args=[post.pk]), {})
    assert response.status_code == status
    assert (Post.objects.get(pk=post.pk).ended_on is not None) == (status == 302)


def test_a_community_post_sees_but_may_not_end_a_subdistrict_post(world, login):
    sd_post = Post.objects.get(user=world.users["subdistrict"])
    response = login(world.users["secretary"]).post(reverse("orgs:post_end", args=[sd_post.pk]))
    # Posts sit on their node: the subdistrict is the secretary's container, not in reach.
    assert response.status_code == 404
    assert Post.objects.get(pk=sd_post.pk).ended_on is None


# --- hand-over ---------------------------------------------------------------------------


def test_hand_over_on_the_page(world, login):
    old = building_chief(world)
    client = login(world.users["staff"])
    url = reverse("orgs:post_hand_over", args=[old.pk])
    page = text(client.get(url))
    assert "现任：wj-building1（2020-01-01起任职）" in page
    lisi = world.residents["lisi"]
    done = client.post(url, {"on": "2025-07-01", "resident": lisi.pk, "action": "save"})
    assert done.status_code == 302
    old.refresh_from_db()
    new = Post.objects.get(kind="building_chief", building=world.b1, ended_on=None)
    assert (old.ended_on, new.resident, new.started_on) == (
        dt.date(2025, 7, 1),
        lisi,
        dt.date(2025, 7, 1),
    )


def test_a_refused_hand_over_leaves_the_holder_in_place(world, login):
    old = building_chief(world)
    url = reverse("orgs:post_hand_over", args=[old.pk])
    response = login(world.users["staff"]).post(
        url, {"on": "2025-07-01", "holder_name": "", "action": "save"}
    )
    assert response.status_code == 400
    assert "请填写任职人姓名。" in text(response)
    assert Post.objects.get(pk=old.pk).ended_on is None
    assert Post.objects.filter(building=world.b1).count() == 1


# --- a person's history -------------------------------------------------------------------


def test_a_residents_history_of_posts(world, login):
    lisi = world.residents["lisi"]
    first = services.post_assign(
        actor=None,
        kind=PostKind.ENTRANCE_CHIEF,
        node=world.b1.entrances.get(number=1),
        resident=lisi,
        started_on=dt.date(2021, 1, 1),
    )
    services.post_end(actor=None, post=first, ended_on=dt.date(2022, 1, 1))
    services.post_hand_over(actor=None, post=building_chief(world), resident=lisi)
    page = text(login(world.users["staff"]).get(reverse("orgs:resident_posts", args=[lisi.pk])))
    assert "李四的任职记录" in page
    assert page.index("楼栋长") < page.index("单元长")  # newest first
    assert "2022-01-01" in page and "在任" in page


def test_a_logins_history_is_reached_only_through_a_post_in_reach(world, login):
    grid = world.users["grid"]
    ok = login(world.users["staff"]).get(reverse("orgs:user_posts", args=[grid.pk]))
    assert ok.status_code == 200 and "第一网格" in text(ok)
    far = login(world.users["other_staff"]).get(reverse("orgs:user_posts", args=[grid.pk]))
    assert far.status_code == 404
