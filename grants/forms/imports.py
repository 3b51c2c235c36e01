"""The import's upload form: the workbook checked at the door, by its content."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from grants import uploads


class WorkbookUploadForm(forms.Form):
    workbook = forms.FileField(
        label=_("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workbook"].help_text = _(
            "An Excel workbook in the template's layout, up to %(size)s. Macros, "
            "passwords and links to other files are refused."
        ) % {"size": filesizeformat(settings.IMPORT_MAX_BYTES)}

    def clean_workbook(self):
        workbook = self.cleaned_data["workbook"]
        try:
            uploads.check_upload(
                workbook, allowed=(uploads.XLSX,), max_bytes=settings.IMPORT_MAX_BYTES
            )
        except uploads.UploadRefused as refusal:
            raise ValidationError(refusal.messages, code="refused") from refusal
        return workbook
