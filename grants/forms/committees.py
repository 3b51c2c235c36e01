"""Forms of the member secretary: a meeting, its agenda, attendance, outcomes.

Input validation only: who may record, what an item may name and when outcomes
are dated are the services' rules (``grants.services.committees``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from grants.forms import DayField, TypedTextField
from grants.forms.staff import reason_field, today_field
from grants.models import (
    AgendaItem,
    Extension,
    Instalment,
    Project,
    Reappropriation,
    Recommendation,
    User,
)


def _labels(choices) -> list[tuple[str, str]]:
    return [(value, capfirst(label)) for value, label in choices]


class ScheduleMeetingForm(forms.Form):
    held_on = DayField(label=_("Date of the meeting"))
    starts_at = forms.TimeField(
        label=_("Starts at"),
        required=False,
        help_text=_("24-hour clock, like 10:30."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        help_text=_("Give the place, the link, or both."),
    )

    def clean(self):
        data = super().clean()
        given = data.get("place") or data.get("online_link")
        if not given and "online_link" not in self.errors:
            raise ValidationError(_("Give the place or the online link."))
        return data


class AgendaItemForm(forms.Form):
    """An item on the agenda: one project, and the request or instalment it is about."""

    kind = forms.ChoiceField(label=_("Kind"), choices=_labels(AgendaItem.Kind.choices))
    project = forms.CharField(
        label=_("Project reference"),
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("reference")}),
    )
    extension = forms.ModelChoiceField(
        label=_("Extension request"),
        queryset=Extension.objects.none(),
        required=False,
        help_text=_("For an extension request."),
    )
    reappropriation = forms.ModelChoiceField(
        label=_("Re-appropriation"),
        queryset=Reappropriation.objects.none(),
        required=False,
        help_text=_("For a re-appropriation or cost revision."),
    )
    instalment = forms.IntegerField(
        label=_("Instalment number"),
        min_value=1,
        max_value=99,
        required=False,
        help_text=_("For a release recommendation: the project's instalment number."),
    )
    note = TypedTextField(
        label=_("Note for the members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["extension"].queryset = Extension.objects.filter(
            status=Extension.Status.REQUESTED
        ).select_related("project")
        self.fields["reappropriation"].queryset = Reappropriation.objects.filter(
            status=Reappropriation.Status.REQUESTED
        ).select_related("project")

    def clean_project(self):
        reference = self.cleaned_data["project"].strip()
        project = Project.objects.filter(reference__iexact=reference).first()
        if project is None:
            raise ValidationError(_("No project has this reference."))
        return project

    def clean(self):
        data = super().clean()
        project, number = data.get("project"), data.get("instalment")
        if project is not None and number:
            instalment = Instalment.objects.filter(
                project=project, sequence=number
            ).first()
            if instalment is None:
                self.add_error(
                    "instalment",
                    _("%(reference)s has no instalment %(number)s.")
                    % {"reference": project.reference, "number": number},
                )
            data["instalment"] = instalment
        else:
            data["instalment"] = None
        return data


class AttendanceForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(
        label=_("Members present"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = User.objects.filter(
            committee_seats__committee=committee, committee_seats__is_active=True
        ).order_by("last_name", "first_name", "pk")


class RecommendationForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Recommendation"), choices=_labels(Recommendation.Outcome.choices)
    )
    reasons = reason_field(_("Reasons"))
    conditions = reason_field(
        _("Conditions"),
        _("Required when the project continues with conditions."),
        required=False,
    )
    recorded_on = today_field(_("Recorded on"))


DECISIONS = _labels(
    [
        (choice.value, choice.label)
        for choice in (
            Recommendation.Decision.APPROVED,
            Recommendation.Decision.NOT_APPROVED,
        )
    ]
)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect
    )
    note = reason_field(
        _("Note"), _("Required when it is not approved."), required=False
    )
    decided_on = today_field(_("Decided on"))
