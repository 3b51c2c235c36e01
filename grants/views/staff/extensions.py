"""Extension requests: the work queue, one request, and its decision."""

from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from grants.forms import staff as forms
from grants.models import Extension
from grants.reads.extensions import extension_moves
from grants.views.staff.access import StaffRequiredMixin
from grants.views.staff.actions import ActionView

RECENTLY_DECIDED = 20


def _with_project(queryset):
    return queryset.select_related(
        "project__organisation", "requested_by", "decided_by"
    )


class ExtensionListView(StaffRequiredMixin, ListView):
    """The requests waiting for a decision, the longest waiting first."""

    template_name = "grants/staff/extension_list.html"
    context_object_name = "waiting"

    def get_queryset(self):
        return _with_project(Extension.objects.awaiting_decision()).order_by(
            "requested_on", "pk"
        )

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        context = super().get_context_data(**kwargs)
        for extension in context["waiting"]:
            extension.days_waiting = (today - extension.requested_on).days
        context["decided"] = _with_project(Extension.objects.recently_decided())[
            :RECENTLY_DECIDED
        ]
        return context


class ExtensionDetailView(StaffRequiredMixin, DetailView):
    """One request: the reason, the dates, what will move; approve or reject."""

    template_name = "grants/staff/extension_detail.html"
    context_object_name = "extension"
    queryset = _with_project(Extension.objects.all())

    def get_context_data(self, **kwargs):
        extension = self.object
        today = timezone.localdate()
        moves = extension_moves(extension.project, new_end_on=extension.new_end_on)
        waiting = extension.status == Extension.Status.REQUESTED
        return super().get_context_data(
            project=extension.project,
            moves=moves,
            months=relativedelta(extension.new_end_on, extension.previous_end_on),
            days_waiting=(today - extension.requested_on).days if waiting else None,
            may_decide=waiting
            and self.request.user.has_perm("grants.approve_extension"),
            approve_form=forms.ExtensionApprovalForm(),
            reject_form=forms.ExtensionRejectionForm(),
            today=today,
            **kwargs,
        )


class ExtensionDecisionMixin:
    model = Extension
    permission_required = "grants.approve_extension"
    template_name = "grants/staff/action_form.html"

    def get_success_url(self):
        return reverse("staff:extension-detail", args=[self.object.pk])


class ExtensionRejectView(ExtensionDecisionMixin, ActionView):
    form_class = forms.ExtensionRejectionForm
    service = "reject_extension"
    title = _("Reject an extension")
    button = _("Reject the extension")
    success_message = _("Extension of %(reference)s rejected; the grantee is told why.")

    def message_values(self, result):
        return {"reference": self.object.project.reference}
