"""CSV and XLSX exports of the staff tables, streamed so their size does not matter.

Every staff table offers ``?_export=csv`` and ``?_export=xlsx`` of its filtered,
sorted rows. Rows come from ``values_list(...).iterator()``: no model instances, no
per-cell rendering, memory flat however many rows there are. The CSV is streamed
as it is written; the XLSX is written by openpyxl's write-only mode into a
temporary file and sent from there.

What a spreadsheet receives:

- the first line says the data is illustrative while demo records exist;
- money as exact whole-rupee integers, dates as ISO dates (``2026-11-22``);
- a text cell that a spreadsheet would run as a formula (starting with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return) starts with an apostrophe.
"""

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from grants.models import Organisation

ILLUSTRATIVE_NOTICE = "Illustrative demo data – not Ministry of Mines records"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class ExportColumn:
    """One column of an export: its heading and the ``values_list`` path it reads.

    ``kind`` says how the value is written: ``text``, ``money`` (whole rupees),
    ``number``, ``date``, ``datetime`` (local time) or ``choice`` (the code
    shown by its label, from ``choices``).
    """

    header: str
    path: str
    kind: str = "text"
    choices: dict = field(default_factory=dict)
    width: int = 0


def neutralise(text: str) -> str:
    """Keep a spreadsheet from running a text cell as a formula (CSV injection)."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def is_illustrative() -> bool:
    """Whether demo records exist, so exports must say the data is illustrative."""
    return Organisation.objects.filter(is_illustrative=True).exists()


def _value(column: ExportColumn, raw):
    """Return a cell's value: int for money, date for dates, safe text otherwise."""
    if raw is None:
        return None
    if column.kind == "money":
        return int(raw)
    if column.kind == "number":
        return raw
    if column.kind == "date":
        if isinstance(raw, datetime.datetime):
            return timezone.localtime(raw).date()
        return raw
    if column.kind == "datetime":
        # Local time (Asia/Kolkata) without the offset: spreadsheets have no zones.
        return timezone.localtime(raw).replace(tzinfo=None, microsecond=0)
    if column.kind == "choice":
        raw = column.choices.get(raw, raw)
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
    if illustrative:
        yield writer.writerow([ILLUSTRATIVE_NOTICE])
    yield writer.writerow([column.header for column in columns])
    for values in rows(queryset, columns):
        yield writer.writerow(
            [
                _iso(value) if isinstance(value, datetime.date) else value
                for value in values
            ]
        )


def csv_response(queryset, columns, *, filename: str) -> StreamingHttpResponse:
    """Stream the rows as CSV."""
    response = StreamingHttpResponse(
        _csv_lines(queryset, columns, illustrative=is_illustrative()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_cell(sheet, value):
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = (
            "yyyy-mm-dd hh:mm:ss"
            if isinstance(value, datetime.datetime)
            else "yyyy-mm-dd"
        )
        return cell
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


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
    if is_illustrative():
        sheet.append([ILLUSTRATIVE_NOTICE])
    sheet.append([column.header for column in columns])
    for values in rows(queryset, columns):
        sheet.append([_xlsx_cell(sheet, value) for value in values])
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
