"""The deliberation API: the five steps over HTTP, 409 with the Chinese reason for a skip
or an unmet condition, scoping like the pages, Chinese refusals and nothing half written."""

import json

import pytest

from gongzhi.deliberation.enums import Stage
from gongzhi.deliberation.models import Decision, Matter, Task

from .conftest import MONDAY


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


def test_a_skipped_stage_answers_409_in_chinese(world, api_as):
    api = api_as(world.users["staff"])
    made = api.post(
        "/matters", {"title": "1栋加装电梯", "summary": "说明", "building_id": world.b1.pk}
    )
    assert made.status_code == 201, made.content
    matter_id = made.json()["id"]
    assert made.json()["stage"] == "investigate"
    skipped = api.post(f"/matters/{matter_id}/transitions", {"to": "推"})
    assert skipped.status_code == 409
    assert skipped.json()["detail"] == (
        "议题现在处于“摸（摸清情况）”，不能转到“推（推进落实）”：五步法不能跳过，下一步是“议（会议商定）”。"
    )
    unmet = api.post(f"/matters/{matter_id}/transitions", {"to": "deliberate"})
    assert unmet.status_code == 409
    assert unmet.json()["detail"].startswith("还没有走访记录")
    bad = api.post(f"/matters/{matter_id}/transitions", {"to": "跳"})
    assert bad.status_code == 422
    assert bad.json()["errors"]["to"] == ["不认识的环节，可选：摸、议、推、示、评、办结。"]
    visit = api.post(
        f"/matters/{matter_id}/visits",
        {"note": "走访了两户", "household_ids": [world.households["1-1-101"].pk]},
    )
    assert visit.status_code == 201
    moved = api.post(f"/matters/{matter_id}/transitions", {"to": "议", "reason": "情况已摸清"})
    assert moved.status_code == 200
    assert [h["to_stage"] for h in moved.json()["history"]] == ["investigate", "deliberate"]
    assert Matter.objects.get(pk=matter_id).stage == Stage.DELIBERATE


def test_a_meeting_decides_with_tasks_and_a_task_without_owner_writes_nothing(
    world, api_as, make_matter
):
    matter = make_matter(Stage.DELIBERATE)
    api = api_as(world.users["staff"])
    made = api.post(
        "/meetings",
        {
            "kind": "coordination",
            "form": "heart_to_heart",
            "title": "协调会",
            "starts_at": MONDAY.isoformat(),
            "place": "会议室",
            "host_name": "王书记",
            "agenda": "议程",
            "matter_id": matter.pk,
        },
    )
    assert made.status_code == 201, made.content
    meeting_id = made.json()["id"]
    invited = api.post(
        f"/meetings/{meeting_id}/invitees",
        {"invitees": [{"kind": "household", "id": world.households["1-1-101"].pk}]},
    )
    assert invited.json()["invited"] == 1
    outsider = api.post(
        f"/meetings/{meeting_id}/sign-ins", {"resident_id": world.residents["lisi"].pk}
    )
    assert outsider.status_code == 422
    assert outsider.json()["errors"]["who"] == ["不在本次会议的邀请名单中，不能签到。"]
    signed = api.post(
        f"/meetings/{meeting_id}/sign-ins", {"resident_id": world.residents["zhangsan"].pk}
    )
    assert signed.json()["attended"] == 1
    refused = api.post(
        f"/meetings/{meeting_id}/decisions",
        {"text": "实施", "tasks": [{"title": "没人管", "due_days": 3}]},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "tasks.0.owner": ["请指定责任人或责任单位，任务不能没有人负责。"]
    }
    assert Decision.objects.count() == 0
    decided = api.post(
        f"/meetings/{meeting_id}/decisions",
        {
            "text": "实施",
            "tasks": [{"title": "迁改管线", "owner_unit_id": world.partner.pk, "due_days": 3}],
        },
    )
    assert decided.status_code == 201
    assert decided.json()["tasks"][0]["owner"] == "市住建局"


