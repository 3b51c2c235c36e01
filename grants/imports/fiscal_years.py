"""Reading a fiscal year from a cell: 2023-24, 2023-2024 or FY24, never a guess."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants.imports.cells import (
    FIRST_YEAR,
    LAST_YEAR,
    CellProblem,
    _cleaned,
    _finite,
    _is_number,
    _refuse_kinds,
    _require_international_numerals,
    _whole,
    is_empty,
)

ACCEPTED_FISCAL_YEAR = gettext_lazy("a fiscal year such as 2023-24, 2023-2024 or FY24")
FISCAL_PREFIX = re.compile(r"f\.?\s*y\.?\s*[:-]?\s*")
FISCAL_RANGE = re.compile(r"([0-9]{4})\s*[-\u2013\u2014/]\s*([0-9]{2}|[0-9]{4})")
FISCAL_END = re.compile(r"[0-9]{2}|[0-9]{4}")
NOT_A_FISCAL_YEAR = gettext_lazy("This is not a fiscal year.")
YEAR_ALONE = gettext_lazy(
    "A year alone could be either of two fiscal years: write it as 2023-24."
)


def read_fiscal_year(value) -> str | None:
    """A fiscal year (April to March) written as kept, "2023-24"; None when empty.

    Read: 2023-24, 2023-2024, 2023–24, 2023/24, and FY before any of them; FY24
    or FY2024 alone name the year ending in March 2024, as Indian usage has it
    (FY with two digits is a year of this century). A year alone (2023) is
    refused: it may be 2022-23 or 2023-24.
    """
    if is_empty(value):
        return None
    _refuse_kinds(value, ACCEPTED_FISCAL_YEAR)
    if _is_number(value):
        whole = _whole(value) if _finite(value) else None
        if whole is not None and 1000 <= whole <= 9999:
            raise CellProblem(YEAR_ALONE, accepted=ACCEPTED_FISCAL_YEAR)
        raise CellProblem(NOT_A_FISCAL_YEAR, accepted=ACCEPTED_FISCAL_YEAR)
    if not isinstance(value, str):
        raise CellProblem(NOT_A_FISCAL_YEAR, accepted=ACCEPTED_FISCAL_YEAR)
    text = _cleaned(value).casefold()
    _require_international_numerals(text, ACCEPTED_FISCAL_YEAR)
    body = text
    if prefix := FISCAL_PREFIX.match(text):
        body = text[prefix.end() :]
    if match := FISCAL_RANGE.fullmatch(body):
        start, end = int(match[1]), match[2]
        following = start + 1 if len(end) == 4 else (start + 1) % 100
        if int(end) != following:
            raise CellProblem(
                _("The two years of a fiscal year follow each other, as in 2023-24."),
                accepted=ACCEPTED_FISCAL_YEAR,
            )
    elif prefix and FISCAL_END.fullmatch(body):
        start = (int(body) if len(body) == 4 else 2000 + int(body)) - 1
    elif re.fullmatch(r"[0-9]{4}", body):
        raise CellProblem(YEAR_ALONE, accepted=ACCEPTED_FISCAL_YEAR)
    else:
        raise CellProblem(NOT_A_FISCAL_YEAR, accepted=ACCEPTED_FISCAL_YEAR)
    if not FIRST_YEAR <= start < LAST_YEAR:
        raise CellProblem(
            _("The fiscal year must fall between 1950 and 2100."),
            accepted=ACCEPTED_FISCAL_YEAR,
        )
    return f"{start}-{(start + 1) % 100:02d}"
