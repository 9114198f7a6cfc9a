"""Open311 GeoReport v2: every endpoint in JSON and XML, the error arrays, the api_key,
the public face of a request, and a posted request entering the same workflow."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.open311 import selectors as open311_selectors
from gongzhi.open311.models import ApiKey, ServiceRequest
from gongzhi.voices import selectors as voices_selectors
from gongzhi.voices import services as voices
from gongzhi.voices.enums import Channel, Satisfaction, Solved, Status
from gongzhi.voices.models import Category, Item

from .conftest import body, validate, xml

BASE = "/open311/v2"
OFFSET = re.compile(r"\+08:00$")


def _resident_item(world, text, **extra):
    return voices.item_submit(
        actor=world.users["resident"], kind="problem", text=text, channel=Channel.ONLINE, **extra
    )


def _published(world, item, text=None):
    """``item`` (or its number) published by the community secretary, with the suggested
    public text unless told otherwise: nothing is public before that."""
    if isinstance(item, str):
        item = Item.objects.get(number=item)
    return voices.item_publish(
        actor=world.users["secretary"],
        item=item,
        public_text=voices_selectors.public_text_suggestion(item) if text is None else text,
    )


# --- discovery and services ---------------------------------------------------------------


def test_discovery_in_json_and_xml(client, world):
    data = body(client.get(f"{BASE}/discovery.json"))
    validate("discovery", data)
    assert data["endpoints"][0]["url"] == "http://testserver/open311/v2"
    assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "application/json",
        "text/xml",
    ]


def test_services_are_the_category_catalogue(client, categories):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = body(response)
    validate("services", data)
    active = list(Category.objects.filter(is_active=True).values_list("code", flat=True))
    assert sorted(s["service_code"] for s in data) == sorted(active)
    elevator = next(s for s in data if s["service_code"] == "elevator_retrofit")
    assert (elevator["service_name"], elevator["metadata"], elevator["type"]) == (
        "电梯加装",
        False,
        "realtime",
    )
    assert elevator["group"] == "社区"
    assert "加装电梯" in elevator["keywords"].split(",")


def test_services_in_xml_use_the_specification_names(client, categories):
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == Category.objects.filter(is_active=True).count()
    first = services[0]
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.find("metadata").text == "false"


def test_an_inactive_category_is_not_a_service(client, categories):
    Category.objects.filter(code="elevator_retrofit").update(is_active=False)
    codes = [s["service_code"] for s in body(client.get(f"{BASE}/services.json"))]
    assert "elevator_retrofit" not in codes
    assert client.get(f"{BASE}/services/elevator_retrofit.json").status_code == 404


def test_service_definition_in_json_and_xml(client, categories):
    data = body(client.get(f"{BASE}/services/elevator_retrofit.json"))
    validate("service_definition", data)
    assert data == {"service_code": "elevator_retrofit", "attributes": []}
    root = xml(client.get(f"{BASE}/services/elevator_retrofit.xml"))
    assert (root.tag, root.find("service_code").text) == ("service_definition", "elevator_retrofit")


def test_unknown_service_is_404_with_the_error_array(client, categories):
    response = client.get(f"{BASE}/services/nope.json")
    assert response.status_code == 404
    data = body(response)
    validate("errors", data)
    assert data == [{"code": 404, "description": "service_code nope 不存在。"}]
    response = client.get(f"{BASE}/services/nope.xml")
    assert response.status_code == 404
    root = xml(response)
    assert root.tag == "errors"
    assert [(e.find("code").text, e.find("description").text) for e in root] == [
        ("404", "service_code nope 不存在。")
    ]


def test_unknown_jurisdiction_is_404(client, categories):
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": "nowhere"})
    assert response.status_code == 404
    validate("errors", body(response))


# --- posting ------------------------------------------------------------------------------


def test_post_files_an_item_in_the_same_workflow(world, post, key):
    response = post(
        service_code="sanitation",
        description="1栋门口的垃圾桶满了好几天没人清运，臭味很大",
        address_string="望江街社区1栋2单元201",
        lat="26.580000",
        long="101.720000",
        first_name="小明",
        last_name="陈",
        phone="13511112222",
        email="chen@example.com",
        media_url="https://example.com/photo.jpg",
    )
    assert response.status_code == 201, response.content
    data = body(response)
    validate("request_post", data)
    item = Item.objects.get(number=data[0]["service_request_id"])
    assert data[0]["account_id"] is None
    assert item.number in data[0]["service_notice"]
    assert (item.channel, item.status, item.community, item.building) == (
        Channel.OPEN311,
        Status.SUBMITTED,
        world.wj,
        world.b1,
    )
    assert item.grid == world.g1
    # Open311 keeps its own place logic: the building of the address, never a household.
    assert (item.compound_id, item.entrance_id, item.household_id) == (
        world.b1.compound_id,
        None,
        None,
    )
    assert item.suggested_category is not None
    assert item.reporters.get().name == "陈小明"
    posted = item.open311
    assert (posted.api_key, posted.service_code, posted.token) == (
        key[0],
        "sanitation",
        data[0]["token"],
    )
    assert (posted.phone, posted.email) == ("13511112222", "chen@example.com")
    # The staff who handle the building see it in their inbox, like any other item.
    assert item in voices_selectors.inbox(world.users["grid"])
    assert item in voices_selectors.inbox(world.users["secretary"])
    assert item not in voices_selectors.inbox(world.users["other_staff"])
    audit = AuditEvent.objects.get(action="open311.request.submitted")
    assert audit.actor == key[0].service_account


def test_contact_details_are_sealed_at_rest(world, post):
    post(service_code="other", description="路灯坏了", address_string="1栋", phone="13511112222")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM open311_servicerequest")
        (stored,) = cursor.fetchone()
    assert "13511112222" not in stored


def test_post_in_xml_and_as_json_body(world, client, key):
    response = client.post(
        f"{BASE}/requests.xml",
        {
            "api_key": key[1],
            "service_code": "other",
            "description": "楼道灯不亮",
            "lat": "26.5",
            "long": "101.7",
        },
    )
    assert response.status_code == 201
    root = xml(response)
    assert root.tag == "service_requests"
    number = root.find("request/service_request_id").text
    item = Item.objects.get(number=number)
    # No building named: the item is the key's community's, with the coordinates as place.
    assert (item.community, item.building, item.location_text) == (
        world.wj,
        None,
        "26.500000,101.700000",
    )
    response = client.post(
        f"{BASE}/requests.json",
        json.dumps(
            {
                "api_key": key[1],
                "service_code": "other",
                "description": "井盖松动",
                "address_string": "2栋",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Item.objects.get(number=body(response)[0]["service_request_id"]).building == world.b2


def test_post_without_csrf_token_is_accepted(world, key, categories):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": key[1],
            "service_code": "other",
            "description": "路面坑洼",
            "address_string": "1栋",
        },
    )
    assert response.status_code == 201


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("api_key", ["", "wrong"])
def test_a_missing_or_bad_key_is_403(world, post, fmt, api_key):
    response = post(
        fmt, api_key=api_key, service_code="other", description="x", address_string="1栋"
    )
    assert response.status_code == 403
    if fmt == "json":
        data = body(response)
        validate("errors", data)
        assert data == [{"code": 403, "description": "api_key 缺失或无效。"}]
    else:
        assert xml(response).find("error/code").text == "403"
    assert not Item.objects.exists()


def test_a_disabled_key_is_403(world, post, key):
    ApiKey.objects.filter(pk=key[0].pk).update(is_active=False)
    response = post(service_code="other", description="路灯坏了", address_string="1栋")
    assert response.status_code == 403
    assert not Item.objects.exists()


@pytest.mark.parametrize(
    ("fields", "messages"),
    [
        (
            {"address_string": "1栋"},
            ["缺少 service_code。", "缺少 description（问题描述）。"],
        ),
        (
            {"service_code": "other", "description": "路灯坏了"},
            ["须提供位置：lat/long 或 address_string。"],
        ),
        (
            {"service_code": "other", "description": "路灯坏了", "lat": "26.5"},
            ["lat 与 long 须同时提供。", "须提供位置：lat/long 或 address_string。"],
        ),
        (
            {"service_code": "other", "description": "路灯坏了", "lat": "x", "long": "1"},
            ["lat 须为数字。"],
        ),
        (
            {"service_code": "other", "description": "路灯坏了", "lat": "95", "long": "1"},
            ["lat 超出范围。"],
        ),
        (
            {"service_code": "nope", "description": "路灯坏了", "address_string": "1栋"},
            ["未知的服务类型。"],
        ),
        (
            {"service_code": "other", "description": "长" * 2001, "address_string": "1栋"},
            ["内容不能超过2000字（现有2001字）。"],
        ),
    ],
)
def test_bad_posts_are_400_with_every_reason(world, post, fields, messages):
    response = post(**fields)
    assert response.status_code == 400
    data = body(response)
    validate("errors", data)
    assert data == [{"code": 400, "description": m} for m in messages]
    assert not Item.objects.exists()


def test_other_methods_are_405(client, categories):
    response = client.put(f"{BASE}/services.json")
    assert response.status_code == 405
    assert body(response) == [{"code": 405, "description": "不支持的请求方法。"}]
    assert client.post(f"{BASE}/services.json").status_code == 405


# --- reading requests ---------------------------------------------------------------------


@pytest.fixture
def filed(world, post):
    """Two requests posted today and one resident's item from another channel."""
    numbers = []
    for code, text, address in [
        ("sanitation", "垃圾没人清运", "1栋"),
        ("parking", "小区门口乱停车堵路", "2栋1单元101"),
    ]:
        response = post(service_code=code, description=text, address_string=address)
        numbers.append(body(response)[0]["service_request_id"])
    numbers.append(_resident_item(world, "楼道里的灯坏了").number)
    for number in numbers:
        _published(world, number)
    return numbers


