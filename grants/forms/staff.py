"""Forms of the staff workspace's actions: input validation only.

Each action view passes ``cleaned_data`` to one service; the service decides the
business rule and its ``GrantRuleError`` is mapped back onto these forms.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.forms import DayField, TypedTextField
from grants.services.dates import due_date_problem


def today_field(label, **kwargs):
    return DayField(label=label, initial=timezone.localdate, done=True, **kwargs)


def reason_field(label, help_text="", required=True):
    return TypedTextField(
        label=label,
        required=required,
        help_text=help_text,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(forms.Form):
    """Accept a report or certificate, with an optional comment."""

    decided_on = today_field(_("Decided on"))
    comment = reason_field(_("Comment (optional)"), required=False)


class AcceptCertificateForm(DecideForm):
    """Accept a certificate: its acceptance carries no comment, its return a reason."""

    comment = None


class ReturnForm(forms.Form):
    """Return a report or certificate: the grantee sees the reason."""

    decided_on = today_field(_("Decided on"))
    reason = reason_field(
        _("Reason for returning"),
        _("The grantee sees this: say what to correct and resubmit."),
    )


class ReleaseForm(forms.Form):
    released_on = today_field(_("Released on"))
    release_order_number = TypedTextField(
        label=_("Release order number"), max_length=60
    )
    override_reason = reason_field(
        _("Override reason"),
        _(
            "A rule or condition of this release is not met (listed above): say why "
            "the money goes out anyway. Recorded in the audit history and on the "
            "release."
        ),
    )
    low_utilisation_note = reason_field(
        _("Low-utilisation note"),
        _(  # xgettext:no-python-format
            "The covering UC shows under 75% utilisation: say why the release goes "
            "ahead."
        ),
    )

    def __init__(self, *args, require_override=False, require_note=False, **kwargs):
        """Ask for the override reason or the note only when the release needs it."""
        super().__init__(*args, **kwargs)
        if not require_override:
            del self.fields["override_reason"]
        if not require_note:
            del self.fields["low_utilisation_note"]

    def clean(self):
        data = super().clean()
        data.setdefault("override_reason", "")
        data.setdefault("low_utilisation_note", "")
        return data


class RecommendForm(forms.Form):
    recommended_on = today_field(_("Recommended on"))


class WaiveForm(forms.Form):
    decided_on = today_field(_("Waived on"))
    reason = reason_field(_("Why is it waived?"))


class RemindNowForm(forms.Form):
    # A fresh key per page view: a double click or a resubmitted form sends once.
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RescheduleForm(forms.Form):
    new_due_on = DayField(label=_("New due date"))
    reason = reason_field(_("Why does the due date move?"))

    def __init__(self, *args, project=None, **kwargs):
        """``project``, when given, keeps the date within its closing period."""
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_new_due_on(self):
        new_due_on = self.cleaned_data["new_due_on"]
        if self.project is not None and (
            problem := due_date_problem(self.project, new_due_on)
        ):
            raise ValidationError(problem)
        return new_due_on


class ExtensionApprovalForm(forms.Form):
    decided_on = today_field(_("Approved on"))
    comment = reason_field(
        _("Decision comment"),
        _("Recorded with the approval; blank uses the grantee's reason."),
        required=False,
    )


class ExtensionRejectionForm(forms.Form):
    decided_on = today_field(_("Rejected on"))
    comment = reason_field(
        _("Reason for rejecting"), _("The grantee reads this in the notice: say why.")
    )


class ConditionMetForm(forms.Form):
    """Mark a free-text release condition as met, saying how."""

    met_on = today_field(_("Met on"))
    note = reason_field(
        _("How it was met"),
        _("Kept against the condition and shown to finance before the release."),
    )
