"""A retry files nothing twice: the idempotency key on the web form, the API and Open311.

A phone on a weak signal sends a report, loses the answer and sends it again; a double
tap submits a form twice. With the same key and the same submission the second send gets
the first item back; with the same key and a different submission it is refused in
Chinese and writes nothing."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.core.models import AuditEvent
from gongzhi.open311.models import ServiceRequest
from gongzhi.voices import services
from gongzhi.voices.enums import Channel, ItemKind
from gongzhi.voices.models import IntakeKey, Item, ItemReporter, Notification

from .test_concurrency import race
from .test_intake import submit

KEY = "6f1c2a9e-4b7d-4e0a-9c55-0d2f8e1b7a31"


def counts():
    return (
        Item.objects.count(),
        ItemReporter.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.filter(action="voices.item.submitted").count(),
        IntakeKey.objects.count(),
    )


def test_a_retry_with_the_same_key_returns_the_first_item(world, categories):
    first = submit(world, idempotency_key=KEY)
    after_first = counts()
    again = submit(world, idempotency_key=KEY)
    assert again.pk == first.pk
    assert counts() == after_first
    assert IntakeKey.objects.get(key=KEY).item_id == first.pk


def test_the_same_key_with_another_text_is_refused_and_writes_nothing(world, categories):
    submit(world, idempotency_key=KEY)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        submit(world, text="楼道里堆了很多杂物", idempotency_key=KEY)
    assert exc.value.message_dict == {
        "idempotency_key": ["这个请求编号已用于另一条不同的反映。重新提交时请使用新的请求编号。"]
    }
    assert counts() == before


def test_keys_belong_to_their_submitter(world, categories):
    mine = submit(world, idempotency_key=KEY)
    theirs = submit(
        world,
        actor=world.users["staff"],
        on_behalf_of=world.residents["lisi"],
        channel=Channel.VISIT,
        idempotency_key=KEY,
    )
    assert theirs.pk != mine.pk
    assert sorted(IntakeKey.objects.values_list("owner", flat=True)) == sorted(
        [f"user:{world.users['resident'].pk}", f"user:{world.users['staff'].pk}"]
    )


def test_without_a_key_each_send_files_an_item(world, categories):
    assert submit(world).pk != submit(world).pk
    assert IntakeKey.objects.count() == 0


@pytest.mark.parametrize("bad", ["short", "有中文的请求编号abcdefg", "a" * 81, "a b c d e f g h"])
def test_a_malformed_key_is_refused_in_chinese(world, categories, bad):
    with pytest.raises(ValidationError) as exc:
        submit(world, idempotency_key=bad)
    assert exc.value.message_dict["idempotency_key"] == [
        "请求编号格式不正确：应为8到80位的字母、数字或“-_.:”。"
    ]
    assert counts() == (0, 0, 0, 0, 0)


def test_a_refused_submission_does_not_use_up_its_key(world, categories):
    with pytest.raises(ValidationError):
        submit(world, text="   ", idempotency_key=KEY)
    assert IntakeKey.objects.count() == 0
    item = submit(world, idempotency_key=KEY)
    assert IntakeKey.objects.get().item_id == item.pk


# --- the API ---------------------------------------------------------------------------


def test_api_retry_with_the_header_answers_the_same_201(world, categories, login):
    client = login(world.users["resident"])

    def post(text):
        return client.post(
            "/api/v1/voices/items",
            {"kind": "problem", "text": text},
            content_type="application/json",
            headers={"Idempotency-Key": KEY},
        )

    first, again = post("楼下路灯不亮"), post("楼下路灯不亮")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert Item.objects.count() == 1
    other = post("楼道里堆了很多杂物")
    assert other.status_code == 422
    assert "请求编号已用于另一条不同的反映" in other.content.decode()
    assert Item.objects.count() == 1


def test_api_bad_key_is_422_in_chinese(world, categories, login):
    client = login(world.users["resident"])
    response = client.post(
        "/api/v1/voices/items",
        {"kind": "problem", "text": "楼下路灯不亮"},
        content_type="application/json",
        headers={"Idempotency-Key": "x"},
    )
    assert response.status_code == 422
    assert "请求编号格式不正确" in response.content.decode()
    assert Item.objects.count() == 0


# --- Open311 ---------------------------------------------------------------------------


def test_open311_retry_returns_the_same_request(world, categories, client):
    from gongzhi.open311.services import api_key_issue

    _row, raw = api_key_issue(actor=None, community=world.wj, name="市民热线")
    fields = {
        "api_key": raw,
        "service_code": categories["lights"].code,
        "description": "路灯不亮",
        "address_string": "望江路1号",
    }
    first = client.post("/open311/v2/requests.json", fields, headers={"Idempotency-Key": KEY})
    again = client.post("/open311/v2/requests.json", fields, headers={"Idempotency-Key": KEY})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert again.json()[0]["token"] == first.json()[0]["token"]
    assert (Item.objects.count(), ServiceRequest.objects.count()) == (1, 1)
    changed = client.post(
        "/open311/v2/requests.json",
        {**fields, "description": "井盖丢了"},
        headers={"Idempotency-Key": KEY},
    )
    assert changed.status_code == 400
    assert "请求编号已用于另一条不同的反映" in changed.content.decode()
    assert Item.objects.count() == 1


# --- the web form ----------------------------------------------------------------------


def test_a_double_tap_on_confirm_files_one_item(world, categories, login):
    client = login(world.users["resident"])
    review = client.post(
        "/voices/new/", {"kind": "problem", "text": "楼道灯坏了", "action": "review"}
    ).content.decode()
    key = re.search(r'name="request_key" value="([^"]+)"', review).group(1)
    saved = {"kind": "problem", "text": "楼道灯坏了", "action": "save", "request_key": key}
    first = client.post("/voices/new/", saved)
    again = client.post("/voices/new/", saved)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Item.objects.count() == 1
    # Going back to change the report renders a new confirm page with a new key.
    review2 = client.post(
        "/voices/new/", {"kind": "problem", "text": "楼道灯坏了两盏", "action": "review"}
    ).content.decode()
    key2 = re.search(r'name="request_key" value="([^"]+)"', review2).group(1)
    assert key2 != key
    client.post("/voices/new/", {**saved, "text": "楼道灯坏了两盏", "request_key": key2})
    assert Item.objects.count() == 2


# --- at once, on PostgreSQL -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_file_one_item(world, categories):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent inserts on one unique index are exercised on PostgreSQL")

    def send():
        return services.item_submit(
            actor=world.users["resident"],
            kind=ItemKind.PROBLEM,
            text="楼下路灯不亮",
            channel=Channel.ONLINE,
            idempotency_key=KEY,
        ).pk

    results = race([send] * 6)
    assert [kind for kind, _ in results] == ["ok"] * 6
    assert len({pk for _, pk in results}) == 1
    assert Item.objects.count() == 1
    assert IntakeKey.objects.count() == 1
