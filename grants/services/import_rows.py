"""How the import reports on a row: a service's refusal at its cell, a change
field by field."""

from django.core.exceptions import ValidationError

from grants.imports.reading import Record
from grants.imports.report import Change, Report, shown


def record_problem(
    report: Report, record: Record, error, *, column: str = "", accepted: str = ""
) -> None:
    """Report a service's refusal at the row (and column) that caused it."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            known = any(c.name == name for c in record.sheet.columns)
            for message in messages:
                report.add(
                    record.problem(
                        message, column=name if known else column, accepted=accepted
                    )
                )
        return
    messages = error.messages if isinstance(error, ValidationError) else [str(error)]
    for message in messages:
        report.add(record.problem(message, column=column, accepted=accepted))


def compare(report, record, pairs, *, key: str) -> list[str]:
    """List, as changes, the fields whose value on record differs from the row's.

    ``pairs`` maps a column name to (value on record, value in the row). Returns
    the names of the columns that differ.
    """
    differing = []
    for name, (old, new) in pairs.items():
        if _same(old, new):
            continue
        differing.append(name)
        column = record.sheet.column(name)
        labels = dict(column.choice_pairs())
        report.change(
            Change(
                sheet=record.title,
                row=record.row,
                key=key,
                field=str(column.header),
                old=shown(labels.get(old, old)),
                new=shown(labels.get(new, new)),
            )
        )
    return differing


def _same(old, new) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    return old == new
