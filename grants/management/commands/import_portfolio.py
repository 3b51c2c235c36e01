"""Check or import a portfolio workbook from the command line (docs/import.md)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grants.imports.reading import WorkbookRefused
from grants.imports.report import Report
from grants.models import User
from grants.services.import_jobs import import_file


class Command(BaseCommand):
    help = (
        "Import a portfolio from a workbook in the template's layout, all or "
        "nothing. With --dry-run, only check it and print what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the workbook and print the report; write nothing.",
        )
        parser.add_argument(
            "--user",
            help="The staff user the import is recorded as done by (default: the "
            "first superuser).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The language of the report.",
        )

    def handle(self, *args, file, dry_run, user, language, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        by = self.user(user)
        with translation.override(language):
            try:
                report = import_file(file, by=by, apply=not dry_run)
            except WorkbookRefused as refusal:
                raise CommandError(refusal.message) from refusal
            for line in report_lines(report):
                self.stdout.write(line)
            if report.has_errors:
                count = len(report.errors)
                raise CommandError(
                    ngettext(
                        "Nothing was imported: the workbook has %(count)s error.",
                        "Nothing was imported: the workbook has %(count)s errors.",
                        count,
                    )
                    % {"count": count}
                )
            if dry_run:
                self.stdout.write(_("Checked only (--dry-run): nothing was written."))
            elif report.changes_nothing:
                self.stdout.write(
                    _("Nothing to import: the portfolio already holds this workbook.")
                )
            else:
                self.stdout.write(self.style.SUCCESS(_("Imported.")))

    def user(self, name):
        users = User.objects.filter(is_active=True)
        if name:
            found = users.filter(username=name, is_staff=True).first()
            if found is None:
                raise CommandError(f"No active staff user is called {name!r}.")
            return found
        found = users.filter(is_superuser=True).order_by("pk").first()
        if found is None:
            raise CommandError("No superuser to record the import as: pass --user.")
        return found


def report_lines(report: Report):
    """The report as plain lines: counts by sheet, problems, then changes."""
    for sheet, tally in report.counts.items():
        yield _(
            "%(sheet)s: %(new)s new, %(changed)s changed, %(unchanged)s unchanged"
        ) % {
            "sheet": sheet,
            **tally,
        }
    for title, problems in (
        (_("Errors"), report.errors),
        (_("Warnings"), report.warnings),
        (_("Notes"), report.notes),
    ):
        if problems:
            yield f"{title} ({len(problems)}):"
        for problem in problems:
            where = ", ".join(
                part
                for part in (
                    problem.sheet,
                    _("row %(row)s") % {"row": problem.row} if problem.row else "",
                    problem.column,
                )
                if part
            )
            line = f"  {where}: {problem.message}"
            if problem.value:
                line += " " + _("Found: %(value)s.") % {"value": problem.value}
            if problem.accepted:
                line += " " + _("Accepted: %(accepted)s") % {
                    "accepted": problem.accepted
                }
            yield line
    if report.changes_total:
        yield _("Changes (%(count)s):") % {"count": report.changes_total}
    for change in report.changes:
        where = f"{change.sheet}, {change.key}, {change.field}"
        yield f"  {where}: {change.old} → {change.new}"
