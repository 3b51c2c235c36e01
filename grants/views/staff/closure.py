"""Closing a project in two steps: enter the figures, read the reconciliation, confirm.

The first POST checks every rule (``services.check_closure``, which writes
nothing) and shows the confirmation page: the final UC's closing balance and
interest, the refund entered and the difference, the reason, what is waived or
still open, and each asset's disposition. Only the POST from that page, which
carries ``confirm``, calls ``services.close_project``.
"""

from functools import cached_property

from django.utils.translation import gettext_lazy as _

from grants import services
from grants.formatting import format_date
from grants.forms.closure import CloseProjectForm
from grants.models import Asset, Project
from grants.reads import closure as reads
from grants.views.common import add_rule_errors
from grants.views.staff.actions import ActionView

SERVICE_FIELDS = (
    "closed_on",
    "unspent_refunded",
    "interest_refunded",
    "refund_reference",
    "refund_difference_reason",
    "asset_disposition",
    "asset_dispositions",
)


class ProjectCloseView(ActionView):
    model = Project
    form_class = CloseProjectForm
    template_name = "grants/staff/project_close.html"
    confirm_template_name = "grants/staff/project_close_confirm.html"
    permission_required = "grants.close_project"
    service = "close_project"
    actor = "closed_by"
    service_fields = SERVICE_FIELDS
    related = ("organisation",)
    title = _("Close a project")
    button = _("Check the reconciliation")
    section = "overview"
    success_message = _("%(reference)s closed on %(date)s.")

    @property
    def project(self):
        return self.object

    def message_values(self, result):
        return {
            "reference": result.reference,
            "date": format_date(result.closed_on, "d M Y"),
        }

    @cached_property
    def assets(self) -> reads.ClosureAssets:
        return reads.closure_assets(self.object)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "assets": self.assets.to_decide}

    def get_context_data(self, **kwargs):
        project = self.object
        return super().get_context_data(
            final_uc=reads.final_certificate(project),
            open_items=reads.open_paperwork(project),
            waived=reads.waived_paperwork(project),
            disposed_assets=self.assets.disposed,
            **kwargs,
        )

    def form_valid(self, form):
        if "confirm" in self.request.POST:
            return super().form_valid(form)
        if "edit" in self.request.POST:
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        arguments = {name: data[name] for name in SERVICE_FIELDS}
        try:
            reconciliation = services.check_closure(self.object, **arguments)
        except services.GrantRuleError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        labels = dict(Asset.Disposition.choices)
        chosen = [
            {
                "asset": asset,
                "disposition": labels[data["asset_dispositions"][asset.pk][0]],
                "note": data["asset_dispositions"][asset.pk][1],
                "sale_proceeds": data["asset_dispositions"][asset.pk][2],
            }
            for asset in self.assets.to_decide
        ]
        self.template_name = self.confirm_template_name
        return self.render_to_response(
            self.get_context_data(
                form=form,
                reconciliation=reconciliation,
                chosen=chosen,
                data=data,
            )
        )
