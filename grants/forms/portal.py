"""Forms of the grantee portal: input validation only; the services decide the rest.

Uploaded files are checked here by their content (``grants.uploads``) so that a
refused file shows as a field error next to everything else wrong with the form;
the services check them again before anything is written.
"""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grants import uploads
from grants.formatting import format_inr, is_blank
from grants.forms import (
    MAX_RUPEES,
    TOO_LARGE,
    DayField,
    TypedTextField,
    is_possible_id,
)
from grants.models import Document, ProgressReport, UtilisationCertificate
from grants.services import CertificateFigures
from grants.services.certificate_rules import period_problems
from grants.services.dates import extension_end_problem, report_period_problems
from grants.services.paperwork import OUTPUT_CEILINGS, count_problem


def upload_help() -> str:
    """Say which files an upload field takes."""
    return gettext(
        "%(types)s, up to %(size)s each. The type is read from the file's content, "
        "not its name."
    ) % {
        "types": uploads.describe_types(),
        "size": filesizeformat(settings.UPLOAD_MAX_BYTES),
    }


def check_file(uploaded_file, *, allowed=uploads.ALLOWED_TYPES):
    """Return the file if its content is allowed; raise a field error if not."""
    try:
        uploads.check_upload(uploaded_file, allowed=allowed)
    except uploads.UploadRefused as refusal:
        raise ValidationError(refusal.messages, code="refused") from refusal
    return uploaded_file


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type="file" multiple>``; a list when clean."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class RupeesInput(forms.TextInput):
    """A money box that shows whole rupees grouped the Indian way: 14,08,000."""

    def format_value(self, value):
        if isinstance(value, int):
            return format_inr(value)
        return super().format_value(value)


