"""Reading a workbook into rows of values, every cell checked on the way.

The file first goes through the same door as every upload
(``grants.uploads.check_upload``): by its content it must be an Excel workbook
(.xlsx) without macros, ActiveX or links fetched from elsewhere, not encrypted
with a password, inflating to a bounded size. Then openpyxl reads it in
read-only mode, the cells as values: a formula is never computed here; the value
the spreadsheet program saved with it is read, and a formula saved without one is
refused. A sheet is read row by row, so a large workbook costs little memory; a
run of empty rows longer than any real sheet has (a sheet formatted down to row
1,048,576) refuses the file rather than being walked to its end.

What comes out is a ``Contents``: the rows of each sheet of ``schema.SHEETS`` as
``Record`` objects, and a ``Report`` of every cell that could not be read, with
its sheet, row, column, the value found and what would be accepted.
"""

import logging
import re
import zipfile
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils import get_column_letter

from grants.formatting import format_inr
from grants.imports import cells
from grants.imports.report import ERROR, NOTE, WARNING, Problem, Report, shown
from grants.imports.schema import EXAMPLE_PREFIX, SHEETS, Sheet, in_every_language
from grants.uploads import XLSX, UploadRefused, check_upload

logger = logging.getLogger(__name__)

# Past this many empty rows in a row, a sheet is formatted, not filled.
MAX_EMPTY_RUN = 10_000
# More rows than ten thousand projects' milestones need, with room to spare.
MAX_ROWS = 500_000
# The header is the first row of the sheet, or a little lower under a title.
HEADER_SEARCH_ROWS = 10
# A formula element in a worksheet's XML, with or without a namespace prefix.
FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
FORMULA_READ_BYTES = 64 * 1024


class WorkbookRefused(Exception):
    """The file cannot be read as an import workbook; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class Record:
    """One row of one sheet: its values as stored, and where each came from.

    A workbook of ten thousand projects has a hundred thousand rows and more, so
    a row keeps only what it was read from (the cells as openpyxl gave them) and
    its values read; the header and the value shown in a report are worked out
    when a problem is reported.
    """

    sheet: Sheet
    title: str
    row: int
    values: dict
    # The row's cells as read, and each column's position and header as written
    # in the file (one mapping for the whole sheet).
    cells: tuple = ()
    positions: dict = field(default_factory=dict)
    # A cell of the row could not be read: the row is reported, not written.
    faulty: bool = False

    def __getitem__(self, name):
        return self.values.get(name)

    def shown(self, name: str) -> str:
        """The value of a column's cell as the report writes it."""
        index, _header = self.positions.get(name, (None, ""))
        if index is None or index >= len(self.cells):
            return ""
        return shown(self.cells[index])

    def problem(self, message, *, column: str = "", accepted="", level=ERROR):
        _index, header = self.positions.get(column, (None, ""))
        if column and not header:
            header = str(self.sheet.column(column).header)
        return Problem(
            message=str(message),
            sheet=self.title,
            row=self.row,
            column=header,
            value=self.shown(column) if column else "",
            accepted=str(accepted),
            level=level,
        )

    @property
    def key(self) -> tuple:
        return tuple(self.values.get(name) for name in self.sheet.key)


@dataclass
class Contents:
    records: dict[str, list[Record]]
    report: Report

    def of(self, sheet: Sheet) -> list[Record]:
        return self.records.get(sheet.name, [])


def read_workbook(uploaded_file, *, name: str = "") -> Contents:
    """Read every sheet of the workbook; ``WorkbookRefused`` if it cannot be read."""
    try:
        check_upload(
            uploaded_file, allowed=(XLSX,), max_bytes=settings.IMPORT_MAX_BYTES
        )
    except UploadRefused as refusal:
        raise WorkbookRefused(" ".join(refusal.messages)) from refusal
    shown_name = name or getattr(uploaded_file, "name", "")
    report = Report()
    formulas = (
        _formula_cells(uploaded_file, shown_name)
        if _has_formulas(uploaded_file)
        else {}
    )
    try:
        uploaded_file.seek(0)
        workbook = openpyxl.load_workbook(
            uploaded_file, read_only=True, data_only=True, keep_links=False
        )
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        logger.info("workbook %r not readable: %r", shown_name, error)
        raise WorkbookRefused(_unreadable(shown_name)) from error
    try:
        records = _read_sheets(workbook, report, formulas)
    finally:
        workbook.close()
    return Contents(records=records, report=report)


