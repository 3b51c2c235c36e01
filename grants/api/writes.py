"""What the API writes: a grantee's report or certificate, staff's decision on it.

Each goes through the page's own form (``form_input``) and the page's own service,
so the same General Financial Rules hold and a refusal says the same words. What
a member may submit follows their role, as in the portal; a decision needs the
permission its page needs.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from grants import services
from grants.api import access, serializers
from grants.api.form_input import form_input, refused
from grants.forms import staff as staff_forms
from grants.forms.portal import ProgressReportForm, UtilisationCertificateForm
from grants.models import Instalment, Milestone

ReportInput = form_input(ProgressReportForm)
CertificateInput = form_input(UtilisationCertificateForm)
DecisionInput = form_input(staff_forms.DecideForm)
CertificateDecisionInput = form_input(staff_forms.AcceptCertificateForm)
ReturnInput = form_input(staff_forms.ReturnForm)


def require_role(user, project, roles, refusal) -> None:
    """Refuse, with the portal's words, a member whose role may not submit this."""
    if not services.member_roles(user, project) & roles:
        raise PermissionDenied(refusal(project))


def require_kind(milestone: Milestone, *, certificate: bool) -> None:
    """Refuse a report to a certificate's milestone, and the other way round."""
    takes_certificate = milestone.kind == Milestone.Kind.UTILISATION_CERTIFICATE
    if takes_certificate and not certificate:
        raise refused(
            services.GrantRuleError(
                _("%(milestone)s asks for a utilisation certificate, not a report.")
                % {"milestone": milestone}
            )
        )
    if certificate and not takes_certificate:
        raise refused(
            services.GrantRuleError(
                _("%(milestone)s asks for a progress report, not a certificate.")
                % {"milestone": milestone}
            )
        )


def require_open(milestone: Milestone) -> None:
    """Refuse, as the portal does before its form, a milestone that takes nothing."""
    if milestone.status not in Milestone.OPEN_STATUSES:
        raise refused(
            services.GrantRuleError(
                _("“%(title)s” is %(status)s: there is nothing to submit for it now.")
                % {"title": milestone.title, "status": milestone.get_status_display()}
            )
        )


def valid_input(view, input_class, **form_kwargs) -> dict:
    """The request body read by the page's form; 400 with its errors if not valid."""
    reader = input_class(
        data=view.request.data,
        context={"request": view.request, "form_kwargs": form_kwargs},
    )
    reader.is_valid(raise_exception=True)
    return reader


def submit_report(view, milestone: Milestone) -> Response:
    user = view.request.user
    require_role(
        user,
        milestone.project,
        services.REPORT_SUBMITTER_ROLES,
        services.refusal_for_reports,
    )
    require_kind(milestone, certificate=False)
    require_open(milestone)
    reader = valid_input(view, ReportInput, project=milestone.project)
    try:
        report = services.submit_report_with_attachments(
            milestone,
            attachments=reader.validated_data["attachments"],
            submitted_on=timezone.localdate(),
            submitted_by=user,
            **reader.form.report_fields(),
        )
    except services.GrantRuleError as error:
        raise refused(error) from error
    return Response(
        serializers.ReportSerializer(report).data, status=status.HTTP_201_CREATED
    )


def submit_certificate(view, project, milestone: Milestone | None = None) -> Response:
    user = view.request.user
    require_role(
        user,
        project,
        services.CERTIFICATE_SUBMITTER_ROLES,
        services.refusal_for_certificates,
    )
    if milestone is not None:
        require_kind(milestone, certificate=True)
        require_open(milestone)
    releases = Instalment.objects.released().filter(project=project)
    reader = valid_input(view, CertificateInput, releases=releases, project=project)
    data = reader.validated_data
    try:
        certificate = services.submit_certificate_with_signed_copy(
            project,
            kind=data["kind"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            figures=reader.form.figures(),
            received_instalments=list(data["received_instalments"]),
            signed_copy=data["signed_copy"],
            submitted_on=timezone.localdate(),
            submitted_by=user,
            milestone=milestone,
            targets_achieved=data["targets_achieved"],
            gap_reason=data["gap_reason"],
        )
    except services.GrantRuleError as error:
        raise refused(error) from error
    return Response(
        serializers.CertificateSerializer(certificate).data,
        status=status.HTTP_201_CREATED,
    )


def decide(view, obj, *, permission, input_class, service, fields, answer):
    """A staff decision through the page's form and service; the object after it."""
    access.require_permission(view.request.user, permission)
    reader = valid_input(view, input_class)
    arguments = {name: reader.validated_data[name] for name in fields}
    try:
        decided = getattr(services, service)(
            obj, decided_by=view.request.user, **arguments
        )
    except services.GrantRuleError as error:
        raise refused(error) from error
    return Response(answer(decided).data)
