"""A disposal request decided by the ministry: approve it, or refuse it with a reason.

The register itself is a staff table (``tables.AssetRegisterView``).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grants import services
from grants.forms.assets import DisposalDecisionForm
from grants.models import AssetDisposal
from grants.views.staff.actions import ActionView


class AssetDisposalDecisionView(ActionView):
    model = AssetDisposal
    form_class = DisposalDecisionForm
    template_name = "grants/staff/asset_disposal.html"
    permission_required = "grants.decide_asset_disposal"
    related = ("asset__project__organisation", "asset__budget_line", "requested_by")
    title = _("Decide an asset's disposal")

    @property
    def project(self):
        return self.object.asset.project

    def get_success_url(self):
        return reverse("staff:asset-register")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            disposal=self.object, asset=self.object.asset, **kwargs
        )

    def perform(self, data):
        approve = self.request.POST.get("decision") == "approve"
        service = services.approve_disposal if approve else services.refuse_disposal
        disposal = service(
            self.object,
            decided_on=data["decided_on"],
            decided_by=self.request.user,
            comment=data["comment"],
        )
        message = (
            _("Disposal of %(asset)s approved.")
            if approve
            else _("Disposal of %(asset)s refused.")
        )
        return message % {"asset": disposal.asset.particulars}
