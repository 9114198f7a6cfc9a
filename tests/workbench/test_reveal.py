"""Revealing a full ID number or phone: who may, and that each reveal is audited."""

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditEvent

ACTION = "places.resident.revealed"


def _reveals(user, resident, field):
    return AuditEvent.objects.filter(
        action=ACTION, actor=user, object_id=str(resident.pk), changes__field=field
    ).count()


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
        reverse("wb-resident-reveal", args=[resident.pk, field]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert getattr(resident, field) in html
    assert f'id="pii-{resident.pk}-{field}"' in html
    assert "<html" not in html
    assert "no-store" in response["Cache-Control"]
    assert _reveals(user, resident, field) == 1


def test_reveal_without_javascript_renders_the_page(world, login):
    zhangsan = world.residents["zhangsan"]
    response = login(world.users["grid"]).post(
        reverse("wb-resident-reveal", args=[zhangsan.pk, "id_number"])
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
        reverse("wb-resident-reveal", args=[resident.pk, "phone"]), HTTP_HX_REQUEST="true"
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
    assert reverse("wb-resident-reveal", args=[resident.pk, "phone"]) not in html


def test_reveal_button_shown_with_capability(world, login):
    resident = world.residents["lisi"]
    html = (
        login(world.users["grid"])
        .get(reverse("wb-household", args=[resident.household_id]))
        .content.decode()
    )
    assert reverse("wb-resident-reveal", args=[resident.pk, "phone"]) in html
    assert reverse("wb-resident-reveal", args=[resident.pk, "id_number"]) in html


def test_reveal_needs_post_and_a_known_field(world, login):
    client = login(world.users["grid"])
    zhangsan = world.residents["zhangsan"]
    assert client.get(reverse("wb-resident-reveal", args=[zhangsan.pk, "phone"])).status_code == 405
    assert client.post(reverse("wb-resident-reveal", args=[zhangsan.pk, "note"])).status_code == 404
    assert AuditEvent.objects.filter(action=ACTION).count() == 0
