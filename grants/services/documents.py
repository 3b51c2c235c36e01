"""Grantees' files, submissions that carry files, and the calendar feed's secret.

A file is checked by its content (``grants.uploads``) and written through the
default storage, which keeps it outside the web root under a random name; only
the permission-checked download view serves it. A submission and its files are
one transaction: a refused file leaves no report or certificate behind.
"""

import datetime
import secrets
import uuid
from collections.abc import Iterable, Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from grants import uploads
from grants.formatting import written_text
from grants.models import (
    Document,
    Instalment,
    Membership,
    Milestone,
    ProgressReport,
    Project,
    User,
    UtilisationCertificate,
)
from grants.services.common import (
    GrantRuleError,
    _date,
    _rupees,
    _save,
    in_default_language,
)
from grants.services.paperwork import (
    CertificateFigures,
    submit_certificate,
    submit_progress_report,
)

# Who in a grantee organisation may submit what.
REPORT_SUBMITTER_ROLES = frozenset(
    {Membership.Role.PRINCIPAL_INVESTIGATOR, Membership.Role.CO_INVESTIGATOR}
)
CERTIFICATE_SUBMITTER_ROLES = frozenset(
    {Membership.Role.PRINCIPAL_INVESTIGATOR, Membership.Role.FINANCE_OFFICER}
)


def member_roles(user: User, project: Project) -> set[str]:
    """Return the roles the user holds in the project's organisation, if active."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.active()
        .filter(user=user, organisation_id=project.organisation_id)
        .order_by()
        .values_list("role", flat=True)
    )


def refusal_for_certificates(project: Project) -> str:
    """Say who may submit a project's utilisation certificates."""
    return _(
        "Only the principal investigator or the finance officer of "
        "%(organisation)s can submit utilisation certificates for %(reference)s."
    ) % {"organisation": project.organisation, "reference": project.reference}


def refusal_for_reports(project: Project) -> str:
    """Say who may submit a project's progress reports."""
    return _(
        "Only the principal investigator or a co-investigator of %(organisation)s "
        "can submit progress reports for %(reference)s."
    ) % {"organisation": project.organisation, "reference": project.reference}


def _require_role(user, project, roles, refusal):
    if not member_roles(user, project) & roles:
        raise GrantRuleError(refusal(project), code="role")


def _under(field: str, error: GrantRuleError) -> GrantRuleError:
    """Return the error's messages filed under one form field."""
    if hasattr(error, "error_dict"):
        messages = [m for ms in error.message_dict.values() for m in ms]
    else:
        messages = error.messages
    return GrantRuleError({field: messages})


def _remove_files(documents: Iterable[Document]):
    for document in documents:
        document.file.delete(save=False)


@transaction.atomic
def store_document(
    project: Project,
    *,
    uploaded_file: UploadedFile,
    kind: str,
    uploaded_by: User | None,
    report: ProgressReport | None = None,
    certificate: UtilisationCertificate | None = None,
    description: str = "",
) -> Document:
    """Check an uploaded file by its content and keep it against a project.

    A refused file raises ``GrantRuleError`` with the reason under ``file``. The
    file is stored under a random name; its sanitised original name is kept for
    display and download. If the row cannot be written the file is removed; a
    caller whose own transaction fails afterwards removes it the same way
    (``document.file.delete(save=False)``), as the submissions below do.
    """
    if report is not None and report.milestone.project_id != project.pk:
        raise GrantRuleError(_("That report belongs to another project."))
    if certificate is not None and certificate.project_id != project.pk:
        raise GrantRuleError(_("That certificate belongs to another project."))
    allowed = uploads.ALLOWED_TYPES
    if kind == Document.Kind.SIGNED_UC:
        if certificate is None:
            raise GrantRuleError(
                {"kind": _("A signed certificate is uploaded against its certificate.")}
            )
        allowed = (uploads.PDF,)
    try:
        checked = uploads.check_upload(uploaded_file, allowed=allowed)
    except uploads.UploadRefused as refusal:
        raise GrantRuleError({"file": refusal.messages}) from refusal
    document = Document(
        project=project,
        report=report,
        certificate=certificate,
        kind=kind,
        original_name=checked.name,
        content_type=checked.file_type.content_type,
        size=checked.size,
        description=written_text(description),
        uploaded_by=uploaded_by,
    )
    stored_name = f"{uuid.uuid4().hex}.{checked.file_type.extension}"
    document.file.save(stored_name, uploaded_file, save=False)
    try:
        _save(document)
    except BaseException:
        _remove_files([document])
        raise
    return document