def _unreadable(name: str) -> str:
    return _(
        "“%(name)s” could not be read as an Excel workbook: it may be damaged. "
        "Open it in Excel or LibreOffice, save it as .xlsx and upload it again."
    ) % {"name": name}


def _has_formulas(uploaded_file) -> bool:
    """Whether any worksheet holds a formula: read from the XML, in pieces."""
    uploaded_file.seek(0)
    with zipfile.ZipFile(uploaded_file) as package:
        for info in package.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                continue
            tail = b""
            with package.open(info) as part:
                while data := part.read(FORMULA_READ_BYTES):
                    if FORMULA_ELEMENT.search(tail + data):
                        return True
                    tail = data[-32:]
    return False


def _formula_cells(uploaded_file, name) -> dict[tuple[str, int, int], str]:
    """Every formula cell, by (sheet, row, column): read with formulas as text."""
    uploaded_file.seek(0)
    try:
        workbook = openpyxl.load_workbook(
            uploaded_file, read_only=True, data_only=False, keep_links=False
        )
    except Exception as error:
        raise WorkbookRefused(_unreadable(name)) from error
    found = {}
    try:
        for worksheet in workbook.worksheets:
            worksheet.reset_dimensions()
            for row in worksheet.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        found[(worksheet.title, cell.row, cell.column)] = str(
                            cell.value
                        )
    finally:
        workbook.close()
    return found


def _sheet_for(title: str) -> Sheet | None:
    key = cells.header_key(title)
    return next((sheet for sheet in SHEETS if key in sheet.titles()), None)


def _is_ignored(title: str) -> bool:
    """The template's own sheets: instructions and the lists behind drop-downs."""
    key = cells.header_key(title)
    ignored = (_("Instructions"), _("Lists"))
    return any(
        key == cells.header_key(t) for text in ignored for t in in_every_language(text)
    )


def _read_sheets(workbook, report, formulas) -> dict[str, list[Record]]:
    records = {}
    seen = {}
    for worksheet in workbook.worksheets:
        sheet = _sheet_for(worksheet.title)
        if sheet is None:
            if not _is_ignored(worksheet.title):
                report.add(
                    Problem(
                        _("This sheet is not one the import reads; it is left out."),
                        sheet=worksheet.title,
                        level=WARNING,
                    )
                )
            continue
        if sheet.name in seen:
            report.add(
                Problem(
                    _("Two sheets hold %(sheet)s: “%(first)s” and this one. Keep one.")
                    % {"sheet": sheet.title, "first": seen[sheet.name]},
                    sheet=worksheet.title,
                )
            )
            continue
        seen[sheet.name] = worksheet.title
        if getattr(worksheet, "sheet_state", "visible") != "visible":
            report.add(
                Problem(
                    _("This sheet is hidden in the workbook; it is read all the same."),
                    sheet=worksheet.title,
                    level=NOTE,
                )
            )
        worksheet.reset_dimensions()
        records[sheet.name] = SheetReader(sheet, worksheet, report, formulas).read()
    for sheet in SHEETS:
        if sheet.name not in seen:
            report.add(
                Problem(
                    _(
                        "The workbook has no sheet “%(sheet)s”: nothing of that "
                        "kind is read."
                    )
                    % {"sheet": sheet.title},
                    sheet=str(sheet.title),
                    level=NOTE,
                )
            )
    return records