def test_requests_list_in_json(client, filed):
    response = client.get(f"{BASE}/requests.json")
    assert response.status_code == 200
    data = body(response)
    validate("requests", data)
    assert [r["service_request_id"] for r in data] == list(reversed(filed))
    first = data[-1]
    assert first["status"] == "open"
    assert first["service_code"] == "sanitation"
    assert first["address"] == "望江街社区 甘露园 1栋"
    assert first["agency_responsible"]
    for row in data:
        assert OFFSET.search(row["requested_datetime"]), row["requested_datetime"]
        assert OFFSET.search(row["updated_datetime"])
        assert OFFSET.search(row["expected_datetime"])


def test_requests_list_in_xml(client, filed):
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert [r.find("service_request_id").text for r in requests] == list(reversed(filed))
    assert requests[0].find("lat").text is None
    assert OFFSET.search(requests[0].find("requested_datetime").text)


def test_requests_filters(client, world, filed):
    def ids(**params):
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in body(response)]

    assert ids(service_request_id=f"{filed[0]},{filed[2]}") == [filed[2], filed[0]]
    assert ids(service_code="parking") == [filed[1]]
    assert ids(service_code="parking,sanitation") == [filed[1], filed[0]]
    assert ids(status="closed") == []
    assert ids(status="open") == list(reversed(filed))
    assert ids(status="open,closed") == list(reversed(filed))
    assert ids(jurisdiction_id=world.ot.code) == []
    today = timezone.localdate()
    assert ids(start_date=str(today)) == list(reversed(filed))
    assert ids(end_date=(today - dt.timedelta(days=1)).isoformat() + "T00:00:00+08:00") == []
    assert ids(start_date=(today + dt.timedelta(days=1)).isoformat()) == []


