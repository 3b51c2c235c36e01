"""Reading one cell of a workbook when a portfolio is brought in.

openpyxl delivers a cell (read only, cached values) as None, str, int, float,
bool, datetime.datetime, datetime.date or datetime.time. Ministry workbooks write
the same thing many ways: an amount as 93300000, 9,33,00,000, 9.33 crore or
Rs. 45,42,000/-; a date as a date cell, 01.04.2024 or 1/4/2024. Each reader here
takes the forms that can be read exactly and refuses the rest with a
``CellProblem`` saying what is wrong and what would be accepted: nothing is
guessed. Dates are read day first, as Indian offices write them; numerals are
0-9 only, as official use prescribes.

Messages are translated when raised, and never repeat the cell's value: the
import report shows the value found beside them.
"""

import datetime
import math
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel, to_excel

from grants.formatting import CRORE, LAKH, format_date, is_blank

# Years a date or fiscal year of the portfolio can fall in: anything outside is a
# slip (a year typed 0024, a number read as a date).
FIRST_YEAR, LAST_YEAR = 1950, 2100

# No grant comes near Rs 1,00,000 crore: a larger figure is a slip, and would not
# fit the 64-bit money columns. The same limit as the forms'.
MAX_RUPEES = 10**12


class CellProblem(ValueError):
    """What is wrong with a cell, and what would be accepted."""

    def __init__(self, message, *, accepted=""):
        # str(): a lazy text is worded now, in the language of the import.
        super().__init__(str(message))
        self.message = str(message)
        self.accepted = str(accepted)


# What would be accepted, said once for every refusal of a kind: lazy, and worded
# when a problem is raised.
ACCEPTED_TEXT = gettext_lazy("text: format the cell as Text in Excel and type it again")
ACCEPTED_AMOUNT = gettext_lazy(
    "an amount in whole rupees, such as 93300000, 9,33,00,000, 9.33 crore, "
    "93.3 lakh or Rs. 45,42,000/-"
)
ACCEPTED_DATE = gettext_lazy(
    "a date written day first, such as 01.04.2024, 1/4/2024, 1 April 2024 or 2024-04-01"
)
ACCEPTED_NUMBER = gettext_lazy("a whole number, such as 12")
ACCEPTED_EMAIL = gettext_lazy("an e-mail address, such as name@example.gov.in")


# Text ---------------------------------------------------------------------------

# Spaces that do not break become spaces; zero-width spaces, word joiners and
# byte-order marks, which Word and web pages leave behind, go. The zero-width
# non-joiner and joiner (U+200C, U+200D) stay: Devanagari spelling needs them.
SPACES = str.maketrans("\u00a0\u2007\u202f", "   ", "\u200b\u2060\ufeff")


def is_empty(value) -> bool:
    """Whether a cell holds nothing: None, or text that shows nothing."""
    return value is None or (isinstance(value, str) and is_blank(value))


def _cleaned(text: str, *, multiline: bool = False) -> str:
    """Text with its spaces made plain: one line, runs of whitespace made one
    space; or, multiline, lines kept (\\r\\n made \\n) without trailing spaces.

    NFC, so a letter with a nukta (ड़) typed as one character or as two reads the
    same."""
    text = unicodedata.normalize("NFC", text.translate(SPACES))
    if multiline:
        return "\n".join(line.rstrip() for line in text.splitlines()).strip()
    return " ".join(text.split())


def _whole(number) -> int | None:
    """An int, float or Decimal as a whole number, or None if it has a fraction.

    A float is read as Excel shows it, to 15 significant digits: a formula's
    result can carry noise beyond them (=0.1*3 is 0.30000000000000004), and
    Excel neither shows nor compares it.
    """
    if isinstance(number, int):
        return number
    if isinstance(number, float):
        if not math.isfinite(number):
            return None
        if number.is_integer():
            return int(number)
        number = Decimal(format(number, ".15g"))
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_moment(value) -> bool:
    """A date, date and time, or time of day (a datetime is a date too)."""
    return isinstance(value, datetime.date | datetime.time)


def _refuse_kinds(value, accepted, *, moments: bool = True) -> None:
    """Refuse TRUE or FALSE (a bool is an int too), and a date or time unless
    ``moments`` is False. What was expected is in ``accepted``."""
    if isinstance(value, bool):
        raise CellProblem(_("This cell holds TRUE or FALSE."), accepted=accepted)
    if moments and _is_moment(value):
        raise CellProblem(_("This cell holds a date or time."), accepted=accepted)


