"""A grantee asks the ministry for more time."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import FormView

from grants import services
from grants.forms.portal import ExtensionRequestForm
from grants.models import Extension, Project
from grants.views.common import add_rule_errors
from grants.views.portal.access import PortalObjectMixin, RoleRequiredMixin

# Who may ask: the people who answer for the work.
EXTENSION_REQUESTER_ROLES = services.REPORT_SUBMITTER_ROLES


class ExtensionRequestView(PortalObjectMixin, RoleRequiredMixin, FormView):
    model = Project
    form_class = ExtensionRequestForm
    template_name = "grants/portal/extension_form.html"
    allowed_roles = EXTENSION_REQUESTER_ROLES

    def get_project(self):
        return self.object

    def refusal(self, project):
        return _(
            "Only the principal investigator or a co-investigator of "
            "%(organisation)s can ask for an extension of %(reference)s."
        ) % {"organisation": project.organisation, "reference": project.reference}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.object}

    def get_context_data(self, **kwargs):
        project = self.object
        return super().get_context_data(
            project=project,
            waiting=project.extensions.awaiting_decision().first(),
            earlier=project.extensions.decided().order_by("-decided_on"),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            extension: Extension = services.request_extension(
                self.object,
                new_end_on=form.cleaned_data["new_end_on"],
                reason=form.cleaned_data["reason"],
                requested_on=timezone.localdate(),
                requested_by=self.request.user,
            )
        except services.GrantRuleError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "Your request to extend %(reference)s to %(day)s was sent to the "
                "ministry. You will be told of its decision by e-mail and on this page."
            )
            % {
                "reference": self.object.reference,
                "day": date_format(extension.new_end_on, "d M Y"),
            },
        )
        return redirect("portal:project-detail", pk=self.object.pk)
