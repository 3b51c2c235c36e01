"""Every state change that has a business rule, each in one transaction.

A rule that is not met raises ``GrantRuleError`` (a ``ValidationError``) with a
message a finance officer understands; nothing is written when it does.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum

from grants.formatting import fiscal_year_bounds, fiscal_year_of, format_inr
from grants.models import (
    BudgetLine,
    Extension,
    Instalment,
    Milestone,
    Organisation,
    ProgressReport,
    Project,
    Scheme,
    User,
    UtilisationCertificate,
)

# GFR 238(2), note: the next grant may go on a UC confirming 75% utilisation of the
# previous grants. Mines is not a "Scientific Department", so below this share the
# release is a warning that finance must acknowledge, not a refusal.
LOW_UTILISATION_PERCENT = 75


class GrantRuleError(ValidationError):
    """A business rule refused a change; the message says which and why."""


class LowUtilisationWarning(GrantRuleError):
    """The covering UC shows under 75% utilisation: finance must acknowledge it."""


def _date(day: datetime.date) -> str:
    return f"{day:%d %b %Y}"


def _rupees(amount) -> str:
    return f"Rs {format_inr(amount)}"


def _percent_floor(part: int, whole: int) -> str:
    """Write part/whole as a percentage rounded down to 0.1: 74.99% reads 74.9%."""
    if not whole:
        return "0%"
    units, tenth = divmod(1000 * part // whole, 10)
    return f"{units}.{tenth}%" if tenth else f"{units}%"


def _save(instance, **kwargs):
    instance.full_clean()
    instance.save(**kwargs)
    return instance


# Sanction ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedBudgetLine:
    head: str
    project_year: int
    amount: int


@dataclass(frozen=True)
class PlannedInstalment:
    sequence: int
    planned_on: datetime.date
    amount: int
    condition: str = ""


@transaction.atomic
def sanction_project(
    *,
    reference: str,
    title: str,
    scheme: Scheme,
    organisation: Organisation,
    principal_investigator: User,
    programme_officer: User | None,
    stage: str,
    sanction_order_number: str,
    sanctioned_on: datetime.date,
    start_on: datetime.date,
    duration_months: int,
    sanctioned_amount: int,
    trl_start: int,
    trl_target: int,
    budget_lines: list[PlannedBudgetLine],
    instalments: list[PlannedInstalment],
    elements=(),
    abstract: str = "",
) -> Project:
    """Record a sanction with its budget lines and planned instalments.

    The budget lines and the instalments must each add up to the sanction, and the
    budget may not run past the project's years.
    """
    budget_total = sum(line.amount for line in budget_lines)
    if budget_total != sanctioned_amount:
        raise GrantRuleError(
            f"The budget lines add up to {_rupees(budget_total)}, not the "
            f"sanctioned {_rupees(sanctioned_amount)} (a difference of "
            f"{_rupees(abs(sanctioned_amount - budget_total))})."
        )
    instalment_total = sum(instalment.amount for instalment in instalments)
    if instalment_total != sanctioned_amount:
        raise GrantRuleError(
            f"The planned instalments add up to {_rupees(instalment_total)}, not the "
            f"sanctioned {_rupees(sanctioned_amount)} (a difference of "
            f"{_rupees(abs(sanctioned_amount - instalment_total))})."
        )
    project_years = -(-duration_months // 12)
    beyond = sorted(
        {line.project_year for line in budget_lines} - set(range(1, project_years + 1))
    )
    if beyond:
        raise GrantRuleError(
            f"A {duration_months}-month project has {project_years} project years; "
            f"the budget has lines for year {', '.join(map(str, beyond))}."
        )
    project = Project(
        reference=reference,
        title=title,
        abstract=abstract,
        scheme=scheme,
        organisation=organisation,
        principal_investigator=principal_investigator,
        programme_officer=programme_officer,
        stage=stage,
        sanction_order_number=sanction_order_number,
        sanctioned_on=sanctioned_on,
        fiscal_year=fiscal_year_of(sanctioned_on),
        start_on=start_on,
        duration_months=duration_months,
        end_on=start_on + relativedelta(months=duration_months, days=-1),
        sanctioned_amount=sanctioned_amount,
        trl_start=trl_start,
        trl_target=trl_target,
        trl_now=trl_start,
        status=Project.Status.SANCTIONED,
    )
    _save(project)
    project.elements.set(elements)
    for line in budget_lines:
        _save(
            BudgetLine(
                project=project,
                head=line.head,
                project_year=line.project_year,
                amount=line.amount,
            )
        )
    for planned in instalments:
        _save(
            Instalment(
                project=project,
                sequence=planned.sequence,
                planned_on=planned.planned_on,
                amount=planned.amount,
                condition=planned.condition,
            )
        )
    return project


# Release -----------------------------------------------------------------------


def find_covering_certificate(
    project: Project, *, previous_release_on: datetime.date, release_on: datetime.date
) -> UtilisationCertificate | None:
    """Return the accepted UC that covers the previous release, if there is one.

    GFR 230(10) and 238(2): a UC (annual, provisional or final) whose period ends on
    or after the previous release and which was accepted on or before this release.
    The most recent such UC is the one that speaks for the money.
    """
    return (
        UtilisationCertificate.objects.accepted()
        .filter(
            project=project,
            period_end__gte=previous_release_on,
            decided_on__lte=release_on,
        )
        .order_by("-period_end", "-decided_on", "-pk")
        .first()
    )


@transaction.atomic
def release_instalment(
    instalment: Instalment,
    *,
    released_on: datetime.date,
    release_order_number: str,
    released_by: User,
    override_reason: str = "",
    low_utilisation_note: str = "",
) -> Instalment:
    """Record the release of an instalment.

    The project row is locked first, so two releases at the same moment are checked
    one after the other and cannot together exceed the sanction. A release after the
    first needs an accepted UC covering the previous release, unless finance records
    an override with a reason; a covering UC under 75% utilisation needs a note.
    """
    # Lock the project: the released total below must not change under us.
    project = Project.objects.select_for_update().get(pk=instalment.project_id)
    instalment = Instalment.objects.get(pk=instalment.pk)
    label = f"Instalment {instalment.sequence} of {project.reference}"

    if instalment.is_released:
        raise GrantRuleError(
            f"{label} was already released on {_date(instalment.released_on)} "
            f"(order {instalment.release_order_number})."
        )
    if not release_order_number.strip():
        raise GrantRuleError(f"{label}: enter the release order number.")
    if project.status in (Project.Status.CLOSED, Project.Status.TERMINATED):
        raise GrantRuleError(
            f"{label} cannot be released: the project is "
            f"{project.get_status_display()}."
        )
    earlier_unreleased = (
        project.instalments.unreleased()
        .filter(sequence__lt=instalment.sequence)
        .order_by("sequence")
        .first()
    )
    if earlier_unreleased:
        raise GrantRuleError(
            f"{label} cannot be released before instalment "
            f"{earlier_unreleased.sequence}."
        )
    released_total = (
        project.instalments.released().aggregate(total=Sum("amount"))["total"] or 0
    )
    excess = released_total + instalment.amount - project.sanctioned_amount
    if excess > 0:
        raise GrantRuleError(
            f"{label} cannot be released: {_rupees(released_total)} is already "
            f"released, and {_rupees(instalment.amount)} more would exceed the "
            f"sanctioned {_rupees(project.sanctioned_amount)} by {_rupees(excess)}."
        )

    previous_release_on = project.instalments.released().aggregate(
        last=Max("released_on")
    )["last"]
    covering = None
    if previous_release_on is not None:
        if released_on < previous_release_on:
            raise GrantRuleError(
                f"{label} cannot be dated {_date(released_on)}, before the previous "
                f"release on {_date(previous_release_on)}."
            )
        covering = find_covering_certificate(
            project, previous_release_on=previous_release_on, release_on=released_on
        )
        if covering is None and not override_reason.strip():
            raise GrantRuleError(
                f"{label} needs an accepted utilisation certificate covering the "
                f"previous release of {_date(previous_release_on)} (GFR 2017 rules "
                f"230(10) and 238(2)): no accepted UC has a period ending on or "
                f"after that date. Accept the grantee's UC first, or record an "
                f"override with a reason."
            )
        if covering is not None:
            utilisation = covering.utilisation_percent
            if (
                utilisation < LOW_UTILISATION_PERCENT
                and not low_utilisation_note.strip()
            ):
                shown = _percent_floor(covering.expenditure, covering.total_available)
                raise LowUtilisationWarning(
                    f"The covering {covering} shows {shown} utilisation "
                    f"({_rupees(covering.expenditure)} spent of "
                    f"{_rupees(covering.total_available)} available), under the "
                    f"{LOW_UTILISATION_PERCENT}% GFR 238(2) benchmark. Acknowledge it "
                    f"with a note to release anyway."
                )

    instalment.released_on = released_on
    instalment.release_order_number = release_order_number.strip()
    instalment.released_by = released_by
    instalment.covering_certificate = covering
    instalment.override_reason = "" if covering else override_reason.strip()
    instalment.low_utilisation_note = low_utilisation_note.strip() if covering else ""
    _save(instalment)
    if project.status == Project.Status.SANCTIONED:
        project.status = Project.Status.ONGOING
        project.save(update_fields=["status", "updated_at"])
    return instalment


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
                problems[name] = "Enter whole rupees."
            elif value < 0:
                problems[name] = "An amount cannot be negative."
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
            problems["closing_balance"] = (
                f"Closing balance should be {_rupees(expected)} (opening + interest "
                f"earned - interest remitted + grant received - expenditure); the "
                f"figure entered is {_rupees(abs(difference))} "
                f"{'too high' if difference > 0 else 'too low'}."
            )
        components = (
            self.expenditure_general,
            self.expenditure_salary,
            self.expenditure_capital,
        )
        if any(value is not None for value in components):
            component_total = sum(value or 0 for value in components)
            if component_total != self.expenditure:
                difference = component_total - self.expenditure
                problems["expenditure"] = (
                    f"General, salary and capital expenditure add up to "
                    f"{_rupees(component_total)}, {_rupees(abs(difference))} "
                    f"{'more' if difference > 0 else 'less'} than the expenditure "
                    f"of {_rupees(self.expenditure)}."
                )
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
) -> UtilisationCertificate:
    """Record a grantee's utilisation certificate and mark its milestone submitted."""
    problems = figures.errors()
    if problems:
        raise GrantRuleError(problems)
    if period_end < period_start:
        raise GrantRuleError({"period_end": "The period cannot end before it starts."})
    fiscal_year = fiscal_year_of(period_end)
    if kind == UtilisationCertificate.Kind.ANNUAL:
        fy_start, fy_end = fiscal_year_bounds(fiscal_year)
        if period_start < fy_start:
            raise GrantRuleError(
                {
                    "period_start": f"An annual UC covers one fiscal year: "
                    f"{fiscal_year} starts on {_date(fy_start)}."
                }
            )
        live = project.certificates.filter(
            kind=UtilisationCertificate.Kind.ANNUAL, fiscal_year=fiscal_year
        ).exclude(status=UtilisationCertificate.Status.RETURNED)
        if live.exists():
            raise GrantRuleError(
                f"{project.reference} already has an annual UC for {fiscal_year} "
                f"that is submitted or accepted."
            )
    if milestone is not None:
        # Decide on the row as it is now, not on a copy read before a review.
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone is not None and milestone.project_id != project.pk:
        raise GrantRuleError("That milestone belongs to another project.")
    if milestone is not None and milestone.status not in Milestone.OPEN_STATUSES:
        raise GrantRuleError(
            f"{milestone} is {milestone.get_status_display()}: a certificate can be "
            f"submitted against it only while it is pending or returned."
        )
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
            status=UtilisationCertificate.Status.SUBMITTED,
            **vars(figures),
        )
    )
    if milestone is not None:
        milestone.status = Milestone.Status.SUBMITTED
        milestone.submitted_on = submitted_on
        milestone.certificate = certificate
        _save(milestone)
    return certificate


