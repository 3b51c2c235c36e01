"""A project's life after sanction: extensions (closure is in ``closure``)."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from grants.formatting import is_blank
from grants.models import Extension, Project, User
from grants.reads.extensions import extension_moves
from grants.services.common import (
    GrantRuleError,
    _date,
    _save,
    in_default_language,
)
from grants.services.dates import check_dated, extension_end_problem
from grants.services.notices import tell_extension_decision

# Extension and closure ------------------------------------------------------------

# A project in one of these states has ended: its end date no longer moves.
FINISHED_STATUSES = (
    Project.Status.COMPLETED,
    Project.Status.CLOSED,
    Project.Status.TERMINATED,
)


def _finished(project: Project) -> str:
    return _("%(reference)s is %(status)s: its end date can no longer be extended.") % {
        "reference": project.reference,
        "status": project.get_status_display(),
    }


def _already_decided(extension: Extension) -> str:
    words = {"status": extension.get_status_display()}
    if extension.decided_on:
        return _("This extension request was already %(status)s on %(day)s.") % {
            **words,
            "day": _date(extension.decided_on),
        }
    return _("This extension request was already %(status)s.") % words


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
        raise GrantRuleError(_finished(project))
    if is_blank(reason):
        raise GrantRuleError({"reason": _("Say why the extension is needed.")})
    waiting = project.extensions.awaiting_decision().order_by("requested_on").first()
    if waiting is not None:
        raise GrantRuleError(
            _(
                "The extension request of %(requested)s (to %(end)s) is still "
                "waiting for the ministry's decision: one request at a time."
            )
            % {
                "requested": _date(waiting.requested_on),
                "end": _date(waiting.new_end_on),
            }
        )
    if problem := extension_end_problem(project, new_end_on):
        raise GrantRuleError({"new_end_on": problem})
    check_dated("requested_on", requested_on, not_before=project.sanctioned_on)
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
        raise GrantRuleError(_finished(project))
    if extension is not None:
        # Read the request afresh: another officer may have decided it meanwhile.
        extension.refresh_from_db()
        if extension.status != Extension.Status.REQUESTED:
            raise GrantRuleError(_already_decided(extension))
    if is_blank(reason):
        raise GrantRuleError({"reason": _("Record why the extension is approved.")})
    if problem := extension_end_problem(project, new_end_on):
        raise GrantRuleError({"new_end_on": problem})
    check_dated(
        "decided_on",
        decided_on,
        asked_on=extension.requested_on if extension is not None else None,
        not_before=project.sanctioned_on,
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
    with in_default_language():
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
    # What moves is read once, as the decision page showed it.
    moves = extension_moves(project, new_end_on=new_end_on)
    for move in moves.milestones:
        move.row.due_on = move.new
        _save(move.row, reason=why, by=decided_by, update_fields=["due_on"])
    for move in moves.instalments:
        move.row.planned_on = move.new
        _save(
            move.row,
            reason=f"{why}; planned date moved with the milestones it waits for",
            by=decided_by,
            update_fields=["planned_on"],
        )
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
    if is_blank(comment):
        raise GrantRuleError(
            {"comment": _("Say why the extension is refused: the grantee sees it.")}
        )
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != Extension.Status.REQUESTED:
        raise GrantRuleError(_already_decided(extension))
    check_dated("decided_on", decided_on, asked_on=extension.requested_on)
    extension.status = Extension.Status.REJECTED
    extension.decided_on = decided_on
    extension.decided_by = decided_by
    extension.decision_comment = comment.strip()
    _save(extension, reason=f"Rejected: {comment.strip()}", by=decided_by)
    tell_extension_decision(extension, decided_by=decided_by)
    return extension
