"""A project already on record, compared with its rows in a workbook.

What the rows may change is listed field by field and written (a title, the
programme officer, a planned date, a due date); what they add goes in through
the services (a release, a certificate, a decision: ``import_history``). What
only a decision may change is refused, naming the decision: the terms of a
sanction (a revised sanction order), a budget line (a re-appropriation), a
release on record or a decided certificate (they are history).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grants.imports.report import shown
from grants.imports.schema import (
    BUDGET_LINES,
    CERTIFICATE_FIGURES,
    CERTIFICATES,
    INSTALMENTS,
    MILESTONES,
)
from grants.models import Project, UtilisationCertificate
from grants.services.import_history import CLOSURE, certificate_key
from grants.services.import_rows import compare

CLOSED_STATUSES = (Project.Status.CLOSED, Project.Status.TERMINATED)


class ProjectChanges:
    def __init__(self, projects, project, record, rows, resolved):
        self.projects = projects
        self.importer = projects.importer
        self.report = projects.report
        self.project = project
        self.record = record
        self.rows = rows
        self.resolved = resolved
        self.fine = True

    def refuse(self, row, column, old, message):
        self.report.add(
            row.problem(
                _("On record: %(old)s. %(why)s") % {"old": shown(old), "why": message},
                column=column,
            )
        )
        self.fine = False

    def apply(self):
        self.compare_project()
        self.compare_budget()
        self.compare_instalments()
        self.compare_certificates()
        self.compare_milestones()
        if not self.fine:
            return None
        return self.project

    # The project row -------------------------------------------------------------

    def compare_project(self):
        project, record = self.project, self.record
        wanted = {
            "scheme": self.resolved["scheme"],
            "organisation": self.resolved["organisation"],
            "sanction_order_number": record["sanction_order_number"],
            "sanctioned_on": record["sanctioned_on"],
            "start_on": record["start_on"],
            "duration_months": record["duration_months"],
            "sanctioned_amount": record["sanctioned_amount"],
        }
        for name, value in wanted.items():
            if getattr(project, name) != value:
                self.refuse(
                    record,
                    name,
                    getattr(project, name),
                    _(
                        "The terms of a sanction change only by a revised sanction "
                        "order, not by an import."
                    ),
                )
        values = {
            "title": record["title"],
            "title_hi": record["title_hi"] or "",
            "abstract": record["abstract"] or "",
            "principal_investigator": self.resolved["principal_investigator"],
            "programme_officer": self.resolved["programme_officer"],
            "stage": record["stage"],
            "trl_start": record["trl_start"],
            "trl_target": record["trl_target"],
            "trl_now": record["trl_now"] or project.trl_now,
            "satyabhama_id": record["satyabhama_id"] or "",
        }
        closure = {
            "status": record["status"],
            "closed_on": record["closed_on"],
            "unspent_refunded": record["unspent_refunded"] or 0,
            "interest_refunded": record["interest_refunded"] or 0,
            "refund_reference": record["refund_reference"] or "",
        }
        assert set(closure) == set(CLOSURE)
        if not self.closure_kept(record, closure):
            return
        pairs = {
            name: (getattr(project, name), value)
            for name, value in {**values, **closure}.items()
        }
        elements = sorted(e.symbol for e in self.resolved["elements"])
        pairs["elements"] = (
            ", ".join(sorted(project.elements.values_list("symbol", flat=True))),
            ", ".join(elements),
        )
        if record["end_on"] and record["end_on"] != project.end_on:
            pairs["end_on"] = (project.end_on, record["end_on"])
        changed = compare(self.report, record, pairs, key=project.reference)
        self.report.count(record.title, "changed" if changed else "unchanged")
        if not changed or not self.fine:
            return
        for name in changed:
            if name in values:
                setattr(project, name, values[name])
        try:
            self.importer.save(project)
            if "elements" in changed:
                project.elements.set(self.resolved["elements"])
        except ValidationError as error:
            self.importer.fail(record, error)
            self.fine = False
            return
        if "end_on" in changed and not self.projects.extend(project, record):
            self.fine = False

    def closure_kept(self, record, closure) -> bool:
        """A finished project stays as it was closed; an open one is closed on
        its Close page, which checks the final UC and the refund, not here."""
        project = self.project
        if project.status in CLOSED_STATUSES:
            for name, value in closure.items():
                if getattr(project, name) != value:
                    self.refuse(
                        record,
                        name,
                        getattr(project, name),
                        _(
                            "A closed project's closure is history: an import does "
                            "not reopen it or change it."
                        ),
                    )
                    return False
        elif record["status"] in CLOSED_STATUSES:
            self.refuse(
                record,
                "status",
                project.status,
                _(
                    "A project on record is closed on its Close page, which checks "
                    "the final UC and the refund, not by an import."
                ),
            )
            return False
        return True

    # Budget lines ----------------------------------------------------------------

    def compare_budget(self):
        lines = {
            (line.head, line.project_year): line
            for line in self.project.budget_lines.all()
        }
        for row in self.rows[BUDGET_LINES.name]:
            line = lines.get((row["head"], row["project_year"]))
            if line is None:
                self.refuse(
                    row,
                    "head",
                    "",
                    _(
                        "The budget on record has no such line: a budget changes "
                        "only by a re-appropriation."
                    ),
                )
            elif line.amount != row["amount"]:
                self.refuse(
                    row,
                    "amount",
                    line.amount,
                    _(
                        "A budget line changes only by a re-appropriation, not by "
                        "an import."
                    ),
                )
            else:
                self.report.count(row.title, "unchanged")

    # Instalments -----------------------------------------------------------------

    def compare_instalments(self):
        instalments = {i.sequence: i for i in self.project.instalments.all()}
        for row in self.rows[INSTALMENTS.name]:
            instalment = instalments.get(row["sequence"])
            if instalment is None:
                self.refuse(
                    row,
                    "sequence",
                    "",
                    _(
                        "The sanction on record plans no such instalment: "
                        "instalments are planned by the sanction."
                    ),
                )
                continue
            if instalment.amount != row["amount"]:
                self.refuse(
                    row,
                    "amount",
                    instalment.amount,
                    _(
                        "An instalment's amount is set by the sanction, not by an "
                        "import."
                    ),
                )
                continue
            if instalment.is_released:
                self.compare_release(row, instalment)
                continue
            pairs = {
                "planned_on": (instalment.planned_on, row["planned_on"]),
                "condition": (instalment.condition, row["condition"] or ""),
                "released_on": (None, row["released_on"]),
                "release_order_number": ("", row["release_order_number"] or ""),
            }
            key = f"{self.project.reference} #{instalment.sequence}"
            changed = compare(self.report, row, pairs, key=key)
            self.report.count(row.title, "changed" if changed else "unchanged")
            if {"planned_on", "condition"} & set(changed):
                instalment.planned_on = row["planned_on"]
                instalment.condition = row["condition"] or ""
                self.save(row, instalment)

    def compare_release(self, row, instalment):
        recorded = {
            "released_on": instalment.released_on,
            "release_order_number": instalment.release_order_number,
            "planned_on": instalment.planned_on,
            "condition": instalment.condition,
        }
        # A reason given where none was needed is not kept: only a kept one counts.
        if instalment.override_reason:
            recorded["exception_reason"] = instalment.override_reason
        if instalment.low_utilisation_note:
            recorded["low_utilisation_note"] = instalment.low_utilisation_note
        for name, old in recorded.items():
            if (row[name] or "") != (old or "") and row[name] != old:
                self.refuse(
                    row,
                    name,
                    old,
                    _(
                        "A release on record is history: it is not changed by an "
                        "import."
                    ),
                )
                return
        self.report.count(row.title, "unchanged")

    # Certificates ----------------------------------------------------------------

    def compare_certificates(self):
        certificates = {
            (c.period_start, c.period_end, c.submitted_on): c
            for c in self.project.certificates.all()
        }
        Status = UtilisationCertificate.Status
        for row in self.rows[CERTIFICATES.name]:
            certificate = certificates.get(certificate_key(row))
            if certificate is None:
                continue  # a new certificate: submitted by the replay
            wanted = {
                "kind": row["kind"],
                **{name: row[name] for name in CERTIFICATE_FIGURES},
                "targets_achieved": row["targets_achieved"] or "",
            }
            if certificate.status != Status.SUBMITTED:
                wanted["return_reason"] = row["return_reason"] or ""
            differing = [
                name
                for name, value in wanted.items()
                if getattr(certificate, name) != value
            ]
            if differing:
                name = differing[0]
                self.refuse(
                    row,
                    name,
                    getattr(certificate, name),
                    _(
                        "A certificate's figures and words are the grantee's and "
                        "the ministry's: they are not changed by an import."
                    ),
                )
            else:
                if (
                    certificate.status == row["status"]
                    and certificate.decided_on == row["decided_on"]
                ):
                    self.report.count(row.title, "unchanged")
                elif certificate.status == Status.SUBMITTED:
                    compare(
                        self.report,
                        row,
                        {
                            "status": (certificate.status, row["status"]),
                            "decided_on": (None, row["decided_on"]),
                        },
                        key=f"{self.project.reference} {row.shown('period_end')}",
                    )
                    self.report.count(row.title, "changed")
                else:
                    self.refuse(
                        row,
                        "status",
                        certificate.get_status_display(),
                        _(
                            "A decided certificate is history: it is not changed "
                            "by an import."
                        ),
                    )

    # Milestones ------------------------------------------------------------------

    def compare_milestones(self):
        milestones = {m.title: m for m in self.project.milestones.all()}
        # A certificate's milestone takes its state from the certificate.
        answered = {row["milestone"] for row in self.rows[CERTIFICATES.name]}
        for row in self.rows[MILESTONES.name]:
            milestone = milestones.get(row["title"])
            if milestone is None:
                continue  # a new milestone: planned by the replay
            if milestone.kind != row["kind"]:
                self.refuse(
                    row,
                    "kind",
                    milestone.get_kind_display(),
                    _(
                        "A milestone's kind is kept: add a milestone of the other "
                        "kind instead."
                    ),
                )
                continue
            first_due = milestone.original_due_on or milestone.due_on
            pairs = {
                "deliverable": (milestone.deliverable, row["deliverable"] or ""),
                "due_on": (first_due, row["due_on"]),
                "months_after_end": (
                    milestone.months_after_end,
                    row["months_after_end"],
                ),
                "period_start": (milestone.period_start, row["period_start"]),
                "period_end": (milestone.period_end, row["period_end"]),
                "status": (milestone.status, row["status"]),
                "submitted_on": (milestone.submitted_on, row["submitted_on"]),
                "decided_on": (milestone.decided_on, row["decided_on"]),
                "waiver_reason": (milestone.waiver_reason, row["waiver_reason"] or ""),
            }
            if row["due_again_on"]:
                pairs["due_again_on"] = (milestone.due_on, row["due_again_on"])
            if row["title"] in answered:
                for name in ("status", "submitted_on", "decided_on", "due_again_on"):
                    pairs.pop(name, None)
            key = f"{self.project.reference}: {milestone.title}"
            changed = compare(self.report, row, pairs, key=key)
            self.report.count(row.title, "changed" if changed else "unchanged")
            plan = {
                "deliverable",
                "months_after_end",
                "period_start",
                "period_end",
            } & set(changed)
            if "due_on" in changed:
                if milestone.original_due_on:
                    milestone.original_due_on = row["due_on"]
                else:
                    milestone.due_on = row["due_on"]
                plan.add("due_on")
            for name in plan - {"due_on"}:
                setattr(
                    milestone,
                    name,
                    row[name] if name != "deliverable" else row[name] or "",
                )
            if plan:
                self.save(row, milestone)

    def save(self, row, instance):
        try:
            self.importer.save(instance)
        except ValidationError as error:
            self.importer.fail(row, error)
            self.fine = False
