"""The work report: its figures are the registry's in the 余 convention, each linked to its
rows; the same records give the same report; the .docx opens with python-docx and
LibreOffice; the ledgers open with openpyxl, formulas neutralised; a constant number of
queries."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document

from gongzhi.activities.enums import ActivityKind
from gongzhi.figures import registry
from gongzhi.reports import builder
from gongzhi.reports.selectors import area_for
from tests.figures.conftest import EXPECTED, activity, at, make_activities

from .conftest import ASKED, WJ, page

pytestmark = pytest.mark.django_db


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def report_of(user, **asked):
    area = area_for(user, **asked)
    return builder.build(area.window, area=area.name, asked=asked)


def test_every_figure_stands_in_one_section():
    keys = [builder.TOKEN.findall(str(t)) for spec in builder.SECTIONS for t in spec.sentences]
    flat = [k for ks in keys for k in ks]
    assert sorted(flat) == sorted(registry.FIGURES)
    assert [s.key for s in builder.SECTIONS] == ["overview", "core", "voice", "reach", "micro"]


def test_the_report_writes_the_registrys_figures(records):
    # EXPECTED counts up to today (a wish is confirmed today).
    report = report_of(records.users["staff"], start="2026-01-01", end=dt.date.today().isoformat())
    figures = report.figures()
    assert figures["opinion_events"] == "2场"
    assert figures["survey_support_rate"] == "50.00%"
    assert figures["survey_households"] == "3户"
    values = {p.key: p.value for p in report.notes}
    assert {k: float(v) for k, v in values.items()} == pytest.approx(
        {k: float(v) for k, v in EXPECTED.items()}
    )
    assert [p.note for p in report.notes] == list(range(1, len(registry.FIGURES) + 1))


def test_the_page_links_each_figure_to_its_rows(client, records):
    response = page(client, records.users["secretary"], **ASKED)
    html = response.content.decode()
    assert response.status_code == 200
    query = "community=510402001001&amp;from=2026-01-01&amp;to=2026-11-30"
    for key in registry.FIGURES:
        assert f'data-figure="{key}" href="/figures/{key}/?{query}"' in html
    for label in ("一核引领", "二融共促", "三维并举", "五微"):
        assert f">{label}</h3>" in html
    # The names the records give: the partner unit of the co-building activities.
    assert "攀枝花市住房和城乡建设局" in html


def test_many_events_read_as_officials_write_them(client, many_events):
    response = page(client, many_events.users["secretary"], **ASKED)
    assert response.status_code == 200
    assert ">130余场</a>" in response.content.decode()


def test_the_docx_opens_and_writes_the_figures_in_the_yu_convention(client, many_events):
    response = page(client, many_events.users["secretary"], "/reports/work/docx/", **ASKED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = docx_text(response.content)
    assert "民意征集活动130余场" in text
    assert "[3] 居民：3人。" in text
    assert "http://testserver/figures/opinion_events/?community=510402001001" in text


def test_two_generations_from_the_same_records_are_the_same(client, many_events):
    first = page(client, many_events.users["secretary"], "/reports/work/docx/", **ASKED)
    second = page(client, many_events.users["secretary"], "/reports/work/docx/", **ASKED)
    assert docx_text(first.content) == docx_text(second.content)
    user = many_events.users["secretary"]
    asked = {"community": WJ, "start": "2026-01-01", "end": "2026-11-30"}
    assert report_of(user, **asked).figures() == report_of(user, **asked).figures()


def test_a_new_record_moves_the_figure(client, records):
    before = report_of(records.users["staff"], start="2026-01-01", end="2026-11-30")
    activity(records, ActivityKind.MICRO_SERVICE, at(2026, 8, 2, 9))
    after = report_of(records.users["staff"], start="2026-01-01", end="2026-11-30")
    assert (before.figures()["micro_services"], after.figures()["micro_services"]) == (
        "1次",
        "2次",
    )


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_the_docx_to_pdf(client, many_events, tmp_path: Path):
    response = page(client, many_events.users["secretary"], "/reports/work/docx/", **ASKED)
    source = tmp_path / "report.docx"
    source.write_bytes(response.content)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000


def test_the_print_page_has_a_note_with_the_drill_of_each_figure(client, records):
    response = page(client, records.users["secretary"], "/reports/work/print/", **ASKED)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<li id="note-') == len(registry.FIGURES)
    assert "http://testserver/figures/outreach_talks/?community=510402001001" in html
    assert 'href="#note-1"' in html


def test_the_ledgers_open_and_neutralise_formulas(client, records):
    activity(records, ActivityKind.OUTREACH, at(2026, 3, 20, 9), title='=HYPERLINK("x","y")')
    response = page(client, records.users["secretary"], "/reports/work/xlsx/", **ASKED)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "一核引领", "二融共促", "三维并举", "五微"]
    cells = [c for row in book["三维并举"].iter_rows(values_only=True) for c in row]
    assert '\'=HYPERLINK("x","y")' in cells
    assert all(c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)
    summary = {row[1]: row[:4] for row in book["汇总"].iter_rows(min_row=3, values_only=True)}
    assert summary["支持率"] == ("二融共促", "支持率", "50.00%", "50.00%")
    assert summary["宣讲"] == ("三维并举", "宣讲", "3场", "3场")


def _queries(client, user, path, **params) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path",
    ["/reports/work/", "/reports/work/print/", "/reports/work/docx/", "/reports/work/xlsx/"],
)
def test_the_pages_cost_the_same_queries_for_few_records_and_many(client, world, path):
    make_activities(world)
    few = _queries(client, world.users["staff"], path, **ASKED)
    make_activities(world, extra=40)
    assert _queries(client, world.users["staff"], path, **ASKED) == few


def test_the_period_defaults_to_this_year(client, records):
    response = page(client, records.users["secretary"])
    assert response.status_code == 200
    start = dt.date.today().replace(month=1, day=1)
    assert f"{start.year}年1月1日至" in response.content.decode()