def test_closed_merged_and_withdrawn_read_as_closed(client, world, categories):
    other = Category.objects.get(code="other")
    kept = _resident_item(world, "单元门禁坏了")
    dup = voices.item_submit(
        actor=world.users["grid"],
        kind="problem",
        text="单元门禁又坏了",
        channel=Channel.VISIT,
        on_behalf_of=world.residents["lisi"],
    )
    withdrawn = _resident_item(world, "说错了")
    done = _resident_item(world, "路灯坏了")
    for item in (kept, dup, withdrawn, done):
        _published(world, item)
    secretary = world.users["secretary"]
    voices.item_merge(actor=secretary, item=dup, into=kept)
    voices.item_withdraw(actor=world.users["resident"], item=withdrawn)
    voices.item_accept(actor=secretary, item=done, category=other)
    voices.item_resolve(actor=secretary, item=done, note="已更换灯泡")
    voices.item_return_visit(
        actor=secretary, item=done, solved=Solved.SOLVED, satisfaction=Satisfaction.SATISFIED
    )
    data = body(client.get(f"{BASE}/requests.json", {"status": "closed"}))
    validate("requests", data)
    # Withdrawn words are taken down: that request is no longer public at all.
    assert {r["service_request_id"] for r in data} == {dup.number, done.number}
    assert client.get(f"{BASE}/requests/{withdrawn.number}.json").status_code == 404
    done_row = next(r for r in data if r["service_request_id"] == done.number)
    assert (done_row["service_code"], done_row["expected_datetime"]) == ("other", None)
    assert [
        r["service_request_id"]
        for r in body(client.get(f"{BASE}/requests.json", {"status": "open"}))
    ] == [kept.number]


def test_default_window_is_the_last_90_days(client, world, categories):
    old = _published(
        world, _resident_item(world, "很久以前的事", now=timezone.now() - dt.timedelta(days=100))
    )
    recent = _published(world, _resident_item(world, "最近的事"))
    assert [r["service_request_id"] for r in body(client.get(f"{BASE}/requests.json"))] == [
        recent.number
    ]
    # Named by id, an old request is still found.
    data = body(client.get(f"{BASE}/requests.json", {"service_request_id": old.number}))
    assert [r["service_request_id"] for r in data] == [old.number]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "查询时间范围不能超过90天。"),
        ({"start_date": "yesterday"}, "start_date 须为 ISO 8601 时间。"),
        ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "start_date 不能晚于 end_date。"),
        ({"status": "pending"}, "status 只能为 open 或 closed。"),
    ],
)
def test_bad_request_queries_are_400(client, categories, params, message):
    response = client.get(f"{BASE}/requests.json", params)
    assert response.status_code == 400
    assert body(response) == [{"code": 400, "description": message}]