def read_text(value, *, max_length: int | None = None, multiline: bool = False) -> str:
    """Text as it is kept; an empty cell is "".

    A number is text when it is whole (a reference typed 123 arrives as 123 or
    123.0); a number with a fraction, a date or TRUE/FALSE is refused, since
    writing it out would invent a form nobody typed.
    """
    if is_empty(value):
        return ""
    _refuse_kinds(value, ACCEPTED_TEXT)
    if isinstance(value, str):
        text = _unquoted(_cleaned(value, multiline=multiline))
    elif _is_number(value) and _whole(value) is not None:
        text = str(_whole(value))
    else:
        raise CellProblem(
            _("This cell holds a number with a fraction where text was expected."),
            accepted=ACCEPTED_TEXT,
        )
    if max_length is not None and len(text) > max_length:
        raise CellProblem(
            _("This text is %(length)s characters long; at most %(limit)s fit.")
            % {"length": len(text), "limit": max_length},
            accepted=_("text of at most %(limit)s characters") % {"limit": max_length},
        )
    return text


def _unquoted(text: str) -> str:
    """Text as it was before an export made it safe for a spreadsheet.

    Exports put an apostrophe before text a spreadsheet would run as a formula
    (``grants.exports.neutralise``); reading one back takes the apostrophe off.
    """
    if text.startswith("'") and text[1:].lstrip().startswith(("=", "+", "-", "@")):
        return text[1:]
    return text


def _require_international_numerals(text: str, accepted) -> None:
    """Refuse Devanagari (९) and other non-ASCII digits: numerals stay 0-9."""
    if any(character.isdigit() and not character.isascii() for character in text):
        raise CellProblem(_("Write the numerals as 0-9."), accepted=accepted)


GROUPING = gettext_lazy(
    "The commas are not where Indian (9,33,00,000) or international (93,300,000) "
    "grouping puts them."
)


def _require_sound_grouping(digits: str, accepted) -> None:
    """Refuse commas where neither Indian (9,33,00,000) nor international
    (93,300,000) grouping puts them: 9,3300,000 may be a slip of either."""
    if "," not in digits:
        return
    head, *middle, last = digits.split(",")
    indian = len(head) <= 2 and all(len(group) == 2 for group in middle)
    international = len(head) <= 3 and all(len(group) == 3 for group in middle)
    if not head or len(last) != 3 or not (indian or international):
        raise CellProblem(GROUPING, accepted=accepted)


# Amounts ------------------------------------------------------------------------

AMOUNT_PREFIX = re.compile(r"(?:rs\.?|inr|₹|रु\.?|रू\.?)\s*")
# "/-" closes an amount on Indian paper (Rs. 45,42,000/-), "only" after it too.
AMOUNT_SUFFIX = re.compile(r"\s*(?:/-)?\s*(?:only)?\s*\.?\Z")
GROUPED = re.compile(r"([0-9][0-9,]*)(?:\.([0-9]+))?")
WITH_UNIT = re.compile(
    r"([0-9][0-9,]*(?:\.[0-9]+)?)\s*(crores?|crs?|lakhs?|lacs?|करोड\u093c?|लाख)\.?"
)
BARE_L = re.compile(r"[0-9][0-9,.]*\s*l\.?")
UNITS = dict.fromkeys(["crore", "crores", "cr", "crs", "करोड", "करोड\u093c"], CRORE)
UNITS |= dict.fromkeys(["lakh", "lakhs", "lac", "lacs", "लाख"], LAKH)
# Utilisation certificates write Nil for no amount.
NIL = {"nil", "शून्य"}
DASHES = "-\u2212\u2013\u2014"
NOT_AN_AMOUNT = gettext_lazy("This is not an amount in rupees.")
NEGATIVE = gettext_lazy("An amount cannot be negative.")
PAISE = gettext_lazy("Amounts are kept in whole rupees; this one has paise.")
TOO_LARGE = gettext_lazy("That is more than any grant: check the figure.")
ACCEPTED_WHOLE_RUPEES = gettext_lazy("whole rupees, such as 45,42,000 or 45,42,000.00")


