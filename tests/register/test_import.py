"""Importing the household register: every row validated first, then all or nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from gongzhi.core.crypto import blind_index
from gongzhi.core.models import AuditEvent
from gongzhi.places.models import Household, Resident, ResidentStatusChange
from gongzhi.register.models import ImportStatus
from gongzhi.register.services import (
    ImportConflict,
    register_import_apply,
    register_import_start,
    register_import_validate,
)

from .conftest import id_number, person, xlsx


def _counts():
    return (
        Resident.objects.count(),
        Household.objects.count(),
        AuditEvent.objects.count(),
        ResidentStatusChange.objects.count(),
    )


def _import(world, user, rows):
    return register_import_start(
        actor=user, community=world.wj, file_name="登记表.xlsx", data=xlsx(rows)
    )


def test_happy_path_creates_households_and_residents(world, staff):
    rows = [
        person(1, 门牌号="501", 楼层=5, 关爱标签="独居,低保"),
        person(2, 门牌号="501", 楼层=5, 与户主关系="配偶"),
        person(3, 楼栋号="2", 单元号=1, 门牌号="601", 楼层=6, 人户状态="人在户不在"),
    ]
    before = _counts()

    job = _import(world, staff, rows)

    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.updated_count, job.households_created) == (3, 0, 2)
    assert job.rows_total == 3
    household = Household.objects.get(building=world.b1, door_number="501")
    assert (household.address_label, household.address_code, household.floor) == (
        "1栋1单元501",
        "1-1-501",
        5,
    )
    assert (household.community_id, household.grid_id, household.compound_id) == (
        world.wj.pk,
        world.g1.pk,
        world.b1.compound_id,
    )
    first = Resident.objects.get(id_number_bidx=blind_index(id_number(1), purpose="id_number"))
    assert first.name == "测试1"
    assert first.household == household
    assert (first.community_id, first.grid_id, first.building_id) == (
        world.wj.pk,
        world.g1.pk,
        world.b1.pk,
    )
    assert first.entrance_id == household.entrance_id
    assert first.birth_date.year == 1960
    assert first.name_pinyin == "ceshi1" or first.name_initials.startswith("cs")
    assert first.phone == "13500000001"
    assert first.phone_last4 == "0001"
    assert sorted(first.care_tags.values_list("name", flat=True)) == ["低保", "独居"]
    assert first.relation == "head"
    spouse = Resident.objects.get(name="测试2")
    assert spouse.relation == "spouse"
    third = Resident.objects.get(name="测试3")
    assert (third.grid_id, third.residence) == (world.g2.pk, "lives_only")
    after = _counts()
    assert after[0] - before[0] == 3
    assert after[3] - before[3] == 3
    assert (
        ResidentStatusChange.objects.filter(
            resident=first, from_status="", to_status="living"
        ).count()
        == 1
    )
    event = AuditEvent.objects.get(action="register.import.completed")
    assert event.changes["created"] == 3
    assert event.changes["households_created"] == 2
    assert event.actor == staff


def test_personal_data_is_encrypted_at_rest(world, staff):
    _import(world, staff, [person(7)])
    resident = Resident.objects.get(name="测试7")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM places_resident WHERE id = %s", [resident.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert id_number(7) not in raw_id
    assert "13500000007" not in raw_phone
    assert raw_id.startswith("k1$")
    assert resident.id_number == id_number(7)


def test_reimport_updates_instead_of_duplicating(world, staff):
    rows = [person(n, 门牌号="501", 楼层=5) for n in range(1, 6)]
    _import(world, staff, rows)
    counts = _counts()

    again = _import(world, staff, rows)

    assert again.status == ImportStatus.DONE
    assert (
        again.created_count,
        again.updated_count,
        again.unchanged_count,
        again.households_created,
    ) == (0, 0, 5, 0)
    assert _counts()[:2] == counts[:2]

    rows[0] = person(1, 门牌号="502", 楼层=5, 手机号="13999999999", 关爱标签="残疾", 姓名="测试一")
    third = _import(world, staff, rows)

    assert (
        third.created_count,
        third.updated_count,
        third.unchanged_count,
        third.households_created,
    ) == (0, 1, 4, 1)
    moved = Resident.objects.get(id_number_bidx=blind_index(id_number(1), purpose="id_number"))
    assert (moved.name, moved.phone, moved.household.door_number) == (
        "测试一",
        "13999999999",
        "502",
    )
    assert list(moved.care_tags.values_list("name", flat=True)) == ["残疾"]
    assert Resident.objects.count() == counts[0]


def test_reimport_matches_existing_resident_from_single_record_path(world, staff):
    zhangsan = world.residents["zhangsan"]
    job = _import(
        world,
        staff,
        [
            person(
                1,
                身份证号=zhangsan.id_number,
                姓名="张三",
                手机号="",
                户籍地址="",
                门牌号="101",
                楼层=1,
            )
        ],
    )
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 1)
    zhangsan.refresh_from_db()
    assert zhangsan.phone == "13812345678"  # a blank cell keeps what is on record


BAD_ROWS = [
    ({"身份证号": "510402196001010011"}, "身份证号", "身份证号校验位不正确，请核对后重新输入。"),
    ({"身份证号": "12345"}, "身份证号", "身份证号应为18位，前17位是数字，最后一位是数字或X。"),
    ({"身份证号": ""}, "身份证号", "请填写身份证号。"),
    ({"手机号": "2345"}, "手机号", "手机号应为11位，以1开头，例如 13812345678。"),
    ({"楼栋号": "99"}, "楼栋号", "本社区没有“99”号楼栋，请核对楼栋号。"),
    ({"单元号": 3}, "单元号", "1栋没有3单元。"),
    ({"单元号": "一"}, "单元号", "单元号应为数字，例如 1。"),
    ({"楼层": 7}, "楼层", "楼层应在1到6之间。"),
    ({"楼层": "三楼"}, "楼层", "楼层应为整数，例如 5。"),
    ({"姓名": "  "}, "姓名", "请填写姓名。"),
    ({"门牌号": ""}, "门牌号", "请填写门牌号。"),
    ({"与户主关系": "表哥"}, "与户主关系", "无法识别“表哥”，可填写："),
    ({"人户状态": "不知道"}, "人户状态", "无法识别“不知道”，可填写："),
    ({"关爱标签": "独居,外星人"}, "关爱标签", "无法识别的关爱标签“外星人”，可填写："),
]


@pytest.mark.parametrize(("overrides", "column", "message"), BAD_ROWS)
def test_bad_row_is_reported_and_nothing_is_written(world, staff, overrides, column, message):
    rows = [person(n) for n in range(1, 5)]
    rows[2] = person(3, **overrides)
    before = _counts()

    job = _import(world, staff, rows)

    assert job.status == ImportStatus.FAILED
    assert job.error_count == 1
    [error] = job.error_report
    assert error["row"] == 4  # header is row 1, the third person is on row 4
    assert error["column"] == column
    assert error["message"].startswith(message)
    assert _counts() == before
    assert job.message.startswith("发现1处错误")


def test_duplicate_id_in_file_names_the_first_row(world, staff):
    rows = [person(1), person(2), person(3, 身份证号=id_number(1))]
    before = _counts()
    job = _import(world, staff, rows)
    assert job.error_report == [
        {"row": 4, "column": "身份证号", "message": "与第2行的身份证号重复，同一人只能填写一行。"}
    ]
    assert _counts() == before


def test_id_number_registered_in_another_community_is_refused_without_saying_where(world, staff):
    zhaoliu = world.residents["zhaoliu"]
    before = _counts()
    job = _import(world, staff, [person(1), person(2, 身份证号=zhaoliu.id_number)])
    assert job.status == ImportStatus.FAILED
    assert job.error_report == [
        {
            "row": 3,
            "column": "身份证号",
            "message": "该身份证号已登记在其他住户中，请核对或联系社区办理迁移。",
        }
    ]
    assert "其他社区" not in job.error_report[0]["message"]
    assert _counts() == before


def test_every_error_is_collected(world, staff):
    rows = [person(1, 楼栋号="9", 手机号="1"), person(2), person(3, 姓名="", 楼层=0)]
    job = _import(world, staff, rows)
    assert [(e["row"], e["column"]) for e in job.error_report] == [
        (2, "楼栋号"),
        (2, "手机号"),
        (4, "楼层"),
        (4, "姓名"),
    ]


def test_error_rows_are_sealed_at_rest(world, staff):
    job = _import(world, staff, [person(1, 楼层=99)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT error_rows FROM register_importjob WHERE id = %s", [job.pk])
        (raw,) = cursor.fetchone()
    assert id_number(1) not in raw
    assert id_number(1) in job.error_rows


def test_a_bad_row_near_the_end_of_12000_rows_writes_nothing(world, staff):
    rows = [person(n, 门牌号=str(100 + n % 600), 楼层=1 + n % 6) for n in range(1, 12001)]
    rows[11997] = person(
        11998, 身份证号=id_number(11998)[:-1] + ("0" if id_number(11998)[-1] != "0" else "1")
    )
    before = _counts()

    job = _import(world, staff, rows)

    assert job.status == ImportStatus.FAILED
    assert job.rows_total == 12000
    assert [(e["row"], e["column"]) for e in job.error_report] == [(11999, "身份证号")]
    assert _counts() == before
    assert not Household.objects.filter(door_number="650").exists()


def test_apply_refuses_when_the_data_changed_since_validation(world, staff):
    from gongzhi.places.services import resident_create

    validation = register_import_validate(community=world.wj, data=xlsx([person(1), person(2)]))
    assert validation.ok
    # Someone registers person 2 in the other community meanwhile.
    resident_create(
        actor=None, household=world.households["ot-1-1-101"], name="抢先", id_number=id_number(2)
    )
    before = _counts()
    with pytest.raises(ImportConflict):
        register_import_apply(actor=staff, validation=validation)
    assert _counts() == before


def test_empty_register_fails_with_a_message(world, staff):
    job = _import(world, staff, [])
    assert job.status == ImportStatus.FAILED
    assert job.message == "表格中没有居民数据，请从第2行开始填写。"


def test_blank_rows_are_skipped_and_row_numbers_stay_excel_rows(world, staff):
    rows = [person(1), {}, person(2, 楼层=42)]
    job = _import(world, staff, rows)
    assert job.rows_total == 2
    assert job.error_report[0]["row"] == 4
