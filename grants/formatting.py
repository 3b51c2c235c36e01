"""Money and fiscal-year formatting the way Indian government accounts write them.

Amounts are whole rupees. Grouping is Indian: the last three digits, then pairs
(9,33,00,000). Short forms use lakh (1,00,000) and crore (1,00,00,000), written
लाख and करोड़ on a Hindi page. Numerals stay international (0-9) in both languages,
as official use prescribes. Dates are written by Django's date formatting, so a
Hindi page gets Hindi month names.
"""

import datetime
import re
import unicodedata
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from django.utils import dateformat
from django.utils.translation import pgettext

LAKH = 100_000
CRORE = 100 * LAKH
INDIA = zoneinfo.ZoneInfo("Asia/Kolkata")

# [0-9], not \d, which also matches Devanagari and other Unicode digits; \Z, not $,
# which also matches before a trailing newline.
FISCAL_YEAR_PATTERN = re.compile(r"^([0-9]{4})-([0-9]{2})\Z")


def group_indian(digits: str) -> str:
    """Group a string of digits the Indian way: '93300000' -> '9,33,00,000'."""
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    pairs = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *pairs, tail])


def format_inr(amount, *, symbol: str = "") -> str:
    """Write whole rupees with Indian grouping: 93300000 -> '9,33,00,000'.

    Fractions are rounded half up to the rupee, as government accounts do.
    """
    rupees = int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "-" if rupees < 0 else ""
    return f"{sign}{symbol}{group_indian(str(abs(rupees)))}"


def format_inr_short(amount, *, symbol: str = "Rs ") -> str:
    """Write an amount in lakh or crore: 93300000 -> 'Rs 9.33 crore'.

    Amounts under a lakh are written in full ('Rs 45,000'). Two decimals, rounded
    half up; an amount that rounds to 100 lakh is written as 1.00 crore.
    """
    value = Decimal(amount)
    sign = "-" if value < 0 else ""
    value = abs(value)
    in_lakh = (value / LAKH).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if in_lakh >= 100:
        in_crore = (value / CRORE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        whole, fraction = f"{in_crore:.2f}".split(".")
        amount = f"{sign}{symbol}{group_indian(whole)}.{fraction}"
        return pgettext("money", "%(amount)s crore") % {"amount": amount}
    if value >= LAKH:
        amount = f"{sign}{symbol}{in_lakh:.2f}"
        return pgettext("money", "%(amount)s lakh") % {"amount": amount}
    # format_inr signs the rounded rupees, so -0.4 is "Rs 0", not "-Rs 0".
    return format_inr(-value if sign else value, symbol=symbol)


def fiscal_year_of(day: datetime.date) -> str:
    """Name the Indian fiscal year (April to March) a date falls in: '2024-25'.

    An aware datetime counts by its date in India.
    """
    if isinstance(day, datetime.datetime) and day.tzinfo is not None:
        day = day.astimezone(INDIA).date()
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def fiscal_year_bounds(label: str) -> tuple[datetime.date, datetime.date]:
    """Return the first and last day of a fiscal year written '2024-25'."""
    match = FISCAL_YEAR_PATTERN.match(label or "")
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"{label!r} is not a fiscal year written like 2024-25.")
    start = int(match[1])
    return datetime.date(start, 4, 1), datetime.date(start + 1, 3, 31)


def format_percent(part: int, whole: int) -> str:
    """Write part/whole as a percentage, always rounded down to 0.1: 82.96% is 82.9%.

    The one rounding rule for every share the app shows (utilisation, money
    released). Down, never up: 74.99% utilisation reads 74.9%, never 75.0%, the
    threshold it did not reach.
    """
    if not whole:
        return "0.0%"
    units, tenth = divmod(1000 * part // whole, 10)
    return f"{units}.{tenth}%"


def format_date(day: datetime.date, format_string: str = "d M Y") -> str:
    """Write a date day first in the current language: '05 Mar 2027', '05 मार्च 2027'.

    Django's date formatting, not strftime, whose month names are always English.
    """
    return dateformat.format(day, format_string)


# Text people type ---------------------------------------------------------------

# Characters a page draws as nothing though Python does not count them as
# whitespace, besides the control (Cc) and format (Cf) characters: the combining
# grapheme joiner, the Hangul and Khmer fillers, the Braille blank and the
# variation selectors.
INVISIBLE_LETTERS = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0"
    + "".join(chr(code) for code in range(0xFE00, 0xFE10))
    + "".join(chr(code) for code in range(0xE0100, 0xE01F0))
)


def is_invisible(character: str) -> bool:
    """Whether a character shows nothing: whitespace, a control or format character
    (zero-width space, direction mark, byte-order mark) or a blank filler."""
    return (
        character.isspace()
        or unicodedata.category(character) in ("Cc", "Cf")
        or character in INVISIBLE_LETTERS
    )


def is_blank(text: str | None) -> bool:
    """Whether text shows nothing once whitespace and invisible characters are
    removed: a narrative of one zero-width space is no narrative."""
    return not text or all(is_invisible(character) for character in text)


def written_text(text: str | None) -> str:
    """Text as it is kept: the whitespace around it removed, and nothing at all if
    it shows nothing (``is_blank``)."""
    return "" if is_blank(text) else text.strip()