def read_amount(value) -> int | None:
    """Whole rupees, never negative; None for an empty cell.

    Read: a number cell with no fraction; text in digits (93300000, Indian
    9,33,00,000 or international 93,300,000 grouping, .00 allowed), or a number
    of crore or lakh (9.33 crore, 93.3 lakh, 9.33 करोड़) that comes to whole
    rupees, either with Rs., INR, ₹ or रु before and /- after; Nil for 0.
    """
    if is_empty(value):
        return None
    _refuse_kinds(value, ACCEPTED_AMOUNT)
    if isinstance(value, str):
        rupees = _amount_from_text(value)
    elif not _is_number(value) or not _finite(value):
        raise CellProblem(NOT_AN_AMOUNT, accepted=ACCEPTED_AMOUNT)
    elif value < 0:
        raise CellProblem(NEGATIVE, accepted=ACCEPTED_AMOUNT)
    elif (rupees := _whole(value)) is None:
        raise CellProblem(PAISE, accepted=ACCEPTED_WHOLE_RUPEES)
    if rupees > MAX_RUPEES:
        raise CellProblem(TOO_LARGE, accepted=ACCEPTED_AMOUNT)
    return rupees


def _finite(number) -> bool:
    return number.is_finite() if isinstance(number, Decimal) else math.isfinite(number)


def _amount_from_text(value: str) -> int:
    text = _cleaned(value).casefold()
    _require_international_numerals(text, ACCEPTED_AMOUNT)
    body = text
    if prefix := AMOUNT_PREFIX.match(body):
        body = body[prefix.end() :]
    body = AMOUNT_SUFFIX.sub("", body)
    if body in NIL:
        return 0
    if body and body.strip(DASHES) == "":
        raise CellProblem(
            _("A dash alone could mean nothing or not known: write 0 or Nil."),
            accepted=_("0 or Nil for no amount"),
        )
    negative = text.startswith(tuple(DASHES)) or body.startswith(tuple(DASHES))
    if negative or (body.startswith("(") and body.endswith(")")):
        raise CellProblem(NEGATIVE, accepted=ACCEPTED_AMOUNT)
    if match := GROUPED.fullmatch(body):
        digits, paise = match.groups()
        _require_sound_grouping(digits, ACCEPTED_AMOUNT)
        if paise is not None and len(paise) > 2:
            # 45.000 may be 45 thousand grouped the European way.
            raise CellProblem(NOT_AN_AMOUNT, accepted=ACCEPTED_AMOUNT)
        if paise is not None and int(paise):
            raise CellProblem(PAISE, accepted=ACCEPTED_WHOLE_RUPEES)
        return int(digits.replace(",", ""))
    if match := WITH_UNIT.fullmatch(body):
        number, unit = match.groups()
        _require_sound_grouping(number.partition(".")[0], ACCEPTED_AMOUNT)
        rupees = Decimal(number.replace(",", "")) * UNITS[unit]
        if rupees != rupees.to_integral_value():
            raise CellProblem(
                _("This comes to a fraction of a rupee; amounts are whole rupees."),
                accepted=ACCEPTED_AMOUNT,
            )
        return int(rupees)
    if BARE_L.fullmatch(body):
        raise CellProblem(
            _("L alone is not read as lakh: write lakh or crore in full."),
            accepted=ACCEPTED_AMOUNT,
        )
    raise CellProblem(NOT_AN_AMOUNT, accepted=ACCEPTED_AMOUNT)


# Dates --------------------------------------------------------------------------

# Each month in English, then in Hindi as offices spell it.
MONTH_NAMES = """
january जनवरी
february फ़रवरी फरवरी
march मार्च
april अप्रैल
may मई
june जून
july जुलाई
august अगस्त
september सितंबर सितम्बर
october अक्टूबर अक्तूबर
november नवंबर नवम्बर
december दिसंबर दिसम्बर
"""


def _month_numbers() -> dict[str, int]:
    """Each way of naming a month: English in full or in three letters, Hindi."""
    numbers = {"sept": 9}
    for number, line in enumerate(MONTH_NAMES.strip().splitlines(), 1):
        english, *hindi = line.split()
        numbers[english] = numbers[english[:3]] = number
        for name in hindi:
            numbers[unicodedata.normalize("NFC", name)] = number
    return numbers


MONTHS = _month_numbers()

# Between the parts of a date: a dot, slash or dash (spaces around it allowed), or
# spaces alone.
SEP = r"(?:\s*[./-]\s*|\s+)"
MONTH_NAME = r"([a-z\u0900-\u097f]+)\.?"
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
NUMERIC_DATE = re.compile(rf"([0-9]{{1,2}}){SEP}([0-9]{{1,2}}){SEP}([0-9]+)")
NAMED_DATE = re.compile(
    rf"([0-9]{{1,2}})(?:st|nd|rd|th)?{SEP}{MONTH_NAME}(?:,?{SEP}|,)([0-9]+)"
)
MONTH_FIRST_DATE = re.compile(
    rf"{MONTH_NAME}{SEP}?[0-9]{{1,2}}(?:st|nd|rd|th)?,?{SEP}?[0-9]{{4}}"
)
MONTH_AND_YEAR = re.compile(rf"{MONTH_NAME}(?:,?{SEP}|,)[0-9]{{2}}(?:[0-9]{{2}})?")

