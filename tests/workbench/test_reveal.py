"""Revealing a full ID number or phone: who may, that each reveal names its reason (查看事由),
and that each reveal is audited with that reason."""

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditEvent

ACTION = "places.resident.revealed"


def _reveals(user, resident, field):
    return AuditEvent.objects.filter(
        action=ACTION, actor=user, object_id=str(resident.pk), changes__field=field
    ).count()


def _url(resident, field):
    return reverse("wb-resident-reveal", args=[resident.pk, field])


@pytest.mark.parametrize(
    ("role", "resident_key"),
    [
        ("secretary", "zhangsan"),
        ("staff", "wangwu"),
        ("grid", "zhangsan"),
        ("grid_worker", "wangwu"),
        ("admin", "zhaoliu"),
    ],
)
@pytest.mark.parametrize("field", ["id_number", "phone"])
def test_reveal_allowed_swaps_in_full_value_and_audits(world, login, role, resident_key, field):
    user, resident = world.users[role], world.residents[resident_key]
    response = login(user).post(
        _url(resident, field), {"reason": "home_visit"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert getattr(resident, field) in html
    assert f'id="pii-{resident.pk}-{field}"' in html
    assert "<html" not in html
    assert "no-store" in response["Cache-Control"]
    assert _reveals(user, resident, field) == 1


def test_the_audit_event_keeps_the_reason_and_the_words(world, login):
    zhangsan = world.residents["zhangsan"]
    login(world.users["grid"]).post(
        _url(zhangsan, "phone"),
        {"reason": "other", "reason_note": "  核对  低保 申请  "},
        HTTP_HX_REQUEST="true",
    )
    event = AuditEvent.objects.get(action=ACTION)
    assert event.changes == {"field": "phone", "reason": "other", "reason_note": "核对 低保 申请"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请先选择查看事由（入户走访、核实身份、紧急联系或其他）。"),
        ({"reason": "curious"}, "请先选择查看事由（入户走访、核实身份、紧急联系或其他）。"),
        ({"reason": "other", "reason_note": "  "}, "选择“其他”时，请写明查看事由。"),
        ({"reason": "other", "reason_note": "长" * 201}, "查看事由的说明不能超过200个字。"),
    ],
)
def test_no_reason_shows_nothing_and_records_nothing(world, login, data, message):
    zhangsan = world.residents["zhangsan"]
    response = login(world.users["grid"]).post(
        _url(zhangsan, "phone"), data, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "13812345678" not in html
    assert "138****5678" in html
    # The box stays open with the reasons, ready for the next tap.
    assert '<details class="reveal" open>' in html
    assert AuditEvent.objects.filter(action=ACTION).count() == 0


def test_no_reason_without_javascript_keeps_what_was_typed(world, login):
    zhangsan = world.residents["zhangsan"]
    response = login(world.users["grid"]).post(
        _url(zhangsan, "id_number"), {"reason": "other", "reason_note": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "<html" in html
    assert "选择“其他”时，请写明查看事由。" in html
    assert zhangsan.id_number not in html
    assert AuditEvent.objects.filter(action=ACTION).count() == 0

    typed = login(world.users["grid"]).post(
        _url(zhangsan, "id_number"), {"reason": "nonsense", "reason_note": "楼上漏水联系"}
    )
    assert 'value="楼上漏水联系"' in typed.content.decode()


def test_reveal_without_javascript_renders_the_page(world, login):
    zhangsan = world.residents["zhangsan"]
    response = login(world.users["grid"]).post(
        _url(zhangsan, "id_number"), {"reason": "verify_identity"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert zhangsan.id_number in html
    assert "138****5678" in html
    assert _reveals(world.users["grid"], zhangsan, "id_number") == 1


@pytest.mark.parametrize(
    ("role", "resident_key", "status"),
    [
        # Inside the reach without reveal_pii: 403.
        ("building", "zhangsan", 403),
        ("entrance", "lisi", 403),
        ("subdistrict", "zhangsan", 403),
        # Outside the reach: 404, as if the resident did not exist.
        ("grid", "wangwu", 404),
        ("other_staff", "zhangsan", 404),
        # No post at all.
        ("resident", "zhangsan", 404),
        ("nobody", "zhangsan", 404),
    ],
)
def test_reveal_denied_leaves_no_value_and_no_event(world, login, role, resident_key, status):
    user, resident = world.users[role], world.residents[resident_key]
    response = login(user).post(
        _url(resident, "phone"), {"reason": "emergency"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == status
    assert resident.phone not in response.content.decode()
    assert AuditEvent.objects.filter(action=ACTION).count() == 0


@pytest.mark.parametrize("role", ["building", "entrance", "subdistrict"])
def test_reveal_button_hidden_without_capability(world, login, role):
    resident = world.residents["lisi"]
    html = login(world.users[role]).get(reverse("wb-resident", args=[resident.pk])).content.decode()
    assert "李四" in html
    assert resident.phone_masked in html
    assert "显示完整" not in html
    assert _url(resident, "phone") not in html


def test_reveal_button_offers_one_tap_per_reason(world, login):
    resident = world.residents["lisi"]
    html = (
        login(world.users["grid"])
        .get(reverse("wb-household", args=[resident.household_id]))
        .content.decode()
    )
    assert _url(resident, "phone") in html
    assert _url(resident, "id_number") in html
    for value, label in [
        ("home_visit", "入户走访"),
        ("verify_identity", "核实身份"),
        ("emergency", "紧急联系"),
    ]:
        assert (
            f'<button type="submit" name="reason" value="{value}" class="btn" formnovalidate>'
            f"{label}</button>"
        ) in html
    assert (
        '<button type="submit" name="reason" value="other" class="btn">其他（请说明）</button>'
        in (html)
    )
    assert "<script" not in html.split("<body", 1)[1].replace('<script src="', "")
    assert 'style="' not in html and " onclick=" not in html


def test_reveal_needs_post_and_a_known_field(world, login):
    client = login(world.users["grid"])
    zhangsan = world.residents["zhangsan"]
    assert client.get(_url(zhangsan, "phone")).status_code == 405
    assert client.post(_url(zhangsan, "note"), {"reason": "home_visit"}).status_code == 404
    assert AuditEvent.objects.filter(action=ACTION).count() == 0
