"""Forms of the register of fixed assets (Form GFR-22) and of disposals.

Input validation only; ``services.record_asset``, ``request_disposal``,
``approve_disposal`` and ``refuse_disposal`` decide the rules.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.forms import DayField, TypedTextField
from grants.forms.portal import RupeesField, check_file, upload_help
from grants.models import AssetDisposal, BudgetLine
from grants.services.assets import asset_date_problems


class AssetRecordForm(forms.Form):
    """One row of Form GFR-22, in its column order, with the invoice."""

    acquired_on = DayField(label=_("1. Date acquired"))
    particulars = TypedTextField(label=_("2. Particulars of the asset"), max_length=300)
    supplier = TypedTextField(label=_("3. Supplier's name and address"), max_length=300)
    bill_number = TypedTextField(label=_("4. Bill number"), max_length=60)
    bill_date = DayField(label=_("4. Bill date"))
    cost = RupeesField(label=_("5. Cost of the asset (Rs)"))
    location = TypedTextField(label=_("6. Location of the asset"), max_length=200)
    remarks = TypedTextField(
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
        self.project = project
        self.fields["budget_line"].queryset = project.budget_lines.order_by(
            "project_year", "head"
        )
        self.fields["invoice_file"].help_text = upload_help()

    def clean_invoice_file(self):
        return check_file(self.cleaned_data["invoice_file"])

    def clean(self):
        cleaned = super().clean()
        problems = asset_date_problems(
            self.project,
            acquired_on=cleaned.get("acquired_on"),
            bill_date=cleaned.get("bill_date"),
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return cleaned


class DisposalRequestForm(forms.Form):
    """Ask the ministry's prior approval to dispose of one asset (GFR 230(9))."""

    kind = forms.ChoiceField(label=_("How"), choices=AssetDisposal.Kind.choices)
    reason = TypedTextField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    expected_proceeds = RupeesField(
        label=_("Expected proceeds of a sale (Rs)"), required=False, initial=0
    )


class DisposalDecisionForm(forms.Form):
    """Approve or refuse a disposal; the grantee reads the comment."""

    decided_on = DayField(label=_("Decided on"), initial=timezone.localdate, done=True)
    comment = TypedTextField(
        label=_("Comment (required to refuse)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The grantee reads this in the notice."),
    )