# The Excel day numbers (1900 date system) of the first and last day accepted.
FIRST_SERIAL = to_excel(datetime.date(FIRST_YEAR, 1, 1))
LAST_SERIAL = to_excel(datetime.date(LAST_YEAR, 12, 31))
NOT_A_DATE = gettext_lazy("This is not a date.")
YEAR_OUT_OF_RANGE = gettext_lazy("The year must be from 1950 to 2100.")


def read_date(value) -> datetime.date | None:
    """A date; None for an empty cell.

    Read: a date cell (its time, midnight as Excel keeps dates, left out); an
    Excel day number of a date from 1950 to 2100; text written day first
    (01.04.2024, 1/4/2024, 01-04-2024, 1 April 2024, 01-Apr-2024, 1 अप्रैल 2024)
    or year first with dashes (2024-04-01). 04/01/2024 is 4 January, as Indian
    offices write it; month-first text is refused, never turned round.
    """
    if is_empty(value):
        return None
    _refuse_kinds(value, ACCEPTED_DATE, moments=False)
    if isinstance(value, datetime.datetime):
        return _date_within_years(value.date())
    if isinstance(value, datetime.date):
        return _date_within_years(value)
    if isinstance(value, datetime.time):
        raise CellProblem(
            _("This cell holds a time of day, not a date."),
            accepted=ACCEPTED_DATE,
        )
    if _is_number(value):
        if not _finite(value) or not FIRST_SERIAL <= value < LAST_SERIAL + 1:
            raise CellProblem(
                _("This is a number, not a date."), accepted=ACCEPTED_DATE
            )
        return from_excel(float(value)).date()
    if not isinstance(value, str):
        raise CellProblem(NOT_A_DATE, accepted=ACCEPTED_DATE)
    return _date_from_text(value)


def _date_from_text(value: str) -> datetime.date:
    text = _cleaned(value).casefold()
    _require_international_numerals(text, ACCEPTED_DATE)
    if match := ISO_DATE.fullmatch(text):
        year, month, day = map(int, match.groups())
        return _date(year, month, day, day_first=False)
    if match := NUMERIC_DATE.fullmatch(text):
        day, month, year = match.groups()
        return _date(_four_digit_year(year), int(month), int(day), day_first=True)
    if match := NAMED_DATE.fullmatch(text):
        day, name, year = match.groups()
        if name not in MONTHS:
            raise CellProblem(
                _("The name of the month is not recognised."),
                accepted=_(
                    "a month named in English or Hindi, such as 1 April 2024, "
                    "1 Apr 2024 or 1 अप्रैल 2024"
                ),
            )
        return _date(_four_digit_year(year), MONTHS[name], int(day), day_first=False)
    if (match := MONTH_FIRST_DATE.fullmatch(text)) and match[1] in MONTHS:
        raise CellProblem(
            _("Write the day first, such as 1 April 2024."),
            accepted=ACCEPTED_DATE,
        )
    if (match := MONTH_AND_YEAR.fullmatch(text)) and match[1] in MONTHS:
        raise CellProblem(
            _("A date needs the day as well as the month and year."),
            accepted=ACCEPTED_DATE,
        )
    raise CellProblem(NOT_A_DATE, accepted=ACCEPTED_DATE)


def _four_digit_year(digits: str) -> int:
    """The year of a date, which must be written in full: 24 may be 1924 or 2024."""
    if len(digits) == 2:
        raise CellProblem(_("Write the year in four digits."), accepted=ACCEPTED_DATE)
    if len(digits) != 4:
        raise CellProblem(NOT_A_DATE, accepted=ACCEPTED_DATE)
    return int(digits)


def _date(year: int, month: int, day: int, *, day_first: bool) -> datetime.date:
    """The date, or a problem naming the part that is wrong (and, for numbers
    read day first, that they are: 12/31/2024 is not a date read that way)."""
    problem = None
    if not 1 <= month <= 12:
        problem = _("%(month)s is not a month.") % {"month": month}
    elif not FIRST_YEAR <= year <= LAST_YEAR:
        raise CellProblem(YEAR_OUT_OF_RANGE, accepted=ACCEPTED_DATE)
    elif not 1 <= day <= 31:
        problem = _("%(day)s is not a day of the month.") % {"day": day}
    else:
        try:
            return datetime.date(year, month, day)
        except ValueError:
            first = format_date(datetime.date(year, month, 1), "M Y")
            problem = _("%(month)s has no day %(day)s.") % {"month": first, "day": day}
    if day_first:
        problem = " ".join([problem, _("Dates are read day first (DD.MM.YYYY).")])
    raise CellProblem(problem, accepted=ACCEPTED_DATE)


