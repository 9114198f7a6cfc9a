"""Every input that once answered 500 now answers 4xx with a Chinese message, and writes
nothing; a text over its limit is refused whole, never cut; a 422 has one shape, whichever
layer refused."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from gongzhi.api.api import FieldErrorsOut, _field_path, validation_message
from gongzhi.api.pagination import MAX_OFFSET
from gongzhi.core.models import AuditEvent
from gongzhi.places.models import Resident, ResidentStatusChange
from gongzhi.voices import services as voices
from gongzhi.voices.catalogue import ensure_categories
from gongzhi.voices.models import Item

HUGE = 2**63  # one past the database's largest integer


def body(response):
    return json.loads(response.content)


def raw(api, method, path, text):
    """A request whose JSON is written by hand, so it can hold what json.dumps escapes."""
    return getattr(api.client, method)(
        f"/api/v1{path}", text.encode("utf-8", "surrogatepass"), content_type="application/json"
    )


@pytest.fixture
def staff(world, api_as):
    return api_as(world.users["staff"])


@pytest.fixture
def session(world):
    return voices.event_session_create(
        actor=world.users["staff"],
        community=world.wj,
        title="甘露园坝坝龙门阵",
        format="baba_longmenzhen",
        held_on=timezone.localdate(),
    )


# --- the 500s that were -----------------------------------------------------------------


def test_an_impossible_open311_date_is_a_chinese_400(client, db):
    response = client.get("/open311/v2/requests.json", {"start_date": "2026-13-01"})
    assert (response.status_code, body(response)) == (
        400,
        [{"code": 400, "description": "start_date 须为 ISO 8601 时间。"}],
    )


def test_a_far_off_open311_date_is_a_chinese_400(client, db):
    response = client.get("/open311/v2/requests.json", {"end_date": "9999-12-31"})
    assert (response.status_code, body(response)) == (
        400,
        [{"code": 400, "description": "end_date 须在1900年至2100年之间。"}],
    )


@pytest.mark.parametrize("path", ["/residents", "/buildings", "/voices/items", "/wishes"])
def test_an_offset_past_the_bound_is_a_chinese_422(staff, path):
    response = staff.get(path, offset=HUGE, limit=10**12)
    assert (response.status_code, body(response)) == (
        422,
        {
            "detail": "请求内容不正确。",
            "errors": {"offset": [f"不能大于{MAX_OFFSET}。"], "limit": ["不能大于200。"]},
        },
    )


def test_the_largest_offset_allowed_answers_an_empty_page(staff):
    response = staff.get("/residents", offset=MAX_OFFSET)
    assert (response.status_code, body(response)["items"]) == (200, [])


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/residents/{id}", "resident_id"),
        ("/buildings/{id}", "building_id"),
        ("/voices/items/{id}", "item_id"),
        ("/wishes/{id}", "wish_id"),
    ],
)
def test_an_id_past_the_database_is_a_chinese_422(staff, path, name):
    response = staff.get(path.format(id=HUGE))
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {name: [f"不能大于{HUGE - 1}。"]},
    )


def test_an_id_past_the_database_in_a_body_writes_nothing(world, staff):
    response = staff.post("/residents", {"household_id": HUGE, "name": "某人"})
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"household_id": [f"不能大于{HUGE - 1}。"]},
    )
    assert Resident.objects.count() == 4


def test_a_null_note_is_refused_and_the_note_kept(world, api_as):
    zhangsan = world.residents["zhangsan"]
    Resident.objects.filter(pk=zhangsan.pk).update(note="腿脚不便")
    response = api_as(world.users["grid"]).patch(f"/residents/{zhangsan.pk}", {"note": None})
    assert (response.status_code, body(response)["errors"]) == (422, {"note": ["请填写文字。"]})
    zhangsan.refresh_from_db()
    assert zhangsan.note == "腿脚不便"
    assert not AuditEvent.objects.filter(action="places.resident.updated").exists()


def test_a_null_birth_date_still_clears_it(world, api_as):
    zhangsan = world.residents["zhangsan"]
    response = api_as(world.users["grid"]).patch(f"/residents/{zhangsan.pk}", {"birth_date": None})
    zhangsan.refresh_from_db()
    assert (response.status_code, zhangsan.birth_date) == (200, None)


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1899-12"])
def test_a_month_out_of_range_is_a_chinese_422(world, api_as, month):
    response = api_as(world.users["secretary"]).get("/voices/measures", month=month)
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"month": ["月份须在1900年至2100年之间。"]},
    )


def test_a_month_that_is_none_is_a_chinese_422(world, api_as):
    response = api_as(world.users["secretary"]).get("/voices/measures", month="2026-13")
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"month": ["请输入有效的月份，例如 2026-03。"]},
    )


def test_the_measures_page_says_a_month_is_out_of_range(world, login):
    response = login(world.users["secretary"]).get("/voices/measures/", {"month": "9999-12"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "月份须在1900年至2100年之间。" in page
    # This month's figures are still shown under the message.
    assert f"办理统计 · {timezone.localdate():%Y年}" in page


@pytest.mark.parametrize(
    "text",
    [
        '{"text": "\\ud800 楼道灯坏了"}',  # a lone surrogate, which UTF-8 cannot encode
        '{"text": "楼道灯坏了\\u0000"}',  # NUL, which PostgreSQL refuses in text
        '{"text": "楼道灯坏了", "\\udfff": 1}',  # in a key too
    ],
)
def test_characters_no_one_types_are_a_chinese_400_and_nothing_is_filed(world, api_as, text):
    response = raw(api_as(world.users["resident"]), "post", "/voices/items", text)
    assert (response.status_code, body(response)) == (
        400,
        {"detail": "请求中含有无法识别的字符（空字符或无效的编码），请删除后重试。"},
    )
    assert Item.objects.count() == 0


def test_a_body_that_is_not_json_is_a_chinese_400(world, api_as):
    response = raw(api_as(world.users["resident"]), "post", "/voices/items", '{"text": ')
    assert (response.status_code, body(response)) == (400, {"detail": "请求内容不是有效的 JSON。"})


@pytest.mark.parametrize("birth", ["0001-01-01", "1899-12-31"])
def test_a_birth_date_before_1900_is_refused(world, staff, birth):
    payload = {"household_id": world.households["1-1-101"].pk, "name": "某人", "birth_date": birth}
    response = staff.post("/residents", payload)
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"birth_date": ["出生日期不能早于1900年。"]},
    )
    assert Resident.objects.count() == 4


def test_a_birth_date_in_the_future_is_refused(world, staff):
    zhangsan = world.residents["zhangsan"]
    before = zhangsan.birth_date
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = staff.patch(f"/residents/{zhangsan.pk}", {"birth_date": tomorrow.isoformat()})
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"birth_date": ["出生日期不能晚于今天。"]},
    )
    zhangsan.refresh_from_db()
    assert zhangsan.birth_date == before


def test_a_status_date_out_of_range_is_refused(world, staff):
    lisi = world.residents["lisi"]
    response = staff.post(
        f"/residents/{lisi.pk}/status", {"status": "moved_out", "effective_on": "9999-12-31"}
    )
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"effective_on": ["日期须在1900年至2100年之间。"]},
    )
    lisi.refresh_from_db()
    assert (lisi.status, ResidentStatusChange.objects.filter(resident=lisi).count()) == (
        "living",
        1,
    )


# --- the event rows: a stated maximum, all or nothing -----------------------------------


def test_more_event_rows_than_the_maximum_are_refused_before_any_is_read(
    world, staff, session, django_assert_max_num_queries
):
    rows = [
        {"text": f"意见{i}", "household_id": world.households["1-1-101"].pk} for i in range(201)
    ]
    # Refused before each row's household is looked up: a handful of queries, not 201.
    with django_assert_max_num_queries(10):
        response = staff.post(f"/voices/event-sessions/{session.pk}/items", {"rows": rows})
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"rows": ["最多200条（现有201条）。"]},
    )
    assert Item.objects.count() == 0


def test_the_service_refuses_more_event_rows_than_the_maximum(world, session):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        voices.items_submit_from_event(
            actor=world.users["staff"],
            event_session=session,
            rows=[{"text": "意见"}] * (voices.MAX_EVENT_ROWS + 1),
        )
    assert refused.value.message_dict == {
        "rows": ["一次最多录入200条意见（现有201条），请分批录入。"]
    }
    assert Item.objects.count() == 0


def test_the_event_page_refuses_more_rows_than_the_maximum_and_keeps_them(world, login, session):
    data = {"rows-TOTAL_FORMS": "201", "rows-INITIAL_FORMS": "0", "action": "save"}
    for i in range(201):
        data[f"rows-{i}-text"] = f"意见{i}"
    response = login(world.users["staff"]).post(f"/voices/events/{session.pk}/entry/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "一次最多录入200条意见，请分批录入。" in page
    assert "意见200" in page
    assert Item.objects.count() == 0


def test_the_event_page_states_its_limits(world, login, session):
    page = login(world.users["staff"]).get(f"/voices/events/{session.pk}/entry/")
    assert "一次最多录入200条，更多请分批录入；每条意见最多2000字。" in page.content.decode()


def test_two_hundred_event_rows_go_in_at_once(world, staff, session):
    ensure_categories()
    rows = [{"text": f"{i}号楼道的灯坏了", "kind": "problem"} for i in range(200)]
    started = time.perf_counter()
    response = staff.post(f"/voices/event-sessions/{session.pk}/items", {"rows": rows})
    took = time.perf_counter() - started
    assert (response.status_code, len(body(response)["items"])) == (201, 200)
    assert Item.objects.filter(event_session=session).count() == 200
    print(f"\n200 event rows in one request: {took:.1f} s")


# --- limits are stated and refused, never cut -------------------------------------------


@pytest.mark.parametrize(
    ("field", "limit"),
    [("location_text", 120), ("project_label", 120), ("project_phase", 40)],
)
def test_an_item_text_over_its_limit_is_refused_not_cut(world, api_as, field, limit):
    resident = api_as(world.users["resident"])
    over = resident.post("/voices/items", {"text": "楼道灯坏了", field: "长" * (limit + 1)})
    assert (over.status_code, body(over)["errors"]) == (
        422,
        {field: [f"不能超过{limit}字（现有{limit + 1}字）。"]},
    )
    assert Item.objects.count() == 0
    whole = resident.post("/voices/items", {"text": "楼道灯坏了", field: "长" * limit})
    assert whole.status_code == 201
    assert getattr(Item.objects.get(), field) == "长" * limit


def test_the_schema_states_each_text_limit(client, db):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    item = schema["components"]["schemas"]["ItemIn"]["properties"]
    assert {name: item[name].get("maxLength") for name in item if "maxLength" in item[name]} == {
        "text": 2000,
        "title": 80,
        "reporter_name": 50,
        "grid": 32,
        "community": 32,
        "location_text": 120,
        "project_label": 120,
        "project_phase": 40,
    }
    assert item["location_text"]["description"] == "最多120字"
    rows = schema["components"]["schemas"]["EventRowsIn"]["properties"]["rows"]
    assert rows["maxItems"] == 200


def test_a_resident_note_over_its_limit_is_refused_not_cut(world, staff):
    zhangsan = world.residents["zhangsan"]
    response = staff.patch(f"/residents/{zhangsan.pk}", {"note": "记" * 2001})
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"note": ["不能超过2000字（现有2001字）。"]},
    )
    zhangsan.refresh_from_db()
    assert zhangsan.note == ""


def test_a_status_reason_over_its_limit_is_refused_not_cut(world, staff):
    lisi = world.residents["lisi"]
    response = staff.post(
        f"/residents/{lisi.pk}/status", {"status": "moved_out", "reason": "因" * 201}
    )
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"reason": ["不能超过200字（现有201字）。"]},
    )
    lisi.refresh_from_db()
    assert lisi.status == "living"


def test_a_withdraw_reason_over_its_limit_is_refused_not_cut(world):
    from django.core.exceptions import ValidationError

    ensure_categories()
    item = voices.item_submit(
        actor=world.users["resident"], kind="problem", text="楼道灯坏了", channel="online"
    )
    with pytest.raises(ValidationError) as refused:
        voices.item_withdraw(actor=world.users["resident"], item=item, reason="因" * 501)
    assert refused.value.message_dict == {"reason": ["不能超过500字（现有501字）。"]}
    item.refresh_from_db()
    assert item.status == "submitted"


def test_an_accept_note_over_its_limit_is_refused_not_cut(world, staff):
    ensure_categories()
    item = voices.item_submit(
        actor=world.users["resident"], kind="problem", text="楼道灯坏了", channel="online"
    )
    response = staff.post(
        f"/voices/items/{item.pk}/accept", {"category": "other", "note": "注" * 2001}
    )
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"note": ["不能超过2000字（现有2001字）。"]},
    )
    item.refresh_from_db()
    assert item.status == "submitted"


# --- one shape, Chinese words -----------------------------------------------------------


RELATIONS = (
    "head、spouse、child、parent、grandchild、grandparent、sibling、child_in_law、relative、"
    "tenant、other"
)


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"household_id": ["此项必须填写。"], "name": ["此项必须填写。"]}),
        ({"household_id": "一号", "name": "某人"}, {"household_id": ["请填写整数。"]}),
        ({"household_id": 0, "name": "某人"}, {"household_id": ["不能小于1。"]}),
        ({"household_id": 1, "name": 5}, {"name": ["请填写文字。"]}),
        (
            {"household_id": 1, "name": "某人", "relation": "boss"},
            {"relation": [f"不是可选的值，可选：{RELATIONS}。"]},
        ),
        (
            {"household_id": 1, "name": "某人", "birth_date": "1990-02-30"},
            {"birth_date": ["请按“2026-03-01”的格式填写有效的日期。"]},
        ),
        (
            {"household_id": 1, "name": "某人", "care_tags": "alone"},
            {"care_tags": ["应为列表。"]},
        ),
        (
            {"household_id": 1, "name": "某人", "care_tags": ["x"] * 21},
            {"care_tags": ["最多20条（现有21条）。"]},
        ),
    ],
)
def test_schema_refusals_are_chinese_per_field(world, staff, payload, errors):
    response = staff.post("/residents", payload)
    assert (response.status_code, body(response)["errors"]) == (422, errors)
    assert Resident.objects.count() == 4


def test_an_error_of_a_kind_not_yet_named_still_speaks_chinese():
    error = {"type": "uuid_parsing", "loc": ("body", "payload"), "msg": "Input should be a UUID"}
    assert (_field_path(error), validation_message(error)) == ("__all__", "填写的内容不正确。")


def test_a_bad_row_names_its_place_in_the_list(world, staff, session):
    response = staff.post(
        f"/voices/event-sessions/{session.pk}/items",
        {"rows": [{"text": "好"}, {"text": "好", "kind": "praise"}]},
    )
    assert (response.status_code, body(response)["errors"]) == (
        422,
        {"rows.1.kind": ["不是可选的值，可选：problem、suggestion。"]},
    )


@pytest.mark.parametrize("layer", ["schema", "service"])
def test_every_422_has_the_shape_the_schema_documents(world, staff, layer):
    household = world.households["1-1-101"].pk
    payload = (
        {"household_id": "x"} if layer == "schema" else {"household_id": household, "name": ""}
    )
    response = staff.post("/residents", payload)
    data = body(response)
    assert response.status_code == 422
    assert FieldErrorsOut.model_validate(data).model_dump() == data
    assert all(isinstance(m, str) for messages in data["errors"].values() for m in messages)
