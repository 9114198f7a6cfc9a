import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core.identity import make_id_number
from gongzhi.core.models import AuditEvent
from gongzhi.places import services
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Resident, ResidentStatusChange


def test_create_derives_birth_and_gender_from_id(world):
    idn = make_id_number("510402", dt.date(1940, 2, 29), 7)  # 7 → odd → male
    r = services.resident_create(
        actor=world.users["grid"],
        household=world.households["1-1-101"],
        name="陳老伯",
        id_number=idn,
    )
    assert r.birth_date == dt.date(1940, 2, 29)
    assert r.gender == "M"
    assert r.is_elderly is True
    assert (r.name_simplified, r.name_pinyin, r.name_initials) == ("陈老伯", "chenlaobo", "clb")
    assert (
        r.community_id == world.wj.pk
        and r.grid_id == world.g1.pk
        and r.entrance_id == world.households["1-1-101"].entrance_id
    )
    event = AuditEvent.objects.get(action="places.resident.created", object_id=str(r.pk))
    assert event.actor == world.users["grid"]
    assert event.changes["id_number"] == idn[:6] + "********" + idn[-4:]


def test_duplicate_id_number_refused_without_saying_where(world):
    with pytest.raises(ValidationError) as exc:
        services.resident_create(
            actor=world.users["staff"],
            household=world.households["1-2-201"],
            name="冒名",
            id_number=world.residents["zhaoliu"].id_number,
        )
    message = exc.value.message_dict["id_number"][0]
    assert "已登记" in message and "其他社区" not in message


def test_errors_for_every_field_at_once(world):
    with pytest.raises(ValidationError) as exc:
        services.resident_create(
            actor=world.users["staff"],
            household=world.households["1-2-201"],
            name=" ",
            id_number="123",
            phone="999",
        )
    assert set(exc.value.message_dict) == {"name", "id_number", "phone"}
    assert Resident.objects.count() == 4


@pytest.mark.parametrize(
    ("role", "outcome"),
    [
        ("staff", "ok"),
        ("grid", "ok"),
        ("building", PermissionDenied),
        ("grid_worker", Http404),
        ("other_staff", Http404),
        ("resident", PermissionDenied),
    ],
)
def test_who_may_edit_a_grid1_resident(world, role, outcome):
    def call():
        return services.resident_update(
            actor=world.users[role], resident=world.residents["zhangsan"], note="改"
        )

    if outcome == "ok":
        assert call().note == "改"
    else:
        with pytest.raises(outcome):
            call()
        world.residents["zhangsan"].refresh_from_db()
        assert world.residents["zhangsan"].note != "改"


def test_status_machine_keeps_history(world):
    r = world.residents["lisi"]
    services.resident_set_status(
        actor=world.users["staff"], resident=r, status=ResidentStatus.MOVED_OUT, reason="搬往女儿家"
    )
    services.resident_set_status(
        actor=world.users["staff"], resident=r, status=ResidentStatus.DECEASED
    )
    with pytest.raises(ValidationError) as exc:
        services.resident_set_status(
            actor=world.users["staff"], resident=r, status=ResidentStatus.LIVING
        )
    assert "不能从" in exc.value.message_dict["status"][0]
    history = list(
        ResidentStatusChange.objects.filter(resident=r).values_list("from_status", "to_status")
    )
    assert history == [("", "living"), ("living", "moved_out"), ("moved_out", "deceased")]
    assert Resident.objects.filter(pk=r.pk).exists()


def test_update_records_masked_changes(world):
    r = services.resident_update(
        actor=world.users["staff"], resident=world.residents["zhangsan"], phone="13511112222"
    )
    event = AuditEvent.objects.filter(action="places.resident.updated").latest("id")
    assert event.changes["phone"] == ["138****5678", "135****2222"]
    assert r.phone_last4 == "2222"


def test_reveal_is_audited_and_scoped(world):
    zhang = world.residents["zhangsan"]
    assert (
        services.resident_reveal(
            actor=world.users["grid"], resident=zhang, field="phone", reason="home_visit"
        )
        == "13812345678"
    )
    assert (
        AuditEvent.objects.filter(
            action="places.resident.revealed", actor=world.users["grid"]
        ).count()
        == 1
    )
    with pytest.raises(PermissionDenied):
        services.resident_reveal(
            actor=world.users["building"], resident=zhang, field="phone", reason="home_visit"
        )
    with pytest.raises(Http404):
        services.resident_reveal(
            actor=world.users["other_staff"], resident=zhang, field="phone", reason="home_visit"
        )


def test_elderly_is_computed_not_stored(world):
    from gongzhi.places.models import elderly_cutoff

    assert Resident.objects.elderly().filter(pk=world.residents["zhangsan"].pk).exists()
    assert not Resident.objects.elderly().filter(pk=world.residents["lisi"].pk).exists()
    assert (
        Resident.objects.elderly(on=dt.date(2045, 6, 8))
        .filter(pk=world.residents["lisi"].pk)
        .exists()
    )
    assert elderly_cutoff(dt.date(2024, 2, 29)) == dt.date(1964, 2, 29)
    assert elderly_cutoff(dt.date(1960, 2, 29)) == dt.date(1900, 2, 28)  # 1900 was not a leap year
