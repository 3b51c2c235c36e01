"""Bringing a portfolio in from a workbook, all of it or none (docs/import.md).

``import_portfolio`` takes the rows ``grants.imports.reading`` read and writes
them through the same services as every screen: a sanction through
``sanction_project`` (budget lines and instalments adding up), each release
through ``release_instalment`` (never past the sanction, a covering UC or an
exception with its reason), each certificate through ``submit_certificate`` and
its decision (Form GFR 12-A arithmetic, the chain of periods). A project's
releases and certificates are replayed in the order of their dates, so each rule
sees the portfolio as it stood that day.

The whole workbook goes in one transaction. A check (``apply=False``) runs the
same writes and rolls them back, so the report before the import says exactly
what the import would do; the import itself is rolled back too if any row
fails. Rows already on record are matched by their keys (``schema``): an
unchanged row writes nothing, a changed one is listed field by field, and a
change that only a decision may make (a sanctioned amount, a released
instalment, a decided certificate) is refused with the screen that makes it.

Decisions brought in were told to the grantee at the time: no notice is sent for
them (``notices.silenced``). Pages cached before the import go out of date once,
at its end (``page_cache.changes_held``).
"""

import secrets
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.text import slugify
from django.utils.translation import gettext as _

from grants import page_cache, summaries
from grants.imports.reading import Contents, Record
from grants.imports.report import WARNING, Change, Problem, Report
from grants.imports.schema import (
    ORGANISATIONS,
    PEOPLE,
    PROJECTS,
)
from grants.models import Membership, Organisation, User
from grants.services.common import (
    _save,
    constraints_checked_by_the_database,
    in_default_language,
)
from grants.services.import_projects import ProjectImporter
from grants.services.import_rows import compare, record_problem
from grants.services.notices import silenced

IMPORTED = "Imported from a workbook"


def import_portfolio(
    contents: Contents,
    *,
    by: User,
    apply: bool,
    progress=None,
    checked: str = "",
    before_commit=None,
) -> Report:
    """Check the workbook's rows against the rules and, if asked, write them.

    ``progress(done, total)`` is called as projects are done. ``checked`` is the
    fingerprint of the check the import was confirmed after: if the import would
    now do anything else, the portfolio changed in between and nothing is
    written. ``before_commit(report)`` runs inside the import's transaction once
    it is to be kept (the job records its outcome with the rows). Returns the
    report: nothing is written when it has errors or when ``apply`` is false.
    """
    report = contents.report
    with transaction.atomic():
        with (
            page_cache.changes_held(),
            silenced(),
            summaries.marks_held(),
            constraints_checked_by_the_database(),
        ):
            Importer(contents, by=by, report=report, progress=progress).run()
        if checked and report.fingerprint() != checked and not report.has_errors:
            report.add(
                Problem(
                    _(
                        "The portfolio on record changed since the workbook was "
                        "checked, so the import would not do what the report said. "
                        "Nothing was imported: upload the workbook again to check "
                        "it afresh."
                    )
                )
            )
        report.applied = apply and not report.has_errors
        if not report.applied:
            transaction.set_rollback(True)
            return report
        page_cache.portfolio_changed()
        if before_commit is not None:
            before_commit(report)
    return report


