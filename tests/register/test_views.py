"""The register pages over HTTP: who may reach them, what a bad file answers, progress."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.places.models import Household, Resident
from gongzhi.register.models import ImportJob, ImportStatus
from gongzhi.register.services import COLUMNS

from .conftest import person, xlsx


def _upload(client, community, data: bytes, name="登记表.xlsx"):
    return client.post(
        reverse("register:home"),
        {
            "community": community.pk,
            "file": SimpleUploadedFile(name, data, content_type="application/octet-stream"),
        },
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("staff", 200),
        ("secretary", 200),
        ("other_staff", 200),
        ("grid", 403),
        ("building", 403),
        ("nobody", 404),
    ],
)
def test_register_home_per_role(world, login, role, status):
    response = login(world.users[role]).get(reverse("register:home"))
    assert response.status_code == status
    if status == 200:
        assert "下载导入模板" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("staff", 302), ("grid", 403), ("building", 403), ("other_staff", 404), ("nobody", 404)],
)
def test_upload_into_wangjiang_per_role(world, login, role, status):
    before = Resident.objects.count()
    response = _upload(login(world.users[role]), world.wj, xlsx([person(1)]))
    assert response.status_code == status
    assert Resident.objects.count() == before + (1 if status == 302 else 0)


def test_upload_redirects_to_the_job_page_with_the_result(world, login):
    client = login(world.users["staff"])
    response = _upload(client, world.wj, xlsx([person(1), person(2)]))
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("register:job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "导入完成" in page
    assert 'role="progressbar"' in page
    assert 'aria-valuenow="100"' in page
    assert "hx-trigger" not in page  # finished: the fragment stops polling


def test_running_job_fragment_polls_and_shows_progress(world, login):
    from django.core.cache import cache

    job = ImportJob.objects.create(
        community=world.wj, uploaded_by=world.users["staff"], file_name="a.xlsx"
    )
    cache.set(
        f"register:import:{job.pk}:progress", {"phase": "validating", "done": 500, "total": 1000}
    )
    html = (
        login(world.users["staff"])
        .get(reverse("register:job_progress", args=[job.pk]))
        .content.decode()
    )
    assert 'hx-trigger="every 1s"' in html
    assert 'aria-valuenow="25"' in html
    assert "已检查 500 / 1000 行" in html


def test_failed_job_page_lists_errors_and_offers_the_error_sheet(world, login):
    client = login(world.users["staff"])
    _upload(client, world.wj, xlsx([person(1), person(2, 楼层=99)]))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    page = client.get(reverse("register:job", args=[job.pk])).content.decode()
    assert "楼层应在1到6之间。" in page
    assert "<td>3</td><td>楼层</td>" in page
    response = client.get(reverse("register:job_errors", args=[job.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0] == ("行号", *COLUMNS, "错误说明")
    assert rows[1][0] == 3
    assert rows[1][-1] == "楼层：楼层应在1到6之间。"


@pytest.mark.parametrize(
    ("role", "status"), [("staff", 200), ("secretary", 200), ("other_staff", 404), ("grid", 404)]
)
def test_job_page_per_role(world, login, role, status):
    job = ImportJob.objects.create(
        community=world.wj, uploaded_by=world.users["staff"], file_name="a.xlsx"
    )
    assert (
        login(world.users[role]).get(reverse("register:job", args=[job.pk])).status_code == status
    )


def _odd_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


BAD_FILES = [
    (b"", "上传的文件是空的，请选择填写好的登记表。"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "文件不是 Excel 工作簿（.xlsx）"),
    ("楼栋号,单元号\n1,1\n".encode(), "文件不是 Excel 工作簿（.xlsx）"),
    (_odd_zip(), "文件不是 Excel 工作簿（.xlsx）"),
    (b"PK\x03\x04garbage" * 10, "文件不是 Excel 工作簿（.xlsx）"),
]


@pytest.mark.parametrize(
    ("data", "message"), BAD_FILES, ids=["empty", "xls", "csv", "zip", "broken-zip"]
)
def test_bad_files_get_a_chinese_message_and_write_nothing(world, login, data, message):
    counts = (Resident.objects.count(), Household.objects.count(), AuditEvent.objects.count())
    response = _upload(login(world.users["staff"]), world.wj, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()
    assert (
        Resident.objects.count(),
        Household.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_broken_workbook_inside_a_sound_zip(world, login):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<broken")
        archive.writestr("xl/workbook.xml", "<broken")
    response = _upload(login(world.users["staff"]), world.wj, buffer.getvalue())
    assert response.status_code == 400
    assert "无法读取该文件" in response.content.decode()


def test_missing_columns_are_named(world, login):
    data = xlsx([person(1)], columns=["楼栋号", "单元号", "门牌号", "姓名"])
    response = _upload(login(world.users["staff"]), world.wj, data)
    assert response.status_code == 400
    assert "表格缺少必填列：楼层、身份证号。" in response.content.decode()


def test_oversize_upload_is_refused(world, login, settings):
    settings.GONGZHI_MAX_UPLOAD_BYTES = 1000
    response = _upload(login(world.users["staff"]), world.wj, xlsx([person(n) for n in range(50)]))
    assert response.status_code == 400
    assert "文件太大" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_sheet_declaring_too_many_rows_is_refused(world, login, settings):
    settings.GONGZHI_REGISTER_MAX_ROWS = 5
    wb = openpyxl.Workbook()
    wb.active.append(COLUMNS)
    wb.active["A100000"] = "1"  # a sheet that claims a hundred thousand rows
    buffer = io.BytesIO()
    wb.save(buffer)
    response = _upload(login(world.users["staff"]), world.wj, buffer.getvalue())
    assert response.status_code == 400
    assert "表格超过5行的上限" in response.content.decode()


def test_rows_past_the_limit_are_refused_at_upload_even_when_the_sheet_does_not_declare_them(
    world, login, settings
):
    settings.GONGZHI_REGISTER_MAX_ROWS = 5
    # A write-only sheet carries no declared size; the rows are counted when it is read.
    response = _upload(
        login(world.users["staff"]), world.wj, xlsx([person(n) for n in range(1, 8)])
    )
    assert response.status_code == 400
    assert "表格超过5行的上限，请分成几个文件导入。" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not Resident.objects.filter(name__startswith="测试").exists()


def test_unzipped_size_is_capped(world, login, settings):
    settings.GONGZHI_REGISTER_MAX_UNZIPPED_BYTES = 2000
    response = _upload(login(world.users["staff"]), world.wj, xlsx([person(n) for n in range(50)]))
    assert response.status_code == 400
    assert "表格内容过大" in response.content.decode()


def test_template_has_headers_and_instructions(world, login):
    response = login(world.users["staff"]).get(reverse("register:template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["居民登记", "填写说明"]
    assert [c.value for c in workbook["居民登记"][1]] == COLUMNS
    help_text = " ".join(
        str(c.value) for row in workbook["填写说明"].iter_rows() for c in row if c.value
    )
    assert "户主、配偶" in help_text
    assert "人户一致" in help_text
    assert all(tag in help_text for tag in ("独居", "残疾", "低保", "重点关爱"))


def test_template_refused_to_building_chief(world, login):
    assert login(world.users["building"]).get(reverse("register:template")).status_code == 403


def test_jobs_list_query_count_does_not_grow(world, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.users["staff"])
    ImportJob.objects.create(
        community=world.wj, uploaded_by=world.users["staff"], file_name="1.xlsx"
    )
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("register:home")).status_code == 200
    for n in range(2):
        ImportJob.objects.create(
            community=world.wj, uploaded_by=world.users["secretary"], file_name=f"{n}.xlsx"
        )
    with CaptureQueriesContext(connection) as three:
        response = client.get(reverse("register:home"))
    assert response.content.decode().count("xlsx</a>") == 3
    assert len(three) == len(one)
