"""What an import found: problems by sheet, row and column, and what would change.

A report is kept as JSON on the import's row, so it is read back as it was
written: in the language of whoever uploaded the workbook.
"""

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass, field

from grants.formatting import format_date

ERROR = "error"
WARNING = "warning"
NOTE = "note"

# The report keeps this many differences field by field; the counts say the rest.
MAX_CHANGES_SHOWN = 2000


def shown(value) -> str:
    """A cell's value as the report writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class Problem:
    """One thing wrong (or worth knowing) about a sheet, a row or a cell."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    accepted: str = ""
    level: str = ERROR


@dataclass
class Change:
    """One field of one row that the workbook changes."""

    sheet: str
    row: int
    key: str
    field: str
    old: str
    new: str


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    changes_total: int = 0
    # By sheet title: rows new, changed and unchanged.
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    applied: bool = False

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def count(self, sheet: str, outcome: str) -> None:
        tally = self.counts.setdefault(sheet, {"new": 0, "changed": 0, "unchanged": 0})
        tally[outcome] += 1

    def change(self, change: Change) -> None:
        self.changes_total += 1
        if len(self.changes) < MAX_CHANGES_SHOWN:
            self.changes.append(change)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == WARNING]

    @property
    def notes(self) -> list[Problem]:
        return [p for p in self.problems if p.level == NOTE]

    @property
    def has_errors(self) -> bool:
        return any(p.level == ERROR for p in self.problems)

    @property
    def new_total(self) -> int:
        return sum(tally["new"] for tally in self.counts.values())

    @property
    def changed_total(self) -> int:
        return sum(tally["changed"] for tally in self.counts.values())

    @property
    def changes_nothing(self) -> bool:
        """True when applying the workbook would write nothing at all."""
        return not self.new_total and not self.changed_total and not self.changes_total

    def fingerprint(self) -> str:
        """What the workbook would do, in one word: a check and the import it is
        confirmed for must agree on it, or the portfolio changed in between."""
        seen = {
            "counts": self.counts,
            "changes": [asdict(change) for change in self.changes],
            "changes_total": self.changes_total,
            "errors": len(self.errors),
        }
        return hashlib.sha256(
            json.dumps(seen, sort_keys=True, default=str).encode()
        ).hexdigest()

    def as_json(self) -> dict:
        return {
            "problems": [asdict(p) for p in self.problems],
            "changes": [asdict(c) for c in self.changes],
            "changes_total": self.changes_total,
            "counts": self.counts,
            "applied": self.applied,
            "fingerprint": self.fingerprint(),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Report":
        return cls(
            problems=[Problem(**p) for p in data.get("problems", [])],
            changes=[Change(**c) for c in data.get("changes", [])],
            changes_total=data.get("changes_total", 0),
            counts=data.get("counts", {}),
            applied=data.get("applied", False),
        )
