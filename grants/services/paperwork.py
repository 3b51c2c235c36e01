"""Utilisation certificates and progress reports: submission and review."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from grants.formatting import (
    fiscal_year_bounds,
    fiscal_year_of,
    format_inr,
    is_blank,
)
from grants.models import (
    Document,
    Milestone,
    ProgressReport,
    Project,
    User,
    UtilisationCertificate,
)
from grants.services.certificate_rules import (
    certificate_problems,
    period_leaves_gap,
)
from grants.services.common import (
    GrantRuleError,
    _date,
    _rupees,
    _save,
    in_default_language,
)
from grants.services.dates import check_dated, check_report_period
from grants.services.notices import (
    tell_certificate_decision,
    tell_report_decision,
)

# The most a progress report may count of each output in one period. No project of
# the scheme comes near them (the demo's busiest half-year: 4 publications, 40
# people trained); a larger figure is a slip of the keyboard, such as 40000
# publications, and is refused rather than kept.
OUTPUT_CEILINGS = {
    "publications": 1000,
    "patents_filed": 1000,
    "prototypes": 1000,
    "technologies_transferred": 1000,
    "people_trained": 10000,
}

# Utilisation certificates ----------------------------------------------------------


@dataclass(frozen=True)
class CertificateFigures:
    """The Form GFR 12-A figures of a certificate, in whole rupees."""

    opening_balance: int
    interest_earned: int
    interest_remitted: int
    grant_received: int
    expenditure: int
    closing_balance: int
    expenditure_general: int | None = None
    expenditure_salary: int | None = None
    expenditure_capital: int | None = None

    def errors(self) -> dict[str, str]:
        """Say which figure is off and by how much, field by field."""
        problems = {}
        for name, value in vars(self).items():
            if value is None:
                continue
            if isinstance(value, float) or (
                isinstance(value, Decimal) and value != value.to_integral_value()
            ):
                problems[name] = _("Enter whole rupees.")
            elif value < 0:
                problems[name] = _("An amount cannot be negative.")
        if problems:
            return problems
        expected = (
            self.opening_balance
            + self.interest_earned
            - self.interest_remitted
            + self.grant_received
            - self.expenditure
        )
        if self.closing_balance != expected:
            difference = self.closing_balance - expected
            words = {"expected": _rupees(expected), "off": _rupees(abs(difference))}
            if difference > 0:
                message = _(
                    "Closing balance should be %(expected)s (opening + interest "
                    "earned - interest remitted + grant received - expenditure); "
                    "the figure entered is %(off)s too high."
                )
            else:
                message = _(
                    "Closing balance should be %(expected)s (opening + interest "
                    "earned - interest remitted + grant received - expenditure); "
                    "the figure entered is %(off)s too low."
                )
            problems["closing_balance"] = message % words
        components = (
            self.expenditure_general,
            self.expenditure_salary,
            self.expenditure_capital,
        )
        if any(value is not None for value in components):
            component_total = sum(value or 0 for value in components)
            if component_total != self.expenditure:
                difference = component_total - self.expenditure
                words = {
                    "total": _rupees(component_total),
                    "off": _rupees(abs(difference)),
                    "expenditure": _rupees(self.expenditure),
                }
                if difference > 0:
                    message = _(
                        "General, salary and capital expenditure add up to "
                        "%(total)s, %(off)s more than the expenditure of "
                        "%(expenditure)s."
                    )
                else:
                    message = _(
                        "General, salary and capital expenditure add up to "
                        "%(total)s, %(off)s less than the expenditure of "
                        "%(expenditure)s."
                    )
                problems["expenditure"] = message % words
        return problems


@transaction.atomic
def submit_certificate(
    project: Project,
    *,
    kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    figures: CertificateFigures,
    submitted_on: datetime.date,
    submitted_by: User | None,
    milestone: Milestone | None = None,
    targets_achieved: str = "",
    gap_reason: str = "",
) -> UtilisationCertificate:
    """Record a grantee's utilisation certificate and mark its milestone submitted.

    Besides the form's arithmetic, the period must follow the previous certificate
    (or carry ``gap_reason``), have ended, and fall in the project's life; interest
    remitted and grant received may not exceed what was earned and released
    (``grants.services.certificate_rules``). ``gap_reason`` is kept only when the
    period does leave a gap.
    """
    problems = figures.errors()
    if problems:
        raise GrantRuleError(problems)
    if period_end < period_start:
        raise GrantRuleError(
            {"period_end": _("The period cannot end before it starts.")}
        )
    # One certificate at a time per project: the chain and the releases read
    # below must not change before this one is written.
    locked = Project.objects.select_for_update().get(pk=project.pk)
    fiscal_year = fiscal_year_of(period_end)
    if kind == UtilisationCertificate.Kind.ANNUAL:
        fy_start, fy_end = fiscal_year_bounds(fiscal_year)
        if period_start < fy_start:
            # Suggest the fiscal year most of the dates entered fall in.
            meant = fiscal_year_of(period_start + (period_end - period_start) / 2)
            meant_start, meant_end = fiscal_year_bounds(meant)
            raise GrantRuleError(
                {
                    "period_start": _(
                        "An annual UC covers one fiscal year, 1 April to 31 March: "
                        "for %(meant)s, enter %(start)s (or the project's first day "
                        "in it) to %(end)s."
                    )
                    % {
                        "meant": meant,
                        "start": _date(meant_start),
                        "end": _date(meant_end),
                    }
                }
            )
        live = project.certificates.filter(
            kind=UtilisationCertificate.Kind.ANNUAL, fiscal_year=fiscal_year
        ).exclude(status=UtilisationCertificate.Status.RETURNED)
        if live.exists():
            raise GrantRuleError(
                _(
                    "%(reference)s already has an annual UC for %(fiscal_year)s that "
                    "is submitted or accepted."
                )
                % {"reference": project.reference, "fiscal_year": fiscal_year}
            )
    if milestone is not None:
        # Decide on the row as it is now, not on a copy read before a review.
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone is not None and milestone.project_id != project.pk:
        raise GrantRuleError(_("That milestone belongs to another project."))
    if milestone is not None and milestone.status not in Milestone.OPEN_STATUSES:
        raise GrantRuleError(
            _(
                "%(milestone)s is %(status)s: a certificate can be submitted against "
                "it only while it is pending or returned."
            )
            % {"milestone": milestone, "status": milestone.get_status_display()}
        )
    terms = {
        "kind": kind,
        "period_start": period_start,
        "period_end": period_end,
        "figures": figures,
    }
    problems = certificate_problems(
        locked, **terms, submitted_on=submitted_on, gap_reason=gap_reason
    )
    if problems:
        raise GrantRuleError(problems)
    if not period_leaves_gap(locked, kind=kind, period_start=period_start):
        gap_reason = ""
    certificate = _save(
        UtilisationCertificate(
            project=project,
            kind=kind,
            fiscal_year=fiscal_year,
            period_start=period_start,
            period_end=period_end,
            submitted_on=submitted_on,
            submitted_by=submitted_by,
            targets_achieved=targets_achieved,
            gap_reason=gap_reason.strip(),
            status=UtilisationCertificate.Status.SUBMITTED,
            **vars(figures),
        ),
        by=submitted_by,
    )
    if milestone is not None:
        milestone.status = Milestone.Status.SUBMITTED
        milestone.submitted_on = submitted_on
        milestone.certificate = certificate
        _save(milestone, by=submitted_by)
    return certificate


def _decide(item, *, status, decided_on, decided_by, reason="", **fields):
    if item.status != item.Status.SUBMITTED:
        raise GrantRuleError(
            _("%(item)s is %(status)s; only a submitted one can be decided.")
            % {"item": item, "status": item.get_status_display()}
        )
    check_dated("decided_on", decided_on, asked_on=item.submitted_on)
    item.status = status
    item.decided_on = decided_on
    item.decided_by = decided_by
    for name, value in fields.items():
        setattr(item, name, value)
    with in_default_language():
        reason = reason or f"{item.get_status_display().capitalize()}"
    return _save(item, reason=reason, by=decided_by)


def resubmission_due(milestone: Milestone, *, returned_on: datetime.date):
    """The day a returned milestone is due again: the return plus the scheme's days.

    Never earlier than its own due date: a return before the due date leaves the
    grantee the time they had. The days the ministry held the submission are not
    the grantee's delay, so the clock starts again from the return.
    """
    days = milestone.project.scheme.resubmission_days
    return max(milestone.due_on, returned_on + datetime.timedelta(days=days))


def _mark_milestones(milestones, *, status, decided_on, decided_by, reason=""):
    for milestone in milestones:
        milestone.status = status
        milestone.decided_on = decided_on
        if status == Milestone.Status.RETURNED:
            due_again = resubmission_due(milestone, returned_on=decided_on)
            if due_again != milestone.due_on:
                milestone.original_due_on = milestone.original_due_on or (
                    milestone.due_on
                )
                milestone.due_on = due_again
                with in_default_language():
                    reason = f"{reason}; to be resubmitted by {_date(due_again)}"
        _save(milestone, reason=reason, by=decided_by)


@transaction.atomic
def accept_certificate(
    certificate: UtilisationCertificate,
    *,
    decided_on: datetime.date,
    decided_by: User,
    signed_copy_elsewhere: str = "",
) -> UtilisationCertificate:
    """Accept a submitted UC; its milestone is then met.

    Only with its signed copy on file: Form GFR 12-A is a signed certificate, and
    the figures typed into the portal are not the certificate itself. A
    certificate the ministry accepted on paper before its files came here (an
    import) is the exception: ``signed_copy_elsewhere`` says where the signed
    copy is kept, and is recorded on the certificate.
    """
    signed = certificate.documents.filter(kind=Document.Kind.SIGNED_UC).exists()
    elsewhere = "" if signed else signed_copy_elsewhere.strip()
    if (
        certificate.status == UtilisationCertificate.Status.SUBMITTED
        and not signed
        and not elsewhere
    ):
        raise GrantRuleError(
            _(
                "%(certificate)s has no signed copy on file: a utilisation "
                "certificate is accepted only with the copy signed by the grantee's "
                "head and finance officer (Form GFR 12-A). Return it and ask for the "
                "signed copy."
            )
            % {"certificate": certificate}
        )
    _decide(
        certificate,
        status=UtilisationCertificate.Status.ACCEPTED,
        decided_on=decided_on,
        decided_by=decided_by,
        signed_copy_elsewhere=elsewhere,
    )
    _mark_milestones(
        certificate.milestones.all(),
        status=Milestone.Status.ACCEPTED,
        decided_on=decided_on,
        decided_by=decided_by,
    )
    tell_certificate_decision(certificate, decided_by=decided_by)
    return certificate


@transaction.atomic
def return_certificate(
    certificate: UtilisationCertificate,
    *,
    reason: str,
    decided_on: datetime.date,
    decided_by: User,
) -> UtilisationCertificate:
    """Return a submitted UC to the grantee with the reason they will see."""
    if is_blank(reason):
        raise GrantRuleError(
            {"reason": _("Say why the certificate is returned: the grantee sees it.")}
        )
    _decide(
        certificate,
        status=UtilisationCertificate.Status.RETURNED,
        decided_on=decided_on,
        decided_by=decided_by,
        return_reason=reason.strip(),
        reason=f"Returned: {reason.strip()}",
    )
    _mark_milestones(
        certificate.milestones.all(),
        status=Milestone.Status.RETURNED,
        decided_on=decided_on,
        decided_by=decided_by,
        reason=f"Certificate returned: {reason.strip()}",
    )
    tell_certificate_decision(certificate, decided_by=decided_by)
    return certificate


# Progress reports -----------------------------------------------------------------


def count_problem(value, *, ceiling: int) -> str | None:
    """Say what is wrong with a count of outputs, if anything."""
    if isinstance(value, bool) or not isinstance(value, int):
        return _("Enter a whole number.")
    if value < 0:
        return _("A count cannot be negative.")
    if value > ceiling:
        return _(
            "That is more than any project reports in one period (at most "
            "%(ceiling)s): check the figure."
        ) % {"ceiling": format_inr(ceiling)}
    return None


@transaction.atomic
def submit_progress_report(
    milestone: Milestone,
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    narrative: str,
    trl_now: int,
    submitted_on: datetime.date,
    submitted_by: User | None,
    publications: int = 0,
    patents_filed: int = 0,
    prototypes: int = 0,
    technologies_transferred: int = 0,
    people_trained: int = 0,
) -> ProgressReport:
    """Record a report against a milestone; after a return it is the next version."""
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.status not in Milestone.OPEN_STATUSES:
        raise GrantRuleError(
            _(
                "%(milestone)s is %(status)s: a report can be submitted only while "
                "it is pending or returned."
            )
            % {"milestone": milestone, "status": milestone.get_status_display()}
        )
    if is_blank(narrative):
        raise GrantRuleError({"narrative": _("Describe the progress made.")})
    check_report_period(
        milestone.project,
        period_start=period_start,
        period_end=period_end,
        submitted_on=submitted_on,
    )
    counts = {
        "publications": publications,
        "patents_filed": patents_filed,
        "prototypes": prototypes,
        "technologies_transferred": technologies_transferred,
        "people_trained": people_trained,
    }
    problems = {}
    for name, value in counts.items():
        if problem := count_problem(value, ceiling=OUTPUT_CEILINGS[name]):
            problems[name] = problem
    if problems:
        raise GrantRuleError(problems)
    latest = milestone.reports.aggregate(version=Max("version"))["version"] or 0
    report = _save(
        ProgressReport(
            milestone=milestone,
            version=latest + 1,
            period_start=period_start,
            period_end=period_end,
            narrative=narrative.strip(),
            trl_now=trl_now,
            publications=publications,
            patents_filed=patents_filed,
            prototypes=prototypes,
            technologies_transferred=technologies_transferred,
            people_trained=people_trained,
            submitted_on=submitted_on,
            submitted_by=submitted_by,
        ),
        by=submitted_by,
    )
    milestone.status = Milestone.Status.SUBMITTED
    milestone.submitted_on = submitted_on
    _save(milestone, by=submitted_by)
    return report


@transaction.atomic
def accept_progress_report(
    report: ProgressReport,
    *,
    decided_on: datetime.date,
    decided_by: User,
    comment: str = "",
) -> ProgressReport:
    """Accept a report: its milestone is met and the project's TRL now follows it."""
    _decide(
        report,
        status=ProgressReport.Status.ACCEPTED,
        decided_on=decided_on,
        decided_by=decided_by,
        review_comment=comment.strip(),
    )
    _mark_milestones(
        [report.milestone],
        status=Milestone.Status.ACCEPTED,
        decided_on=decided_on,
        decided_by=decided_by,
    )
    project = report.milestone.project
    project.trl_now = report.trl_now
    with in_default_language():
        why = f"TRL from the accepted {report}"
    _save(
        project,
        reason=why,
        by=decided_by,
        update_fields=["trl_now", "updated_at"],
    )
    tell_report_decision(report, decided_by=decided_by)
    return report


@transaction.atomic
def return_progress_report(
    report: ProgressReport,
    *,
    reason: str,
    decided_on: datetime.date,
    decided_by: User,
) -> ProgressReport:
    """Return a report to the grantee with the reason they will see."""
    if is_blank(reason):
        raise GrantRuleError(
            {"reason": _("Say why the report is returned: the grantee sees it.")}
        )
    _decide(
        report,
        status=ProgressReport.Status.RETURNED,
        decided_on=decided_on,
        decided_by=decided_by,
        review_comment=reason.strip(),
        reason=f"Returned: {reason.strip()}",
    )
    _mark_milestones(
        [report.milestone],
        status=Milestone.Status.RETURNED,
        decided_on=decided_on,
        decided_by=decided_by,
        reason=f"Report returned: {reason.strip()}",
    )
    tell_report_decision(report, decided_by=decided_by)
    return report
