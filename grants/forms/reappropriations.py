"""Forms of re-appropriation: a grantee's request and the ministry's decision.

Input validation only: whether the line holds the amount, who decides and what
moves are the services' rules (``grants.services.reappropriations``).
"""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from grants.forms import TypedTextField
from grants.forms.portal import RupeesField
from grants.forms.staff import reason_field, today_field
from grants.models import BudgetLine

HEAD_CHOICES = [(value, capfirst(label)) for value, label in BudgetLine.Head.choices]


def year_choices(years: int) -> list[tuple[int, str]]:
    return [(year, _("Year %(year)s") % {"year": year}) for year in range(1, years + 1)]


class ReappropriationRequestForm(forms.Form):
    """A grantee asks to move an amount from one budget line to another."""

    from_head = forms.ChoiceField(label=_("Move from head"), choices=HEAD_CHOICES)
    from_year = forms.TypedChoiceField(label=_("Of project year"), coerce=int)
    to_head = forms.ChoiceField(label=_("To head"), choices=HEAD_CHOICES)
    to_year = forms.TypedChoiceField(label=_("Of project year"), coerce=int)
    amount = RupeesField(
        label=_("Amount to move (Rs)"),
        help_text=_("Whole rupees, like 2,50,000."),
        error_messages={
            "invalid": _("Enter whole rupees, like 2,50,000."),
            "required": _("Enter the amount to move."),
        },
    )
    reason = TypedTextField(
        label=_("Why the money is needed under the other head"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What changed since the sanction, and what the money will buy or pay "
            "for. The ministry reads this when it decides."
        ),
        error_messages={"required": _("Say why the money is needed.")},
    )

    def __init__(self, *args, years: int, **kwargs):
        """Offer the project's years, 1 to ``years``."""
        super().__init__(*args, **kwargs)
        self.fields["from_year"].choices = year_choices(years)
        self.fields["to_year"].choices = year_choices(years)


class ReappropriationApprovalForm(forms.Form):
    decided_on = today_field(_("Approved on"))
    comment = reason_field(
        _("Decision comment"),
        _("Recorded with the move and sent to the grantee, if you give one."),
        required=False,
    )


class ReappropriationRejectionForm(forms.Form):
    decided_on = today_field(_("Rejected on"))
    comment = reason_field(
        _("Reason for rejecting"), _("The grantee reads this in the notice: say why.")
    )
