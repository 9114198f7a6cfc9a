"""A partner unit never sees who reported: every page and API answer a partner's login can
reach, over items whose reporters' names, phones and ID numbers are known, and the words
that name them (the item's text, notes, instructions, notifications and their SMS).

The routes are discovered from the resolver (as ``tests/test_route_scoping.py`` does) and
from the partner's menu, so a page added later is walked too. Each is asked for with the
ids of the partner's own dispatches and items, then with the ids of everything else the
world holds. A reporter's full phone reaches the unit only where they agreed to share it,
and only through the audited reveal.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.accounts.services import api_token_issue
from gongzhi.core.identity import make_id_number
from gongzhi.core.models import AuditEvent
from gongzhi.orgs.models import PartnerUnit
from gongzhi.places import services as places
from gongzhi.voices import selectors, services
from gongzhi.voices.enums import Channel, ItemKind, Level, Satisfaction, Solved
from gongzhi.voices.models import Attachment, ItemReporter, Notification
from gongzhi.voices.notify import LocmemSMSBackend
from gongzhi.wishes import services as wishes
from gongzhi.workbench.menu import entries_for
from tests.images import PNG
from tests.test_route_scoping import OBJECT_KWARGS, ROUTES, _text
from tests.world import make_user

NAME = "李绍华"
PHONE = "13987654321"
ID_NUMBER = make_id_number("510402", dt.date(1958, 5, 6), 77)
# 张三 of the world joins the second item; he shared nothing either.
JOINER = "张三"
JOINER_PHONE = "13812345678"


@pytest.fixture
def case(world, categories, commit):
    """李绍华 (1-2-201) reports twice: online with his phone shared and a photo, and through
    the grid chief without consent. Both items are dispatched to 市住建局; staff name him
    in their notes and instructions, as people do; he rates the first; 张三 joins the second;
    his micro-wish is claimed by the unit."""
    u = world.users
    resident = places.resident_create(
        actor=None,
        household=world.households["1-2-201"],
        name=NAME,
        id_number=ID_NUMBER,
        phone=PHONE,
    )
    person = make_user("lishaohua", resident=resident)
    person.display_name = NAME
    person.save()
    text = f"我是{NAME}，电话{PHONE}，身份证{ID_NUMBER}。1栋外墙开裂，雨天漏水到屋里。"
    with commit():
        shared = services.item_submit(
            actor=person,
            kind=ItemKind.PROBLEM,
            text=text,
            location_text=f"{NAME}家北面外墙",
            channel=Channel.ONLINE,
            share_phone_with_partner=True,
            photos=[SimpleUploadedFile("wall.png", PNG, content_type="image/png")],
        )
        services.item_accept(
            actor=u["staff"],
            item=shared,
            category=categories["building"],
            level=Level.COMMUNITY,
            note=f"已电话联系{NAME}（{PHONE}）",
        )
        services.item_comment(actor=u["staff"], item=shared, note=f"{NAME}身份证{ID_NUMBER}")
        d1 = services.item_dispatch(
            actor=u["staff"],
            item=shared,
            unit=world.partner,
            instructions=f"请联系{NAME}，电话{PHONE}",
        )
        services.dispatch_accept(actor=u["partner"], dispatch=d1)
        services.dispatch_reply(actor=u["partner"], dispatch=d1, reply="外墙已修补")
        services.dispatch_verify(actor=u["staff"], dispatch=d1, accepted=True, note=f"{NAME}确认")
        services.item_return_visit(
            actor=person,
            item=shared,
            solved=Solved.SOLVED,
            satisfaction=Satisfaction.SATISFIED,
            comment=f"谢谢，{NAME}",
            by_resident=True,
        )

        kept = services.item_submit(
            actor=u["grid"],
            kind=ItemKind.PROBLEM,
            text=f"{NAME}反映：1栋楼顶漏水，联系{PHONE}",
            channel=Channel.VISIT,
            on_behalf_of=resident,
        )
        services.item_join(actor=u["resident"], item=kept)
        services.item_accept(
            actor=u["staff"], item=kept, category=categories["building"], level=Level.COMMUNITY
        )
        d2 = services.item_dispatch(actor=u["staff"], item=kept, unit=world.partner)

        wish = wishes.wish_submit(
            actor=u["grid"], resident=resident, category="other", text=f"{NAME}想要一副老花镜"
        )
        wishes.wish_publish(actor=u["staff"], wish=wish, public_text="一位老人想要一副老花镜")
        wishes.wish_claim(actor=u["partner"], wish=wish)
    return {"shared": shared, "kept": kept, "d1": d1, "d2": d2, "wish": wish, "person": person}


SECRETS = [NAME, "李紹華", PHONE, ID_NUMBER, JOINER, "張三", JOINER_PHONE]


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def _plain(response) -> str:
    """The page's words without markup, spaces run together."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def _own_values(world, case) -> dict:
    """URL kwargs naming what is the partner's own: its dispatches, their items, the photo,
    the wish it claimed."""
    photo = Attachment.objects.filter(item=case["shared"]).first()
    item, dispatch = case["shared"].pk, case["d1"].pk
    return {
        "item_id": item,
        "dispatch_id": dispatch,
        "attachment_id": photo.pk,
        "wish_id": case["wish"].pk,
        "unit_id": world.partner.pk,
        **{("voices:" + n, "pk"): dispatch for n in ["dispatch", "dispatch_accept"]},
        **{("voices:" + n, "pk"): dispatch for n in ["dispatch_reply", "dispatch_return"]},
        **{("wishes:" + n, "pk"): case["wish"].pk for n in ["detail", "done", "photo"]},
        **{("wishes:" + n, "pk"): case["wish"].pk for n in ["fulfil", "release", "thanks"]},
    }