def test_a_partner_unit_sees_and_completes_only_its_tasks(world, api_as, make_matter):
    matter = make_matter(Stage.IMPLEMENT)
    staff_task = matter.tasks.get()
    api = api_as(world.users["staff"])
    given = api.post(
        f"/matters/{matter.pk}/tasks",
        {"title": "管线迁改", "owner_unit_id": world.partner.pk, "due_days": 5},
    )
    assert given.status_code == 201
    partner = api_as(world.users["partner"])
    listed = partner.get("/tasks")
    assert [t["title"] for t in listed.json()["items"]] == ["管线迁改"]
    assert partner.post(f"/tasks/{staff_task.pk}/complete", {"evidence": "x"}).status_code == 404
    done = partner.post(f"/tasks/{given.json()['id']}/complete", {"evidence": "已迁改。"})
    assert done.status_code == 200
    assert done.json()["done_at"] is not None


def test_residents_object_and_vote_over_the_api(world, api_as, make_matter):
    matter = make_matter(Stage.EVALUATE)
    resident = api_as(world.users["resident"])
    voted = resident.post(f"/matters/{matter.pk}/votes", {"choice": "satisfied"})
    assert voted.status_code == 201
    again = resident.post(f"/matters/{matter.pk}/votes", {"choice": "satisfied"})
    assert again.json()["errors"]["choice"] == ["您家已经评议过了，谢谢！"]
    # A resident sees no staff list.
    assert resident.get("/matters").json()["items"] == []


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("admin", True),
        ("subdistrict", True),
        ("secretary", True),
        ("staff", True),
        ("grid", True),
        ("grid_worker", False),
        ("building", True),
        ("entrance", False),
        ("resident", False),
        ("partner", False),
        ("other_staff", False),
        ("nobody", False),
    ],
)
def test_who_sees_a_matter_on_building_1(world, api_as, make_matter, role, seen):
    matter = make_matter()
    api = api_as(world.users[role])
    ids = [m["id"] for m in api.get("/matters").json()["items"]]
    assert (matter.pk in ids) == seen
    assert api.get(f"/matters/{matter.pk}").status_code == (200 if seen else 404)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("staff", 200),
        ("grid", 200),
        ("subdistrict", 200),
        # Sees it, may not run it.
        ("building", 403),
        ("grid_worker", 404),
        ("other_staff", 404),
        ("partner", 404),
        ("resident", 404),
    ],
)
def test_who_may_move_a_matter(world, api_as, make_matter, role, status):
    matter = make_matter()
    from gongzhi.deliberation import services

    services.matter_visit(
        actor=world.users["staff"],
        matter=matter,
        note="走访",
        households=[world.households["1-1-101"]],
    )
    answer = api_as(world.users[role]).post(f"/matters/{matter.pk}/transitions", {"to": "议"})
    assert answer.status_code == status, answer.content
    assert Matter.objects.get(pk=matter.pk).stage == (
        Stage.DELIBERATE if status == 200 else Stage.INVESTIGATE
    )


def test_oversized_text_over_the_api_is_refused_in_chinese(world, api_as):
    api = api_as(world.users["staff"])
    answer = api.post(
        "/matters", {"title": "议" * 81, "summary": "说明", "community_id": world.wj.pk}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"]["title"] == ["不能超过80字（现有81字）。"]
    assert Matter.objects.count() == 0
    assert Task.objects.count() == 0


def test_topics_and_talents_are_reviewed_before_anyone_sees_them(world, api_as):
    resident = api_as(world.users["resident"])
    topic = resident.post("/topics", {"text": "楼道堆物，想商量统一清理。"})
    assert topic.status_code == 201
    assert topic.json()["status"] == "proposed"
    talent = resident.post(
        "/talents", {"name": "张三", "title": "alley_premier", "skills": "调解", "myself": True}
    )
    assert talent.json()["source"] == "self"
    staff = api_as(world.users["staff"])
    leak = staff.post(
        f"/topics/{topic.json()['id']}/review",
        {"approve": True, "public_text": "请联系13812345678"},
    )
    assert leak.status_code == 422
    ok = staff.post(
        f"/topics/{topic.json()['id']}/review", {"approve": True, "public_text": "楼道堆物统一清理"}
    )
    assert ok.json()["status"] == "approved"
    approved = staff.post(f"/talents/{talent.json()['id']}/review", {"approve": True})
    assert approved.json()["consented"] is False
    consent = staff.post(f"/talents/{talent.json()['id']}/consent", {"note": "本人签字"})
    assert consent.json()["consented"] is True