def _decide(item, *, status, decided_on, decided_by, **fields):
    if item.status != item.Status.SUBMITTED:
        raise GrantRuleError(
            f"{item} is {item.get_status_display()}; only a submitted one can be "
            f"decided."
        )
    item.status = status
    item.decided_on = decided_on
    item.decided_by = decided_by
    for name, value in fields.items():
        setattr(item, name, value)
    return _save(item)


def _mark_milestones(milestones, *, status, decided_on):
    for milestone in milestones:
        milestone.status = status
        milestone.decided_on = decided_on
        _save(milestone)


@transaction.atomic
def accept_certificate(
    certificate: UtilisationCertificate, *, decided_on: datetime.date, decided_by: User
) -> UtilisationCertificate:
    """Accept a submitted UC; its milestone is then met."""
    _decide(
        certificate,
        status=UtilisationCertificate.Status.ACCEPTED,
        decided_on=decided_on,
        decided_by=decided_by,
    )
    _mark_milestones(
        certificate.milestones.all(),
        status=Milestone.Status.ACCEPTED,
        decided_on=decided_on,
    )
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
    if not reason.strip():
        raise GrantRuleError(
            {"reason": "Say why the certificate is returned: the grantee sees it."}
        )
    _decide(
        certificate,
        status=UtilisationCertificate.Status.RETURNED,
        decided_on=decided_on,
        decided_by=decided_by,
        return_reason=reason.strip(),
    )
    _mark_milestones(
        certificate.milestones.all(),
        status=Milestone.Status.RETURNED,
        decided_on=decided_on,
    )
    return certificate