class Importer:
    """One run over the workbook's rows, sheet by sheet, project by project."""

    def __init__(self, contents: Contents, *, by: User, report: Report, progress=None):
        self.contents = contents
        self.by = by
        self.report = report
        self.progress = progress
        self.organisations = {o.slug: o for o in Organisation.objects.all()}
        self.people = {}

    def run(self) -> None:
        for record in self.contents.of(ORGANISATIONS):
            self.organisation(record)
        self.people = self.known_people()
        for record in self.contents.of(PEOPLE):
            self.person(record)
        ProjectImporter(self).run()

    # Lookups ---------------------------------------------------------------------

    def known_people(self) -> dict[str, User]:
        emails = {
            record["email"].lower()
            for record in self.contents.of(PEOPLE)
            if record["email"]
        } | {
            record["principal_investigator"].lower()
            for record in self.contents.of(PROJECTS)
            if record["principal_investigator"]
        }
        users = User.objects.annotate(address=Lower("email")).filter(address__in=emails)
        return {user.address: user for user in users}

    def by_project(self, sheet) -> dict[str, list[Record]]:
        rows = defaultdict(list)
        for record in self.contents.of(sheet):
            if record["project"]:
                rows[record["project"]].append(record)
        return rows

    def fail(self, record, error, *, column: str = "", accepted: str = "") -> None:
        record_problem(self.report, record, error, column=column, accepted=accepted)

    def warn(self, record, message, *, column: str = "") -> None:
        self.report.add(record.problem(message, column=column, level=WARNING))

    def save(self, row, **kwargs):
        with in_default_language():
            return _save(row, reason=IMPORTED, by=self.by, **kwargs)

    # Organisations ---------------------------------------------------------------

    ORGANISATION_FIELDS = (
        "name",
        "kind",
        "state",
        "city",
        "address",
        "pan",
        "udyam_number",
        "dpiit_number",
        "pfms_agency_code",
        "head_name",
        "head_email",
    )

    def organisation(self, record: Record) -> None:
        if record.faulty:
            return
        code = record["code"]
        if slugify(code) != code:
            self.report.add(
                record.problem(
                    _("A short code has only lower-case letters, digits and hyphens."),
                    column="code",
                    accepted=slugify(code),
                )
            )
            return
        values = {name: record[name] or "" for name in self.ORGANISATION_FIELDS}
        organisation = self.organisations.get(code)
        try:
            with transaction.atomic():
                if organisation is None:
                    organisation = self.save(Organisation(slug=code, **values))
                    self.organisations[code] = organisation
                    self.report.count(record.title, "new")
                    return
                pairs = {
                    name: (getattr(organisation, name), values[name])
                    for name in self.ORGANISATION_FIELDS
                }
                changed = compare(self.report, record, pairs, key=code)
                if not changed:
                    self.report.count(record.title, "unchanged")
                    return
                for name in changed:
                    setattr(organisation, name, values[name])
                self.save(organisation)
                self.report.count(record.title, "changed")
        except ValidationError as error:
            self.fail(record, error)

    # People ----------------------------------------------------------------------

    def person(self, record: Record) -> None:
        if record.faulty:
            return
        email = record["email"]
        organisation = self.organisations.get(record["organisation"])
        if organisation is None:
            self.report.add(
                record.problem(
                    _(
                        "No organisation has this short code, on its sheet or on "
                        "record."
                    ),
                    column="organisation",
                )
            )
            return
        user = self.people.get(email.lower())
        try:
            with transaction.atomic():
                outcome = self.save_person(record, user, email)
                membership, created = Membership.objects.get_or_create(
                    user=self.people[email.lower()],
                    organisation=organisation,
                    role=record["role"],
                )
                if created:
                    outcome = "new" if outcome == "unchanged" else outcome
                elif not membership.is_active:
                    membership.is_active = True
                    self.save(membership)
                    self.report.change(
                        Change(
                            sheet=record.title,
                            row=record.row,
                            key=f"{email} ({record['organisation']})",
                            field=str(record.sheet.column("role").header),
                            old=_("ended"),
                            new=str(membership.get_role_display()),
                        )
                    )
                    outcome = "changed"
                self.report.count(record.title, outcome)
        except ValidationError as error:
            self.fail(record, error)

    def save_person(self, record, user, email) -> str:
        language = record["language"] or "en"
        if user is None:
            user = User(
                username=self.free_username(email),
                email=email,
                display_name=record["name"],
                designation=record["designation"] or "",
                preferred_language=language,
            )
            # They set a password of their own through "Forgot your password?".
            user.set_unusable_password()
            self.people[email.lower()] = self.save(user)
            return "new"
        if user.is_staff:
            raise ValidationError(
                {
                    "email": _(
                        "This e-mail belongs to a ministry staff account; grantees' "
                        "people have accounts of their own."
                    )
                }
            )
        pairs = {
            "name": (user.display_name, record["name"]),
            "designation": (user.designation, record["designation"] or ""),
            "language": (user.preferred_language, language),
        }
        key = f"{email} ({record['organisation']})"
        changed = compare(self.report, record, pairs, key=key)
        if not changed:
            return "unchanged"
        user.display_name = record["name"]
        user.designation = record["designation"] or ""
        user.preferred_language = language
        self.save(user)
        return "changed"

    def free_username(self, email: str) -> str:
        base = slugify(email.split("@")[0])[:120] or "grantee"
        username = base
        while User.objects.filter(username=username).exists():
            username = f"{base}-{secrets.token_hex(2)}"
        return username