def test_at_most_1000_requests(client, world, filed, monkeypatch):
    monkeypatch.setattr(open311_selectors, "MAX_REQUESTS", 2)
    assert len(body(client.get(f"{BASE}/requests.json"))) == 2


def test_one_request_in_json_and_xml(client, filed):
    data = body(client.get(f"{BASE}/requests/{filed[1]}.json"))
    validate("requests", data)
    assert [(r["service_request_id"], r["service_code"]) for r in data] == [(filed[1], "parking")]
    root = xml(client.get(f"{BASE}/requests/{filed[1]}.xml"))
    assert [r.find("service_request_id").text for r in root.findall("request")] == [filed[1]]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_and_token_are_404(client, categories, fmt):
    for url in [f"{BASE}/requests/WJ2026-999999.{fmt}", f"{BASE}/tokens/nope.{fmt}"]:
        response = client.get(url)
        assert response.status_code == 404, url
        if fmt == "json":
            validate("errors", body(response))
        else:
            assert xml(response).find("error/code").text == "404"


def test_token_gives_the_request_id(client, post):
    # Unpublished still: the token is the poster's, and gives only the id they were given.
    posted = body(post(service_code="other", description="井盖松动", address_string="1栋"))[0]
    data = body(client.get(f"{BASE}/tokens/{posted['token']}.json"))
    validate("tokens", data)
    assert data == [{"service_request_id": posted["service_request_id"], "token": posted["token"]}]
    root = xml(client.get(f"{BASE}/tokens/{posted['token']}.xml"))
    assert root.find("request/service_request_id").text == posted["service_request_id"]


# --- what the public may read -------------------------------------------------------------


def test_public_responses_carry_no_personal_data(client, world, post):
    _published(
        world,
        _resident_item(
            world,
            "我是张三，住1栋1单元101，电话13812345678，身份证510402195003041234，楼上漏水",
            share_phone_with_partner=True,
        ),
    )
    posted = post(
        service_code="other",
        description="陈小明反映：2栋1单元101门口堆物",
        address_string="2栋1单元101",
        first_name="小明",
        last_name="陈",
        phone="13511112222",
        email="chen@example.com",
    )
    _published(world, body(posted)[0]["service_request_id"])
    texts = []
    for fmt in ["json", "xml"]:
        listing = client.get(f"{BASE}/requests.{fmt}")
        texts.append(listing.content.decode())
        for item in Item.objects.all():
            texts.append(client.get(f"{BASE}/requests/{item.number}.{fmt}").content.decode())
    for sr in ServiceRequest.objects.all():
        texts.append(client.get(f"{BASE}/tokens/{sr.token}.json").content.decode())
    leaked = [
        secret
        for secret in [
            "张三",
            "13812345678",
            "510402195003041234",
            "1单元101",
            "陈小明",
            "13511112222",
            "chen@example.com",
            "甘露园 1栋 101",
        ]
        for text in texts
        if secret in text
    ]
    assert leaked == []
    rows = body(client.get(f"{BASE}/requests.json"))
    assert [r["description"] for r in rows] == [
        "陈**反映：2栋*单元***门口堆物",
        "我是张*，住1栋*单元***，电话***********，身份证******************，楼上漏水",
    ]


def test_requests_list_costs_the_same_for_one_and_three(client, world, categories):
    _published(world, _resident_item(world, "第一件事"))
    client.get(f"{BASE}/requests.json")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{BASE}/requests.json")
        return len(ctx), len(body(response))

    one, n1 = count()
    _published(world, _resident_item(world, "第二件事"))
    _published(
        world,
        voices.item_submit(
            actor=world.users["grid"],
            kind="problem",
            text="第三件事",
            channel=Channel.VISIT,
            on_behalf_of=world.residents["lisi"],
        ),
    )
    three, n3 = count()
    assert (n1, n3) == (1, 3)
    assert three == one


# --- keys ---------------------------------------------------------------------------------


def test_command_issues_a_key_stored_hashed(world, categories, client):
    out = io.StringIO()
    call_command("open311_key", world.wj.code, "区数字城管平台", stdout=out)
    raw = out.getvalue().strip().rsplit("：", 1)[1]
    key = ApiKey.objects.get()
    assert key.key_hash == ApiKey.hash(raw) != raw
    assert (key.community, key.prefix) == (world.wj, raw[:8])
    assert not key.service_account.has_usable_password()
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": raw,
            "service_code": "other",
            "description": "路灯坏了",
            "address_string": "1栋",
        },
    )
    assert response.status_code == 201


def test_the_service_account_sees_nothing_through_the_other_apis(world, key):
    account = key[0].service_account
    assert list(voices_selectors.item_list_visible_to(account)) == []
