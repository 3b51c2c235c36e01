"""Staff decisions on what grantees submit: progress reports and certificates."""

from grants.forms import staff as forms
from grants.models import ProgressReport, UtilisationCertificate
from grants.views.staff.actions import ActionView


class ReportAcceptView(ActionView):
    model = ProgressReport
    form_class = forms.DecideForm
    permission_required = "grants.decide_report"
    service = "accept_progress_report"
    title = "Accept a progress report"
    button = "Accept the report"
    section = "reports"
    template_name = "grants/staff/review_action.html"
    success_message = "{object} accepted."

    related = ("milestone__project",)

    @property
    def project(self):
        return self.object.milestone.project


class ReportReturnView(ReportAcceptView):
    form_class = forms.ReturnForm
    service = "return_progress_report"
    title = "Return a progress report"
    button = "Return it to the grantee"
    success_message = "{object} returned to the grantee with the reason given."


class CertificateAcceptView(ActionView):
    model = UtilisationCertificate
    form_class = forms.DecideForm
    permission_required = "grants.decide_certificate"
    service = "accept_certificate"
    # A certificate's acceptance carries no comment; its return carries the reason.
    service_fields = ("decided_on",)
    title = "Accept a utilisation certificate"
    button = "Accept the certificate"
    section = "certificates"
    template_name = "grants/staff/review_action.html"
    success_message = "{object} accepted."


class CertificateReturnView(CertificateAcceptView):
    form_class = forms.ReturnForm
    service = "return_certificate"
    service_fields = None
    title = "Return a utilisation certificate"
    button = "Return it to the grantee"
    success_message = "{object} returned to the grantee with the reason given."
