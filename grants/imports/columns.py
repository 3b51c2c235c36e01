"""The pieces the import's sheets are described with: a column, a sheet.

``grants.imports.schema`` lists the sheets; these say how a column's cells are
read (``Column.reader``) and how a sheet finds its columns by header, in
either language.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from grants.imports import cells, fiscal_years
from grants.models import Scheme

# A row whose first cell starts with this word is an example and is not read.
EXAMPLE_PREFIX = "example"


def scheme_choices() -> list[tuple[str, str]]:
    """The schemes on record as (code, label): the label reads in the active
    language when written out, so a cell may name a scheme in either."""
    return [
        (scheme.code, lazy(lambda scheme=scheme: scheme.local_name, str)())
        for scheme in Scheme.objects.all()
    ]


def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


@dataclass(frozen=True)
class Column:
    """One column: how its cells are read and how the template describes it."""

    name: str
    header: Promise
    read: Callable
    required: bool = False
    help: Promise | str = ""
    # For a column of choices: the (code, label) pairs, or a function giving them.
    choices: type | Callable | None = None
    width: int = 18
    kind: str = "text"  # text, amount, date, fiscal_year, number, choice, email, list

    def choice_pairs(self) -> list[tuple[str, str]]:
        """The (code, label) pairs; a label reads in the active language."""
        if self.choices is None:
            return []
        if callable(self.choices) and not hasattr(self.choices, "choices"):
            return list(self.choices())
        return list(self.choices.choices)

    def reader(self) -> Callable:
        """The function that reads this column's cells (``CellProblem`` if not)."""
        if self.kind == "choice":
            return cells.choice_reader(self.choice_pairs())
        return self.read


def text(name, header, *, max_length, required=False, help="", width=24, **kw):
    return Column(
        name,
        header,
        partial(cells.read_text, max_length=max_length, **kw),
        required=required,
        help=help,
        width=width,
    )


def amount(name, header, *, required=False, help=""):
    return Column(
        name,
        header,
        cells.read_amount,
        required=required,
        help=help or _("Whole rupees: 93300000, 9,33,00,000, 9.33 crore, 93.3 lakh."),
        width=16,
        kind="amount",
    )


def date(name, header, *, required=False, help=""):
    return Column(
        name,
        header,
        cells.read_date,
        required=required,
        help=help or _("A date, day first: 01.04.2024, 1/4/2024 or 2024-04-01."),
        width=13,
        kind="date",
    )


def number(name, header, *, low=None, high=None, required=False, help=""):
    return Column(
        name,
        header,
        partial(cells.read_whole_number, low=low, high=high),
        required=required,
        help=help,
        width=10,
        kind="number",
    )


def choice(name, header, choices, *, required=False, help=""):
    return Column(
        name,
        header,
        cells.read_choice,
        required=required,
        help=help or _("Choose from the list."),
        choices=choices,
        width=22,
        kind="choice",
    )


def email(name, header, *, required=False, help=""):
    return Column(
        name,
        header,
        cells.read_email,
        required=required,
        help=help,
        width=28,
        kind="email",
    )


def fiscal_year(name, header, *, help=""):
    return Column(
        name,
        header,
        fiscal_years.read_fiscal_year,
        help=help
        or _("Optional; checked against the dates: 2023-24, 2023-2024 or FY24."),
        width=10,
        kind="fiscal_year",
    )


def project_reference(help=""):
    return text(
        "project",
        _("Project reference"),
        max_length=40,
        required=True,
        help=help
        or _("The reference of a project on the Projects sheet or on record."),
        width=20,
    )


# Compared and hashed by identity: each sheet is one object, a key of dicts.
@dataclass(frozen=True, eq=False)
class Sheet:
    name: str
    title: Promise
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    about: Promise
    examples: tuple[dict, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    def titles(self) -> set[str]:
        """What the sheet may be called: its title in every language, normalised."""
        return {cells.header_key(name) for name in in_every_language(self.title)}

    def find_column(self, header) -> Column | None:
        """The column a header cell names, in either language; None if none."""
        key = cells.header_key(header)
        for column in self.columns:
            if key in {cells.header_key(h) for h in in_every_language(column.header)}:
                return column
        return None


def in_every_language(text) -> list[str]:
    """The text in each of the site's languages."""
    written = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            written.append(str(text))
    return written
