"""The conditions of release a workbook states, matched to those on record.

A condition new to an unreleased instalment is given to it through
``set_release_conditions`` (as at sanction, once the milestones it names exist);
a free-text condition the row says was met is marked met through
``mark_condition_met`` on its day, in date order with the releases. The
conditions of an instalment already released are history: a row may repeat
them, not change them.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grants.imports.schema import CONDITIONS
from grants.models import ReleaseCondition
from grants.services.conditions import mark_condition_met
from grants.services.import_rows import compare
from grants.services.money import PlannedCondition, set_release_conditions

MET = 1.5  # in the day's order: after a decision, before a release


def signature(kind, milestone_title, text, percent, trl) -> tuple:
    return (kind, milestone_title or "", text or "", percent, trl)


def row_signature(row) -> tuple:
    return signature(
        row["kind"],
        row["milestone"],
        row["text"],
        row["min_utilisation_percent"],
        row["trl"],
    )


class ConditionRows:
    """The condition rows of one project, given to its instalments."""

    def __init__(self, replay, rows):
        self.replay = replay
        self.importer = replay.importer
        self.report = replay.report
        self.rows = rows[CONDITIONS.name]
        self.to_mark = []  # (row, condition) met on the row's day

    def apply(self, milestones) -> bool:
        instalments = {i.sequence: i for i in self.replay.project.instalments.all()}
        by_instalment = {}
        fine = True
        for row in self.rows:
            instalment = instalments.get(row["instalment"])
            if instalment is None:
                self.report.add(
                    row.problem(
                        _("This project has no instalment of this number."),
                        column="instalment",
                    )
                )
                fine = False
                continue
            if row["milestone"] and row["milestone"] not in milestones:
                self.replay.unknown_milestone(row)
                fine = False
                continue
            by_instalment.setdefault(instalment, []).append(row)
        if not fine:
            return False
        for instalment, rows in by_instalment.items():
            if not self.give(instalment, rows, milestones):
                fine = False
        return fine

    def give(self, instalment, rows, milestones) -> bool:
        on_record = {
            signature(
                c.kind,
                c.milestone.title if c.milestone_id else "",
                c.text,
                c.min_utilisation_percent,
                c.trl,
            ): c
            for c in instalment.conditions.select_related("milestone")
        }
        new = []
        for row in rows:
            condition = on_record.get(row_signature(row))
            if condition is None:
                new.append(row)
                continue
            if row["met_on"] and condition.met_on is None:
                self.to_mark.append((row, condition))
                key = f"{self.replay.project.reference} #{instalment.sequence}"
                compare(self.report, row, {"met_on": (None, row["met_on"])}, key=key)
                self.report.count(row.title, "changed")
            elif row["met_on"] and row["met_on"] != condition.met_on:
                self.report.add(
                    row.problem(
                        _(
                            "This condition is on record as met on another day: a "
                            "condition met is history."
                        ),
                        column="met_on",
                    )
                )
                return False
            else:
                self.report.count(row.title, "unchanged")
        if not new:
            return True
        if instalment.is_released:
            for row in new:
                self.report.add(
                    row.problem(
                        _(
                            "This instalment is released: its conditions are history "
                            "and none is added."
                        ),
                        column="kind",
                    )
                )
            return False
        planned = tuple(
            PlannedCondition(
                kind=row["kind"],
                milestone=milestones.get(row["milestone"])
                if row["milestone"]
                else None,
                min_utilisation_percent=row["min_utilisation_percent"],
                trl=row["trl"],
                text=row["text"] or "",
            )
            for row in new
        )
        try:
            created = set_release_conditions(instalment, planned, by=self.replay.by)
        except ValidationError as error:
            self.importer.fail(new[0], error, column="kind")
            return False
        created = [
            c
            for c in created
            if c.kind != ReleaseCondition.Kind.COVERING_UC
            or any(r["kind"] == c.kind for r in new)
        ]
        for row, condition in zip(new, created, strict=False):
            self.report.count(row.title, "new")
            if row["met_on"]:
                self.to_mark.append((row, condition))
        return True

    def events(self):
        for row, condition in self.to_mark:
            yield row["met_on"], MET, self._mark(row, condition)

    def _mark(self, row, condition):
        def mark():
            try:
                mark_condition_met(
                    condition,
                    met_on=row["met_on"],
                    note=row["met_note"] or "",
                    marked_by=self.replay.by,
                )
            except ValidationError as error:
                self.importer.fail(row, error, column="met_on")
                return False
            return True

        return mark
