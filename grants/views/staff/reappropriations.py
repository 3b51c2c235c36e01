"""Re-appropriation requests: the work queue, one request, and its decision."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from grants import services
from grants.formatting import format_percent
from grants.forms.reappropriations import (
    ReappropriationApprovalForm,
    ReappropriationRejectionForm,
)
from grants.models import Reappropriation
from grants.reads.reappropriations import lines_moved
from grants.services.reappropriations import LARGE_PERMISSION, move_label
from grants.views.staff.access import StaffRequiredMixin
from grants.views.staff.actions import ActionView

RECENTLY_DECIDED = 20
DECIDE_PERMISSION = "grants.decide_reappropriation"


def _with_project(queryset):
    return queryset.select_related(
        "project__organisation", "project__scheme", "requested_by", "decided_by"
    )


def may_decide(user, reappropriation) -> bool:
    """Whether the user may decide this request: finance for one above threshold."""
    if reappropriation.status != Reappropriation.Status.REQUESTED:
        return False
    if reappropriation.needs_finance:
        return user.has_perm(LARGE_PERMISSION)
    return user.has_perm(DECIDE_PERMISSION)


class ReappropriationListView(StaffRequiredMixin, ListView):
    """The requests waiting for a decision, the longest waiting first."""

    template_name = "grants/staff/reappropriation_list.html"
    context_object_name = "waiting"

    def get_queryset(self):
        return _with_project(Reappropriation.objects.awaiting_decision()).order_by(
            "requested_on", "pk"
        )

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        context = super().get_context_data(**kwargs)
        for reappropriation in context["waiting"]:
            reappropriation.days_waiting = (today - reappropriation.requested_on).days
            reappropriation.move = move_label(reappropriation)
        decided = list(
            _with_project(Reappropriation.objects.recently_decided())[:RECENTLY_DECIDED]
        )
        for reappropriation in decided:
            reappropriation.move = move_label(reappropriation)
        context["decided"] = decided
        return context


class ReappropriationDetailView(StaffRequiredMixin, DetailView):
    """One request: the two lines before and after, the threshold; decide it."""

    template_name = "grants/staff/reappropriation_detail.html"
    context_object_name = "reappropriation"
    queryset = _with_project(Reappropriation.objects.all())

    def get_context_data(self, **kwargs):
        reappropriation = self.object
        project = reappropriation.project
        today = timezone.localdate()
        lines = lines_moved(reappropriation, project.budget_lines.all())
        waiting = reappropriation.status == Reappropriation.Status.REQUESTED
        # The share is of the line the decision is judged on: as it stands while
        # the request waits, as it stood before the move once it is approved.
        decided_against = lines[0].now or 0
        if reappropriation.status == Reappropriation.Status.APPROVED:
            decided_against += reappropriation.amount
        if waiting:
            # As the approval will judge it: on the line as it stands now.
            reappropriation.needs_finance = services.is_above_threshold(
                reappropriation.amount,
                line_amount=lines[0].now or 0,
                percent=project.scheme.reappropriation_threshold_percent,
            )
        return super().get_context_data(
            project=project,
            move=move_label(reappropriation),
            lines=lines,
            threshold=project.scheme.reappropriation_threshold_percent,
            share=format_percent(reappropriation.amount, decided_against),
            days_waiting=(
                (today - reappropriation.requested_on).days if waiting else None
            ),
            waiting=waiting,
            may_decide=may_decide(self.request.user, reappropriation),
            approve_form=ReappropriationApprovalForm(),
            reject_form=ReappropriationRejectionForm(),
            today=today,
            **kwargs,
        )


class ReappropriationDecisionMixin:
    model = Reappropriation
    related = ("project__scheme",)
    permission_required = DECIDE_PERMISSION

    def message_values(self, result):
        return {"reference": self.object.project.reference}

    def get_success_url(self):
        return reverse("staff:reappropriation-detail", args=[self.object.pk])


class ReappropriationApproveView(ReappropriationDecisionMixin, ActionView):
    form_class = ReappropriationApprovalForm
    service = "approve_reappropriation"
    title = _("Approve a re-appropriation")
    button = _("Approve the move")
    success_message = _(
        "Re-appropriation approved: the budget of %(reference)s moved; "
        "the grantee is told."
    )


class ReappropriationRejectView(ReappropriationDecisionMixin, ActionView):
    form_class = ReappropriationRejectionForm
    service = "reject_reappropriation"
    title = _("Reject a re-appropriation")
    button = _("Reject the request")
    success_message = _(
        "Re-appropriation for %(reference)s rejected; the grantee is told why."
    )