# Progress reports -----------------------------------------------------------------


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
            f"{milestone} is {milestone.get_status_display()}: a report can be "
            f"submitted only while it is pending or returned."
        )
    if not narrative.strip():
        raise GrantRuleError({"narrative": "Describe the progress made."})
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
        )
    )
    milestone.status = Milestone.Status.SUBMITTED
    milestone.submitted_on = submitted_on
    _save(milestone)
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
        [report.milestone], status=Milestone.Status.ACCEPTED, decided_on=decided_on
    )
    project = report.milestone.project
    project.trl_now = report.trl_now
    _save(project, update_fields=["trl_now", "updated_at"])
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
    if not reason.strip():
        raise GrantRuleError(
            {"reason": "Say why the report is returned: the grantee sees it."}
        )
    _decide(
        report,
        status=ProgressReport.Status.RETURNED,
        decided_on=decided_on,
        decided_by=decided_by,
        review_comment=reason.strip(),
    )
    _mark_milestones(
        [report.milestone], status=Milestone.Status.RETURNED, decided_on=decided_on
    )
    return report


# Extension and closure ------------------------------------------------------------

# A project in one of these states has ended: its end date no longer moves.
FINISHED_STATUSES = (
    Project.Status.COMPLETED,
    Project.Status.CLOSED,
    Project.Status.TERMINATED,
)


