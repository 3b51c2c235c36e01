"""The empty workbook a ministry office fills in to bring its portfolio in.

Written in the language of whoever downloads it: the instructions, the sheet
titles, the headers and the labels of the drop-down lists. The import reads
either language, so a template downloaded in Hindi and filled in by a colleague
reading English is read all the same.

The workbook is written in openpyxl's normal mode: the notes on the headers and
the drop-down lists need it, and an empty template is small.
"""

import datetime

from django.utils.translation import gettext as _
from openpyxl import Workbook

from grants.imports import writing
from grants.imports.schema import SHEETS, Sheet

# Values that make an example a complete row where the schema's example leaves a
# required column out: by column name, then by kind of column.
EXAMPLE_VALUES = {
    "sanctioned_on": datetime.date(2024, 3, 12),
    "start_on": datetime.date(2024, 4, 1),
    "planned_on": datetime.date(2024, 4, 1),
    "period_start": datetime.date(2024, 4, 1),
    "period_end": datetime.date(2025, 3, 31),
    "submitted_on": datetime.date(2025, 4, 25),
    "due_on": datetime.date(2025, 4, 30),
    "trl_start": 3,
    "trl_target": 5,
    "duration_months": 24,
    "project_year": 1,
    "sequence": 1,
}
EXAMPLE_BY_KIND = {
    "date": datetime.date(2024, 4, 1),
    "number": 1,
    "amount": 0,
    "email": "example.pi@example.org",
}


def write_template(file) -> None:
    """Write the template workbook to ``file`` (a path or a binary file object)."""
    titles = writing.sheet_titles()
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = titles[0]
    writing.write_instructions(instructions)
    worksheets = [workbook.create_sheet(title) for title in titles[1:-1]]
    lists = workbook.create_sheet(titles[-1])
    ranges = writing.write_lists(lists)
    for sheet, worksheet in zip(SHEETS, worksheets, strict=True):
        _write_sheet(worksheet, sheet, ranges)
    writing.set_properties(workbook, _("Grant portfolio import template"))
    workbook.save(file)


def _write_sheet(worksheet, sheet: Sheet, ranges: dict) -> None:
    writing.prepare_columns(worksheet, sheet)
    worksheet.append(writing.header_row(worksheet, sheet))
    labels = {
        column.name: writing.choice_labels(column)
        for column in sheet.columns
        if column.kind == "choice"
    }
    for example in sheet.examples:
        values = complete_example(sheet, example)
        worksheet.append(
            [
                writing.value_cell(
                    worksheet,
                    column,
                    values.get(column.name),
                    labels.get(column.name, {}),
                    font=writing.EXAMPLE,
                )
                for column in sheet.columns
            ]
        )
    writing.add_drop_downs(worksheet, sheet, ranges)


def complete_example(sheet: Sheet, example: dict) -> dict:
    """The example with every required column filled, so it reads as a whole row.

    A choice left out takes the first choice (the scheme, the first on record);
    anything else a plausible value of its kind. Where there is nothing to choose
    from, the cell stays empty.
    """
    values = dict(example)
    for column in sheet.columns:
        if not column.required or values.get(column.name) not in (None, ""):
            continue
        if column.kind == "choice":
            pairs = column.choice_pairs()
            values[column.name] = pairs[0][0] if pairs else None
        elif column.name in EXAMPLE_VALUES:
            values[column.name] = EXAMPLE_VALUES[column.name]
        else:
            values[column.name] = EXAMPLE_BY_KIND.get(column.kind, "EXAMPLE")
    return values
