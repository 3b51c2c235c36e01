"""CSV and XLSX exports of the staff tables, streamed so their size does not matter.

Every staff table offers ``?_export=csv`` and ``?_export=xlsx`` of its filtered,
sorted rows. Rows come from ``values_list(...).iterator()``: no model instances, no
per-cell rendering, memory flat however many rows there are. The CSV is streamed
as it is written; the XLSX is written by openpyxl's write-only mode into a
temporary file and sent from there.

What a spreadsheet receives:

- row 1 is always the header. While demo records exist, the CSV has a last column
  saying every row is illustrative, and the XLSX says so in its document properties
  and on a second sheet, "About";
- in the XLSX: the header bold and frozen, an autofilter over the table, money in
  Indian grouping (98,76,54,321) and a totals row under the money columns that adds
  up the rows the filter shows (``SUBTOTAL``);
- money as exact whole-rupee integers, dates as ISO dates (``2026-11-22``);
- every text cell, in every column, the header and the "About" sheet included,
  first loses the characters a spreadsheet drops or does not show (control
  characters but tab, line feed and carriage return; the Unicode format
  characters such as zero-width spaces, direction overrides and the byte-order
  mark, but the zero-width joiner and non-joiner that shape Devanagari and
  emoji). Then a cell a spreadsheet would run as a formula (starting, after any
  leading whitespace, with ``=``, ``+``, ``-``, ``@``, or with a tab or a carriage
  return) starts with an apostrophe. In that order: ``\x01=HYPERLINK(...)`` would
  otherwise pass the check and lose its ``\x01`` afterwards, a live formula.
"""

import csv
import datetime
import functools
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from grants.formatting import format_date
from grants.models import Organisation

# Lazy, so each export says it in the language of the request.
ILLUSTRATIVE_NOTICE = _("Illustrative demo data – not Ministry of Mines records")
ILLUSTRATIVE_COLUMN = _("Data")
# Whole rupees in Indian grouping: 9,33,00,000, 17,29,000, 45,000.
INDIAN_MONEY_FORMAT = "[>=10000000]##\\,##\\,##\\,##0;[>=100000]##\\,##\\,##0;##,##0"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Kept in a cell though they are control or format characters: tab, line feed and
# carriage return belong to text, and the zero-width non-joiner and joiner shape
# Devanagari conjuncts and emoji sequences.
KEPT_IN_CELLS = frozenset("\t\n\r\u200c\u200d")
# What may come before a formula's first character and still leave it first to a
# spreadsheet: whitespace, and the joiners kept above.
LEADING = re.compile(r"[\s\u200c\u200d]*")
FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000
BOLD = Font(bold=True)


@dataclass(frozen=True)
class ExportColumn:
    """One column of an export: its heading and the ``values_list`` path it reads.

    ``kind`` says how the value is written: ``text``, ``money`` (whole rupees),
    ``number``, ``date``, ``datetime`` (local time) or ``choice`` (the code
    shown by its label, from ``choices``). The header, the labels and ``blank``
    may be lazy translations: they are written out in the language of the export.
    """

    header: str
    path: str
    kind: str = "text"
    choices: dict = field(default_factory=dict)
    width: int = 0
    # Written in an empty cell, so a reader knows it is empty on purpose.
    blank: str = ""


@functools.cache
def _unseen() -> re.Pattern:
    """Match every character a cell loses: control, format and surrogate code
    points (categories Cc, Cf, Cs) but ``KEPT_IN_CELLS``, and U+FFFE and U+FFFF,
    which XML does not allow. Built from the Unicode database on first use."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        if character in KEPT_IN_CELLS:
            continue
        if unicodedata.category(character) in ("Cc", "Cf", "Cs") or code in (
            0xFFFE,
            0xFFFF,
        ):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return re.compile(
        "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges) + "]"
    )


def strip_unseen(text: str) -> str:
    """Remove the characters a spreadsheet would drop or not show (``_unseen``)."""
    return _unseen().sub("", text)


def neutralise(text: str) -> str:
    """Make text safe for a spreadsheet cell: strip first, then neutralise.

    The characters a spreadsheet drops or hides go first; then text it would run
    as a formula (CSV injection), its first character after any whitespace being
    a trigger, or starting with a tab or carriage return, gets an apostrophe.
    Safe to apply twice.
    """
    text = strip_unseen(text)
    significant = text[LEADING.match(text).end() :]
    if text.startswith(FORMULA_TRIGGERS) or significant.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def is_illustrative() -> bool:
    """Whether demo records exist, so exports must say the data is illustrative."""
    return Organisation.objects.filter(is_illustrative=True).exists()


def _value(column: ExportColumn, raw):
    """Return a cell's value: int for money, date for dates, safe text otherwise."""
    if raw is None or raw == "":
        return neutralise(str(column.blank)) if column.blank else None
    if column.kind == "money" and not isinstance(raw, str):
        return int(raw)
    if column.kind == "number" and isinstance(raw, int | float | Decimal):
        return raw
    if column.kind == "date" and isinstance(raw, datetime.date):
        if isinstance(raw, datetime.datetime):
            return timezone.localtime(raw).date()
        return raw
    if column.kind == "datetime" and isinstance(raw, datetime.datetime):
        # Local time (Asia/Kolkata) without the offset: spreadsheets have no zones.
        return timezone.localtime(raw).replace(tzinfo=None, microsecond=0)
    if column.kind == "choice":
        raw = column.choices.get(raw, raw)
    # Anything else is written as text, whatever the column says it holds.
    return neutralise(str(raw))