def submit_report_with_attachments(
    milestone: Milestone,
    *,
    attachments: Sequence[UploadedFile] = (),
    submitted_on: datetime.date,
    submitted_by: User,
    **report: object,
) -> ProgressReport:
    """Submit a progress report and its attachments, all or nothing.

    Only the principal investigator or a co-investigator may submit. The report's
    fields go to ``services.submit_progress_report``; a refused attachment raises
    ``GrantRuleError`` under ``attachments`` and nothing is kept.
    """
    _require_role(
        submitted_by, milestone.project, REPORT_SUBMITTER_ROLES, refusal_for_reports
    )
    stored = []
    try:
        with transaction.atomic():
            progress_report = submit_progress_report(
                milestone,
                submitted_on=submitted_on,
                submitted_by=submitted_by,
                **report,
            )
            for attachment in attachments:
                try:
                    document = store_document(
                        milestone.project,
                        uploaded_file=attachment,
                        kind=Document.Kind.REPORT_ATTACHMENT,
                        uploaded_by=submitted_by,
                        report=progress_report,
                    )
                except GrantRuleError as error:
                    raise _under("attachments", error) from error
                stored.append(document)
    except BaseException:
        _remove_files(stored)
        raise
    return progress_report


def _check_releases(
    project: Project,
    *,
    kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    grant_received: int,
    releases: Sequence[Instalment],
):
    """Column 4 of GFR 12-A: the releases listed must be the grant received.

    An annual or final UC lists the releases made in its period; a provisional
    one, every release up to its "as on" date.
    """
    problems = []
    for instalment in releases:
        if instalment.project_id != project.pk or instalment.released_on is None:
            problems.append(
                _("Instalment %(sequence)s is not a release of %(reference)s.")
                % {"sequence": instalment.sequence, "reference": project.reference}
            )
            continue
        # A provisional UC is cumulative: every release up to its "as on" date.
        cumulative = kind == UtilisationCertificate.Kind.PROVISIONAL
        if instalment.released_on > period_end:
            problems.append(
                _(
                    "Instalment %(sequence)s was released on %(released)s, after "
                    "the period ends on %(end)s: untick it, a later certificate "
                    "counts it."
                )
                % {
                    "sequence": instalment.sequence,
                    "released": _date(instalment.released_on),
                    "end": _date(period_end),
                }
            )
        elif not cumulative and instalment.released_on < period_start:
            problems.append(
                _(
                    "Instalment %(sequence)s was released on %(released)s, before "
                    "the period starts on %(start)s."
                )
                % {
                    "sequence": instalment.sequence,
                    "released": _date(instalment.released_on),
                    "start": _date(period_start),
                }
            )
    if problems:
        raise GrantRuleError({"received_instalments": problems})
    listed = sum(instalment.amount for instalment in releases)
    if listed != grant_received:
        difference = grant_received - listed
        words = {"listed": _rupees(listed), "off": _rupees(abs(difference))}
        if difference > 0:
            message = _(
                "Grant received should be %(listed)s, the total of the releases "
                "ticked; the figure entered is %(off)s too high."
            )
        else:
            message = _(
                "Grant received should be %(listed)s, the total of the releases "
                "ticked; the figure entered is %(off)s too low."
            )
        raise GrantRuleError({"grant_received": message % words})


def submit_certificate_with_signed_copy(
    project: Project,
    *,
    kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    figures: CertificateFigures,
    received_instalments: Sequence[Instalment],
    signed_copy: UploadedFile,
    submitted_on: datetime.date,
    submitted_by: User,
    milestone: Milestone | None = None,
    targets_achieved: str = "",
    gap_reason: str = "",
) -> UtilisationCertificate:
    """Submit a utilisation certificate with its signed PDF, all or nothing.

    Only the principal investigator or the finance officer may submit. The
    releases in column 4 must add up to the grant received and fall in the
    period (for a provisional UC, up to its "as on" date). A refused file
    raises ``GrantRuleError`` under ``signed_copy`` and nothing is kept.
    """
    _require_role(
        submitted_by, project, CERTIFICATE_SUBMITTER_ROLES, refusal_for_certificates
    )
    if problems := figures.errors():
        raise GrantRuleError(problems)
    _check_releases(
        project,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        grant_received=figures.grant_received,
        releases=received_instalments,
    )
    stored = []
    try:
        with transaction.atomic():
            certificate = submit_certificate(
                project,
                kind=kind,
                period_start=period_start,
                period_end=period_end,
                figures=figures,
                submitted_on=submitted_on,
                submitted_by=submitted_by,
                milestone=milestone,
                targets_achieved=written_text(targets_achieved),
                gap_reason=gap_reason,
            )
            certificate.received_instalments.set(received_instalments)
            with in_default_language():
                description = f"Signed {certificate}"
            try:
                stored.append(
                    store_document(
                        project,
                        uploaded_file=signed_copy,
                        kind=Document.Kind.SIGNED_UC,
                        uploaded_by=submitted_by,
                        certificate=certificate,
                        description=description,
                    )
                )
            except GrantRuleError as error:
                raise _under("signed_copy", error) from error
    except BaseException:
        _remove_files(stored)
        raise
    return certificate


# Calendar feed ---------------------------------------------------------------------


def regenerate_calendar_token(user: User) -> str:
    """Give the user a new secret calendar feed address; the old one stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


def revoke_calendar_token(user: User) -> None:
    """Switch the user's calendar feed off: its address stops working."""
    user.calendar_token = None
    user.save(update_fields=["calendar_token"])
