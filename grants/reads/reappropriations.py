"""What a re-appropriation would do to the budget, for the pages that show it."""

from dataclasses import dataclass

from grants.models import BudgetLine, Reappropriation


@dataclass
class LineChange:
    """One budget line a request touches: what it holds now, and after the move."""

    head: str
    project_year: int
    now: int | None
    after: int

    @property
    def label(self) -> str:
        return BudgetLine.Head(self.head).label


def lines_moved(reappropriation: Reappropriation, lines) -> tuple[LineChange, ...]:
    """The line the amount leaves and the line it joins, from lines already read.

    ``now`` is None for a line the budget does not have yet (approval creates it).
    """
    held = {(line.head, line.project_year): line.amount for line in lines}
    source_now = held.get((reappropriation.from_head, reappropriation.from_year))
    target_now = held.get((reappropriation.to_head, reappropriation.to_year))
    return (
        LineChange(
            reappropriation.from_head,
            reappropriation.from_year,
            source_now,
            (source_now or 0) - reappropriation.amount,
        ),
        LineChange(
            reappropriation.to_head,
            reappropriation.to_year,
            target_now,
            (target_now or 0) + reappropriation.amount,
        ),
    )
