"""Register files built in memory, one row per resident, in the template's columns."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from gongzhi.core.identity import make_id_number
from gongzhi.register.services import COLUMNS


def id_number(n: int) -> str:
    return make_id_number("510402", dt.date(1960, 1, 1) + dt.timedelta(days=n // 1000), n)


def person(n: int = 1, **overrides) -> dict:
    values = {
        "楼栋号": "1",
        "单元号": 1,
        "门牌号": f"{300 + n % 3}",
        "楼层": 3,
        "姓名": f"测试{n}",
        "身份证号": id_number(n),
        "手机号": f"135{n:08d}",
        "与户主关系": "户主",
        "人户状态": "人户一致",
        "户籍地址": "四川省攀枝花市东区",
        "关爱标签": "",
        "备注": "",
    }
    values.update(overrides)
    return values


def xlsx(rows: list[dict], columns: list[str] = COLUMNS) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("居民登记")
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def staff(world):
    return world.users["staff"]