def _date_within_years(day: datetime.date) -> datetime.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CellProblem(YEAR_OUT_OF_RANGE, accepted=ACCEPTED_DATE)
    return day


# Whole numbers, choices, lists, e-mail addresses --------------------------------


def read_whole_number(
    value, *, low: int | None = None, high: int | None = None
) -> int | None:
    """A whole number within [low, high] (either may be open); None when empty.

    Read: a number cell with no fraction, or digits (grouped with commas the
    Indian or international way, spaces ignored).
    """
    if is_empty(value):
        return None
    _refuse_kinds(value, ACCEPTED_NUMBER)
    number = None
    if _is_number(value) and _finite(value):
        number = _whole(value)
    elif isinstance(value, str):
        text = _cleaned(value).replace(" ", "")
        _require_international_numerals(text, ACCEPTED_NUMBER)
        if match := re.fullmatch(r"(-?)([0-9][0-9,]*)", text):
            _require_sound_grouping(match[2], ACCEPTED_NUMBER)
            number = int(match[0].replace(",", ""))
    if number is None:
        raise CellProblem(_("This is not a whole number."), accepted=ACCEPTED_NUMBER)
    if (low is not None and number < low) or (high is not None and number > high):
        raise CellProblem(
            _("This number is outside the range accepted."),
            accepted=_range(low, high),
        )
    return number


def _range(low: int | None, high: int | None) -> str:
    if high is None:
        return _("a whole number of at least %(low)s") % {"low": low}
    if low is None:
        return _("a whole number of at most %(high)s") % {"high": high}
    return _("a whole number from %(low)s to %(high)s") % {"low": low, "high": high}


def _choice_key(text: str) -> str:
    return _cleaned(text).casefold()


def read_choice(value, choices) -> str | None:
    """The code of one of the choices; None when empty.

    ``choices`` is a TextChoices class or a list of (code, label) pairs. A cell
    may give the code or the label in English or Hindi, in any case.
    """
    return choice_reader(choices)(value)


def choice_reader(choices):
    """``read_choice`` for the cells of one column: every name worked out once."""
    pairs = list(getattr(choices, "choices", choices))
    codes = {}
    for code, _label in pairs:
        codes.setdefault(_choice_key(str(code)), set()).add(code)
    for language in ("en", "hi"):
        with translation.override(language):
            for code, label in pairs:
                codes.setdefault(_choice_key(str(label)), set()).add(code)

    def read(value) -> str | None:
        if is_empty(value):
            return None
        found = codes.get(_choice_key(read_text(value)), set())
        if len(found) == 1:
            return next(iter(found))
        labels = ", ".join(str(label) for _code, label in pairs)
        if found:
            raise CellProblem(_("This matches more than one choice."), accepted=labels)
        raise CellProblem(_("This is not one of the choices."), accepted=labels)

    return read


def read_list(value, *, separators: str = ",;") -> list[str]:
    """The items of a list written in one cell, "Nd, Pr; Dy"; [] when empty.

    Line breaks (Alt+Enter in Excel) separate items too; empty items are left
    out.
    """
    text = read_text(value, multiline=True)
    pattern = "[" + re.escape(separators) + "\n]"
    items = (" ".join(item.split()) for item in re.split(pattern, text))
    return [item for item in items if item]


def read_email(value) -> str | None:
    """An e-mail address, its domain in lower case; None when empty.

    The part before @ is kept as written: a mail server may tell its case apart.
    """
    if is_empty(value):
        return None
    address = read_text(value)
    try:
        validate_email(address)
    except ValidationError:
        raise CellProblem(
            _("This is not a valid e-mail address."), accepted=ACCEPTED_EMAIL
        ) from None
    local, at, domain = address.rpartition("@")
    return local + at + domain.lower()


# Headers ------------------------------------------------------------------------

HEADER_MARKS = re.compile(r"\s*(?:\*|\(\s*(?:required|आवश्यक)\s*\))\Z")


def header_key(value) -> str:
    """A header cell made comparable with the template's headers in either
    language: spaces made plain (a wrapped or merged header has line breaks),
    case folded, and a trailing * or "(required)" / "(आवश्यक)" left out."""
    if value is None:
        return ""
    key = _cleaned(str(value)).casefold()
    while (shorter := HEADER_MARKS.sub("", key)) != key:
        key = shorter
    return key.strip()
