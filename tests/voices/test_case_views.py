"""督办, extensions and joint dispatch on the staff pages (each confirmed on a page of its
own first) and through the API; the 延期审批 queue and what it costs."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongzhi.orgs.models import PartnerUnit
from gongzhi.voices import services
from gongzhi.voices.enums import Channel, DispatchRole, EventType, ItemKind, Level
from gongzhi.voices.models import Dispatch, ExtensionRequest, ItemEvent, Notification
from tests.api.conftest import Api


@pytest.fixture
def api_as(db):
    """One client per user: the steps pass between people within a test."""

    def _api_as(user):
        client = Client()
        client.force_login(user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
        return Api(client)

    return _api_as


def accepted(world, categories, *, level=None, by="grid"):
    item = services.item_submit(
        actor=world.users["resident"],
        kind=ItemKind.PROBLEM,
        text="楼下路灯不亮",
        channel=Channel.ONLINE,
    )
    return services.item_accept(
        actor=world.users[by], item=item, category=categories["lights"], level=level
    )


def nothing_written(item):
    return (
        ExtensionRequest.objects.count(),
        ItemEvent.objects.filter(item=item).count(),
        Notification.objects.count(),
    )


# --- 督办 --------------------------------------------------------------------------------


def test_supervising_asks_for_confirmation_first(world, categories, login):
    item = accepted(world, categories)
    client = login(world.users["staff"])
    url = f"/voices/{item.pk}/supervise/"
    page = client.get(f"/voices/{item.pk}/").content.decode()
    assert f'action="{url}"' in page
    before = nothing_written(item)
    confirm = client.post(url, {"message": "请今天处理"})
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "确认督办" in html and "请今天处理" in html and "发出后不能撤回。" in html
    assert 'type="hidden" name="message" value="请今天处理"' in html
    assert nothing_written(item) == before
    # 返回修改: the item page with what was typed.
    back = client.post(url, {"message": "请今天处理", "confirm": "0"})
    assert back.status_code == 200 and "请今天处理</textarea>" in back.content.decode()
    assert nothing_written(item) == before
    done = client.post(url, {"message": "请今天处理", "confirm": "1"})
    assert (done.status_code, done.url) == (302, f"/voices/{item.pk}/")
    assert item.events.filter(type=EventType.SUPERVISED).get().note == "请今天处理"
    inbox = login(world.users["grid"]).get("/voices/inbox/").content.decode()
    assert '<span class="badge badge-supervised">督办</span>' in inbox


def test_the_grid_is_not_offered_to_supervise_its_own_item(world, categories, login):
    item = accepted(world, categories)
    client = login(world.users["grid"])
    assert "/supervise/" not in client.get(f"/voices/{item.pk}/").content.decode()
    assert client.post(f"/voices/{item.pk}/supervise/", {"message": "x"}).status_code == 403
    assert item.events.filter(type=EventType.SUPERVISED).count() == 0


def test_a_supervision_without_a_message_keeps_the_page(world, categories, login):
    item = accepted(world, categories)
    response = login(world.users["staff"]).post(f"/voices/{item.pk}/supervise/", {"message": ""})
    assert response.status_code == 400
    assert "请填写督办意见。" in response.content.decode()


# --- extensions -------------------------------------------------------------------------


def test_an_extension_over_the_limit_is_a_clear_chinese_error(world, categories, login):
    item = accepted(world, categories)
    client = login(world.users["grid"])
    before = nothing_written(item)
    response = client.post(
        f"/voices/{item.pk}/extension/", {"days": "15", "reason": "灯具要等厂家发货"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "每次最多延长10个工作日（申请了15个）。" in html
    assert "灯具要等厂家发货</textarea>" in html and 'value="15"' in html
    response = client.post(f"/voices/{item.pk}/extension/", {"days": "三天", "reason": "等"})
    assert response.status_code == 400
    assert response.content.decode().count("请填写要延长的工作日数（1到10之间的整数）。") == 1
    assert nothing_written(item) == before


def test_requesting_and_deciding_an_extension_on_the_pages(world, categories, login):
    item = accepted(world, categories)
    grid = login(world.users["grid"])
    confirm = grid.post(f"/voices/{item.pk}/extension/", {"days": "2", "reason": "等配件"})
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "确认申请延期" in html
    assert "本环节申请过0次，提交后还可申请1次。" in html
    assert ExtensionRequest.objects.count() == 0
    grid.post(f"/voices/{item.pk}/extension/", {"days": "2", "reason": "等配件", "confirm": "1"})
    request = ExtensionRequest.objects.get()
    staff = login(world.users["staff"])
    queue = staff.get("/voices/extensions/").content.decode()
    assert item.number in queue and "等配件" in queue
    page = staff.get(f"/voices/{item.pk}/").content.decode()
    assert "审批延期申请" in page
    new_due = services.extension_new_due(item, 2)
    staff.post(
        f"/voices/{item.pk}/extension/decide/",
        {"approve": "yes", "note": "", "confirm": "1"},
    )
    item.refresh_from_db()
    assert (request.decision.outcome, item.due_at) == ("approved", new_due)
    assert item.number not in staff.get("/voices/extensions/").content.decode()


def test_the_queue_is_for_those_above_the_grid(world, login):
    assert login(world.users["grid"]).get("/voices/extensions/").status_code == 404
    assert login(world.users["secretary"]).get("/voices/extensions/").status_code == 200


def test_the_queue_costs_the_same_for_one_or_many(
    world, categories, login, django_assert_num_queries
):
    client = login(world.users["staff"])

    def ask():
        item = accepted(world, categories)
        services.extension_request(actor=world.users["grid"], item=item, days=1, reason="等")

    ask()
    with CaptureQueriesContext(connection) as first:
        client.get("/voices/extensions/")
    ask()
    ask()
    with django_assert_num_queries(len(first.captured_queries)):
        html = client.get("/voices/extensions/").content.decode()
    assert html.count("个工作日</td>") == 3


def test_extensions_through_the_api(world, categories, api_as):
    item = accepted(world, categories)
    grid, staff = api_as(world.users["grid"]), api_as(world.users["staff"])
    over = grid.post(f"/voices/items/{item.pk}/extensions", {"days": 11, "reason": "等"})
    assert over.status_code == 422
    assert json.loads(over.content)["errors"] == {
        "days": ["每次最多延长10个工作日（申请了11个）。"]
    }
    assert ExtensionRequest.objects.count() == 0
    asked = grid.post(f"/voices/items/{item.pk}/extensions", {"days": 2, "reason": "等配件"})
    assert asked.status_code == 200
    assert "decide_extension" not in json.loads(asked.content)["actions"]
    assert (
        grid.post(f"/voices/items/{item.pk}/extension-decision", {"approve": True}).status_code
        == 403
    )
    queue = json.loads(staff.get("/voices/extension-queue").content)
    assert [(r["item_number"], r["days"], r["outcome"]) for r in queue["items"]] == [
        (item.number, 2, None)
    ]
    decided = staff.post(
        f"/voices/items/{item.pk}/extension-decision", {"approve": False, "note": "够了"}
    )
    answer = json.loads(decided.content)
    assert [(e["days"], e["outcome"], e["decision_note"]) for e in answer["extensions"]] == [
        (2, "refused", "够了")
    ]


def test_the_api_queue_costs_the_same_for_one_or_many(world, categories, api_as):
    api = api_as(world.users["staff"])

    def ask():
        item = accepted(world, categories)
        services.extension_request(actor=world.users["grid"], item=item, days=1, reason="等")

    ask()
    with CaptureQueriesContext(connection) as first:
        one = json.loads(api.get("/voices/extension-queue").content)
    ask()
    ask()
    with CaptureQueriesContext(connection) as second:
        three = json.loads(api.get("/voices/extension-queue").content)
    assert (len(one["items"]), len(three["items"])) == (1, 3)
    assert len(second) == len(first)


def test_supervising_through_the_api(world, categories, api_as):
    item = accepted(world, categories)
    assert (
        api_as(world.users["grid"])
        .post(f"/voices/items/{item.pk}/supervise", {"message": "快"})
        .status_code
        == 403
    )
    answer = api_as(world.users["staff"]).post(
        f"/voices/items/{item.pk}/supervise", {"message": "快"}
    )
    assert json.loads(answer.content)["supervised"] is True


# --- joint dispatch -----------------------------------------------------------------------


@pytest.fixture
def water(world):
    unit = PartnerUnit.objects.create(
        name="攀枝花市水务集团", short_name="水务集团", kind="enterprise"
    )
    unit.communities.add(world.wj)
    return unit


def test_a_joint_dispatch_on_the_page(world, categories, login, water):
    item = accepted(world, categories, level=Level.COMMUNITY, by="staff")
    client = login(world.users["staff"])
    assert "联合派单（主办＋协办）" in client.get(f"/voices/{item.pk}/").content.decode()
    url = f"/voices/{item.pk}/dispatch/joint/"
    form = {"unit": world.partner.pk, "supporting_units": [water.pk], "instructions": "一起查"}
    confirm = client.post(url, form)
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "确认联合派单" in html
    assert "攀枝花市住房和城乡建设局" in html and "攀枝花市水务集团" in html
    assert Dispatch.objects.count() == 0
    none = client.post(url, {"unit": world.partner.pk, "instructions": "一起查"})
    assert none.status_code == 400 and "联合派单请至少选择一个协办单位。" in none.content.decode()
    client.post(url, {**form, "confirm": "1"})
    assert list(Dispatch.objects.order_by("role").values_list("unit__short_name", "role")) == [
        ("市住建局", DispatchRole.LEAD),
        ("水务集团", DispatchRole.SUPPORT),
    ]
    page = client.get(f"/voices/{item.pk}/").content.decode()
    assert "派单记录" in page and "协办" in page


def test_a_joint_dispatch_through_the_api(world, categories, api_as, water):
    item = accepted(world, categories, level=Level.COMMUNITY, by="staff")
    answer = api_as(world.users["staff"]).post(
        f"/voices/items/{item.pk}/dispatch",
        {"unit_id": world.partner.pk, "supporting_unit_ids": [water.pk]},
    )
    assert [(d["unit"], d["role"]) for d in json.loads(answer.content)["dispatches"]] == [
        ("市住建局", "lead"),
        ("水务集团", "support"),
    ]
