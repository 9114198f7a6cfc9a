"""Residents' voice through the JSON API: the whole loop, who sees what, refusals, and the
cost of every list."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.orgs.models import PartnerUnit
from gongzhi.voices import services as voices
from gongzhi.voices.catalogue import ensure_categories
from gongzhi.voices.models import EventSession, Item
from tests.world import make_user

from .conftest import Api


@pytest.fixture
def api_as(db):
    """One client per user: the loop passes between people within a test."""

    def _api_as(user):
        client = Client()
        client.force_login(user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
        return Api(client)

    return _api_as


def body(response):
    return json.loads(response.content)


@pytest.fixture
def cats(world):
    ensure_categories()


def _file(api, text="1栋楼道的灯坏了一个星期了", **extra):
    response = api.post("/voices/items", {"text": text, **extra})
    assert response.status_code == 201, response.content
    return body(response)


def _staff_item(world, text="2栋门口积水", resident="wangwu"):
    return voices.item_submit(
        actor=world.users["admin"],
        kind="problem",
        text=text,
        channel="visit",
        on_behalf_of=world.residents[resident],
    )


def test_the_whole_loop_through_the_api(world, api_as, cats):
    # A resident files; the grid chief accepts and escalates; the community dispatches.
    item = _file(api_as(world.users["resident"]))
    assert (item["status"], item["channel"], item["level"]) == ("submitted", "online", "grid")
    assert [r["name"] for r in item["reporters"]] == ["张三"]
    assert item["suggested_category"] is not None
    pk = item["id"]

    grid = api_as(world.users["grid"])
    assert pk in [i["id"] for i in body(grid.get("/voices/items"))["items"]]
    data = body(grid.post(f"/voices/items/{pk}/accept", {"category": "other"}))
    assert (data["status"], data["category"]["code"]) == ("accepted", "other")
    data = body(grid.post(f"/voices/items/{pk}/escalate", {"reason": "需要社区协调物业"}))
    assert data["level"] == "community"
    assert data["full_timeline"] is True

    secretary = api_as(world.users["secretary"])
    response = secretary.post(
        f"/voices/items/{pk}/dispatch", {"unit_id": world.partner.pk, "instructions": "请核查"}
    )
    assert response.status_code == 200, response.content
    data = body(response)
    assert (data["status"], data["responsible_unit"]) == ("dispatched", "市住建局")
    dispatch_id = data["dispatches"][0]["id"]

    # The partner unit sees only what was dispatched to it, with the reporter masked.
    partner = api_as(world.users["partner"])
    _staff_item(world)  # not dispatched: the partner must not see it
    assert [i["id"] for i in body(partner.get("/voices/items"))["items"]] == [pk]
    seen = body(partner.get(f"/voices/items/{pk}"))
    assert [(r["name"], r["phone"], r["entered_by"]) for r in seen["reporters"]] == [
        ("张*", "", "")
    ]
    assert seen["full_timeline"] is False
    assert all(e["public"] for e in seen["timeline"])
    assert seen["location_text"] == ""
    assert body(partner.post(f"/voices/dispatches/{dispatch_id}/accept"))["status"] == "accepted"
    reply = partner.post(f"/voices/dispatches/{dispatch_id}/reply", {"reply": "已更换灯具"})
    assert body(reply)["status"] == "replied"

    response = secretary.post(f"/voices/dispatches/{dispatch_id}/verify", {"accepted": True})
    assert response.status_code == 200, response.content
    data = body(response)
    assert data["status"] == "resolved"

    # The resident rates it; the item closes and the measures count it.
    resident = api_as(world.users["resident"])
    data = body(
        resident.post(
            f"/voices/items/{pk}/return-visit", {"solved": "solved", "satisfaction": "satisfied"}
        )
    )
    assert data["status"] == "closed"
    assert data["full_timeline"] is False
    assert [e["type"] for e in data["timeline"]][-2:] == ["return_visit", "closed"]
    assert Item.objects.get(pk=pk).return_visits.get().by_resident is True

    month = f"{timezone.localdate():%Y-%m}"
    rows = body(secretary.get("/voices/measures", month=month, group_by="community"))["rows"]
    row = next(r for r in rows if r["label"] == "望江街社区")
    assert row["satisfaction"] == {"numerator": 1, "denominator": 1, "rate": 1.0}
    assert row["resolution"]["numerator"] == 1
    unit_rows = body(secretary.get("/voices/measures", month=month, group_by="unit"))["rows"]
    assert [(r["label"], r["received"]) for r in unit_rows] == [("市住建局", 1)]

    texts = [n["text"] for n in body(resident.get("/voices/notifications"))["items"]]
    assert any("已办结" in t for t in texts)
    assert all(
        n["item_number"] == data["number"]
        for n in body(resident.get("/voices/notifications"))["items"]
    )


def test_filing_names_the_new_item_and_answers_short_when_asked(world, login, cats):
    """``Location`` names the new item; ``Prefer: return=minimal`` (RFC 7240) answers with
    its number, status and deadline only, equal to what reading it gives, and reads no
    timeline, reporters or dispatches back."""
    client = login(world.users["resident"])

    def file(text, **headers):
        return client.post(
            "/api/v1/voices/items", {"text": text}, content_type="application/json", headers=headers
        )

    full = file("1栋楼道的灯坏了一个星期了")
    assert full.status_code == 201
    assert full["Location"] == f"/api/v1/voices/items/{full.json()['id']}"
    assert "Preference-Applied" not in full
    assert {"timeline", "reporters", "actions"} <= full.json().keys()

    with CaptureQueriesContext(connection) as short_queries:
        short = file("2栋门口积水好几天了", Prefer="handling=lenient, return=minimal")
    assert short.status_code == 201
    assert short["Preference-Applied"] == "return=minimal"
    receipt = short.json()
    assert set(receipt) == {"id", "number", "status", "status_label", "submitted_at", "due_at"}
    assert short["Location"] == f"/api/v1/voices/items/{receipt['id']}"
    read = client.get(short["Location"]).json()
    assert (receipt["number"], receipt["status"], receipt["status_label"]) == (
        read["number"],
        "submitted",
        "待受理",
    )
    for name in ("submitted_at", "due_at"):
        assert dt.datetime.fromisoformat(receipt[name]) == dt.datetime.fromisoformat(
            read[name].replace("Z", "+00:00")
        )
    with CaptureQueriesContext(connection) as full_queries:
        file("3栋电梯异响")
    assert len(short_queries) < len(full_queries)
    assert not any(
        "voices_itemevent" in q["sql"] and q["sql"].startswith("SELECT") for q in short_queries
    )


@pytest.mark.parametrize(
    "prefer, minimal",
    [
        ("return=minimal", True),
        ("Return = Minimal", True),
        ("respond-async, return=minimal; x=1", True),
        ("return=representation", False),
        ("", False),
        ("return=minimalist", False),
    ],
)
def test_the_prefer_header_is_read_as_rfc_7240_says(prefer, minimal):
    from gongzhi.api.voices import wants_minimal

    assert wants_minimal(prefer) is minimal


def test_filters(world, api_as, cats):
    a = _staff_item(world, "1栋漏水", resident="zhangsan")
    b = _staff_item(world, "2栋漏水")
    voices.item_accept(actor=world.users["secretary"], item=b, category=_cat("other"))
    api = api_as(world.users["secretary"])

    def ids(**params):
        response = api.get("/voices/items", **params)
        assert response.status_code == 200, response.content
        return [i["id"] for i in body(response)["items"]]

    assert ids() == [b.pk, a.pk]
    assert ids(status="accepted") == [b.pk]
    assert ids(status="submitted,accepted") == [b.pk, a.pk]
    assert ids(grid="WJ-G1") == [a.pk]
    assert ids(category="other") == [b.pk]
    assert ids(level="grid") == [i.pk for i in [b, a] if Item.objects.get(pk=i.pk).level == "grid"]
    assert ids(overdue="false") == [b.pk, a.pk]
    assert ids(overdue="true") == []
    Item.objects.filter(pk=a.pk).update(due_at=timezone.now() - dt.timedelta(days=3))
    assert ids(overdue="true") == [a.pk]
    page = body(api.get("/voices/items", limit=1, offset=1))
    assert (page["count"], [i["id"] for i in page["items"]]) == (2, [a.pk])


def _cat(code):
    from gongzhi.voices.models import Category

    return Category.objects.get(code=code)


def test_another_grids_item_is_404(world, api_as, cats):
    item = _staff_item(world)  # grid 2
    grid1 = api_as(world.users["grid"])
    assert item.pk not in [i["id"] for i in body(grid1.get("/voices/items"))["items"]]
    for method, path, payload in [
        ("get", f"/voices/items/{item.pk}", None),
        ("post", f"/voices/items/{item.pk}/accept", {"category": "other"}),
        ("post", f"/voices/items/{item.pk}/escalate", {"reason": "x"}),
        ("post", f"/voices/items/{item.pk}/join", {}),
    ]:
        response = getattr(grid1, method)(path, payload) if payload is not None else grid1.get(path)
        assert response.status_code == 404, (path, response.content)
        assert body(response) == {"detail": "未找到。"}
    assert Item.objects.get(pk=item.pk).status == "submitted"


def test_partner_isolation(world, api_as, cats):
    other_unit = PartnerUnit.objects.create(
        name="攀枝花供电公司", short_name="供电公司", kind="enterprise"
    )
    other_unit.communities.add(world.wj)
    outsider = make_user("partner-power", partner=other_unit)
    item = _staff_item(world)
    secretary = world.users["secretary"]
    voices.item_accept(actor=secretary, item=item, category=_cat("other"), level="community")
    dispatch = voices.item_dispatch(actor=secretary, item=item, unit=world.partner)
    api = api_as(outsider)
    assert body(api.get("/voices/items")) == {"items": [], "count": 0}
    assert api.get(f"/voices/items/{item.pk}").status_code == 404
    for action, payload in [("accept", {}), ("reply", {"reply": "x"}), ("return", {"reason": "x"})]:
        response = api.post(f"/voices/dispatches/{dispatch.pk}/{action}", payload)
        assert response.status_code == 404, action
    # Nor may the partner verify its own reply: that is the community's.
    own = api_as(world.users["partner"])
    own.post(f"/voices/dispatches/{dispatch.pk}/accept")
    own.post(f"/voices/dispatches/{dispatch.pk}/reply", {"reply": "已处理"})
    response = own.post(f"/voices/dispatches/{dispatch.pk}/verify", {"accepted": True})
    assert response.status_code in (403, 404)
    assert Item.objects.get(pk=item.pk).status == "dispatched"


def test_partner_returns_a_dispatch(world, api_as, cats):
    item = _staff_item(world)
    voices.item_accept(
        actor=world.users["secretary"], item=item, category=_cat("other"), level="community"
    )
    dispatch = voices.item_dispatch(actor=world.users["secretary"], item=item, unit=world.partner)
    api = api_as(world.users["partner"])
    response = api.post(f"/voices/dispatches/{dispatch.pk}/return", {"reason": ""})
    assert response.status_code == 422
    assert body(response)["errors"] == {"reason": ["请填写退回原因。"]}
    data = body(
        api.post(f"/voices/dispatches/{dispatch.pk}/return", {"reason": "不属于本单位职责"})
    )
    assert data["status"] == "returned"
    assert Item.objects.get(pk=item.pk).status == "accepted"


def test_refusals_are_chinese(world, api_as, cats):
    resident = api_as(world.users["resident"])
    response = resident.post("/voices/items", {"text": "   "})
    assert response.status_code == 422
    assert body(response) == {
        "detail": "请检查填写的内容。",
        "errors": {"text": ["请填写诉求内容。"]},
    }
    pk = _file(resident)["id"]
    grid = api_as(world.users["grid"])
    response = grid.post(f"/voices/items/{pk}/accept", {"category": "nope"})
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"category": ["请选择有效的分类。"]},
    )
    # Visible to the grid chief, but dispatching is the community's: 403.
    grid.post(f"/voices/items/{pk}/accept", {"category": "other"})
    response = grid.post(f"/voices/items/{pk}/dispatch", {"unit_id": world.partner.pk})
    assert response.status_code == 403
    assert body(response) == {"detail": "没有权限执行此操作。"}
    # A resident may not accept their own item.
    assert resident.post(f"/voices/items/{pk}/resolve", {"note": "好了"}).status_code == 403
    response = grid.post(f"/voices/items/{pk}/resolve", {"note": ""})
    assert body(response)["errors"] == {"note": ["请填写办理结果。"]}
    response = api_as(world.users["secretary"]).get("/voices/measures", month="2026-13")
    assert response.status_code == 422


def test_on_behalf_me_too_and_merge(world, api_as, cats):
    grid = api_as(world.users["grid"])
    data = _file(grid, "甘露园1栋门口路灯坏了", resident_id=world.residents["lisi"].pk)
    assert data["channel"] == "visit"
    assert [(r["name"], r["entered_by"]) for r in data["reporters"]] == [("李四", "wj-grid1")]
    # 张三 joins it (me too) from his own login.
    resident = api_as(world.users["resident"])
    # Without the offer the duplicate finder makes, the item is as good as missing.
    assert resident.post(f"/voices/items/{data['id']}/join", {}).status_code == 404
    offers = body(resident.post("/voices/similar", {"text": "1栋门口的路灯坏了"}))
    assert [(o["item_id"], o["number"]) for o in offers] == [(data["id"], data["number"])]
    joined = resident.post(f"/voices/items/{data['id']}/join", {"offer": offers[0]["offer"]})
    assert joined.status_code == 200, joined.content
    # The answer says it is done and nothing about who else reported it.
    assert body(joined) == {
        "item_id": data["id"],
        "number": data["number"],
        "status": "submitted",
        "detail": "已附议，办理进展会通知您。",
    }
    mine = body(resident.get(f"/voices/items/{data['id']}"))
    assert [r["name"] for r in mine["reporters"]] == ["张三"]
    again = resident.post(f"/voices/items/{data['id']}/join", {"offer": offers[0]["offer"]})
    assert body(again)["errors"] == {"__all__": ["您已反映或附议过该诉求。"]}
    staff_view = body(grid.get(f"/voices/items/{data['id']}"))
    assert [r["name"] for r in staff_view["reporters"]] == ["李四", "张三"]
    # Another grid-1 item merged into it: its reporters now hear the outcome of the first.
    dup = _staff_item(world, "1栋路灯不亮", resident="zhangsan")
    merged = grid.post(f"/voices/items/{dup.pk}/merge", {"into_id": data["id"]})
    assert merged.status_code == 200, merged.content
    assert body(merged)["id"] == data["id"]
    assert Item.objects.get(pk=dup.pk).status == "merged"


def test_event_session_bulk_entry(world, api_as, cats):
    session = EventSession.objects.create(
        community=world.wj,
        title="坝坝龙门阵",
        format="baba_longmenzhen",
        held_on=dt.date(2026, 3, 1),
    )
    api = api_as(world.users["secretary"])
    response = api.post(
        f"/voices/event-sessions/{session.pk}/items",
        {
            "rows": [
                {"text": "希望加装电梯"},
                {"text": ""},
                {"text": "停车难", "building_id": world.b2.pk},
            ]
        },
    )
    assert response.status_code == 422
    assert body(response)["errors"] == {"rows": ["第2行：请填写诉求内容。"]}
    assert not Item.objects.exists()
    response = api.post(
        f"/voices/event-sessions/{session.pk}/items",
        {
            "rows": [
                {"text": "希望加装电梯", "reporter_name": "刘大爷"},
                {"text": "停车难", "building_id": world.b2.pk},
            ]
        },
    )
    assert response.status_code == 201, response.content
    items = body(response)["items"]
    assert [(i["channel"], i["kind"], i["place"]["building"]) for i in items] == [
        ("event", "suggestion", None),
        ("event", "suggestion", "2栋"),
    ]
    # The grid chief cannot enter an event's opinions.
    response = api_as(world.users["grid"]).post(
        f"/voices/event-sessions/{session.pk}/items", {"rows": [{"text": "x"}]}
    )
    assert response.status_code in (403, 404)


def test_staff_return_visit_not_solved_reopens(world, api_as, cats):
    item = _staff_item(world, "1栋漏水", resident="zhangsan")
    secretary = world.users["secretary"]
    voices.item_accept(actor=secretary, item=item, category=_cat("other"))
    voices.item_resolve(actor=secretary, item=item, note="已修补")
    data = body(
        api_as(secretary).post(
            f"/voices/items/{item.pk}/return-visit",
            {"solved": "not_solved", "satisfaction": "dissatisfied", "comment": "还在漏"},
        )
    )
    assert data["status"] == "accepted"
    assert Item.objects.get(pk=item.pk).return_visits.get().by_resident is False


# --- query-count guards -------------------------------------------------------------------


def _count(client, url, pick):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx), len(pick(body(response)))


def _same_for_one_and_three(client, url, add, pick):
    add()
    client.get(url)
    one, n1 = _count(client, url, pick)
    add()
    add()
    three, n3 = _count(client, url, pick)
    assert (n1, n3) == (1, 3)
    assert three == one


def test_items_list_query_count(world, login, cats):
    def add():
        item = _staff_item(world)
        voices.item_accept(
            actor=world.users["secretary"], item=item, category=_cat("other"), level="community"
        )

    client = login(world.users["secretary"])
    _same_for_one_and_three(client, "/api/v1/voices/items", add, lambda d: d["items"])


def test_partner_items_list_query_count(world, login, cats):
    def add():
        item = _staff_item(world)
        voices.item_accept(
            actor=world.users["secretary"], item=item, category=_cat("other"), level="community"
        )
        voices.item_dispatch(actor=world.users["secretary"], item=item, unit=world.partner)

    client = login(world.users["partner"])
    _same_for_one_and_three(client, "/api/v1/voices/items", add, lambda d: d["items"])


def test_an_item_row_joins_few_tables_and_reads_its_places_by_key(world, login, cats):
    # PostgreSQL's planning time grows steeply with the tables in one join: the ten-table
    # item query took 35-50 ms to plan on the city, for 1 ms of work, on every request.
    item = _staff_item(world)
    client = login(world.users["secretary"])
    urls = (
        "/api/v1/voices/items",
        f"/api/v1/voices/items/{item.pk}",
        "/api/v1/voices/publication-queue?all=true",
    )
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.content
        item_rows = [
            q["sql"]
            for q in ctx.captured_queries
            if q["sql"].startswith("SELECT") and '"voices_item"."number"' in q["sql"]
        ]
        assert item_rows, url
        assert max(sql.count(" JOIN ") for sql in item_rows) <= 4, url
        if url == "/api/v1/voices/items":
            # The list shows titles: it reads neither the text nor the routing keywords.
            assert not any('"voices_item"."text"' in sql for sql in item_rows)
            assert not any('"voices_category"."keywords"' in sql for sql in item_rows)
    listed = body(client.get("/api/v1/voices/items"))["items"][0]
    assert listed["place"] == {
        "community": item.community.name,
        "grid": item.grid.name,
        "compound": item.compound.name if item.compound_id else None,
        "building": str(item.building),
        "entrance": item.entrance.number if item.entrance_id else None,
    }
    assert listed["place"]["building"]


def test_notifications_query_count(world, login, cats):
    client = login(world.users["resident"])
    _same_for_one_and_three(
        client,
        "/api/v1/voices/notifications",
        lambda: _staff_item(world, "1栋漏水", resident="zhangsan"),
        lambda d: d["items"],
    )


def test_measures_query_count(world, login, cats):
    client = login(world.users["subdistrict"])
    grids = iter([world.g1, world.g2, world.g3])
    residents = {world.g1: "zhangsan", world.g2: "wangwu", world.g3: "zhaoliu"}

    def add():
        _staff_item(world, "漏水", resident=residents[next(grids)])

    url = f"/api/v1/voices/measures?month={timezone.localdate():%Y-%m}&group_by=grid"
    _same_for_one_and_three(client, url, add, lambda d: d["rows"])


def test_detail_query_count_does_not_grow_with_the_timeline(world, login, cats):
    item = _staff_item(world, "1栋漏水", resident="zhangsan")
    client = login(world.users["secretary"])
    url = f"/api/v1/voices/items/{item.pk}"
    client.get(url)
    before, _ = _count(client, url, lambda d: d["timeline"])
    voices.item_accept(actor=world.users["secretary"], item=item, category=_cat("other"))
    voices.item_escalate(actor=world.users["secretary"], item=item, reason="需要街道")
    after, _ = _count(client, url, lambda d: d["timeline"])
    assert after == before


def test_a_reporter_withdraws_before_acceptance_and_nobody_else_can(world, api_as, cats):
    resident = api_as(world.users["resident"])
    data = _file(resident, "1栋门口的垃圾桶满了")
    grid = api_as(world.users["grid"])
    refused = grid.post(f"/voices/items/{data['id']}/withdraw", {"reason": "不是本人"})
    assert (refused.status_code, body(refused)) == (403, {"detail": "没有权限执行此操作。"})
    assert Item.objects.get(pk=data["id"]).status == "submitted"
    done = resident.post(f"/voices/items/{data['id']}/withdraw", {"reason": "已经自己解决了"})
    assert done.status_code == 200, done.content
    assert (body(done)["status"], "withdraw" in body(done)["actions"]) == ("withdrawn", False)
    again = resident.post(f"/voices/items/{data['id']}/withdraw", {})
    assert again.status_code == 422


def test_staff_reveal_a_reporters_phone_for_a_reason(world, api_as, cats):
    from gongzhi.core.models import AuditEvent

    item = _staff_item(world, "1栋楼道灯不亮", resident="zhangsan")
    reporter = item.reporters.get()
    grid = api_as(world.users["grid"])
    url = f"/voices/items/{item.pk}/reporters/{reporter.pk}/reveal"
    refused = grid.post(url, {})
    assert refused.status_code == 422
    assert not AuditEvent.objects.filter(action="voices.reporter.revealed").exists()
    shown = grid.post(url, {"reason": "emergency"})
    assert body(shown) == {"phone": "13812345678"}
    event = AuditEvent.objects.get(action="voices.reporter.revealed")
    assert (event.actor_id, event.changes["reason"]) == (world.users["grid"].pk, "emergency")
    # The building chief sees the item but may not see full numbers; a partner without a
    # dispatch does not see the item at all.
    chief = api_as(world.users["building"]).post(url, {"reason": "emergency"})
    assert chief.status_code == 403
    assert api_as(world.users["partner"]).post(url, {"reason": "emergency"}).status_code == 404
    # A reporter of another item, under this item's id, is not found.
    other = _staff_item(world, "2栋门口积水").reporters.get()
    wrong = grid.post(
        f"/voices/items/{item.pk}/reporters/{other.pk}/reveal", {"reason": "emergency"}
    )
    assert wrong.status_code == 404
