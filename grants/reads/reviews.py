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

from grants.formatting import format_inr
from grants.models import Document, ProgressReport, UtilisationCertificate

REPORT_FIELDS = [
    ("period_start", "Period from"),
    ("period_end", "Period to"),
    ("trl_now", "TRL claimed"),
    ("publications", "Publications"),
    ("patents_filed", "Patents filed"),
    ("prototypes", "Prototypes"),
    ("technologies_transferred", "Technologies transferred"),
    ("people_trained", "People trained"),
    ("narrative", "Narrative"),
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
    ("period_start", "Period from"),
    ("period_end", "Period to"),
    ("opening_balance", "1. Opening unspent balance"),
    ("interest_earned", "2. Interest earned"),
    ("interest_remitted", "3. Interest remitted"),
    ("grant_received", "4. Grant received"),
    ("expenditure", "6. Expenditure"),
    ("expenditure_general", "Expenditure: general"),
    ("expenditure_salary", "Expenditure: salary"),
    ("expenditure_capital", "Expenditure: capital assets"),
    ("closing_balance", "7. Closing balance"),
    ("targets_achieved", "Targets achieved"),
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
        return f"{value:%d %b %Y}"
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
        label = f"Version {version.version}" if hasattr(version, "version") else ""
        events.append(
            Event(
                version.submitted_on,
                f"{label or 'Certificate'} submitted".strip(),
                _person(version.submitted_by),
            )
        )
        if version.decided_on:
            comment = getattr(version, "review_comment", "") or getattr(
                version, "return_reason", ""
            )
            events.append(
                Event(
                    version.decided_on,
                    f"{label or 'Certificate'} {version.get_status_display()}".strip(),
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
