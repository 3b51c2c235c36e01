"""The form that makes an API token on the account page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.forms import TypedTextField
from grants.services.api_tokens import LIFETIMES


class ApiTokenForm(forms.Form):
    name = TypedTextField(
        label=_("What the token is for"),
        max_length=80,
        help_text=_("For example “release reconciliation script”."),
        error_messages={"required": _("Say what the token is for.")},
    )
    lifetime_days = forms.TypedChoiceField(
        label=_("It stops working after"),
        choices=list(LIFETIMES.items()),
        coerce=int,
        initial=90,
    )
