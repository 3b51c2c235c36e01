"""What staff read before they decide: every version of a submission, and its story.

A report's versions are the reports of its milestone; a certificate's are the
certificates of the same project, kind and fiscal year (a returned one stays on
record when it is corrected and resubmitted). ``changes`` says, field by field,
what a version changed since the one before it, so the officer checks that what
was asked for on return was done.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants.formatting import format_inr
from grants.models import Document, ProgressReport, UtilisationCertificate

REPORT_FIELDS = [
    ("period_start", gettext_lazy("Period from")),
    ("period_end", gettext_lazy("Period to")),
    ("trl_now", gettext_lazy("TRL claimed")),
    ("publications", gettext_lazy("Publications")),
    ("patents_filed", gettext_lazy("Patents filed")),
    ("prototypes", gettext_lazy("Prototypes")),
    ("technologies_transferred", gettext_lazy("Technologies transferred")),
    ("people_trained", gettext_lazy("People trained")),
    ("narrative", gettext_lazy("Narrative")),
]
MONEY_FIELDS = {
    "opening_balance",
    "interest_earned",
    "interest_remitted",
    "grant_received",
    "expenditure",
    "closing_balance",
    "expenditure_general",
    "expenditure_salary",
    "expenditure_capital",
}
CERTIFICATE_FIELDS = [
    ("period_start", gettext_lazy("Period from")),
    ("period_end", gettext_lazy("Period to")),
    ("opening_balance", gettext_lazy("1. Opening unspent balance")),
    ("interest_earned", gettext_lazy("2. Interest earned")),
    ("interest_remitted", gettext_lazy("3. Interest remitted")),
    ("grant_received", gettext_lazy("4. Grant received")),
    ("expenditure", gettext_lazy("6. Expenditure")),
    ("expenditure_general", gettext_lazy("Expenditure: general")),
    ("expenditure_salary", gettext_lazy("Expenditure: salary")),
    ("expenditure_capital", gettext_lazy("Expenditure: capital assets")),
    ("closing_balance", gettext_lazy("7. Closing balance")),
    ("targets_achieved", gettext_lazy("Targets achieved")),
]


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Event:
    """One step of a submission's story: submitted, accepted, returned."""

    day: datetime.date
    what: str
    who: str
    comment: str = ""


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name in MONEY_FIELDS:
        return f"₹ {format_inr(value)}"
    if isinstance(value, datetime.date):
        return dateformat.format(value, "d M Y")
    return str(value)


def changes(before, after, fields) -> list[Change]:
    """The fields that differ between two versions, as the page writes them."""
    return [
        Change(label, _shown(name, getattr(before, name)), _shown(name, after_value))
        for name, label in fields
        if getattr(before, name) != (after_value := getattr(after, name))
    ]


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def story(versions) -> list[Event]:
    """Each version's submission and decision, in the order they happened."""
    events = []
    for version in versions:
        numbered = hasattr(version, "version")
        events.append(
            Event(
                version.submitted_on,
                _("Version %(number)s submitted") % {"number": version.version}
                if numbered
                else _("Certificate submitted"),
                _person(version.submitted_by),
            )
        )
        if version.decided_on:
            comment = getattr(version, "review_comment", "") or getattr(
                version, "return_reason", ""
            )
            status = version.get_status_display()
            events.append(
                Event(
                    version.decided_on,
                    _("Version %(number)s %(status)s")
                    % {"number": version.version, "status": status}
                    if numbered
                    else _("Certificate %(status)s") % {"status": status},
                    _person(version.decided_by),
                    comment,
                )
            )
    return sorted(events, key=lambda event: event.day)


def _with_documents(queryset):
    return queryset.select_related("submitted_by", "decided_by").prefetch_related(
        Prefetch("documents", queryset=Document.objects.order_by("kind", "uploaded_at"))
    )


def report_versions(report: ProgressReport) -> list[ProgressReport]:
    """Every version of the report's milestone, the first first, with its files."""
    return list(
        _with_documents(
            ProgressReport.objects.filter(milestone=report.milestone_id)
        ).order_by("version")
    )


def certificate_versions(
    certificate: UtilisationCertificate,
) -> list[UtilisationCertificate]:
    """The certificates for the same project, kind and year, the first first."""
    return list(
        _with_documents(
            UtilisationCertificate.objects.filter(
                project=certificate.project_id,
                kind=certificate.kind,
                fiscal_year=certificate.fiscal_year,
            )
        )
        .prefetch_related("received_instalments")
        .order_by("submitted_on", "pk")
    )


def since_returned(item, versions, fields) -> list[Change]:
    """What this version changed since the version before it (the returned one)."""
    position = next(i for i, version in enumerate(versions) if version.pk == item.pk)
    earlier = versions[position - 1] if position else None
    return changes(earlier, item, fields) if earlier is not None else []
