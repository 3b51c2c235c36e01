"""A project's register of fixed assets (Form GFR-22), as its grantee keeps it.

Every member of the organisation reads the register; the principal investigator
and the finance officer record assets and ask to dispose of them
(``services.ASSET_KEEPER_ROLES``). Invoices are downloaded only through the
permission-checked document view.
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from grants import services
from grants.forms.assets import AssetRecordForm, DisposalRequestForm
from grants.models import Asset, AssetDisposal, Project
from grants.reads import registers_assets
from grants.reads.closure import is_disposed
from grants.views.common import add_rule_errors
from grants.views.paper import PdfMixin, document_filename
from grants.views.portal.access import PortalObjectMixin, refused


class AssetRegisterView(PortalObjectMixin, TemplateView):
    model = Project
    template_name = "grants/portal/assets.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organisation")

    @cached_property
    def may_keep(self) -> bool:
        roles = services.member_roles(self.request.user, self.object)
        return bool(roles & services.ASSET_KEEPER_ROLES)

    def register(self):
        disposals = AssetDisposal.objects.select_related("decided_by").order_by(
            "requested_on", "pk"
        )
        assets = list(
            Asset.objects.visible_to(self.request.user)
            .filter(project=self.object)
            .select_related("invoice", "budget_line")
            .prefetch_related(Prefetch("disposals", queryset=disposals))
            .order_by("acquired_on", "pk")
        )
        for asset in assets:
            asset.requests = list(asset.disposals.all())
            asset.is_disposed = is_disposed(asset)
            asset.may_ask = not asset.is_disposed and not any(
                request.status == AssetDisposal.Status.REQUESTED
                for request in asset.requests
            )
        return assets

    def get_context_data(self, *, form=None, disposal_form=None, **kwargs):
        project = self.object
        assets = self.register()
        for asset in assets:
            if disposal_form is not None and disposal_form.prefix == self.prefix(asset):
                asset.disposal_form = disposal_form
            else:
                asset.disposal_form = DisposalRequestForm(prefix=self.prefix(asset))
        return super().get_context_data(
            project=project,
            assets=assets,
            may_keep=self.may_keep,
            is_closed=project.status == Project.Status.CLOSED,
            form=form or AssetRecordForm(project=project),
            files_sent=bool(self.request.FILES),
            **kwargs,
        )

    @staticmethod
    def prefix(asset) -> str:
        return f"disposal-{asset.pk}"

    def post(self, request, *args, **kwargs):
        project = self.object
        if not self.may_keep:
            return refused(request, services.refusal_for_assets(project), project)
        if request.POST.get("action") == "dispose":
            return self.ask_disposal()
        form = AssetRecordForm(request.POST, request.FILES, project=project)
        if form.is_valid():
            try:
                asset = services.record_asset(
                    project,
                    **form.cleaned_data,
                    recorded_on=timezone.localdate(),
                    recorded_by=request.user,
                )
            except services.GrantRuleError as error:
                add_rule_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(asset)s is on the register of assets.")
                    % {"asset": asset.particulars},
                )
                return redirect("portal:assets", pk=project.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def ask_disposal(self):
        request = self.request
        # Only a number can name an asset; anything else names none of this
        # project's, so it is a 404 like another organisation's asset.
        asset_id = request.POST.get("asset", "")
        if not asset_id.isdigit():
            raise Http404
        asset = get_object_or_404(
            Asset.objects.filter(project=self.object), pk=int(asset_id)
        )
        form = DisposalRequestForm(request.POST, prefix=self.prefix(asset))
        if form.is_valid():
            try:
                services.request_disposal(
                    asset,
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                    expected_proceeds=form.cleaned_data["expected_proceeds"] or 0,
                    requested_on=timezone.localdate(),
                    requested_by=request.user,
                )
            except services.GrantRuleError as error:
                add_rule_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your request to dispose of %(asset)s was sent to the "
                        "ministry. You will be told of its decision by e-mail and "
                        "on this page."
                    )
                    % {"asset": asset.particulars},
                )
                return redirect("portal:assets", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(disposal_form=form))


class AssetRegisterPdfView(PortalObjectMixin, PdfMixin, TemplateView):
    """The project's register as Form GFR 22 on paper, for the grantee's files."""

    model = Project
    template_name = "paper/asset_register.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organisation")

    def get_filename(self) -> str:
        return document_filename("register-of-fixed-assets", self.object.reference)

    def get_context_data(self, **kwargs):
        register = registers_assets.asset_register(
            Asset.objects.visible_to(self.request.user), project=self.object
        )
        return super().get_context_data(
            register=register,
            project=self.object,
            today=timezone.localdate(),
            illustrative=register.illustrative,
            **kwargs,
        )
