"""Files a grantee uploads: against a project, or a report or certificate in review."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView

from grants import services
from grants.forms.portal import DocumentUploadForm
from grants.models import ProgressReport, Project, UtilisationCertificate
from grants.reads.paperwork import certificate_title, report_title
from grants.views.common import add_rule_errors
from grants.views.portal.access import PortalObjectMixin


class DocumentUploadView(PortalObjectMixin, FormView):
    """Upload a file against a project, or one of its reports or certificates.

    Reports and certificates take files while they are under review; after the
    ministry's decision, files go against the project.
    """

    model = Project
    form_class = DocumentUploadForm
    template_name = "grants/portal/document_form.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organisation")

    @cached_property
    def roles(self):
        return services.member_roles(self.request.user, self.object)

    @cached_property
    def targets(self) -> dict[str, object]:
        user = self.request.user
        targets = {"project": None}
        if self.roles & services.REPORT_SUBMITTER_ROLES:
            for report in (
                ProgressReport.objects.visible_to(user)
                .filter(
                    milestone__project=self.object,
                    status=ProgressReport.Status.SUBMITTED,
                )
                .select_related("milestone")
            ):
                targets[f"report-{report.pk}"] = report
        if self.roles & services.CERTIFICATE_SUBMITTER_ROLES:
            for certificate in UtilisationCertificate.objects.visible_to(user).filter(
                project=self.object, status=UtilisationCertificate.Status.SUBMITTED
            ):
                targets[f"certificate-{certificate.pk}"] = certificate
        return targets

    def target_label(self, key, target):
        if target is None:
            return _("The project %(reference)s") % {"reference": self.object.reference}
        if isinstance(target, ProgressReport):
            return _("Report: %(title)s") % {"title": report_title(target)}
        return _("Certificate: %(title)s") % {"title": certificate_title(target)}

    def get_form_kwargs(self):
        choices = [(key, self.target_label(key, t)) for key, t in self.targets.items()]
        return {**super().get_form_kwargs(), "targets": choices}

    def get_initial(self):
        return {
            "attach_to": self.request.GET.get("attach_to", "project"),
            "kind": self.request.GET.get("kind"),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            project=self.object, files_sent=bool(self.request.FILES), **kwargs
        )

    def form_valid(self, form):
        target = self.targets[form.cleaned_data["attach_to"]]
        try:
            services.store_document(
                self.object,
                uploaded_file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                uploaded_by=self.request.user,
                report=target if isinstance(target, ProgressReport) else None,
                certificate=(
                    target if isinstance(target, UtilisationCertificate) else None
                ),
                description=form.cleaned_data["description"],
            )
        except services.GrantRuleError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The file was uploaded."))
        return redirect(
            reverse("portal:project-detail", args=[self.object.pk]) + "#documents"
        )
