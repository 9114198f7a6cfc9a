"""Renewal pages and API: what each role sees, the resident's three steps, the printable
notice, refusals that keep what was typed, and query-count guards on every list."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.renewal import services
from gongzhi.renewal.models import Opinion


class Api:
    def __init__(self, client):
        self.client = client

    def get(self, path, params=None):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path, body=None):
        return self.client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json"
        )


@pytest.fixture
def api_as(login):
    return lambda user: Api(login(user))


@pytest.fixture
def same_queries(django_assert_num_queries):
    def check(client, url, grow):
        with CaptureQueriesContext(connection) as first:
            small = client.get(url)
        assert small.status_code == 200
        grow()
        with django_assert_num_queries(len(first.captured_queries)):
            big = client.get(url)
        assert big.status_code == 200
        return big

    return check


def _more_projects(world, n=3):
    def grow():
        for i in range(n):
            p = services.project_create(
                actor=world.users["staff"], community=world.wj, kind="pipeline", name=f"管线{i}"
            )
            services.project_set_places(actor=world.users["staff"], project=p, buildings=[world.b1])

    return grow


def _more_opinions(world, project, n=3):
    def grow():
        for i in range(n):
            services.opinion_submit(
                actor=world.users["staff"],
                project=project,
                resident=world.residents["lisi"],
                text=f"意见{i}",
                channel="paper",
            )

    return grow


def test_the_staff_list_costs_the_same_for_more_projects(world, project, login, same_queries):
    big = same_queries(login(world.users["staff"]), reverse("renewal:list"), _more_projects(world))
    assert "管线2" in big.content.decode()


def test_the_project_page_costs_the_same_for_more_opinions(
    world, project, open_round, login, same_queries
):
    url = reverse("renewal:project", args=[project.pk])
    big = same_queries(login(world.users["staff"]), url, _more_opinions(world, project))
    html = big.content.decode()
    assert "意见2" in html and "待答复的意见 3 条" in html
    assert "涉及住户" in html


def test_the_api_list_costs_the_same(world, project, api_as, same_queries):
    api = api_as(world.users["staff"])
    same_queries(api.client, "/api/v1/renewal/projects", _more_projects(world))
    assert api.get("/renewal/projects").json()["count"] == 4


def test_the_api_opinions_cost_the_same(world, project, open_round, api_as, same_queries):
    api = api_as(world.users["staff"])
    url = f"/api/v1/renewal/projects/{project.pk}/opinions"
    same_queries(api.client, url, _more_opinions(world, project))


@pytest.mark.parametrize(
    "role,sees",
    [
        ("admin", True),
        ("subdistrict", True),
        ("secretary", True),
        ("staff", True),
        ("grid", True),  # building 1 is in grid 1
        ("grid_worker", False),  # grid 2
        ("building", True),
        ("entrance", True),  # entrance 2 of building 1
        ("resident", True),  # 张三 lives in building 1
        ("partner", False),  # not taking part
        ("other_staff", False),
        ("nobody", False),
    ],
)
def test_who_sees_a_project(world, project, api_as, role, sees):
    api = api_as(world.users[role])
    detail = api.get(f"/renewal/projects/{project.pk}")
    assert detail.status_code == (200 if sees else 404)
    listed = api.get("/renewal/projects")
    if listed.status_code == 200:
        assert (project.pk in [p["id"] for p in listed.json()["items"]]) == sees


def test_a_partner_sees_the_projects_it_takes_part_in(world, project, api_as):
    services.project_set_units(
        actor=world.users["staff"], project=project, links=[(world.partner, "design")]
    )
    assert api_as(world.users["partner"]).get(f"/renewal/projects/{project.pk}").status_code == 200


def test_the_resident_gives_an_opinion_in_three_steps(world, project, open_round, login):
    client = login(world.users["resident"])
    home = client.get(reverse("renewal:my_building")).content.decode()
    assert "1栋加装电梯" in home and "看方案、提意见" in home
    url = reverse("renewal:opinion_new", args=[project.pk])
    step1 = client.get(url).content.decode()
    assert '第 <span class="step-now">1</span> 步' in step1
    step2 = client.post(url, {"text": "请把电梯装在东侧", "action": "review"})
    assert "请把电梯装在东侧" in step2.content.decode()
    step3 = client.post(url, {"text": "请把电梯装在东侧", "action": "save"})
    assert step3.status_code == 200 and "意见已提交" in step3.content.decode()
    assert Opinion.objects.get(project=project).text == "请把电梯装在东侧"


def test_an_empty_opinion_is_refused_on_the_page(world, project, open_round, login):
    client = login(world.users["resident"])
    r = client.post(
        reverse("renewal:opinion_new", args=[project.pk]), {"text": " ", "action": "review"}
    )
    assert r.status_code == 400 and "请写下您的意见。" in r.content.decode()


def test_an_opinion_on_a_closed_round_is_refused_on_the_page(world, project, open_round, login):
    services.round_close(actor=world.users["staff"], round=open_round)
    client = login(world.users["resident"])
    r = client.post(
        reverse("renewal:opinion_new", args=[project.pk]), {"text": "晚了的意见", "action": "save"}
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert "征求意见已经结束" in html and "晚了的意见" in html
    assert not Opinion.objects.exists()


def test_said_and_changed_shows_the_adopted_opinion(world, project, login):
    staff = world.users["staff"]
    r1 = services.round_draft(actor=staff, project=project, title="v1", summary="北侧", text="北")
    services.round_publish(actor=staff, round=r1)
    o = services.opinion_submit(actor=world.users["resident"], project=project, text="北侧挡光")
    services.opinion_answer(actor=staff, opinion=o, answer="adopted", reason="改东侧")
    services.round_close(actor=staff, round=r1)
    r2 = services.round_draft(
        actor=staff,
        project=project,
        title="v2",
        summary="东侧",
        text="东",
        changes=[("电梯改到东侧", [o.pk])],
    )
    services.round_publish(actor=staff, round=r2)
    html = login(world.users["resident"]).get(reverse("renewal:my_building")).content.decode()
    assert "你说 · 我改" in html and "北侧挡光" in html and "电梯改到东侧" in html
    compare = login(staff).get(reverse("renewal:compare", args=[project.pk]) + "?a=1&b=2")
    assert "电梯改到东侧" in compare.content.decode()
    api = Api(login(staff)).get(f"/renewal/projects/{project.pk}/compare", {"a": 1, "b": 2})
    assert api.json()["changes"] == [{"text": "电梯改到东侧", "opinion_ids": [o.pk]}]


def test_the_notice_carries_a_qr_code_to_the_resident_page(world, project, open_round, login):
    html = (
        login(world.users["staff"])
        .get(reverse("renewal:notice", args=[project.pk, 1]))
        .content.decode()
    )
    assert "<svg" in html and f"/renewal/p/{project.pk}/" in html


def test_phase_close_page_says_what_is_missing(world, project, login):
    client = login(world.users["staff"])
    url = reverse("renewal:phase_close", args=[project.pk, project.current_phase.pk])
    assert "还没有下发过方案征求意见" in client.get(url).content.decode()
    r = client.post(url, {"note": "想结束"})
    assert r.status_code == 400 and "想结束" in r.content.decode()


def test_a_grid_chief_sees_but_may_not_run(world, project, login):
    client = login(world.users["grid"])
    assert client.get(reverse("renewal:project", args=[project.pk])).status_code == 200
    r = client.post(reverse("renewal:milestone_add", args=[project.pk]), {"title": "节点"})
    assert r.status_code == 403


def test_staff_create_a_project_and_bad_input_keeps_what_was_typed(world, login):
    client = login(world.users["staff"])
    r = client.post(
        reverse("renewal:new"),
        {"community": world.wj.pk, "kind": "elevator", "name": "", "description": "保留这段"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "请填写项目名称。" in html and "保留这段" in html
    r = client.post(
        reverse("renewal:new"), {"community": world.wj.pk, "kind": "elevator", "name": "2栋电梯"}
    )
    assert r.status_code == 302


def test_the_api_refuses_an_opinion_on_a_closed_round_with_422(world, project, open_round, api_as):
    services.round_close(actor=world.users["staff"], round=open_round)
    r = api_as(world.users["resident"]).post(
        f"/renewal/projects/{project.pk}/opinions", {"text": "晚了"}
    )
    assert r.status_code == 422
    assert r.json()["errors"]["round"] == ["第1轮方案的征求意见已经结束，不能再提意见了。"]


def test_the_api_runs_a_round(world, project, api_as):
    api = api_as(world.users["staff"])
    made = api.post(
        f"/renewal/projects/{project.pk}/rounds", {"title": "v1", "summary": "s", "text": "t"}
    )
    assert made.status_code == 201, made.content
    published = api.post(f"/renewal/projects/{project.pk}/rounds/1/publish", {})
    assert published.json()["status"] == "open"
    op = api_as(world.users["resident"]).post(
        f"/renewal/projects/{project.pk}/opinions", {"text": "好"}
    )
    assert op.status_code == 201
    ans = api_as(world.users["staff"]).post(
        f"/renewal/opinions/{op.json()['id']}/answer", {"answer": "adopted", "reason": "好的"}
    )
    assert ans.json()["answer"] == "adopted"


def test_the_project_page_offers_the_next_draft_after_a_round(world, project, open_round, login):
    services.round_close(actor=world.users["staff"], round=open_round)
    html = login(world.users["staff"]).get(reverse("renewal:project", args=[project.pk]))
    assert html.status_code == 200 and "起草第2版方案" in html.content.decode()
