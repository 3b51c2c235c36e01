"""Forms of the register of fixed assets (Form GFR-22) and of disposals.

Input validation only; ``services.record_asset``, ``request_disposal``,
``approve_disposal`` and ``refuse_disposal`` decide the rules.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.forms import DayField
from grants.forms.portal import RupeesField, check_file, upload_help
from grants.models import AssetDisposal, BudgetLine


class AssetRecordForm(forms.Form):
    """One row of Form GFR-22, in its column order, with the invoice."""

    acquired_on = DayField(label=_("1. Date acquired"))
    particulars = forms.CharField(
        label=_("2. Particulars of the asset"), max_length=300
    )
    supplier = forms.CharField(
        label=_("3. Supplier's name and address"), max_length=300
    )
    bill_number = forms.CharField(label=_("4. Bill number"), max_length=60)
    bill_date = DayField(label=_("4. Bill date"))
    cost = RupeesField(label=_("5. Cost of the asset (Rs)"))
    location = forms.CharField(label=_("6. Location of the asset"), max_length=200)
    remarks = forms.CharField(
        label=_("7. Remarks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    budget_line = forms.ModelChoiceField(
        label=_("Funded from"),
        queryset=BudgetLine.objects.none(),
        required=False,
        empty_label=_("— budget head and year —"),
    )
    invoice_file = forms.FileField(
        label=_("Invoice"),
        error_messages={"required": _("Choose the invoice to upload.")},
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = project.budget_lines.order_by(
            "project_year", "head"
        )
        self.fields["invoice_file"].help_text = upload_help()

    def clean_invoice_file(self):
        return check_file(self.cleaned_data["invoice_file"])


class DisposalRequestForm(forms.Form):
    """Ask the ministry's prior approval to dispose of one asset (GFR 230(9))."""

    kind = forms.ChoiceField(label=_("How"), choices=AssetDisposal.Kind.choices)
    reason = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    expected_proceeds = RupeesField(
        label=_("Expected proceeds of a sale (Rs)"), required=False, initial=0
    )


class DisposalDecisionForm(forms.Form):
    """Approve or refuse a disposal; the grantee reads the comment."""

    decided_on = DayField(label=_("Decided on"), initial=timezone.localdate)
    comment = forms.CharField(
        label=_("Comment (required to refuse)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The grantee reads this in the notice."),
    )
