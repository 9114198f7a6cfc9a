"""The request guard: NUL and text that is not UTF-8 are refused with a Chinese 400 before
any view reads them, in the shape of the part of the site asked; everything a person can
type goes through untouched."""

from __future__ import annotations

import json

import pytest

from gongzhi.accounts.models import User
from gongzhi.places.models import Resident
from gongzhi.voices.models import Item

MESSAGE = "请求中含有无法识别的字符（空字符或无效的编码），请删除后重试。"


def as_json(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",  # NUL
        "q=%ED%A0%80",  # a lone surrogate, spelled in UTF-8
        "q=%C3",  # a cut-off character
        "%00=1",  # in a name too
    ],
)
def test_a_query_string_with_unreadable_characters_is_a_400(world, login, query):
    response = login(world.users["staff"]).get(f"/api/v1/residents?{query}")
    assert (response.status_code, response["Content-Type"], json.loads(response.content)) == (
        400,
        "application/json; charset=utf-8",
        {"detail": MESSAGE},
    )


@pytest.mark.parametrize(
    "body",
    [
        '{"note": "\\ud800"}',
        '{"note": "a\\u0000b"}',
        '{"care_tags": ["\\udc00"]}',
        '{"\\u0000": 1}',
    ],
)
def test_a_json_body_with_unreadable_characters_is_a_400_and_writes_nothing(world, login, body):
    zhangsan = world.residents["zhangsan"]
    response = login(world.users["staff"]).patch(
        f"/api/v1/residents/{zhangsan.pk}", as_json(body), content_type="application/json"
    )
    assert (response.status_code, json.loads(response.content)) == (400, {"detail": MESSAGE})
    assert Resident.objects.get(pk=zhangsan.pk).note == ""


def test_a_json_body_read_as_json_whatever_its_label(world, login):
    response = login(world.users["resident"]).post(
        "/api/v1/voices/items", as_json('{"text": "\\ud800"}'), content_type="text/plain"
    )
    assert (response.status_code, json.loads(response.content)) == (400, {"detail": MESSAGE})
    assert Item.objects.count() == 0


def test_everything_a_person_types_goes_through(world, login):
    zhangsan = world.residents["zhangsan"]
    note = "腿脚不便 👵🏻 𠀀 «ok» \t\n"
    response = login(world.users["staff"]).patch(
        f"/api/v1/residents/{zhangsan.pk}?q=%E5%BC%A0",
        json.dumps({"note": note}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Resident.objects.get(pk=zhangsan.pk).note == note


def test_a_form_post_with_nul_is_a_plain_400(client, world):
    response = client.post("/accounts/login/", {"username": "admin\x00", "password": "x"})
    assert (response.status_code, response["Content-Type"], response.content.decode()) == (
        400,
        "text/plain; charset=utf-8",
        MESSAGE,
    )


def test_a_form_post_that_is_not_utf8_is_a_400(client, world):
    response = client.post(
        "/accounts/login/",
        b"username=%B7%E7&password=x",  # GBK, not UTF-8
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert User.objects.filter(last_login__isnull=False).count() == 0


def test_a_multipart_field_with_nul_is_a_400(world, login):
    response = login(world.users["resident"]).post(
        "/voices/new/", {"kind": "problem", "text": "灯坏了\x00"}
    )
    assert (response.status_code, response.content.decode()) == (400, MESSAGE)
    assert Item.objects.count() == 0


def test_a_multipart_body_without_its_boundary_is_a_400(world, login):
    response = login(world.users["staff"]).generic(
        "POST", "/api/v1/residents", b"--x\r\n", content_type="multipart/form-data"
    )
    assert (response.status_code, json.loads(response.content)) == (
        400,
        {"detail": "请求内容的格式不正确。"},
    )


def test_open311_refusals_are_the_specifications_error_list(client, db):
    as_json_ = client.get("/open311/v2/requests.json", {"service_code": "a\x00"})
    as_xml = client.get("/open311/v2/requests.xml", {"service_code": "a\x00"})
    assert (as_json_.status_code, json.loads(as_json_.content)) == (
        400,
        [{"code": 400, "description": MESSAGE}],
    )
    assert (as_xml.status_code, as_xml["Content-Type"]) == (400, "text/xml; charset=utf-8")
    assert f"<code>400</code><description>{MESSAGE}</description>" in as_xml.content.decode()


def test_a_path_with_nul_is_a_400(client, db):
    response = client.get("/open311/v2/services/a%00b.json")
    assert response.status_code == 400
    assert json.loads(response.content) == [{"code": 400, "description": MESSAGE}]
