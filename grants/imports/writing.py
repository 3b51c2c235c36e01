"""What the template and the export of a portfolio share: one layout, one voice.

A workbook written here reads back through ``grants.imports.reading``: the same
sheets in the same order, the same header row, the same drop-down lists. The
template (``grants.imports.template.write_template``) and the export of what is
on record (``grants.imports.export.write_portfolio``) both build their sheets
with the functions below, so the two cannot drift apart.

Cells are built as ``Cell`` objects of their sheet, which both openpyxl's normal
mode (the template, with its comments) and its write-only mode (the export,
streamed row by row) take from ``append``. Every text cell is made safe against
formula injection by ``grants.exports.neutralise``: a workbook written here is
opened in Excel by people who did not write its contents.
"""

import datetime

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from grants.exports import INDIAN_MONEY_FORMAT, neutralise
from grants.imports.schema import (
    CERTIFICATES,
    INSTALMENTS,
    SHEETS,
    Column,
    Sheet,
    in_every_language,
)

# The template's own sheets, which the import leaves out (``reading._is_ignored``).
INSTRUCTIONS = gettext_lazy("Instructions")
LISTS = gettext_lazy("Lists")

# Excel refuses a sheet title longer than this.
MAX_TITLE = 31
DATE_FORMAT = "DD.MM.YYYY"
TEXT_FORMAT = "@"
# Drop-down lists and column formats reach this far down each sheet: more rows
# than any sheet of a real portfolio fills, few enough to keep the file small.
LAST_ROW = 10_001

BOLD = Font(bold=True)
HEADING = Font(bold=True, size=14)
EXAMPLE = Font(italic=True, color="808080")
REQUIRED_FILL = PatternFill("solid", start_color="FFE699")
WRAPPED = Alignment(wrap_text=True, vertical="top")
# Text typed into these columns must stay text: Excel would turn a reference
# such as 1-4 or a fiscal year into a date, and drop the zeros of 0012.
TEXT_KINDS = {"text", "email", "list", "fiscal_year"}


def check_titles() -> None:
    """Every sheet title fits Excel's limit in every language the site speaks."""
    for title in (INSTRUCTIONS, LISTS, *(sheet.title for sheet in SHEETS)):
        for written in in_every_language(title):
            assert 0 < len(written) <= MAX_TITLE, (
                f"sheet title {written!r} is longer than {MAX_TITLE} characters"
            )


def sheet_titles() -> list[str]:
    """The workbook's sheets in order, in the current language."""
    check_titles()
    return [str(INSTRUCTIONS), *(str(sheet.title) for sheet in SHEETS), str(LISTS)]


def styled(worksheet, value, *, font=None, number_format=None, fill=None, wrap=False):
    """A cell of ``worksheet``, ready for ``append`` in either mode."""
    if isinstance(value, str):
        value = neutralise(value)
    # ``append`` gives the cell its place; write-only mode needs one to start.
    cell = Cell(worksheet, row=1, column=1, value=value)
    if font is not None:
        cell.font = font
    if number_format is not None and value is not None:
        cell.number_format = number_format
    if fill is not None:
        cell.fill = fill
    if wrap:
        cell.alignment = WRAPPED
    return cell


def choice_labels(column: Column) -> dict[str, str]:
    """The column's choices by code, labelled in the current language."""
    return {str(code): str(label) for code, label in column.choice_pairs()}


def choice_columns() -> list[tuple[Sheet, Column]]:
    return [
        (sheet, column)
        for sheet in SHEETS
        for column in sheet.columns
        if column.kind == "choice"
    ]


def required_word(column: Column) -> str:
    return _("required") if column.required else _("optional")


def _limits(column: Column) -> dict:
    """The bounds a column's reader was given (``max_length``, ``low``, ``high``)."""
    return getattr(column.read, "keywords", {}) or {}


