"""What an extension moves: the milestones tied to the end date, and the
instalments whose conditions wait for those milestones.

One function, read by the decision page (before anything moves) and by the
service that moves them, so the page shows exactly what the approval does.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from grants.models import Instalment, Milestone, Project, ReleaseCondition


@dataclass(frozen=True)
class Move:
    """One row whose date moves: the milestone or instalment, from and to."""

    row: Milestone | Instalment
    old: datetime.date
    new: datetime.date

    @property
    def days(self) -> int:
        return (self.new - self.old).days


@dataclass(frozen=True)
class ExtensionMoves:
    milestones: list[Move]
    instalments: list[Move]


def extension_moves(project: Project, *, new_end_on: datetime.date) -> ExtensionMoves:
    """Return what moves if the project's end date becomes ``new_end_on``.

    An open milestone due a fixed number of months after the end date moves to that
    many months after the new one (a returned one keeps its resubmission date if
    that is later). An unreleased instalment whose conditions name a milestone
    that moves keeps its distance from it: its planned date moves by as many days
    as the latest-moving of those milestones, never earlier; every later unreleased
    instalment moves at least as far, so the instalments keep their order.
    """
    milestone_moves = {}
    for milestone in (
        project.milestones.open()
        .filter(months_after_end__isnull=False)
        .order_by("due_on", "pk")
    ):
        moved = max(
            new_end_on + relativedelta(months=milestone.months_after_end),
            milestone.due_on,
        )
        if moved != milestone.due_on:
            milestone_moves[milestone.pk] = Move(milestone, milestone.due_on, moved)

    shifts: dict[int, int] = {}
    waiting = ReleaseCondition.objects.filter(
        kind=ReleaseCondition.Kind.MILESTONE,
        milestone_id__in=milestone_moves,
        instalment__released_on__isnull=True,
    ).values_list("instalment_id", "milestone_id")
    for instalment_id, milestone_id in waiting:
        days = milestone_moves[milestone_id].days
        shifts[instalment_id] = max(days, shifts.get(instalment_id, 0))
    instalment_moves = []
    if shifts:
        # A later instalment moves at least as far as an earlier one that moved,
        # so the instalments stay in their order.
        carried = 0
        for instalment in project.instalments.unreleased().order_by("sequence"):
            carried = max(carried, shifts.get(instalment.pk, 0))
            if carried > 0:
                instalment_moves.append(
                    Move(
                        instalment,
                        instalment.planned_on,
                        instalment.planned_on + datetime.timedelta(days=carried),
                    )
                )
    return ExtensionMoves(list(milestone_moves.values()), instalment_moves)