def _fill(route, world, own: dict) -> dict | None:
    values = {}
    for k in route.kwargs:
        if (route.key, k) in own:
            values[k] = own[(route.key, k)]
        elif k in own:
            values[k] = own[k]
        elif route.key.startswith("voices:") and k == "pk":
            values[k] = own["item_id"]
        elif (route.key, k) in OBJECT_KWARGS:
            values[k] = OBJECT_KWARGS[(route.key, k)](world)
        elif k in OBJECT_KWARGS:
            values[k] = OBJECT_KWARGS[k](world)
        else:
            return None
    return values


def _pages(world, case):
    """Every route but the admin, the static files and the API, with the kwargs filled."""
    own = _own_values(world, case)
    for route in ROUTES:
        if route.namespace == "admin" or route.regex.startswith(("static/", "media/", "api/")):
            continue
        values = _fill(route, world, own)
        if values is None:
            values = {"fmt": "json", "service_code": "other", "service_request_id": "x"}
            values["token"] = "unknown"
        yield route, route.url(values)


def test_no_page_a_partner_can_open_names_a_reporter(world, case, login, sms):
    client = login(world.users["partner"])
    seen, leaked = 0, []
    menu = [reverse(e.url_name) for e in entries_for(world.users["partner"])]
    assert menu == [
        "/voices/partner/",
        "/wishes/sponsor/",
        "/deliberation/tasks/",
        "/voices/measures/",
    ]
    urls = [(r.key, url) for r, url in _pages(world, case)] + [("menu", u) for u in menu]
    for key, url in urls:
        response = client.get(url, follow=True)
        assert response.status_code < 500, (key, url)
        if found := _leaks(_text(response)):
            leaked.append(f"{key} ({url}): {found}")
        seen += response.status_code == 200
    assert not leaked, "pages that show a reporter to a partner unit:\n" + "\n".join(leaked)
    # The pages that matter were read, not refused.
    for dispatch in [case["d1"], case["d2"]]:
        page = _plain(client.get(f"/voices/partner/{dispatch.pk}/"))
        assert f"派单 {dispatch.item.number}" in page
        assert "李**" in page
    assert seen > 10


def test_the_dispatch_page_masks_names_phones_and_ids_in_every_word(world, case, login):
    text = _plain(login(world.users["partner"]).get(f"/voices/partner/{case['d1'].pk}/"))
    # The reporter's line, the item's own words, the instructions and the timeline.
    assert "李** · 电话 139****4321" in text
    assert "我是李**，电话***********，身份证******************。" in text
    assert "请联系李**，电话***********" in text
    assert "望江街社区 · 1栋 · 李**家北面外墙" in text
    assert "提交 · 居民" in text
    assert "受理 · 已电话联系李**（***********） · wj-staff" in text
    assert "回访 · 已解决，满意 · 谢谢，李** · 居民" in text
    # Internal notes stay internal.
    assert "备注" not in text
    # The building and the problem are what the unit works from: they stay.
    assert "1栋外墙开裂，雨天漏水到屋里。" in text


