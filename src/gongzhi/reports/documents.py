"""The work report as files: a .docx laid out as the printed report (title, period,
sections, numbered notes naming each figure's exact value, definition and drill address),
and the .xlsx ledgers (台账), one sheet a section, listing the records behind its figures.

The .docx holds nothing that depends on the moment it was written — no generation time, a
fixed document date — so two generations from the same records are the same text."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from gongzhi.core.exports import Workbook, export_notice
from gongzhi.figures import registry

from .builder import SECTIONS, Part, Report

FONT = "SimSun"
# Rows a ledger sheet lists per figure at most: a city's year can hold millions of records,
# and a sheet is read by people; the note under the rows says where the rest are.
LEDGER_ROWS_MAX = 5000


def _font(run, size: float, *, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.name = FONT
    run.bold = bold
    # East Asian text takes its own font attribute in Word.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _sup(paragraph, n: int) -> None:
    run = paragraph.add_run(f"[{n}]")
    run.font.superscript = True


def report_docx(report: Report, *, base_url: str = "") -> bytes:
    """The report as a .docx. ``base_url`` (scheme and host) makes the notes' drill
    addresses absolute."""
    doc = Document()
    props = doc.core_properties
    props.title = report.title
    props.author = report.area
    # A fixed date: the file does not change with the moment it was made.
    fixed = dt.datetime(report.window.end.year, report.window.end.month, report.window.end.day)
    props.created = props.modified = fixed
    props.last_modified_by = ""
    props.revision = 1

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(report.title), 22, bold=True)
    period = doc.add_paragraph()
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(period.add_run(_("统计期：%(period)s") % {"period": report.period}), 12)

    for number, section in enumerate(report.sections, start=1):
        heading = doc.add_paragraph()
        _font(
            heading.add_run(f"{_chinese_ordinal(number)}、{section.label}"),
            16,
            bold=True,
        )
        for sentence in section.sentences:
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(28)
            for part in sentence:
                if isinstance(part, Part):
                    _font(p.add_run(part.text), 14, bold=True)
                    _sup(p, part.note)
                else:
                    _font(p.add_run(part), 14)
        for line in section.highlights:
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(28)
            _font(p.add_run(line), 14)
        for text in section.paragraph.split("\n"):
            if text.strip():
                p = doc.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(28)
                _font(p.add_run(text.strip()), 14)

    heading = doc.add_paragraph()
    _font(heading.add_run(_("注释：数字的口径与来源")), 14, bold=True)
    for part in report.notes:
        p = doc.add_paragraph()
        _font(
            p.add_run(
                _("[%(n)d] %(label)s：%(exact)s。%(definition)s 明细：%(url)s")
                % {
                    "n": part.note,
                    "label": part.label,
                    "exact": part.exact,
                    "definition": part.definition,
                    "url": base_url + part.drill,
                }
            ),
            10,
        )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _chinese_ordinal(n: int) -> str:
    return "零一二三四五六七八九十"[n] if 0 <= n <= 10 else str(n)


LEDGER_HEADER = (
    gettext_lazy("数字"),
    gettext_lazy("记录"),
    gettext_lazy("日期"),
    gettext_lazy("地点"),
    gettext_lazy("说明"),
)


def report_xlsx(report: Report, *, actor) -> bytes:
    """The ledgers: a summary sheet with every figure (as written and exact), then one
    sheet a section listing, figure by figure, the records behind it (its drill's rows).
    Every cell goes through ``core.exports`` (formulas neutralised)."""
    book = Workbook(notice=export_notice(actor), notice_row=True)
    summary = book.sheet(_("汇总"), widths=(16, 28, 16, 16, 60), freeze_header=True)
    summary.write_row([_("部分"), _("数字"), _("报告中写作"), _("精确值"), _("口径")], bold=True)
    labels = {s.key: s.label for s in report.sections}
    for section in report.sections:
        for sentence in section.sentences:
            for part in sentence:
                if isinstance(part, Part):
                    summary.write_row(
                        [labels[section.key], part.label, part.text, part.exact, part.definition]
                    )
    window = report.window
    for spec in SECTIONS:
        if not spec.ledger:
            continue
        sheet = book.sheet(str(spec.label), widths=(16, 36, 12, 28, 30), freeze_header=True)
        sheet.write_row([str(h) for h in LEDGER_HEADER], bold=True)
        for key in spec.ledger:
            figure = registry.FIGURES[key]
            records = figure.records(window)
            listed = records[:LEDGER_ROWS_MAX]
            for obj in listed:
                row = figure.row(obj, window)
                sheet.write_row(
                    [str(figure.label), row["label"], row["date"], row["place"], row["detail"]]
                )
            total = len(records) if isinstance(records, list) else records.count()
            if total > LEDGER_ROWS_MAX:
                sheet.write_row(
                    [
                        str(figure.label),
                        _("另有%(n)d条记录未列出，请在系统中查看明细。")
                        % {"n": total - LEDGER_ROWS_MAX},
                    ]
                )
    return book.save()