@transaction.atomic
def request_extension(
    project: Project,
    *,
    new_end_on: datetime.date,
    reason: str,
    requested_on: datetime.date,
    requested_by: User | None,
) -> Extension:
    """Record a grantee's request to move the end date."""
    if project.status in FINISHED_STATUSES:
        raise GrantRuleError(
            f"{project.reference} is {project.get_status_display()}: its end date "
            f"can no longer be extended."
        )
    if not reason.strip():
        raise GrantRuleError({"reason": "Say why the extension is needed."})
    if new_end_on <= project.end_on:
        raise GrantRuleError(
            {
                "new_end_on": f"The new end date must be after the current end date, "
                f"{_date(project.end_on)}."
            }
        )
    return _save(
        Extension(
            project=project,
            previous_end_on=project.end_on,
            new_end_on=new_end_on,
            reason=reason.strip(),
            requested_on=requested_on,
            requested_by=requested_by,
        )
    )


@transaction.atomic
def extend_project(
    project: Project,
    *,
    new_end_on: datetime.date,
    reason: str,
    decided_on: datetime.date,
    decided_by: User,
    extension: Extension | None = None,
) -> Extension:
    """Move a project's end date, and every open milestone derived from it.

    Milestones due a fixed number of months after the end date (final report,
    final UC, technical completion) move with it; the sanction terms stay.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status in FINISHED_STATUSES:
        raise GrantRuleError(
            f"{project.reference} is {project.get_status_display()}: its end date "
            f"can no longer be extended."
        )
    if extension is not None:
        # Read the request afresh: another officer may have decided it meanwhile.
        extension.refresh_from_db()
        if extension.status != Extension.Status.REQUESTED:
            when = f" on {_date(extension.decided_on)}" if extension.decided_on else ""
            raise GrantRuleError(
                f"This extension request was already "
                f"{extension.get_status_display()}{when}."
            )
    if not reason.strip():
        raise GrantRuleError({"reason": "Record why the extension is approved."})
    if new_end_on <= project.end_on:
        raise GrantRuleError(
            {
                "new_end_on": f"The new end date must be after the current end date, "
                f"{_date(project.end_on)}."
            }
        )
    if extension is None:
        extension = Extension(
            project=project,
            previous_end_on=project.end_on,
            requested_on=decided_on,
            reason=reason.strip(),
        )
    extension.new_end_on = new_end_on
    extension.status = Extension.Status.APPROVED
    extension.decided_on = decided_on
    extension.decided_by = decided_by
    extension.decision_comment = reason.strip()
    _save(extension)

    project.end_on = new_end_on
    project.status = Project.Status.EXTENDED
    _save(project, update_fields=["end_on", "status", "updated_at"])
    for milestone in project.milestones.open().filter(months_after_end__isnull=False):
        milestone.due_on = new_end_on + relativedelta(months=milestone.months_after_end)
        _save(milestone, update_fields=["due_on"])
    return extension


@transaction.atomic
def approve_extension(
    extension: Extension, *, decided_on: datetime.date, decided_by: User, comment: str
) -> Extension:
    """Approve a requested extension: the project's end date moves."""
    return extend_project(
        extension.project,
        new_end_on=extension.new_end_on,
        reason=comment or extension.reason,
        decided_on=decided_on,
        decided_by=decided_by,
        extension=extension,
    )