def accepted(column: Column) -> str:
    """What a cell of the column may hold, as the instructions and notes say it."""
    if column.kind == "choice":
        labels = list(choice_labels(column).values())
        if labels:
            return ", ".join(labels)
    if column.help:
        return str(column.help)
    limits = _limits(column)
    if column.kind == "number" and limits.get("low") is not None:
        return _("A whole number from %(low)s to %(high)s.") % limits
    if column.kind == "email":
        return _("An e-mail address.")
    if limits.get("max_length"):
        return _("Text, at most %(count)s characters.") % {
            "count": limits["max_length"]
        }
    return ""


def cell_format(column: Column) -> str | None:
    if column.kind == "date":
        return DATE_FORMAT
    if column.kind == "amount":
        return INDIAN_MONEY_FORMAT
    if column.kind in TEXT_KINDS:
        return TEXT_FORMAT
    return None


def prepare_columns(worksheet, sheet: Sheet) -> None:
    """Widths and formats of the sheet's columns, so a row typed in later reads
    as the import expects. Before any row: write-only sheets need it first."""
    for index, column in enumerate(sheet.columns, start=1):
        dimension = worksheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        number_format = cell_format(column)
        if number_format is not None:
            dimension.number_format = number_format
    worksheet.freeze_panes = "A2"


def header_row(worksheet, sheet: Sheet) -> list[Cell]:
    """Row 1: each column's header, bold, shaded when required, with a note."""
    row = []
    for column in sheet.columns:
        cell = styled(
            worksheet,
            str(column.header),
            font=BOLD,
            fill=REQUIRED_FILL if column.required else None,
            wrap=True,
        )
        note = "\n\n".join(
            part for part in (accepted(column), capfirst(required_word(column))) if part
        )
        cell.comment = Comment(neutralise(note), str(_("Ministry of Mines")))
        cell.comment.width = 320
        cell.comment.height = 160
        row.append(cell)
    return row


def value_cell(worksheet, column: Column, value, labels: dict[str, str], font=None):
    """A cell holding ``value`` as the import reads it back: a choice by its label,
    a date as a date, an amount as whole rupees, anything else as safe text."""
    if value is None or value == "":
        return None
    if column.kind == "choice":
        value = labels.get(str(value), value)
    if column.kind == "amount" and isinstance(value, int):
        return styled(worksheet, value, font=font, number_format=INDIAN_MONEY_FORMAT)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return styled(worksheet, value, font=font, number_format=DATE_FORMAT)
    if isinstance(value, int) and not isinstance(value, bool):
        return styled(worksheet, value, font=font)
    return styled(worksheet, str(value), font=font)


def write_lists(worksheet) -> dict[tuple[str, str], str]:
    """The hidden sheet behind the drop-downs: one column of labels per choice
    column, row 1 down. Returns each list's absolute range by (sheet, column)."""
    lists = [
        list(choice_labels(column).values()) for _sheet, column in choice_columns()
    ]
    ranges = {}
    quoted = quote_sheetname(worksheet.title)
    for index, ((sheet, column), labels) in enumerate(
        zip(choice_columns(), lists, strict=True), start=1
    ):
        if labels:
            letter = get_column_letter(index)
            ranges[(sheet.name, column.name)] = (
                f"{quoted}!${letter}$1:${letter}${len(labels)}"
            )
    for row in range(max((len(labels) for labels in lists), default=0)):
        worksheet.append(
            [
                styled(worksheet, labels[row]) if row < len(labels) else None
                for labels in lists
            ]
        )
    worksheet.sheet_state = "hidden"
    return ranges


def add_drop_downs(worksheet, sheet: Sheet, ranges: dict) -> None:
    """A drop-down list on each choice column of the sheet, rows 2 to LAST_ROW.

    A value not in the list is warned about, not refused: the import checks
    every cell itself, and takes a code or a label in either language.
    """
    for index, column in enumerate(sheet.columns, start=1):
        source = ranges.get((sheet.name, column.name))
        if source is None:
            continue
        letter = get_column_letter(index)
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=_("Not in the list"),
            error=_("This is not one of the choices. Choose from the list."),
        )
        validation.add(f"{letter}2:{letter}{LAST_ROW}")
        worksheet.data_validations.append(validation)


