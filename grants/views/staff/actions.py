"""The one shape of every staff decision: a form, a permission and a service.

An action view declares what it acts on (``model``, ``related``), the form,
the permission, the service it calls (by name in ``grants.services``), which of
the form's fields the service takes and the keyword that names the acting user.
GET shows the form on a page of its own; POST calls the service once. A
``GrantRuleError`` from the service is shown on the form with the user's input
kept, and nothing is written (every service is one transaction).
"""

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from grants import services
from grants.views.common import add_rule_errors
from grants.views.staff.access import StaffRequiredMixin


class ActionView(StaffRequiredMixin, PermissionRequiredMixin, FormView):
    """A staff decision on one object through one service."""

    template_name = "grants/staff/action_form.html"
    raise_exception = True
    model = None
    # What the page and the success URL read besides the object itself.
    related = ("project",)
    title = ""
    button = _("Save")
    # The project page's section to return to.
    section = ""
    # The name of the function in ``grants.services`` that makes the decision;
    # looked up when called, so the service stays the one place the rule lives.
    service = ""
    # The service's keyword for the acting user (decided_by, released_by, ...).
    actor = "decided_by"
    # The form fields passed to the service; None passes every field.
    service_fields = None
    # What the user is told, a translated text with named placeholders filled
    # from ``message_values``: ``%(object)s`` is the object acted on.
    success_message = _("%(object)s saved.")

    @cached_property
    def object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_queryset(self):
        return self.model.objects.select_related(*self.related)

    @property
    def project(self):
        return self.object.project

    def get_success_url(self):
        url = reverse("staff:project-detail", args=[self.project.pk])
        return f"{url}#{self.section}" if self.section else url

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object,
            project=self.project,
            title=self.title,
            button=self.button,
            back_url=self.get_success_url(),
            **kwargs,
        )

    def service_arguments(self, data) -> dict:
        """The keyword arguments of the service call, from the form's data."""
        fields = data if self.service_fields is None else self.service_fields
        return {
            **{name: data[name] for name in fields},
            self.actor: self.request.user,
        }

    def perform(self, data):
        """Call the service with the form's data; return the success message."""
        result = getattr(services, self.service)(
            self.object, **self.service_arguments(data)
        )
        return self.describe(result)

    def message_values(self, result) -> dict:
        """The named values ``success_message`` may use; ``result`` is the service's."""
        return {"object": self.object}

    def describe(self, result) -> str:
        """Say what was decided, for the message shown after the redirect."""
        return self.success_message % self.message_values(result)

    def form_valid(self, form):
        try:
            message = self.perform(form.cleaned_data)
        except services.GrantRuleError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(self.get_success_url())
