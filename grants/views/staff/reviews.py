"""Staff decisions on what grantees submit: progress reports and certificates."""

from functools import cached_property

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from grants.forms import staff as forms
from grants.models import Document, ProgressReport, UtilisationCertificate
from grants.reads.reviews import (
    CERTIFICATE_FIELDS,
    REPORT_FIELDS,
    certificate_versions,
    report_versions,
    since_returned,
    story,
)
from grants.views.staff.access import StaffRequiredMixin
from grants.views.staff.actions import ActionView


class ReportAcceptView(ActionView):
    model = ProgressReport
    form_class = forms.DecideForm
    permission_required = "grants.decide_report"
    service = "accept_progress_report"
    title = _("Accept a progress report")
    button = _("Accept the report")
    section = "reports"
    template_name = "grants/staff/review_action.html"
    success_message = _("%(object)s accepted.")

    related = ("milestone__project",)

    @property
    def project(self):
        return self.object.milestone.project

    def get_success_url(self):
        return reverse("staff:report-detail", args=[self.object.pk])


class ReportReturnView(ReportAcceptView):
    form_class = forms.ReturnForm
    service = "return_progress_report"
    title = _("Return a progress report")
    button = _("Return it to the grantee")
    success_message = _("%(object)s returned to the grantee with the reason given.")


class CertificateAcceptView(ActionView):
    model = UtilisationCertificate
    form_class = forms.DecideForm
    permission_required = "grants.decide_certificate"
    service = "accept_certificate"
    # A certificate's acceptance carries no comment; its return carries the reason.
    service_fields = ("decided_on",)
    title = _("Accept a utilisation certificate")
    button = _("Accept the certificate")
    section = "certificates"
    template_name = "grants/staff/review_action.html"
    success_message = _("%(object)s accepted.")

    def get_success_url(self):
        return reverse("staff:certificate-detail", args=[self.object.pk])


class CertificateReturnView(CertificateAcceptView):
    form_class = forms.ReturnForm
    service = "return_certificate"
    service_fields = None
    title = _("Return a utilisation certificate")
    button = _("Return it to the grantee")
    success_message = _("%(object)s returned to the grantee with the reason given.")


# Reading before deciding ------------------------------------------------------------


class SubmissionReviewView(StaffRequiredMixin, DetailView):
    """One submission as staff read it, with its versions, story and the decision.

    The accept and return forms post to the action views above, which come back
    here; a return without a reason is shown on the return page with the error.
    """

    context_object_name = "item"
    fields = ()
    permission = ""
    accept_url = return_url = ""

    @cached_property
    def versions(self):
        """Every version of the submission, the first first, with its files."""
        return self.read_versions(self.object)

    def get_context_data(self, **kwargs):
        item = self.object
        versions = self.versions
        may_decide = (
            item.status == item.AWAITING_DECISION
            and self.request.user.has_perm(self.permission)
        )
        return super().get_context_data(
            project=self.project,
            versions=versions,
            changes=since_returned(item, versions, self.fields),
            earlier=[version for version in versions if version.pk != item.pk],
            events=story(versions),
            may_decide=may_decide,
            accept_form=forms.DecideForm(),
            return_form=forms.ReturnForm(),
            accept_url=reverse(self.accept_url, args=[item.pk]),
            return_url=reverse(self.return_url, args=[item.pk]),
            today=timezone.localdate(),
            **kwargs,
        )


class ReportReviewView(SubmissionReviewView):
    template_name = "grants/staff/report_review.html"
    queryset = ProgressReport.objects.select_related(
        "milestone__project__organisation", "submitted_by", "decided_by"
    )
    fields = REPORT_FIELDS
    permission = "grants.decide_report"
    accept_url, return_url = "staff:report-accept", "staff:report-return"

    @property
    def project(self):
        return self.object.milestone.project

    read_versions = staticmethod(report_versions)


class CertificateReviewView(SubmissionReviewView):
    template_name = "grants/staff/certificate_review.html"
    queryset = UtilisationCertificate.objects.select_related(
        "project__organisation", "submitted_by", "decided_by"
    )
    fields = CERTIFICATE_FIELDS
    permission = "grants.decide_certificate"
    accept_url, return_url = "staff:certificate-accept", "staff:certificate-return"

    @property
    def project(self):
        return self.object.project

    read_versions = staticmethod(certificate_versions)

    def get_context_data(self, **kwargs):
        item = self.object
        current = next(v for v in self.versions if v.pk == item.pk)
        signed = [
            document
            for document in current.documents.all()
            if document.kind == Document.Kind.SIGNED_UC
        ]
        return super().get_context_data(current=current, signed_copies=signed, **kwargs)