class SheetReader:
    """Read one sheet: find its header row, then read each row under it."""

    def __init__(self, sheet: Sheet, worksheet, report: Report, formulas: dict):
        self.sheet = sheet
        self.worksheet = worksheet
        self.title = worksheet.title
        self.report = report
        self.formulas = formulas
        self.examples = 0
        self.formula_values = 0
        self.readers = {column.name: column.reader() for column in sheet.columns}

    def problem(
        self, message, *, row=None, column="", value="", accepted="", level=ERROR
    ):
        self.report.add(
            Problem(
                message=str(message),
                sheet=self.title,
                row=row,
                column=column,
                value=value,
                accepted=str(accepted),
                level=level,
            )
        )

    def read(self) -> list[Record]:
        rows = self.worksheet.iter_rows(values_only=True)
        header = self._find_header(rows)
        if header is None:
            return []
        header_row, columns = header
        self.positions = {
            column.name: (index, header) for index, (column, header) in columns.items()
        }
        records = []
        empty_run = 0
        number = header_row
        for values in rows:
            number += 1
            if number > MAX_ROWS:
                raise WorkbookRefused(
                    _(
                        "Sheet “%(sheet)s” has more than %(limit)s rows: split the "
                        "workbook and import it in parts."
                    )
                    % {"sheet": self.title, "limit": format_inr(MAX_ROWS)}
                )
            if all(cells.is_empty(value) for value in values):
                empty_run += 1
                if empty_run > MAX_EMPTY_RUN:
                    raise WorkbookRefused(
                        _(
                            "Sheet “%(sheet)s” has more than %(limit)s empty rows in a "
                            "row from row %(row)s: it is formatted far below its data. "
                            "Delete the empty rows (select them, then Delete rows) and "
                            "upload the workbook again."
                        )
                        % {
                            "sheet": self.title,
                            "limit": format_inr(MAX_EMPTY_RUN),
                            "row": format_inr(number - empty_run + 1),
                        }
                    )
                continue
            empty_run = 0
            record = self._read_row(number, values, columns)
            if record is not None:
                records.append(record)
        if self.formula_values:
            self.problem(
                ngettext(
                    "%(count)s cell holds a formula: the value saved with it was read; "
                    "formulas are not computed here.",
                    "%(count)s cells hold formulas: the values saved with them were "
                    "read; formulas are not computed here.",
                    self.formula_values,
                )
                % {"count": self.formula_values},
                level=WARNING,
            )
        if self.examples:
            self.problem(
                ngettext(
                    "%(count)s example row was left out.",
                    "%(count)s example rows were left out.",
                    self.examples,
                )
                % {"count": self.examples},
                level=NOTE,
            )
        return records

    def _find_header(self, rows):
        """The header row's number and its columns by position; None if missing."""
        required = [column for column in self.sheet.columns if column.required]
        for number in range(1, HEADER_SEARCH_ROWS + 1):
            values = next(rows, None)
            if values is None:
                break
            found = {}
            for index, value in enumerate(values):
                if cells.is_empty(value):
                    continue
                column = self.sheet.find_column(value)
                if column is not None:
                    found[index] = (column, cells.read_text(value, max_length=None))
            if not found:
                continue
            columns = self._check_header(number, values, found, required)
            return (number, columns) if columns is not None else None
        self.problem(
            _(
                "No header row found in the first %(rows)s rows: the first row of "
                "the sheet names its columns, as in the template."
            )
            % {"rows": HEADER_SEARCH_ROWS}
        )
        return None

    def _check_header(self, number, values, found, required):
        names = [column.name for column, _header in found.values()]
        for index, (column, header) in list(found.items()):
            if names.count(column.name) > 1:
                self.problem(
                    _("Two columns are headed “%(header)s”: keep one.")
                    % {"header": header},
                    row=number,
                    column=get_column_letter(index + 1),
                )
                del found[index]
                names.remove(column.name)
        for index, value in enumerate(values):
            if index not in found and not cells.is_empty(value):
                self.problem(
                    _("This column is not one the import reads; it is left out."),
                    row=number,
                    column=get_column_letter(index + 1),
                    value=shown(value),
                    level=WARNING,
                )
        missing = [column for column in required if column.name not in names]
        for column in missing:
            self.problem(
                _(
                    "The column “%(header)s” is missing; it must be filled for "
                    "every row."
                )
                % {"header": column.header},
                row=number,
                column=str(column.header),
            )
        # Without a required column no row of the sheet can be read.
        return None if missing else found

    def _read_row(self, number, values, columns) -> Record | None:
        first = next((v for v in values if not cells.is_empty(v)), "")
        if str(first).strip().casefold().startswith(EXAMPLE_PREFIX):
            self.examples += 1
            return None
        record = Record(self.sheet, self.title, number, {}, values, self.positions)
        for index, (column, header) in columns.items():
            value = values[index] if index < len(values) else None
            formula = self.formulas.get((self.title, number, index + 1))
            if formula is not None and value is None:
                self.problem(
                    _(
                        "This cell holds a formula saved without its value; formulas "
                        "are not computed here."
                    ),
                    row=number,
                    column=header,
                    value=formula,
                    accepted=_(
                        "Its value: copy the cell, then Paste Special → Values."
                    ),
                )
                record.faulty = True
                continue
            if formula is not None:
                self.formula_values += 1
            try:
                parsed = self.readers[column.name](value)
            except cells.CellProblem as problem:
                self.problem(
                    problem.message,
                    row=number,
                    column=header,
                    value=shown(value),
                    accepted=problem.accepted,
                )
                record.faulty = True
                continue
            if parsed in (None, "", []) and column.required:
                self.problem(
                    _("This column must be filled."),
                    row=number,
                    column=header,
                    accepted=column.help or header,
                )
                record.faulty = True
                continue
            record.values[column.name] = parsed
        return record
