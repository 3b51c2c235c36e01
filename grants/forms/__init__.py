"""Forms of the staff workspace and the grantee portal: input validation only."""

# No grant comes near Rs 1,00,000 crore: a larger figure is a slip, and refusing it
# on the form keeps it from overflowing the 64-bit money columns (a server error).
MAX_RUPEES = 10**12

from django import forms  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from grants.formatting import is_blank  # noqa: E402

# Every date typed is first kept within 2000-2099: a year typed 0001 or 9999 is a
# slip, refused before any rule of the project is asked. The rules that know the
# project (its start and end, today) are in grants.services.dates.
from grants.services.dates import after_today, out_of_range  # noqa: E402

TOO_LARGE = _("That is more than any grant: check the figure.")


# Dates are typed and shown day first, 02-12-2026, on every form: never the
# browser's own date picker, whose order follows the browser's language (a
# month-first 12/02/2026 in an English-US browser). ISO dates (2026-12-02), as links
# and scripts send them, and 02/12/2026 or 02 Dec 2026 are accepted too.
DAY_FORMAT = "%d-%m-%Y"
# The largest id a row can have (a 64-bit key): a bigger number names no row, and
# would overflow the database's integer before the lookup could say so.
MAX_ID = 2**63 - 1


def is_possible_id(value) -> bool:
    """Whether ``value`` could be a row's id: a whole number from 1 to ``MAX_ID``."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return False
    return 1 <= number <= MAX_ID


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

    def __init__(self, *, done=False, **kwargs):
        """``done``: the date of something done (a decision, a release), so today
        or earlier."""
        kwargs.setdefault("help_text", _("Day first: DD-MM-YYYY."))
        super().__init__(**kwargs)
        self.done = done

    def validate(self, value):
        super().validate(value)
        if not value:
            return
        if problem := out_of_range(value):
            raise ValidationError(problem, code="out_of_range")
        if self.done and value > timezone.localdate():
            raise ValidationError(after_today(), code="after_today")


class TypedTextField(forms.CharField):
    """Free text a person types: a narrative, a reason, a comment, a title.

    Text that shows nothing once whitespace and invisible characters (zero-width
    spaces, direction marks, other format and control characters) are removed is
    no text: a required field refuses it with its own "required" message, an
    optional one keeps nothing. Any other text is kept as typed, with the
    whitespace around it removed.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value not in self.empty_values and is_blank(value):
            return self.empty_value
        return value