def rows(queryset, columns: list[ExportColumn]) -> Iterator[list]:
    """Yield each row's cell values, reading the database in chunks."""
    paths = [column.path for column in columns]
    for record in queryset.values_list(*paths).iterator(chunk_size=CHUNK_SIZE):
        yield [_value(column, raw) for column, raw in zip(columns, record, strict=True)]


class _Echo:
    """A file-like object whose write returns what it was given, for csv.writer."""

    def write(self, value):
        return value


def _iso(value: datetime.date) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return value.isoformat()


def _csv_lines(queryset, columns, *, illustrative: bool) -> Iterable[str]:
    writer = csv.writer(_Echo())
    # The byte-order mark tells spreadsheet programs the file is UTF-8 (₹, –).
    yield "\ufeff"
    notice = [neutralise(str(ILLUSTRATIVE_NOTICE))] if illustrative else []
    yield writer.writerow(
        [neutralise(str(column.header)) for column in columns]
        + ([neutralise(str(ILLUSTRATIVE_COLUMN))] if illustrative else [])
    )
    for values in rows(queryset, columns):
        yield writer.writerow(
            [
                _iso(value) if isinstance(value, datetime.date) else value
                for value in values
            ]
            + notice
        )


def csv_response(queryset, columns, *, filename: str) -> StreamingHttpResponse:
    """Stream the rows as CSV."""
    response = StreamingHttpResponse(
        _csv_lines(queryset, columns, illustrative=is_illustrative()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_cell(sheet, value, column=None):
    if isinstance(value, Promise):
        # A translated label: openpyxl writes plain strings only.
        value = str(value)
    if column is not None and column.kind == "money" and value is not None:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = INDIAN_MONEY_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = (
            "yyyy-mm-dd hh:mm:ss"
            if isinstance(value, datetime.datetime)
            else "yyyy-mm-dd"
        )
        return cell
    if isinstance(value, str):
        return neutralise(value)
    return value


def _bold(sheet, text):
    cell = WriteOnlyCell(sheet, value=neutralise(str(text)))
    cell.font = BOLD
    return cell


def _totals_row(sheet, columns, last_row):
    """A bold "Total" and, under each money column, the sum of the rows shown."""
    cells = []
    for index, column in enumerate(columns, start=1):
        if column.kind == "money":
            letter = get_column_letter(index)
            cell = WriteOnlyCell(
                sheet, value=f"=SUBTOTAL(109,{letter}2:{letter}{last_row})"
            )
            cell.number_format = INDIAN_MONEY_FORMAT
            cell.font = BOLD
        elif index == 1:
            cell = _bold(sheet, gettext("Total"))
        else:
            cell = None
        cells.append(cell)
    return cells


def xlsx_response(
    queryset, columns, *, filename: str, sheet_title: str = ""
) -> FileResponse:
    """Write the rows to an XLSX workbook in write-only mode and send it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(sheet_title or filename)[:31])
    for index, column in enumerate(columns, start=1):
        width = column.width or {
            "date": 12,
            "datetime": 20,
            "money": 14,
            "number": 10,
        }.get(column.kind, 24)
        sheet.column_dimensions[get_column_letter(index)].width = width
    illustrative = is_illustrative()
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, column.header) for column in columns])
    last_row = 1
    for values in rows(queryset, columns):
        sheet.append(
            [
                _xlsx_cell(sheet, value, column)
                for value, column in zip(values, columns, strict=True)
            ]
        )
        last_row += 1
    last_column = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last_column}{last_row}"
    if last_row > 1 and any(column.kind == "money" for column in columns):
        sheet.append(_totals_row(sheet, columns, last_row))
    about = workbook.create_sheet(title=gettext("About"))
    # Every line of the About sheet is a cell like any other.
    about.append([_bold(about, sheet.title)])
    count = last_row - 1
    about.append(
        [
            _xlsx_cell(
                about,
                ngettext(
                    "Exported on %(date)s, %(count)s row.",
                    "Exported on %(date)s, %(count)s rows.",
                    count,
                )
                % {"date": format_date(timezone.localdate(), "d M Y"), "count": count},
            )
        ]
    )
    about.append(
        [
            _xlsx_cell(
                about,
                gettext(
                    "Money in whole rupees; the totals row adds up the rows shown."
                ),
            )
        ]
    )
    if illustrative:
        notice = neutralise(str(ILLUSTRATIVE_NOTICE))
        about.append([notice])
        workbook.properties.description = notice
        workbook.properties.keywords = "illustrative"
    workbook.properties.title = neutralise(sheet.title)
    # Spooled to disk past 8 MB, so a large export does not sit in memory;
    # FileResponse closes the file once it is sent.
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


def export_response(export_format: str, queryset, columns, *, filename: str):
    """Return the CSV or XLSX response for ``export_format``."""
    if export_format == "xlsx":
        return xlsx_response(queryset, columns, filename=filename)
    return csv_response(queryset, columns, filename=filename)