def test_unconsented_phone_is_never_shown_even_masked(world, case, login):
    text = _plain(login(world.users["partner"]).get(f"/voices/partner/{case['d2'].pk}/"))
    assert "4321" not in text.replace("***********", "")
    assert "5678" not in text
    assert text.count("未同意提供电话") == 2


def test_no_api_answer_to_a_partner_token_names_a_reporter(world, case, client):
    token = api_token_issue(user=world.users["partner"], name="测试")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    own = _own_values(world, case)
    read, leaked = 0, []
    for route in ROUTES:
        if not route.key.startswith("api:"):
            continue
        values = _fill(route, world, own) or {}
        if set(route.kwargs) - set(values):
            continue
        response = client.get(route.url(values), **auth)
        assert response.status_code < 500, route.key
        if found := _leaks(_text(response)):
            leaked.append(f"{route.key}: {found}")
        read += response.status_code == 200
    assert not leaked, "API answers that show a reporter:\n" + "\n".join(leaked)
    assert read >= 5
    detail = client.get(f"/api/v1/voices/items/{case['shared'].pk}", **auth).json()
    assert [r["name"] for r in detail["reporters"]] == ["李**"]
    assert [r["phone"] for r in detail["reporters"]] == ["139****4321"]
    assert {row["by"] for row in detail["timeline"] if row["type"] == "submitted"} == {"居民"}
    assert detail["text"].startswith("我是李**，电话***********")
    assert detail["dispatches"][0]["instructions"] == "请联系李**，电话***********"
    listed = client.get("/api/v1/voices/items", **auth).json()["items"]
    assert all(NAME not in row["title"] for row in listed)
    assert any(row["title"].startswith("我是李**") for row in listed)


def test_the_partner_api_writes_answer_without_the_reporter(world, case, client):
    token = api_token_issue(user=world.users["partner"], name="测试")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    d2 = case["d2"].pk
    for path, body in [
        (f"/api/v1/voices/dispatches/{d2}/accept", {}),
        (f"/api/v1/voices/dispatches/{d2}/reply", {"reply": "已派人查看"}),
    ]:
        response = client.post(path, json.dumps(body), content_type="application/json", **auth)
        assert response.status_code == 200, response.content
        assert _leaks(_text(response)) == []


def test_the_unit_is_told_of_a_dispatch_without_the_reporter(world, case, sms):
    partner = world.users["partner"]
    told = list(Notification.objects.filter(user=partner).values_list("text", flat=True))
    assert len(told) == 2
    assert [t for t in told if _leaks(t)] == []
    assert any("我是李**，电话*****" in t for t in told)
    # The SMS to the unit's phones carries the same masked words.
    assert [m.text for m in LocmemSMSBackend.outbox if _leaks(m.text) and "派单" in m.text] == []


def test_the_full_phone_comes_only_through_the_audited_reveal(world, case):
    partner = world.users["partner"]
    shared = ItemReporter.objects.get(item=case["shared"])
    kept = ItemReporter.objects.get(item=case["kept"], is_original=True)
    phone = services.reporter_phone_reveal(actor=partner, reporter=shared, reason="emergency")
    assert phone == PHONE
    event = AuditEvent.objects.get(action="voices.reporter.revealed")
    assert event.changes["phone"] == "139****4321"
    assert event.actor_id == partner.pk
    with pytest.raises(Exception) as refused:
        services.reporter_phone_reveal(actor=partner, reporter=kept, reason="emergency")
    assert refused.type.__name__ == "PermissionDenied"


def test_staff_still_read_the_reporter_in_full(world, case, login):
    text = _plain(login(world.users["staff"]).get(f"/voices/{case['shared'].pk}/"))
    assert f"我是{NAME}，电话{PHONE}" in text
    assert f"提交 · {NAME}" in text
    assert f"备注 · {NAME}身份证{ID_NUMBER}" in text


