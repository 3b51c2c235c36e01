"""A grantee asks to move money between budget heads, and sees what was decided."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView

from grants import services
from grants.forms.reappropriations import ReappropriationRequestForm
from grants.models import Membership, Project
from grants.reads.money import budget_table
from grants.services.reappropriations import move_label, project_years
from grants.views.common import add_rule_errors
from grants.views.portal.access import PortalObjectMixin, RoleRequiredMixin

# Who may ask: the people who answer for the work and for the money.
REAPPROPRIATION_REQUESTER_ROLES = frozenset(
    {
        Membership.Role.PRINCIPAL_INVESTIGATOR,
        Membership.Role.CO_INVESTIGATOR,
        Membership.Role.FINANCE_OFFICER,
    }
)


class ReappropriationView(PortalObjectMixin, RoleRequiredMixin, FormView):
    """The project's budget, its re-appropriation requests, and a form to ask."""

    model = Project
    form_class = ReappropriationRequestForm
    template_name = "grants/portal/reappropriations.html"
    allowed_roles = REAPPROPRIATION_REQUESTER_ROLES

    def get_queryset(self):
        return super().get_queryset().select_related("organisation", "scheme")

    def get_project(self):
        return self.object

    def refusal(self, project):
        return _(
            "Only the principal investigator, a co-investigator or the finance "
            "officer of %(organisation)s can ask to move money between the budget "
            "heads of %(reference)s."
        ) % {"organisation": project.organisation, "reference": project.reference}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "years": project_years(self.object)}

    def get_context_data(self, **kwargs):
        project = self.object
        requests = list(
            project.reappropriations.select_related(
                "requested_by", "decided_by"
            ).order_by("-requested_on", "-pk")
        )
        for reappropriation in requests:
            reappropriation.move = move_label(reappropriation)
        return super().get_context_data(
            project=project,
            budget=budget_table(list(project.budget_lines.all())),
            requests=requests,
            threshold=project.scheme.reappropriation_threshold_percent,
            may_ask=project.status not in services.FINISHED_STATUSES,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            reappropriation = services.request_reappropriation(
                self.object,
                **form.cleaned_data,
                requested_on=timezone.localdate(),
                requested_by=self.request.user,
            )
        except services.GrantRuleError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        if reappropriation.needs_finance:
            message = _(
                "Your request to move %(move)s was sent to the ministry. It is above "
                "the scheme's threshold, so the ministry's finance officer decides. "
                "You will be told of the decision by e-mail and on this page."
            )
        else:
            message = _(
                "Your request to move %(move)s was sent to the ministry. The programme "
                "officer decides. You will be told of the decision by e-mail and on "
                "this page."
            )
        messages.success(self.request, message % {"move": move_label(reappropriation)})
        return redirect("portal:reappropriations", pk=self.object.pk)
