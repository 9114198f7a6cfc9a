"""Exporting the register: masked by default, full only with reveal_pii and audited,
scoped to the user's reach, and a constant number of queries however many rows."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.places.services import resident_create
from gongzhi.register.services import COLUMNS

from .conftest import id_number


def _export(client, **data):
    response = client.post(reverse("register:export"), data)
    assert response.status_code == 200, response.content[:500]
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header, *rows = list(sheet.values)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


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
    header, rows = _export(login(world.users["staff"]), reveal="on")
    zhangsan = next(r for r in rows if r["姓名"] == "张三")
    assert zhangsan["身份证号"] == world.residents["zhangsan"].id_number
    assert zhangsan["手机号"] == "13812345678"
    [revealed] = AuditEvent.objects.filter(action="register.export.revealed")
    assert revealed.changes["count"] == 3
    assert sorted(revealed.changes["residents"]) == sorted(
        world.residents[k].pk for k in ("zhangsan", "lisi", "wangwu")
    )
    assert "13812345678" not in str(revealed.changes)
    assert AuditEvent.objects.filter(action="register.export.completed").count() == 1


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
        _export(client, reveal="on")
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
        _header, rows = _export(client, reveal="on")
    assert len(rows) == 23
    assert len(many) == len(few)