def instruction_lines() -> list[str]:
    """How the workbook is filled in: one line a row of the Instructions sheet."""
    instalment_reason = INSTALMENTS.column("exception_reason").header
    certificate_reason = CERTIFICATES.column("exception_reason").header
    return [
        _(
            "This workbook brings an existing portfolio of grants in: the "
            "grantee organisations, their people, the projects with their budget "
            "lines, instalments, milestones and utilisation certificates (UCs)."
        ),
        _(
            "Fill one sheet per kind of record, in this order: %(sheets)s. A sheet "
            "refers only to those before it, or to what is already on record."
        )
        % {"sheets": ", ".join(str(sheet.title) for sheet in SHEETS)},
        _(
            "Keep the first row of each sheet: it names the columns. Required "
            "columns are shaded; the note on each header says what it takes."
        ),
        _(
            "Rows are matched to what is on record by their key columns, listed "
            "below: importing the workbook again changes only what changed."
        ),
        _(
            "Rows in grey italics whose first cell starts with %(prefix)s are "
            "examples: the import leaves them out."
        )
        % {"prefix": "EXAMPLE"},
        _("Amounts in whole rupees: 93300000, 9,33,00,000, 9.33 crore or 93.3 lakh."),
        _("Dates day first: 01.04.2024. Fiscal years as 2023-24."),
        _(
            "A formula is never computed here: the value the spreadsheet saved "
            "with it is read."
        ),
        _(
            "A release made without an accepted UC covering the previous release "
            "is brought in only with its “%(column)s”: why it was made."
        )
        % {"column": instalment_reason},
        _(
            "An accepted UC whose signed copy is on paper needs, in “%(column)s”, "
            "the place it is kept (a file number)."
        )
        % {"column": certificate_reason},
        _(
            "Where a column has a drop-down list, choose from it; a label in "
            "English or Hindi is read either way."
        ),
    ]


def write_instructions(worksheet) -> None:
    """The Instructions sheet: how to fill the workbook, then every sheet's
    columns with whether each is required and what it accepts."""
    worksheet.column_dimensions["A"].width = 36
    worksheet.column_dimensions["B"].width = 12
    worksheet.column_dimensions["C"].width = 90
    worksheet.append(
        [styled(worksheet, _("Importing a grant portfolio"), font=HEADING)]
    )
    worksheet.append([])
    for line in instruction_lines():
        worksheet.append([styled(worksheet, line)])
    for sheet in SHEETS:
        worksheet.append([])
        worksheet.append([styled(worksheet, str(sheet.title), font=HEADING)])
        worksheet.append([styled(worksheet, str(sheet.about))])
        keys = ", ".join(str(sheet.column(name).header) for name in sheet.key)
        worksheet.append(
            [
                styled(
                    worksheet,
                    _("Rows are matched by: %(columns)s.") % {"columns": keys},
                )
            ]
        )
        worksheet.append(
            [
                styled(worksheet, _("Column"), font=BOLD),
                styled(worksheet, _("Required?"), font=BOLD),
                styled(worksheet, _("What is accepted"), font=BOLD),
            ]
        )
        for column in sheet.columns:
            worksheet.append(
                [
                    styled(worksheet, str(column.header), wrap=True),
                    styled(
                        worksheet,
                        required_word(column),
                        fill=REQUIRED_FILL if column.required else None,
                    ),
                    styled(worksheet, accepted(column), wrap=True),
                ]
            )


def set_properties(workbook, title) -> None:
    workbook.properties.title = neutralise(str(title))
    workbook.properties.creator = str(_("Ministry of Mines"))
