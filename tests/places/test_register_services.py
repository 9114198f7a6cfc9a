"""The register's everyday changes in the services: move-in dates, status changes checked
against the history, visits (走访记录), care lists and their masked export."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from gongzhi.core.identity import make_id_number
from gongzhi.core.models import AuditEvent
from gongzhi.places import selectors, services
from gongzhi.places.enums import ContactMethod, Relation, Residence, ResidentStatus
from gongzhi.places.models import CareTag, ContactLog, Resident, ResidentStatusChange

TODAY = timezone.localdate()


def _rows():
    return (
        Resident.objects.count(),
        ResidentStatusChange.objects.count(),
        ContactLog.objects.count(),
        AuditEvent.objects.count(),
    )


def _newcomer(world, **kwargs):
    return services.resident_create(
        actor=world.users["grid"],
        household=world.households["1-1-101"],
        name="钱七",
        id_number=make_id_number("510402", dt.date(1990, 5, 6), 61),
        **kwargs,
    )


# --- move in ----------------------------------------------------------------------------


def test_move_in_date_starts_the_history_and_is_audited(world):
    r = _newcomer(world, moved_in_on=dt.date(2024, 9, 1), relation=Relation.TENANT)
    change = ResidentStatusChange.objects.get(resident=r)
    assert (change.from_status, change.to_status, change.effective_on) == (
        "",
        ResidentStatus.LIVING,
        dt.date(2024, 9, 1),
    )
    event = AuditEvent.objects.get(action="places.resident.created", object_id=str(r.pk))
    assert event.changes["moved_in_on"] == "2024-09-01"


def test_move_in_defaults_to_today(world):
    r = _newcomer(world)
    assert ResidentStatusChange.objects.get(resident=r).effective_on == TODAY


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (TODAY + dt.timedelta(days=1), "迁入日期不能晚于今天。"),
        (dt.date(1989, 12, 31), "迁入日期不能早于出生日期（1990-05-06）。"),
        (dt.date(1899, 12, 31), "日期须在1900年至2100年之间。"),
    ],
)
def test_impossible_move_in_dates_are_refused_and_nothing_is_written(world, day, message):
    before = _rows()
    with pytest.raises(ValidationError) as exc:
        _newcomer(world, moved_in_on=day)
    assert exc.value.message_dict == {"moved_in_on": [message]}
    assert _rows() == before


def test_a_bad_check_digit_and_a_bad_date_are_refused_together(world):
    idn = make_id_number("510402", dt.date(1990, 5, 6), 61)
    wrong = idn[:-1] + ("0" if idn[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        services.resident_create(
            actor=world.users["grid"],
            household=world.households["1-1-101"],
            name="钱七",
            id_number=wrong,
            moved_in_on=TODAY + dt.timedelta(days=3),
        )
    assert set(exc.value.message_dict) == {"id_number", "moved_in_on"}
    assert "校验" in exc.value.message_dict["id_number"][0]


# --- move out, death, move back ---------------------------------------------------------


def test_move_out_keeps_the_day_and_the_destination(world):
    r = _newcomer(world, moved_in_on=dt.date(2020, 1, 1))
    services.resident_set_status(
        actor=world.users["grid"],
        resident=r,
        status=ResidentStatus.MOVED_OUT,
        effective_on=dt.date(2025, 3, 1),
        reason="成都市武侯区",
    )
    last = ResidentStatusChange.objects.filter(resident=r).latest("id")
    assert (last.to_status, last.effective_on, last.reason) == (
        ResidentStatus.MOVED_OUT,
        dt.date(2025, 3, 1),
        "成都市武侯区",
    )
    event = AuditEvent.objects.filter(action="places.resident.status_changed").latest("id")
    assert event.changes == {
        "status": ["living", "moved_out"],
        "effective_on": "2025-03-01",
        "reason": "成都市武侯区",
    }


@pytest.mark.parametrize(
    ("status", "day", "message"),
    [
        (
            ResidentStatus.MOVED_OUT,
            dt.date(2019, 12, 31),
            "迁出日期不能早于迁入登记日期（2020-01-01）。",
        ),
        (
            ResidentStatus.DECEASED,
            dt.date(2019, 6, 1),
            "死亡日期不能早于迁入登记日期（2020-01-01）。",
        ),
        (ResidentStatus.MOVED_OUT, TODAY + dt.timedelta(days=1), "迁出日期不能晚于今天。"),
        (ResidentStatus.DECEASED, dt.date(1990, 5, 5), "死亡日期不能早于出生日期（1990-05-06）。"),
        (ResidentStatus.MOVED_OUT, dt.date(9999, 1, 1), "日期须在1900年至2100年之间。"),
    ],
)
def test_impossible_status_days_are_refused_and_nothing_is_written(world, status, day, message):
    r = _newcomer(world, moved_in_on=dt.date(2020, 1, 1))
    before = _rows()
    with pytest.raises(ValidationError) as exc:
        services.resident_set_status(
            actor=world.users["grid"], resident=r, status=status, effective_on=day
        )
    assert exc.value.message_dict == {"effective_on": [message]}
    assert _rows() == before
    assert Resident.objects.get(pk=r.pk).status == ResidentStatus.LIVING


def test_death_before_the_move_out_is_refused(world):
    r = _newcomer(world, moved_in_on=dt.date(2020, 1, 1))
    services.resident_set_status(
        actor=world.users["grid"],
        resident=r,
        status=ResidentStatus.MOVED_OUT,
        effective_on=dt.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        services.resident_set_status(
            actor=world.users["grid"],
            resident=r,
            status=ResidentStatus.DECEASED,
            effective_on=dt.date(2023, 12, 31),
        )
    assert exc.value.message_dict == {"effective_on": ["死亡日期不能早于迁出日期（2024-01-01）。"]}
    # A move back on the day of the move out is fine.
    back = services.resident_set_status(
        actor=world.users["grid"],
        resident=r,
        status=ResidentStatus.LIVING,
        effective_on=dt.date(2024, 1, 1),
    )
    assert back.status == ResidentStatus.LIVING


def test_check_status_change_writes_nothing_and_names_the_move(world):
    r = world.residents["lisi"]
    before = _rows()
    assert services.check_status_change(r, status=ResidentStatus.DECEASED, effective_on=TODAY) == (
        ResidentStatus.LIVING,
        ResidentStatus.DECEASED,
    )
    with pytest.raises(ValidationError) as exc:
        services.check_status_change(r, status="gone", effective_on=TODAY)
    assert exc.value.message_dict == {"status": ["请选择有效的状态。"]}
    with pytest.raises(ValidationError) as exc:
        services.check_status_change(r, status=ResidentStatus.LIVING, effective_on=TODAY)
    assert exc.value.message_dict == {"status": ["不能从“在住”变更为“在住”。"]}
    assert _rows() == before


# --- visits ------------------------------------------------------------------------------


def test_a_visit_is_recorded_and_audited(world):
    zhang = world.residents["zhangsan"]
    contact = services.contact_log_create(
        actor=world.users["building"],
        resident=zhang,
        visited_on=TODAY,
        method=ContactMethod.PHONE,
        note="身体还好，想要助餐服务",
    )
    assert (contact.resident_id, contact.by, contact.method) == (
        zhang.pk,
        world.users["building"],
        "phone",
    )
    event = AuditEvent.objects.get(action="places.contact.created")
    assert (event.object_id, event.changes) == (
        str(zhang.pk),
        {"visited_on": TODAY.isoformat(), "method": "phone"},
    )
    with pytest.raises(TypeError):
        contact.delete()


@pytest.mark.parametrize(
    ("role", "outcome"),
    [
        ("entrance", Http404),  # 张三 lives in entrance 1; the chief holds entrance 2
        ("subdistrict", PermissionDenied),  # sees 张三, does not visit
        ("resident", PermissionDenied),
        ("other_staff", Http404),
    ],
)
def test_who_may_record_a_visit(world, role, outcome):
    with pytest.raises(outcome):
        services.contact_log_create(
            actor=world.users[role], resident=world.residents["zhangsan"], visited_on=TODAY
        )
    assert ContactLog.objects.count() == 0


def test_bad_visits_are_refused_with_every_reason(world):
    with pytest.raises(ValidationError) as exc:
        services.contact_log_create(
            actor=world.users["grid"],
            resident=world.residents["zhangsan"],
            visited_on=TODAY + dt.timedelta(days=2),
            method="telepathy",
            note="字" * 501,
        )
    assert exc.value.message_dict == {
        "visited_on": ["走访日期不能晚于今天。"],
        "method": ["请选择走访方式。"],
        "note": ["不能超过500字（现有501字）。"],
    }
    with pytest.raises(ValidationError) as exc:
        services.contact_log_create(
            actor=world.users["grid"], resident=world.residents["zhangsan"], visited_on=None
        )
    assert exc.value.message_dict == {"visited_on": ["请填写走访日期。"]}
    assert ContactLog.objects.count() == 0


def test_a_resident_who_moved_out_is_not_visited(world):
    lisi = services.resident_set_status(
        actor=world.users["grid"], resident=world.residents["lisi"], status="moved_out"
    )
    with pytest.raises(ValidationError) as exc:
        services.contact_log_create(actor=world.users["grid"], resident=lisi, visited_on=TODAY)
    assert exc.value.messages == ["李四的状态是“已迁出”，不能再记录走访。"]
    assert ContactLog.objects.count() == 0


# --- care lists --------------------------------------------------------------------------


@pytest.fixture
def cared(world):
    """张三 (75, 独居), 李四 tagged 低保 and visited, 孙八 (85, untagged) in grid 1;
    王五 (grid 2) tagged 残疾; 周九 (90) moved out."""
    tag = CareTag.objects.get
    services.resident_update(
        actor=None, resident=world.residents["lisi"], care_tags=[tag(code="low_income")]
    )
    services.resident_update(
        actor=None, resident=world.residents["wangwu"], care_tags=[tag(code="disabled")]
    )
    sun = services.resident_create(
        actor=None,
        household=world.households["1-2-201"],
        name="孙八",
        id_number=make_id_number(
            "510402", TODAY.replace(year=TODAY.year - 85) - dt.timedelta(1), 71
        ),
    )
    zhou = services.resident_create(
        actor=None,
        household=world.households["1-2-201"],
        name="周九",
        id_number=make_id_number("510402", dt.date(1935, 1, 1), 72),
    )
    services.resident_set_status(actor=None, resident=zhou, status="moved_out")
    services.contact_log_create(
        actor=None, resident=world.residents["lisi"], visited_on=TODAY - dt.timedelta(days=3)
    )
    services.contact_log_create(
        actor=None, resident=world.residents["lisi"], visited_on=TODAY - dt.timedelta(days=30)
    )
    return {"sun": sun, "zhou": zhou}


def _names(qs):
    return [r.name for r in qs]


def test_care_list_orders_the_never_visited_first(world, cared):
    rows = list(selectors.care_list(world.users["grid"]))
    assert [(r.name, r.last_contact) for r in rows] == [
        ("张三", None),
        ("孙八", None),
        ("李四", TODAY - dt.timedelta(days=3)),
    ]


@pytest.mark.parametrize(
    ("category", "names"),
    [
        ("advanced_age", ["孙八"]),
        ("alone", ["张三"]),
        ("low_income", ["李四"]),
        ("disabled", []),
        ("key_care", []),
    ],
)
def test_care_list_by_category(world, cared, category, names):
    assert _names(selectors.care_list(world.users["grid"], category=category)) == names


def test_care_list_is_scoped_and_filtered_by_place(world, cared):
    staff = world.users["staff"]
    assert sorted(_names(selectors.care_list(staff))) == ["孙八", "张三", "李四", "王五"]
    assert _names(selectors.care_list(staff, grid=world.g2)) == ["王五"]
    assert _names(selectors.care_list(world.users["entrance"])) == ["孙八", "李四"]
    assert _names(selectors.care_list(world.users["other_staff"])) == []
    assert _names(selectors.care_list(world.users["partner"])) == []
    # Only living residents: 周九, 90 and moved out, is on no list.
    assert "周九" not in _names(selectors.care_list(world.users["admin"]))


def test_care_categories_offer_every_tag(world):
    assert [code for code, _label in selectors.care_categories()] == [
        "any",
        "advanced_age",
        "alone",
        "disabled",
        "key_care",
        "low_income",
    ]


def _sheet_rows(data: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_care_list_export_is_masked_scoped_and_audited(world, cared):
    data, count = services.care_list_export(
        actor=world.users["grid"], category="any", title="关爱名单：全部"
    )
    rows = _sheet_rows(data)
    assert count == 3
    assert rows[0] == ("关爱名单：全部",)
    assert rows[1] == ("姓名", "性别", "年龄", "住址", "手机号", "关爱类别", "最近走访")
    by_name = {r[0]: r for r in rows[2:]}
    assert set(by_name) == {"张三", "孙八", "李四"}
    assert by_name["张三"][3:6] == ("望江街社区 1栋1单元101", "138****5678", "独居")
    assert by_name["孙八"][5] == "高龄"
    assert by_name["张三"][6] == "未走访"
    text = repr(rows)
    assert "13812345678" not in text and world.residents["zhangsan"].id_number not in text
    event = AuditEvent.objects.get(action="places.care_list.exported")
    assert event.changes == {"count": 3, "category": "any", "grid": None, "building": None}
    assert event.actor == world.users["grid"]


def test_care_list_export_needs_the_export_capability(world, cared):
    with pytest.raises(ValidationError):
        services.care_list_export(actor=world.users["building"], category="any")
    assert not AuditEvent.objects.filter(action="places.care_list.exported").exists()


# --- naming things ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "names"),
    [
        ("subdistrict", ["炳草岗街道"]),
        ("staff", ["望江街社区"]),
        ("grid", ["望江街社区第一网格"]),
        ("building", ["甘露园1栋"]),
        ("entrance", ["甘露园1栋2单元"]),
        ("admin", []),
        ("partner", []),
    ],
)
def test_reach_names(world, role, names):
    assert selectors.reach_names(world.users[role], "view_measures") == names


def test_household_occupancy_is_derived(world):
    lisi = world.residents["lisi"]
    assert selectors.household_occupancy([lisi]) == "自住"
    lisi.relation = Relation.TENANT
    lisi.residence = Residence.LIVES_ONLY
    assert selectors.household_occupancy([lisi]) == "有租户"
    lisi.status = ResidentStatus.MOVED_OUT
    assert selectors.household_occupancy([lisi]) == "空置（无在住居民）"
    assert selectors.household_occupancy([]) == "空置（无在住居民）"
