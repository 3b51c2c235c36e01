"""Projects from a workbook: the sanction, then its history replayed day by day.

For each project row (``grants.services.imports`` says the why of it all): a new
project is sanctioned with its budget lines and planned instalments, its end
date moved by an approved extension if the row says so, its milestones planned;
then its releases and certificates are replayed in date order through the
services, so a release finds the certificate accepted before it; last, the
milestones and the project take the states the rows give. A project already on
record is compared row by row instead, and only what the rows add (a release, a
decision, a new certificate) or may change (a title, a due date) is written.

A project whose rows break a rule is reported at the row that broke it and the
rest of its history is not replayed: what follows would only repeat the fault.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.formatting import fiscal_year_of, format_date
from grants.imports.reading import Record
from grants.imports.schema import (
    BUDGET_LINES,
    CERTIFICATE_FIGURES,
    CERTIFICATES,
    CONDITIONS,
    INSTALMENTS,
    MILESTONES,
    PROJECTS,
)
from grants.models import Element, Project, Scheme, User
from grants.services.dates import dated_problem
from grants.services.import_history import HistoryReplay
from grants.services.money import PlannedBudgetLine, PlannedInstalment, sanction_project
from grants.services.paperwork import CertificateFigures
from grants.services.projects import extend_project

# What a row may not change on a project on record, and what changes it instead.
FIXED_PROJECT_FIELDS = (
    "scheme",
    "organisation",
    "sanction_order_number",
    "sanctioned_on",
    "start_on",
    "duration_months",
    "sanctioned_amount",
)
PROJECT_FIELDS = (
    "title",
    "title_hi",
    "abstract",
    "principal_investigator",
    "programme_officer",
    "stage",
    "trl_start",
    "trl_target",
    "trl_now",
    "satyabhama_id",
    "status",
    "closed_on",
    "unspent_refunded",
    "interest_refunded",
    "refund_reference",
)
DONE_DATES = {
    PROJECTS.name: ("sanctioned_on", "extended_on", "closed_on"),
    INSTALMENTS.name: ("released_on",),
    CERTIFICATES.name: ("submitted_on", "decided_on"),
    MILESTONES.name: ("submitted_on", "decided_on"),
}


class ProjectImporter:
    def __init__(self, importer):
        self.importer = importer
        self.report = importer.report
        self.by = importer.by
        self.today = timezone.localdate()
        self.schemes = {scheme.code: scheme for scheme in Scheme.objects.all()}
        self.elements = {e.symbol.casefold(): e for e in Element.objects.all()}
        self.rows = {
            sheet.name: importer.by_project(sheet)
            for sheet in (
                BUDGET_LINES,
                INSTALMENTS,
                CERTIFICATES,
                MILESTONES,
                CONDITIONS,
            )
        }
        self.records = importer.contents.of(PROJECTS)
        references = [r["reference"] for r in self.records if r["reference"]]
        self.on_record = {
            project.reference: project
            for project in Project.objects.filter(reference__in=references)
        }
        self.staff = self._staff()

    def _staff(self) -> dict[str, User]:
        named = {r["programme_officer"] for r in self.records if r["programme_officer"]}
        staff = {}
        for user in User.objects.filter(is_staff=True).annotate(address=Lower("email")):
            staff[user.username.casefold()] = user
            staff[user.address] = user
        return {name: staff.get(name.casefold()) for name in named}

    def run(self) -> None:
        self._check_references()
        seen = {}
        total = len(self.records)
        for done, record in enumerate(self.records, start=1):
            reference = record["reference"]
            if reference in seen:
                self.report.add(
                    record.problem(
                        _("Row %(row)s already holds this project: keep one row.")
                        % {"row": seen[reference]},
                        column="reference",
                    )
                )
            elif not record.faulty:
                seen[reference] = record.row
                self.project(record)
            if self.importer.progress is not None:
                self.importer.progress(done, total)

    def _check_references(self) -> None:
        """Rows of the other sheets name a project of the Projects sheet.

        A project's rows are read with its own row, so a project on record whose
        row is missing would have its other rows left unread: they are refused
        instead, saying to add the row.
        """
        named = {r["reference"] for r in self.records}
        elsewhere = {ref for rows in self.rows.values() for ref in rows} - named
        on_record = set(
            Project.objects.filter(reference__in=elsewhere).values_list(
                "reference", flat=True
            )
        )
        for rows in self.rows.values():
            for reference in elsewhere & set(rows):
                if reference in on_record:
                    message = _(
                        "This project is on record but has no row on the Projects "
                        "sheet: add its row, so that its other rows are read with it."
                    )
                else:
                    message = _(
                        "No project has this reference, on its sheet or on record."
                    )
                for record in rows[reference]:
                    self.report.add(record.problem(message, column="project"))

    # One project -----------------------------------------------------------------

    def project(self, record: Record) -> None:
        reference = record["reference"]
        rows = {name: self.rows[name].get(reference, []) for name in self.rows}
        if any(r.faulty for sheet_rows in rows.values() for r in sheet_rows):
            return  # reported where read; the rules would only repeat it
        figures_add_up = self._figures_add_up(rows)
        if not self._dates_done(record, rows):
            return
        try:
            with transaction.atomic():
                existing = self.on_record.get(reference)
                if existing is None:
                    project = self.sanction(record, rows)
                else:
                    project = self.compare(existing, record, rows)
                if project is None or not figures_add_up:
                    raise _Stop
                replay = HistoryReplay(self, project, record, rows)
                if not replay.run():
                    raise _Stop
        except _Stop:
            pass  # the savepoint rolls the project back; the report says why

    def _dates_done(self, record, rows) -> bool:
        """Dates of things done may not be after today: they are history."""
        fine = True
        checks = [(record, DONE_DATES[PROJECTS.name])] + [
            (row, DONE_DATES[sheet])
            for sheet in (INSTALMENTS.name, CERTIFICATES.name, MILESTONES.name)
            for row in rows[sheet]
        ]
        for row, names in checks:
            for name in names:
                day = row[name]
                if day is None:
                    continue
                problem = dated_problem(day, today=self.today)
                if problem:
                    self.report.add(row.problem(problem, column=name))
                    fine = False
        return fine

    def _figures_add_up(self, rows) -> bool:
        """Each certificate's Form GFR 12-A arithmetic, whatever else goes wrong:
        a fault in one row does not hide the arithmetic of the others."""
        fine = True
        for row in rows[CERTIFICATES.name]:
            figures = CertificateFigures(
                **{name: row[name] for name in CERTIFICATE_FIGURES}
            )
            for name, message in figures.errors().items():
                self.report.add(row.problem(message, column=name))
                fine = False
        return fine

    def values(self, record: Record) -> dict | None:
        """The project row's values resolved to what they name; None if one is "
        "unknown."""
        problems = []
        organisation = self.importer.organisations.get(record["organisation"])
        if organisation is None:
            problems.append(
                (
                    "organisation",
                    _(
                        "No organisation has this short code, on its sheet or on "
                        "record."
                    ),
                )
            )
        pi = self.importer.people.get(record["principal_investigator"].lower())
        if pi is None:
            problems.append(
                (
                    "principal_investigator",
                    _("No person has this e-mail, on the People sheet or on record."),
                )
            )
        officer = None
        if record["programme_officer"]:
            officer = self.staff.get(record["programme_officer"])
            if officer is None:
                problems.append(
                    (
                        "programme_officer",
                        _("No ministry staff member has this user name or e-mail."),
                    )
                )
        elements = []
        for symbol in record["elements"] or []:
            element = self.elements.get(symbol.casefold())
            if element is None:
                problems.append(
                    (
                        "elements",
                        _("%(symbol)s is not a rare-earth element's symbol.")
                        % {"symbol": symbol},
                    )
                )
            else:
                elements.append(element)
        fiscal_year = record["fiscal_year"]
        if fiscal_year and fiscal_year != fiscal_year_of(record["sanctioned_on"]):
            problems.append(
                (
                    "fiscal_year",
                    _("A sanction dated %(day)s falls in %(year)s.")
                    % {
                        "day": record.shown("sanctioned_on"),
                        "year": fiscal_year_of(record["sanctioned_on"]),
                    },
                )
            )
        for column, message in problems:
            self.report.add(record.problem(message, column=column))
        if problems:
            return None
        return {
            "scheme": self.schemes[record["scheme"]],
            "organisation": organisation,
            "principal_investigator": pi,
            "programme_officer": officer,
            "elements": elements,
        }

    def sanction(self, record: Record, rows) -> Project | None:
        resolved = self.values(record)
        if resolved is None:
            return None
        lines = rows[BUDGET_LINES.name]
        instalments = rows[INSTALMENTS.name]
        try:
            project = sanction_project(
                reference=record["reference"],
                title=record["title"],
                abstract=record["abstract"] or "",
                scheme=resolved["scheme"],
                organisation=resolved["organisation"],
                principal_investigator=resolved["principal_investigator"],
                programme_officer=resolved["programme_officer"],
                stage=record["stage"],
                sanction_order_number=record["sanction_order_number"],
                sanctioned_on=record["sanctioned_on"],
                start_on=record["start_on"],
                duration_months=record["duration_months"],
                sanctioned_amount=record["sanctioned_amount"],
                trl_start=record["trl_start"],
                trl_target=record["trl_target"],
                budget_lines=[
                    PlannedBudgetLine(
                        head=line["head"],
                        project_year=line["project_year"],
                        amount=line["amount"],
                    )
                    for line in lines
                ],
                instalments=[
                    PlannedInstalment(
                        sequence=row["sequence"],
                        planned_on=row["planned_on"],
                        amount=row["amount"],
                        condition=row["condition"] or "",
                    )
                    for row in instalments
                ],
                elements=resolved["elements"],
                sanctioned_by=self.by,
            )
        except ValidationError as error:
            # The sanction's own rules: the budget and instalments add up to it.
            self.importer.fail(record, error, column="sanctioned_amount")
            return None
        self.report.count(record.title, "new")
        for row in (*lines, *instalments):
            self.report.count(row.title, "new")
        project.title_hi = record["title_hi"] or ""
        project.satyabhama_id = record["satyabhama_id"] or ""
        project.trl_now = record["trl_now"] or record["trl_start"]
        self.importer.save(project)
        if not self.extend(project, record):
            return None
        return project

    def extend(self, project: Project, record: Record) -> bool:
        """Move the end date as an approved extension did, if the row says one did."""
        end_on = record["end_on"]
        if end_on is None or end_on == project.end_on:
            return True
        if end_on < project.end_on:
            self.report.add(
                record.problem(
                    _(
                        "The end date after extensions cannot be before the "
                        "project's end date on record, %(end)s."
                    )
                    % {"end": format_date(project.end_on)},
                    column="end_on",
                )
            )
            return False
        missing = [
            name for name in ("extended_on", "extension_reason") if not record[name]
        ]
        for name in missing:
            self.report.add(
                record.problem(
                    _(
                        "An end date moved by an extension needs the day the extension "
                        "was approved and its reason."
                    ),
                    column=name,
                )
            )
        if missing:
            return False
        try:
            extend_project(
                project,
                new_end_on=end_on,
                reason=record["extension_reason"],
                decided_on=record["extended_on"],
                decided_by=self.by,
            )
        except ValidationError as error:
            self.importer.fail(record, error, column="end_on")
            return False
        project.refresh_from_db()
        return True

    def compare(self, project: Project, record: Record, rows) -> Project | None:
        from grants.services.import_changes import ProjectChanges

        resolved = self.values(record)
        if resolved is None:
            return None
        return ProjectChanges(self, project, record, rows, resolved).apply()


class _Stop(Exception):
    """A rule refused a row of this project: roll the project back."""