def test_mask_for_partner_keeps_doors_and_numbers_of_items(world):
    masked = selectors.mask_for_partner(
        "李绍华说3栋2单元501漏水，诉求WJ2026-000123，2026-03-02 17:30前", ["李绍华"]
    )
    assert masked == "李**说3栋2单元501漏水，诉求WJ2026-000123，2026-03-02 17:30前"


def test_inbox_titles_are_masked_even_where_the_cut_falls_inside_a_number(world, case, login):
    text = _plain(login(world.users["partner"]).get("/voices/partner/"))
    # "…联系13987…": five digits no pattern knows as a phone; cut again from the masked text.
    assert "李**反映：1栋楼顶漏水，联系*****…" in text
    assert "我是李**，电话***********，…" in text


def test_partner_lists_cost_the_same_with_more_reporters(world, case, categories, login, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    partner = world.users["partner"]
    token = api_token_issue(user=partner, name="测试")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    login(partner)
    pages = [
        lambda: client.get("/voices/partner/"),
        lambda: client.get("/api/v1/voices/items", **auth),
    ]
    before = []
    for page in pages:
        page()  # the token's first use is recorded once
        with CaptureQueriesContext(connection) as ctx:
            assert page().status_code == 200
        before.append(len(ctx.captured_queries))
    u = world.users
    for text in ["王五说2栋屋顶漏水", "2栋外墙脱落"]:
        item = services.item_submit(
            actor=u["admin"],
            kind=ItemKind.PROBLEM,
            text=text,
            channel=Channel.VISIT,
            on_behalf_of=world.residents["wangwu"],
        )
        services.item_accept(
            actor=u["staff"], item=item, category=categories["building"], level=Level.COMMUNITY
        )
        services.item_dispatch(actor=u["staff"], item=item, unit=world.partner)
    after = []
    for page in pages:
        with CaptureQueriesContext(connection) as ctx:
            response = page()
        after.append(len(ctx.captured_queries))
        assert "王五" not in response.content.decode()
    assert after == before


def _reveal_url(case, key="d1", item="shared", original=True):
    reporter = ItemReporter.objects.get(item=case[item], is_original=original)
    return f"/voices/partner/{case[key].pk}/reporters/{reporter.pk}/phone/"


def test_the_unit_reveals_a_shared_phone_for_a_reason_and_it_is_logged(world, case, login):
    client = login(world.users["partner"])
    page = client.get(f"/voices/partner/{case['d1'].pk}/").content.decode()
    assert _reveal_url(case) in page
    refused = client.post(_reveal_url(case), {"reason": ""})
    assert refused.status_code == 400
    assert "请先选择查看事由" in refused.content.decode()
    assert PHONE not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="voices.reporter.revealed").exists()

    shown = client.post(_reveal_url(case), {"reason": "emergency"})
    assert shown.status_code == 200
    assert _plain(shown).count(PHONE) == 1
    assert "李**" in _plain(shown) and NAME not in _plain(shown)
    event = AuditEvent.objects.get(action="voices.reporter.revealed")
    assert (event.actor_id, event.changes["reason"]) == (world.users["partner"].pk, "emergency")
    # The next page shows the mask again.
    assert PHONE not in client.get(f"/voices/partner/{case['d1'].pk}/").content.decode()


def test_no_reveal_without_consent_or_outside_the_units_dispatches(world, case, login):
    client = login(world.users["partner"])
    page = client.get(f"/voices/partner/{case['d2'].pk}/").content.decode()
    assert "/phone/" not in page
    unconsented = client.post(_reveal_url(case, "d2", "kept"), {"reason": "emergency"})
    assert unconsented.status_code == 403
    # A reporter of another item under this dispatch's address: not found.
    crossed = _reveal_url(case, "d2", "shared")
    assert client.post(crossed, {"reason": "emergency"}).status_code == 404
    other = PartnerUnit.objects.create(name="某燃气公司", short_name="燃气公司")
    other.communities.add(world.wj)
    stranger = login(make_user("partner-gas", partner=other))
    assert stranger.post(_reveal_url(case), {"reason": "emergency"}).status_code == 404
    assert not AuditEvent.objects.filter(action="voices.reporter.revealed").exists()
    assert client.get(_reveal_url(case)).status_code == 405