@transaction.atomic
def close_project(
    project: Project,
    *,
    closed_on: datetime.date,
    unspent_refunded: int,
    interest_refunded: int,
    refund_reference: str,
    asset_disposition: str,
) -> Project:
    """Close a completed project once its final paperwork and refunds are in.

    Needs the final report and the final UC accepted, and the unspent balance and
    unremitted interest the final UC shows refunded (GFR 230(8), 230(16)).
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status == Project.Status.CLOSED:
        raise GrantRuleError(f"{project.reference} is already closed.")
    if project.status == Project.Status.TERMINATED:
        raise GrantRuleError(f"{project.reference} was terminated, not completed.")
    if project.status != Project.Status.COMPLETED and closed_on <= project.end_on:
        raise GrantRuleError(
            f"{project.reference} runs until {_date(project.end_on)}: it can be "
            f"closed once it is technically completed or has ended."
        )
    missing = []
    final_report_met = project.milestones.filter(
        kind=Milestone.Kind.FINAL_REPORT,
        status__in=[Milestone.Status.ACCEPTED, Milestone.Status.WAIVED],
    ).exists()
    if not final_report_met:
        missing.append("the final technical report is not accepted")
    final_uc = (
        project.certificates.accepted()
        .filter(kind=UtilisationCertificate.Kind.FINAL)
        .order_by("-period_end")
        .first()
    )
    if final_uc is None:
        missing.append("the final utilisation certificate is not accepted")
    if missing:
        raise GrantRuleError(
            f"{project.reference} cannot be closed: {' and '.join(missing)}."
        )
    shortfall = final_uc.closing_balance - unspent_refunded
    if shortfall > 0:
        raise GrantRuleError(
            {
                "unspent_refunded": f"The final UC shows an unspent balance of "
                f"{_rupees(final_uc.closing_balance)}; {_rupees(unspent_refunded)} "
                f"refunded leaves {_rupees(shortfall)} to refund."
            }
        )
    if interest_refunded < final_uc.unremitted_interest:
        raise GrantRuleError(
            {
                "interest_refunded": f"The final UC shows "
                f"{_rupees(final_uc.unremitted_interest)} of interest not yet "
                f"remitted; it must be refunded before closure (GFR 230(8))."
            }
        )
    if (unspent_refunded or interest_refunded) and not refund_reference.strip():
        raise GrantRuleError(
            {"refund_reference": "Record the challan or UTR of the refund."}
        )
    if not asset_disposition.strip():
        raise GrantRuleError(
            {
                "asset_disposition": "Record what happens to the assets bought from "
                "the grant (GFR 230(9), 233)."
            }
        )
    project.status = Project.Status.CLOSED
    project.closed_on = closed_on
    project.unspent_refunded = unspent_refunded
    project.interest_refunded = interest_refunded
    project.refund_reference = refund_reference.strip()
    project.asset_disposition = asset_disposition.strip()
    _save(project)
    return project