class RupeesField(forms.IntegerField):
    """Whole rupees; accepts the way people write them: 26,40,000 or Rs 26,40,000."""

    default_error_messages = {
        "invalid": _("Enter whole rupees, like 26,40,000."),
        "min_value": _("An amount cannot be negative."),
        "max_value": TOO_LARGE,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_RUPEES)
        kwargs.setdefault(
            "widget", RupeesInput(attrs={"inputmode": "numeric", "class": "money"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"(?i)^\s*(₹|rs\.?|inr)\s*", "", value)
            value = re.sub(r"[,\s\u00a0]", "", value)
            value = re.sub(r"\.0*$", "", value)
        return super().to_python(value)


class ProgressReportForm(forms.ModelForm):
    """A progress report against a milestone, with its attachments."""

    attachments = MultipleFileField(required=False, label=_("Attachments"))
    period_start = DayField(
        label=_("Period from"),
        error_messages={"required": _("Enter the first day of the period.")},
    )
    period_end = DayField(
        label=_("Period to"),
        error_messages={"required": _("Enter the last day of the period.")},
    )

    class Meta:
        model = ProgressReport
        fields = [
            "period_start",
            "period_end",
            "narrative",
            "trl_now",
            "publications",
            "patents_filed",
            "prototypes",
            "technologies_transferred",
            "people_trained",
        ]
        labels = {
            "period_start": _("Period from"),
            "period_end": _("Period to"),
            "narrative": _("Progress in the period"),
            "trl_now": _("Technology readiness level (TRL) now"),
            "publications": _("Publications"),
            "patents_filed": _("Patents filed"),
            "prototypes": _("Prototypes"),
            "technologies_transferred": _("Technologies transferred"),
            "people_trained": _("People trained"),
        }
        help_texts = {
            "narrative": _(
                "Work done, results, deviations from the plan and the plan for the "
                "next period."
            ),
            "trl_now": _("From 1 (basic principles) to 9 (proven in operation)."),
        }
        error_messages = {
            "narrative": {"required": _("Describe the progress made in the period.")},
            "period_start": {"required": _("Enter the first day of the period.")},
            "period_end": {"required": _("Enter the last day of the period.")},
            "trl_now": {"required": _("Enter the TRL now, from 1 to 9.")},
        }
        widgets = {
            "narrative": forms.Textarea(attrs={"rows": 10}),
            "trl_now": forms.NumberInput(attrs={"min": 1, "max": 9}),
        }

    def __init__(self, *args, project=None, **kwargs):
        """``project``, when given, bounds the period by its start and end dates."""
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["attachments"].help_text = upload_help()
        for name, ceiling in OUTPUT_CEILINGS.items():
            self.fields[name].widget.attrs.update({"min": 0, "max": ceiling})

    def clean_narrative(self):
        narrative = self.cleaned_data["narrative"]
        if is_blank(narrative):
            raise ValidationError(_("Describe the progress made in the period."))
        return narrative.strip()

    def clean_attachments(self):
        return [check_file(item) for item in self.cleaned_data["attachments"]]

    def clean(self):
        cleaned = super().clean()
        for name, ceiling in OUTPUT_CEILINGS.items():
            value = cleaned.get(name)
            if value is not None and (problem := count_problem(value, ceiling=ceiling)):
                self.add_error(name, problem)
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        elif start and end and self.project is not None:
            problems = report_period_problems(
                self.project,
                period_start=start,
                period_end=end,
                submitted_on=timezone.localdate(),
            )
            for field, message in problems.items():
                self.add_error(field, message)
        return cleaned

    def report_fields(self) -> dict:
        """The cleaned fields as ``services.submit_progress_report`` takes them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class InstalmentChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        # A number no row can have is refused before the database is asked (it
        # would overflow the database's integer); anything else, as Django does.
        for item in value:
            if not is_possible_id(item):
                try:
                    int(str(item).strip())
                except ValueError:
                    break  # not a number at all: Django's own message says so
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)

    def label_from_instance(self, instalment):
        return gettext(
            "Instalment %(number)s: release order %(order)s of %(day)s, %(amount)s"
        ) % {
            "number": instalment.sequence,
            "order": instalment.release_order_number,
            "day": date_format(instalment.released_on, "d M Y"),
            "amount": f"₹\u00a0{format_inr(instalment.amount)}",
        }


FIGURE_FIELDS = (
    "opening_balance",
    "interest_earned",
    "interest_remitted",
    "grant_received",
    "expenditure",
    "closing_balance",
    "expenditure_general",
    "expenditure_salary",
    "expenditure_capital",
)


class UtilisationCertificateForm(forms.Form):
    """A UC in the columns of Form GFR 12-A, with the signed PDF."""

    kind = forms.ChoiceField(
        label=_("Kind of certificate"),
        choices=[
            (value, capfirst(label))
            for value, label in UtilisationCertificate.Kind.choices
        ],
    )
    period_start = DayField(label=_("Period from"))
    period_end = DayField(
        label=_("Period to"),
        help_text=_(
            "Day first, DD-MM-YYYY. For a provisional certificate, the date it "
            "is made “as on”."
        ),
    )
    opening_balance = RupeesField(label=_("1. Opening unspent balance"))
    interest_earned = RupeesField(label=_("2. Interest earned on the grant"))
    interest_remitted = RupeesField(
        label=_("3. Interest remitted to the Consolidated Fund"),
        help_text=_("GFR 230(8): interest earned on grants is remitted, not spent."),
    )
    received_instalments = InstalmentChoiceField(
        label=_("4. Grants received in the period"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick every release received in the period (sanction number, date)."
        ),
    )
    grant_received = RupeesField(
        label=_("4. Total grant received"),
        help_text=_("The total of the releases ticked above."),
    )
    expenditure_general = RupeesField(label=_("Grant-in-aid – General"), required=False)
    expenditure_salary = RupeesField(label=_("Grant-in-aid – Salary"), required=False)
    expenditure_capital = RupeesField(
        label=_("Grant-in-aid – Creation of capital assets"), required=False
    )
    expenditure = RupeesField(
        label=_("6. Expenditure incurred"),
        help_text=_("The three components above add up to this figure."),
    )
    closing_balance = RupeesField(
        label=_("7. Closing unspent balance"),
        help_text="1 + 2 − 3 + 4 − 6.",
    )
    targets_achieved = TypedTextField(
        label=_("Targets achieved"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "GFR 238(1): whether the quantified targets for the period were met."
        ),
    )
    gap_reason = TypedTextField(
        label=_("Why the period does not follow on from the previous certificate"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed only when the period starts later than the day after the "
            "previous certificate ends (or, for the first certificate, after the "
            "project's first day): say why the time between is not covered."
        ),
    )
    signed_copy = forms.FileField(
        label=_("Signed certificate (PDF)"),
        help_text=_(
            "The certificate signed by the head of finance and the head of the "
            "organisation, scanned as one PDF."
        ),
        error_messages={"required": _("Attach the signed certificate as a PDF.")},
    )

    def __init__(self, *args, releases, project=None, **kwargs):
        """``project``, when given, bounds the period by its life and today."""
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["received_instalments"].queryset = releases

    def clean_signed_copy(self):
        signed_copy = self.cleaned_data["signed_copy"]
        if not signed_copy:
            # Only when printing the form to sign: the field is required otherwise.
            return None
        return check_file(signed_copy, allowed=(uploads.PDF,))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        elif start and end and self.project is not None:
            problems = period_problems(
                self.project,
                period_start=start,
                period_end=end,
                submitted_on=timezone.localdate(),
            )
            for field, message in problems.items():
                self.add_error(field, message)
        required = FIGURE_FIELDS[:6]
        if all(cleaned.get(name) is not None for name in required):
            for field, message in self.figures().errors().items():
                if field not in self.errors:
                    self.add_error(field, message)
        return cleaned

    def figures(self) -> CertificateFigures:
        return CertificateFigures(
            **{name: self.cleaned_data.get(name) for name in FIGURE_FIELDS}
        )


class CertificatePeriodForm(forms.Form):
    """The kind and period a certificate form is pre-filled for (from the query)."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=UtilisationCertificate.Kind.choices, required=False
    )
    period_start = DayField(label=_("From"), required=False)
    period_end = DayField(label=_("To"), required=False)


class DocumentUploadForm(forms.Form):
    """A file kept against a project, or one of its reports or certificates."""

    KINDS = [
        (kind.value, capfirst(kind.label))
        for kind in (
            Document.Kind.REPORT_ATTACHMENT,
            Document.Kind.STATEMENT_OF_EXPENDITURE,
            Document.Kind.AUDITED_SOE,
            Document.Kind.SIGNED_UC,
            Document.Kind.OTHER,
        )
    ]

    file = forms.FileField(
        label=_("File"), error_messages={"required": _("Choose the file to upload.")}
    )
    kind = forms.ChoiceField(label=_("What it is"), choices=KINDS)
    attach_to = forms.ChoiceField(label=_("Attach to"))
    description = TypedTextField(label=_("Description"), max_length=255, required=False)

    def __init__(self, *args, targets, **kwargs):
        """``targets`` is a list of (value, label) pairs: 'project', 'report-<pk>'..."""
        super().__init__(*args, **kwargs)
        self.fields["attach_to"].choices = targets
        self.fields["file"].help_text = upload_help()

    def clean_file(self):
        return check_file(self.cleaned_data["file"])

    def clean(self):
        cleaned = super().clean()
        kind, target = cleaned.get("kind"), cleaned.get("attach_to", "")
        if kind == Document.Kind.SIGNED_UC and not target.startswith("certificate-"):
            self.add_error(
                "attach_to",
                _("Attach a signed certificate to the certificate it signs."),
            )
        upload = cleaned.get("file")
        if kind == Document.Kind.SIGNED_UC and upload is not None:
            try:
                check_file(upload, allowed=(uploads.PDF,))
            except ValidationError as error:
                self.add_error("file", error)
        return cleaned


class ExtensionRequestForm(forms.Form):
    """A grantee asks for more time: the new end date, and why."""

    new_end_on = DayField(
        label=_("New end date"),
        help_text=_("Day first, DD-MM-YYYY: the date the project should end instead."),
    )
    reason = TypedTextField(
        label=_("Why more time is needed"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "What slipped, why, and what the extra months are for. The "
            "ministry reads this when it decides; no additional funds are implied."
        ),
    )

    def __init__(self, *args, project=None, **kwargs):
        """``project``, when given, bounds the new end date by its current one."""
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_new_end_on(self):
        new_end_on = self.cleaned_data["new_end_on"]
        if self.project is not None and (
            problem := extension_end_problem(self.project, new_end_on)
        ):
            raise ValidationError(problem)
        return new_end_on
