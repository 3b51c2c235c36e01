"""A project's history from a workbook: milestones, releases and certificates.

Releases and certificates are replayed through their services in the order of
their dates: a certificate's submission, then its decision, then a release on
the same day (so a release finds the certificate accepted that morning). A
milestone a certificate answers takes its state from the certificate, as on the
screens; every other milestone takes the state its row gives, as a fact of the
ministry's earlier files.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grants.formatting import fiscal_year_of, format_date, format_inr
from grants.imports.schema import (
    CERTIFICATE_FIGURES,
    CERTIFICATES,
    INSTALMENTS,
    MILESTONES,
)
from grants.models import Milestone, UtilisationCertificate
from grants.reads import conditions
from grants.services.common import LowUtilisationWarning
from grants.services.import_conditions import ConditionRows
from grants.services.money import find_covering_certificate, release_instalment
from grants.services.paperwork import (
    CertificateFigures,
    accept_certificate,
    return_certificate,
    submit_certificate,
)

SUBMIT, DECIDE, RELEASE = 0, 1, 2
MILESTONE_STATE = ("status", "submitted_on", "decided_on", "waiver_reason")
CLOSURE = (
    "status",
    "closed_on",
    "unspent_refunded",
    "interest_refunded",
    "refund_reference",
)


def certificate_key(row) -> tuple:
    return (row["period_start"], row["period_end"], row["submitted_on"])


class HistoryReplay:
    def __init__(self, projects, project, record, rows):
        self.projects = projects
        self.importer = projects.importer
        self.report = projects.report
        self.by = projects.by
        self.project = project
        self.record = record
        self.milestone_rows = rows[MILESTONES.name]
        self.instalment_rows = rows[INSTALMENTS.name]
        self.certificate_rows = rows[CERTIFICATES.name]
        self.rows = rows
        self.is_new = record["reference"] not in projects.on_record

    def run(self) -> bool:
        if not self.decisions_dated():
            return False
        milestones = self.plan_milestones()
        if milestones is None:
            return False
        links = self.links(milestones)
        if links is None:
            return False
        conditions = ConditionRows(self, self.rows)
        if not conditions.apply(milestones):
            return False
        events = [
            *self.events(links),
            *self.milestone_events(milestones, links),
            *conditions.events(),
        ]
        for _day, _order, action in sorted(events, key=lambda e: e[:2]):
            if not action():
                return False
        return self.check_answered(milestones, links) and self.settle_project()

    def decisions_dated(self) -> bool:
        """A decided certificate has its day, and one awaiting a decision none."""
        fine = True
        for row in self.certificate_rows:
            awaiting = row["status"] == UtilisationCertificate.Status.SUBMITTED
            if awaiting and row["decided_on"]:
                message = _(
                    "A certificate still awaiting a decision has no decision day: "
                    "leave this cell empty, or give the decision in “Status”."
                )
            elif not awaiting and not row["decided_on"]:
                message = _("A decided certificate needs the day it was decided.")
            else:
                continue
            self.report.add(row.problem(message, column="decided_on"))
            fine = False
        return fine

    # Milestones ------------------------------------------------------------------

    def plan_milestones(self) -> dict[str, Milestone] | None:
        on_record = {m.title: m for m in self.project.milestones.all()}
        planned, fine = {}, True
        for row in self.milestone_rows:
            title = row["title"]
            if title in planned:
                self.report.add(
                    row.problem(
                        _("Another row of this project has a milestone of this title."),
                        column="title",
                    )
                )
                fine = False
                continue
            milestone = on_record.get(title)
            if milestone is None:
                milestone = Milestone(
                    project=self.project,
                    kind=row["kind"],
                    title=title,
                    deliverable=row["deliverable"] or "",
                    due_on=row["due_on"],
                    months_after_end=row["months_after_end"],
                    period_start=row["period_start"],
                    period_end=row["period_end"],
                )
                try:
                    self.importer.save(milestone)
                except ValidationError as error:
                    self.importer.fail(row, error)
                    fine = False
                    continue
                self.report.count(row.title, "new")
            planned[title] = milestone
        return planned if fine else None

    def unknown_milestone(self, row) -> None:
        self.report.add(
            row.problem(
                _(
                    "This project has no milestone of this title on the "
                    "Milestones sheet."
                ),
                column="milestone",
            )
        )

    def links(self, milestones) -> dict | None:
        """The milestone each certificate row answers, by the row's key."""
        links, fine = {}, True
        for row in self.certificate_rows:
            title = row["milestone"]
            if not title:
                continue
            milestone = milestones.get(title)
            if milestone is None:
                self.unknown_milestone(row)
                fine = False
                continue
            links[certificate_key(row)] = milestone
        return links if fine else None

    # Releases and certificates, by date ------------------------------------------

    def events(self, links):
        instalments = {i.sequence: i for i in self.project.instalments.all()}
        certificates = {
            (c.period_start, c.period_end, c.submitted_on): c
            for c in self.project.certificates.all()
        }
        for row in self.instalment_rows:
            instalment = instalments.get(row["sequence"])
            if row["released_on"] and instalment and not instalment.is_released:
                yield row["released_on"], RELEASE, self._release(row, instalment)
        for row in self.certificate_rows:
            certificate = certificates.get(certificate_key(row))
            held = {"certificate": certificate}
            if certificate is None:
                yield row["submitted_on"], SUBMIT, self._submit(row, links, held)
            decided = row["status"] != UtilisationCertificate.Status.SUBMITTED
            if decided and (
                certificate is None
                or certificate.status == UtilisationCertificate.Status.SUBMITTED
            ):
                day = row["decided_on"] or row["submitted_on"]
                yield day, DECIDE, self._decide(row, held)

    def _release(self, row, instalment):
        def release():
            try:
                released = release_instalment(
                    instalment,
                    released_on=row["released_on"],
                    release_order_number=row["release_order_number"] or "",
                    released_by=self.by,
                    override_reason=row["exception_reason"] or "",
                    low_utilisation_note=row["low_utilisation_note"] or "",
                )
            except LowUtilisationWarning as warning:
                self.importer.fail(
                    row,
                    warning,
                    column="low_utilisation_note",
                    accepted=_("Why it was released all the same, in “%(column)s”.")
                    % {"column": INSTALMENTS.column("low_utilisation_note").header},
                )
                return False
            except ValidationError as error:
                uncovered = not row["exception_reason"] and (
                    self.uncovered(row) or self.unmet(instalment, row)
                )
                self.importer.fail(
                    row,
                    error,
                    column="exception_reason" if uncovered else "released_on",
                    accepted=_(
                        "If the release was made all the same: why, in “%(column)s”."
                    )
                    % {"column": INSTALMENTS.column("exception_reason").header}
                    if uncovered
                    else "",
                )
                return False
            if released.override_reason:
                self.importer.warn(
                    row,
                    _("Brought in as an exception to the rules of release: %(reason)s")
                    % {"reason": released.override_reason},
                    column="exception_reason",
                )
            return True

        return release

    def unmet(self, instalment, row) -> bool:
        """Whether a condition of the instalment is not met on the row's day."""
        return bool(
            conditions.unmet(
                instalment,
                project=self.project,
                certificates=list(self.project.certificates.all()),
                on=row["released_on"],
            )
        )

    def uncovered(self, row) -> bool:
        """Whether no accepted certificate covers the release before this row's."""
        previous = (
            self.project.instalments.released()
            .filter(released_on__lte=row["released_on"])
            .order_by("-released_on")
            .values_list("released_on", flat=True)
            .first()
        )
        return previous is not None and (
            find_covering_certificate(
                self.project,
                previous_release_on=previous,
                release_on=row["released_on"],
            )
            is None
        )

    def _submit(self, row, links, held):
        def submit():
            figures = CertificateFigures(
                **{name: row[name] for name in CERTIFICATE_FIGURES}
            )
            if row["fiscal_year"] and row["fiscal_year"] != fiscal_year_of(
                row["period_end"]
            ):
                self.report.add(
                    row.problem(
                        _("A period ending %(day)s falls in %(year)s.")
                        % {
                            "day": row.shown("period_end"),
                            "year": fiscal_year_of(row["period_end"]),
                        },
                        column="fiscal_year",
                    )
                )
                return False
            try:
                held["certificate"] = submit_certificate(
                    self.project,
                    kind=row["kind"],
                    period_start=row["period_start"],
                    period_end=row["period_end"],
                    figures=figures,
                    submitted_on=row["submitted_on"],
                    submitted_by=self.project.principal_investigator,
                    milestone=links.get(certificate_key(row)),
                    targets_achieved=row["targets_achieved"] or "",
                    gap_reason=row["gap_reason"] or "",
                )
            except ValidationError as error:
                self.importer.fail(row, error)
                return False
            self.report.count(row.title, "new")
            return True

        return submit

    def _decide(self, row, held):
        def decide():
            certificate = held["certificate"]
            if certificate is None:
                return False
            try:
                if row["status"] == UtilisationCertificate.Status.ACCEPTED:
                    accept_certificate(
                        certificate,
                        decided_on=row["decided_on"],
                        decided_by=self.by,
                        signed_copy_elsewhere=row["exception_reason"] or "",
                    )
                else:
                    return_certificate(
                        certificate,
                        reason=row["return_reason"] or "",
                        decided_on=row["decided_on"],
                        decided_by=self.by,
                    )
            except ValidationError as error:
                returned = row["status"] == UtilisationCertificate.Status.RETURNED
                column = "return_reason" if returned else "status"
                self.importer.fail(row, error, column=column)
                return False
            certificate.refresh_from_db()
            if certificate.signed_copy_elsewhere:
                self.importer.warn(
                    row,
                    _("Accepted without its signed copy on file here: %(where)s")
                    % {"where": certificate.signed_copy_elsewhere},
                    column="exception_reason",
                )
            return True

        return decide

    # States the rows give --------------------------------------------------------

    def milestone_events(self, milestones, links):
        """Each milestone's state as its row gives it, set on the day it was
        decided (or submitted): a release that waits for it then finds it."""
        answered = {milestone.pk for milestone in links.values()}
        for row in self.milestone_rows:
            milestone = milestones[row["title"]]
            if milestone.pk in answered:
                continue
            day = row["decided_on"] or row["submitted_on"] or datetime.date.min
            yield day, DECIDE, self._settle(row, milestone)

    def _settle(self, row, milestone):
        def settle():
            wanted = {
                "status": row["status"],
                "submitted_on": row["submitted_on"],
                "decided_on": row["decided_on"],
                "waiver_reason": row["waiver_reason"] or "",
            }
            due_again = row["due_again_on"]
            if due_again and due_again != milestone.due_on:
                wanted["original_due_on"] = (
                    milestone.original_due_on or milestone.due_on
                )
                wanted["due_on"] = due_again
            if all(getattr(milestone, name) == value for name, value in wanted.items()):
                return True
            for name, value in wanted.items():
                setattr(milestone, name, value)
            try:
                self.importer.save(milestone)
            except ValidationError as error:
                self.importer.fail(row, error)
                return False
            return True

        return settle

    def check_answered(self, milestones, links) -> bool:
        """A certificate's milestone ends as the certificate leaves it."""
        answered = {milestone.pk for milestone in links.values()}
        fine = True
        for row in self.milestone_rows:
            milestone = milestones[row["title"]]
            if milestone.pk not in answered:
                continue
            milestone.refresh_from_db()
            if milestone.status != row["status"]:
                self.report.add(
                    row.problem(
                        _(
                            "This milestone's certificate leaves it %(status)s: its "
                            "row must say so too."
                        )
                        % {"status": milestone.get_status_display()},
                        column="status",
                    )
                )
                fine = False
        return fine

    def settle_project(self) -> bool:
        project, record = self.project, self.record
        project.refresh_from_db()
        wanted = {name: record[name] for name in CLOSURE}
        wanted["unspent_refunded"] = wanted["unspent_refunded"] or 0
        wanted["interest_refunded"] = wanted["interest_refunded"] or 0
        wanted["refund_reference"] = wanted["refund_reference"] or ""
        if all(getattr(project, name) == value for name, value in wanted.items()):
            return True
        for name, value in wanted.items():
            setattr(project, name, value)
        try:
            self.importer.save(project)
        except ValidationError as error:
            self.importer.fail(record, error, column="status")
            return False
        if self.is_new and project.closed_on:
            self.importer.warn(
                record,
                _(
                    "Brought in closed, as on record before the import: closed on "
                    "%(day)s, %(unspent)s unspent balance refunded. The checks of the "
                    "Close page were not made."
                )
                % {
                    "day": format_date(project.closed_on),
                    "unspent": format_inr(project.unspent_refunded, symbol="₹\u00a0"),
                },
                column="status",
            )
        return True
