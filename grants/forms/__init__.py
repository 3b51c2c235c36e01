"""Forms of the staff workspace and the grantee portal: input validation only."""

# No grant comes near Rs 1,00,000 crore: a larger figure is a slip, and refusing it
# on the form keeps it from overflowing the 64-bit money columns (a server error).
MAX_RUPEES = 10**12

from django import forms  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

TOO_LARGE = _("That is more than any grant: check the figure.")

# Dates are typed and shown day first, 02-12-2026, on every form: never the
# browser's own date picker, whose order follows the browser's language (a
# month-first 12/02/2026 in an English-US browser). ISO dates (2026-12-02), as links
# and scripts send them, and 02/12/2026 or 02 Dec 2026 are accepted too.
DAY_FORMAT = "%d-%m-%Y"
DAY_INPUT_FORMATS = ["%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %b %Y"]


class DayInput(forms.DateInput):
    """A text box for a date written day first: DD-MM-YYYY."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={
                "placeholder": "DD-MM-YYYY",
                "inputmode": "numeric",
                "autocomplete": "off",
                "class": "day",
                **(attrs or {}),
            },
            format=DAY_FORMAT,
        )


class DayField(forms.DateField):
    """A date typed day first; the error says how to write it."""

    widget = DayInput
    input_formats = DAY_INPUT_FORMATS
    default_error_messages = {
        "invalid": _("Enter the date day first, as DD-MM-YYYY: for example 02-12-2026.")
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Day first: DD-MM-YYYY."))
        super().__init__(**kwargs)
