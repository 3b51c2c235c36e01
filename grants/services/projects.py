"""A project's life after sanction: extensions and closure."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction

from grants.models import (
    Extension,
    Milestone,
    Project,
    User,
    UtilisationCertificate,
)
from grants.services.common import (
    GrantRuleError,
    _date,
    _rupees,
    _save,
)
from grants.services.notices import tell_closure, tell_extension_decision

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
    waiting = project.extensions.awaiting_decision().order_by("requested_on").first()
    if waiting is not None:
        raise GrantRuleError(
            f"The extension request of {_date(waiting.requested_on)} (to "
            f"{_date(waiting.new_end_on)}) is still waiting for the ministry's "
            f"decision: one request at a time."
        )
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
        ),
        reason=f"Requested: {reason.strip()}",
        by=requested_by,
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
    why = f"Extended to {_date(new_end_on)}: {reason.strip()}"
    _save(extension, reason=why, by=decided_by)

    project.end_on = new_end_on
    project.status = Project.Status.EXTENDED
    _save(
        project,
        reason=why,
        by=decided_by,
        update_fields=["end_on", "status", "updated_at"],
    )
    for milestone in project.milestones.open().filter(months_after_end__isnull=False):
        moved = new_end_on + relativedelta(months=milestone.months_after_end)
        # A returned one keeps its resubmission date if that is later.
        milestone.due_on = max(moved, milestone.due_on)
        _save(milestone, reason=why, by=decided_by, update_fields=["due_on"])
    tell_extension_decision(extension, decided_by=decided_by)
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
def reject_extension(
    extension: Extension, *, decided_on: datetime.date, decided_by: User, comment: str
) -> Extension:
    """Refuse a requested extension, saying why; the end date stays."""
    if not comment.strip():
        raise GrantRuleError(
            {"comment": "Say why the extension is refused: the grantee sees it."}
        )
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != Extension.Status.REQUESTED:
        when = f" on {_date(extension.decided_on)}" if extension.decided_on else ""
        raise GrantRuleError(
            f"This extension request was already "
            f"{extension.get_status_display()}{when}."
        )
    extension.status = Extension.Status.REJECTED
    extension.decided_on = decided_on
    extension.decided_by = decided_by
    extension.decision_comment = comment.strip()
    _save(extension, reason=f"Rejected: {comment.strip()}", by=decided_by)
    tell_extension_decision(extension, decided_by=decided_by)
    return extension


@transaction.atomic
def close_project(
    project: Project,
    *,
    closed_on: datetime.date,
    unspent_refunded: int,
    interest_refunded: int,
    refund_reference: str,
    asset_disposition: str,
    closed_by: User | None = None,
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
    refund = (
        f"refunded under {project.refund_reference}"
        if project.refund_reference
        else "nothing to refund"
    )
    _save(
        project,
        reason=f"Closed on {_date(closed_on)}, {refund}; assets: "
        f"{project.asset_disposition}",
        by=closed_by,
    )
    tell_closure(project, decided_by=closed_by, decided_on=closed_on)
    return project
