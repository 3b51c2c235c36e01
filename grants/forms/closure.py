"""The closure form: the refund, why it differs if it does, and each asset's fate.

Input validation only: ``services.check_closure`` and ``services.close_project``
decide the rules, and their refusals are filed under these fields (an asset's
under ``asset_<pk>_disposition`` and ``asset_<pk>_sale_proceeds``).
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.forms import MAX_RUPEES, TOO_LARGE, DayField, TypedTextField
from grants.models import Asset


def rupees_field(label, **kwargs):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_RUPEES,
        error_messages={"max_value": TOO_LARGE},
        **kwargs,
    )


class CloseProjectForm(forms.Form):
    closed_on = DayField(label=_("Closed on"), initial=timezone.localdate, done=True)
    unspent_refunded = rupees_field(_("Unspent balance refunded (Rs)"), initial=0)
    interest_refunded = rupees_field(
        _("Interest refunded (Rs)"),
        initial=0,
        help_text=_(
            "At least the interest the final UC shows earned and not remitted "
            "(GFR 230(8)). Together with the unspent balance it makes up the final "
            "UC's closing balance."
        ),
    )
    refund_reference = TypedTextField(
        label=_("Challan / UTR of the refund"), max_length=60, required=False
    )
    refund_difference_reason = TypedTextField(
        label=_("Why the refund differs from the final UC (if it does)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed only when the refund is not the final UC's closing balance, or "
            "the interest refunded is less than its unremitted interest."
        ),
    )
    asset_disposition = TypedTextField(
        label=_("Disposition of assets: summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What happens to the assets bought from the grant (GFR 230(9), 233). "
            "Left blank, it is written from each asset's disposition below; with no "
            "asset on the register, say so here."
        ),
    )

    def __init__(self, *args, assets=(), **kwargs):
        """Ask a disposition for each of ``assets`` (those not yet disposed of)."""
        super().__init__(*args, **kwargs)
        self.assets = list(assets)
        choices = [("", _("— choose —")), *Asset.Disposition.choices]
        for asset in self.assets:
            self.fields[f"asset_{asset.pk}_disposition"] = forms.ChoiceField(
                label=_("Disposition"), choices=choices, required=False
            )
            self.fields[f"asset_{asset.pk}_sale_proceeds"] = rupees_field(
                _("Sale proceeds (Rs)"), required=False
            )
            self.fields[f"asset_{asset.pk}_note"] = TypedTextField(
                label=_("Note"), required=False, max_length=500
            )

    def asset_rows(self):
        """Each asset with its three bound fields, for the template."""
        return [
            {
                "asset": asset,
                "disposition": self[f"asset_{asset.pk}_disposition"],
                "sale_proceeds": self[f"asset_{asset.pk}_sale_proceeds"],
                "note": self[f"asset_{asset.pk}_note"],
            }
            for asset in self.assets
        ]

    def main_fields(self):
        return [self[name] for name in self.base_fields]

    def clean(self):
        cleaned = super().clean()
        cleaned["asset_dispositions"] = {
            asset.pk: (
                cleaned.get(f"asset_{asset.pk}_disposition") or "",
                cleaned.get(f"asset_{asset.pk}_note") or "",
                cleaned.get(f"asset_{asset.pk}_sale_proceeds") or 0,
            )
            for asset in self.assets
        }
        return cleaned
