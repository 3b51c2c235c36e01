"""Reading one workbook cell exactly, or refusing it (grants/imports/cells.py)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from grants.imports.cells import (
    CellProblem,
    header_key,
    is_empty,
    read_amount,
    read_choice,
    read_date,
    read_email,
    read_list,
    read_text,
    read_whole_number,
)
from grants.imports.fiscal_years import read_fiscal_year
from grants.models import Project

NBSP = "\u00a0"


def problem_with(reader, value, **options) -> CellProblem:
    with pytest.raises(CellProblem) as caught:
        reader(value, **options)
    return caught.value


# Empty cells --------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", NBSP, "\u200b", "\ufeff \n", "\t"])
def test_a_cell_showing_nothing_is_empty(value):
    assert is_empty(value)


@pytest.mark.parametrize("value", [0, 0.0, False, "0", "-", datetime.date(2024, 4, 1)])
def test_a_cell_holding_something_is_not_empty(value):
    assert not is_empty(value)


@pytest.mark.parametrize(
    "reader",
    [read_amount, read_date, read_fiscal_year, read_whole_number, read_email],
)
def test_an_empty_cell_is_read_as_none(reader):
    assert reader(None) is None
    assert reader(f" {NBSP} ") is None


def test_an_empty_cell_is_no_text_no_list_and_no_choice():
    assert read_text(None) == ""
    assert read_list(" ") == []
    assert read_choice(None, Project.Stage) is None


# Text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Rare earth magnets", "Rare earth magnets"),
        ("  Rare   earth\nmagnets  ", "Rare earth magnets"),
        (f"Rare{NBSP}earth\u202fmagnets\u2007", "Rare earth magnets"),
        ("\ufeffRare\u200b earth", "Rare earth"),
        ("दुर्लभ मृदा तत्व", "दुर्लभ मृदा तत्व"),
        ("क्\u200dष", "क्\u200dष"),
        ("ग्\u200cय", "ग्\u200cय"),
        (123, "123"),
        (123.0, "123"),
        (Decimal("40"), "40"),
    ],
)
def test_text_is_read_with_its_spaces_made_plain(value, expected):
    assert read_text(value) == expected


def test_multiline_text_keeps_its_lines_without_trailing_spaces():
    value = "  First line  \r\nSecond line\t\n\nThird  \n"
    assert read_text(value, multiline=True) == "First line\nSecond line\n\nThird"


@pytest.mark.parametrize(
    "value", [1.5, True, datetime.date(2024, 4, 1), datetime.time(10, 30)]
)
def test_a_fraction_a_date_or_true_false_is_refused_as_text(value):
    problem = problem_with(read_text, value)
    assert "Text" in problem.accepted


def test_text_longer_than_its_limit_is_refused_naming_both_lengths():
    problem = problem_with(read_text, "ABCDEFG", max_length=5)
    assert "7" in problem.message
    assert "5" in problem.message
    assert read_text("ABCDE", max_length=5) == "ABCDE"


def test_a_problem_never_repeats_the_value_found():
    problem = problem_with(read_text, "Very long title here", max_length=5)
    assert "Very long" not in problem.message + problem.accepted


# Amounts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rupees"),
    [
        ("9,33,00,000", 93_300_000),
        ("93300000", 93_300_000),
        ("93,300,000", 93_300_000),
        (93_300_000, 93_300_000),
        (93_300_000.0, 93_300_000),
        (Decimal("93300000.00"), 93_300_000),
        (0, 0),
        ("0", 0),
        ("45,000", 45_000),
        ("450,000", 450_000),
        ("Rs. 45,42,000/-", 4_542_000),
        ("Rs 45,42,000", 4_542_000),
        ("Rs.45,42,000/-.", 4_542_000),
        ("rs. 45,42,000/- only", 4_542_000),
        ("INR 93,300,000", 93_300_000),
        ("₹ 45,42,000", 4_542_000),
        ("₹45,42,000", 4_542_000),
        ("रु. 45,42,000/-", 4_542_000),
        (f"{NBSP}45,42,000{NBSP}", 4_542_000),
        ("45,42,000.00", 4_542_000),
        ("45,42,000.0", 4_542_000),
        ("Nil", 0),
        ("nil", 0),
        ("NIL", 0),
        ("शून्य", 0),
    ],
)
def test_an_amount_in_digits_is_read_exactly(value, rupees):
    assert read_amount(value) == rupees


@pytest.mark.parametrize(
    ("value", "rupees"),
    [
        ("9.33 crore", 93_300_000),
        ("9.33 Crore", 93_300_000),
        ("9.33 crores", 93_300_000),
        ("9.33 Cr", 93_300_000),
        ("9.33 cr.", 93_300_000),
        ("9.33cr", 93_300_000),
        ("Rs. 9.33 crore", 93_300_000),
        ("93.3 lakh", 9_330_000),
        ("93.3 lakhs", 9_330_000),
        ("93.3 lac", 9_330_000),
        ("93.3 Lacs", 9_330_000),
        ("2 crore", 20_000_000),
        ("1,250 crore", 12_500_000_000),
        ("9.33 करो\u095c", 93_300_000),
        ("9.33 करो\u0921\u093c", 93_300_000),
        ("9.33 करोड", 93_300_000),
        ("93.3 लाख", 9_330_000),
        ("0.00001 crore", 100),
    ],
)
def test_an_amount_in_crore_or_lakh_is_read_exactly(value, rupees):
    assert read_amount(value) == rupees


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("-5000", "negative"),
        ("- 5000", "negative"),
        ("\u22125000", "negative"),
        ("Rs. -5000", "negative"),
        ("(1,000)", "negative"),
        (-5000, "negative"),
        (-0.5, "negative"),
        ("45,42,000.50", "paise"),
        ("45.5", "paise"),
        (45.5, "paise"),
        (Decimal("45.5"), "paise"),
        ("9,3300,000", "commas"),
        ("93,30,0000", "commas"),
        ("933,00,000", "commas"),
        ("1,25.5 lakh", "commas"),
        ("45,", "commas"),
        ("1.234567891 crore", "fraction of a rupee"),
        ("-", "0 or Nil"),
        ("\u2013", "0 or Nil"),
        ("-/-", "0 or Nil"),
        ("93.3 L", "lakh or crore in full"),
        ("९३,००,०००", "0-9"),
        ("10,00,000 crore", "more than any grant"),
        (True, "TRUE or FALSE"),
        (False, "TRUE or FALSE"),
        (datetime.date(2024, 4, 1), "date"),
    ],
)
def test_an_amount_that_cannot_be_read_exactly_is_refused(value, words):
    assert words in problem_with(read_amount, value).message


@pytest.mark.parametrize(
    "value",
    ["45.000", "45.420.000", "45 42 000", "about 5 lakh", "Rs.", "1e7", "9.33 million"],
)
def test_an_amount_in_no_known_form_is_refused_with_examples(value):
    problem = problem_with(read_amount, value)
    assert problem.message == "This is not an amount in rupees."
    assert "9,33,00,000, 9.33 crore, 93.3 lakh" in problem.accepted


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_number_that_is_no_number_is_not_an_amount(value):
    problem_with(read_amount, value)


# Dates --------------------------------------------------------------------------

APRIL_FIRST = datetime.date(2024, 4, 1)
# A date cell arrives as a naive datetime at midnight; openpyxl knows no zone.
APRIL_FIRST_CELL = datetime.datetime(2024, 4, 1, 0, 0)  # noqa: DTZ001


def test_the_excel_day_number_in_these_tests_is_the_first_of_april_2024():
    assert from_excel(45383).date() == APRIL_FIRST


@pytest.mark.parametrize(
    "value",
    [
        "01.04.2024",
        "1.4.2024",
        "1/4/2024",
        "01/04/2024",
        "01-04-2024",
        "01 04 2024",
        "01 / 04 / 2024",
        "2024-04-01",
        "2024-4-1",
        "1 April 2024",
        "1 april 2024",
        "1 Apr 2024",
        "1 APR 2024",
        "01-Apr-2024",
        "1-April-2024",
        "1st April 2024",
        "1 Apr. 2024",
        "1 April, 2024",
        "1 अप्रैल 2024",
        45383,
        45383.0,
        45383.75,
        APRIL_FIRST_CELL,
        APRIL_FIRST_CELL + datetime.timedelta(hours=17, minutes=45),
        APRIL_FIRST,
    ],
)
def test_a_date_is_read_day_first(value):
    assert read_date(value) == APRIL_FIRST


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("04/01/2024", datetime.date(2024, 1, 4)),
        ("12/11/2024", datetime.date(2024, 11, 12)),
        ("29.02.2024", datetime.date(2024, 2, 29)),
        ("1 Sept 2024", datetime.date(2024, 9, 1)),
        ("5 फ़रवरी 2025", datetime.date(2025, 2, 5)),
        ("5 फरवरी 2025", datetime.date(2025, 2, 5)),
        ("5 सितम्बर 2025", datetime.date(2025, 9, 5)),
        ("5 अक्तूबर 2025", datetime.date(2025, 10, 5)),
        ("5 दिसंबर 2025", datetime.date(2025, 12, 5)),
    ],
)
def test_a_date_is_never_turned_round_to_month_first(value, expected):
    assert read_date(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("12/31/2024", "31 is not a month. Dates are read day first (DD.MM.YYYY)."),
        ("31.02.2024", "Feb 2024 has no day 31. Dates are read day first"),
        ("29.02.2023", "Feb 2023 has no day 29."),
        ("0.4.2024", "0 is not a day of the month."),
        ("32.1.2024", "32 is not a day of the month."),
        ("2024-13-01", "13 is not a month."),
        ("01.04.24", "four digits"),
        ("1 Apr 24", "four digits"),
        ("01.04.1949", "1950 to 2100"),
        ("01.01.2101", "1950 to 2100"),
        (datetime.date(1900, 1, 1), "1950 to 2100"),
        ("April 1, 2024", "day first"),
        ("Apr 01 2024", "day first"),
        ("April 2024", "day as well"),
        ("Apr-24", "day as well"),
        ("1 Foo 2024", "month is not recognised"),
        ("०१.०४.२०२४", "0-9"),
        (100, "a number, not a date"),
        (2024, "a number, not a date"),
        (99999, "a number, not a date"),
        (True, "TRUE or FALSE"),
        (datetime.time(10, 30), "time of day"),
    ],
)
def test_a_date_that_cannot_be_read_says_which_part_is_wrong(value, words):
    problem = problem_with(read_date, value)
    assert words in problem.message
    assert "01.04.2024" in problem.accepted or "1 April 2024" in problem.accepted


@pytest.mark.parametrize("value", ["2024/04/01", "01.04.2024.", "today", "1.4"])
def test_a_date_in_no_known_form_is_refused(value):
    assert problem_with(read_date, value).message == "This is not a date."


def test_a_dates_message_names_the_month_in_the_language_of_the_import():
    with translation.override("hi"):
        problem = problem_with(read_date, "31.02.2024")
    assert "फ़रवरी 2024" in problem.message


# Fiscal years -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2023-24",
        "2023-2024",
        "2023–24",
        "2023—24",
        "2023/24",
        "2023 - 24",
        "FY24",
        "FY 24",
        "fy24",
        "FY-24",
        "FY2024",
        "FY2023-24",
        "FY 2023-24",
        "F.Y. 2023-24",
        "f.y.2023-2024",
        f"{NBSP}2023-24 ",
    ],
)
def test_a_fiscal_year_is_read_as_it_is_kept(value):
    assert read_fiscal_year(value) == "2023-24"


def test_a_fiscal_year_across_a_century_is_read():
    assert read_fiscal_year("1999-2000") == "1999-00"
    assert read_fiscal_year("1999-00") == "1999-00"
    assert read_fiscal_year("FY00") == "1999-00"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2023-25", "follow each other"),
        ("2023-2025", "follow each other"),
        ("2024-23", "follow each other"),
        (2023, "A year alone"),
        (2023.0, "A year alone"),
        ("2023", "A year alone"),
        ("1949-50", "1950 and 2100"),
        ("2100-01", "1950 and 2100"),
        ("FY", "not a fiscal year"),
        ("24", "not a fiscal year"),
        ("2023-24-25", "not a fiscal year"),
        ("२०२३-२४", "0-9"),
        (24, "not a fiscal year"),
        (True, "TRUE or FALSE"),
        (datetime.date(2024, 4, 1), "date"),
    ],
)
def test_a_fiscal_year_that_cannot_be_read_is_refused(value, words):
    problem = problem_with(read_fiscal_year, value)
    assert words in problem.message
    assert "2023-24" in problem.accepted


# Whole numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), (3.0, 3), ("3", 3), (" 3 ", 3), ("1 000", 1000), ("1,000", 1000)],
)
def test_a_whole_number_is_read(value, expected):
    assert read_whole_number(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (3.5, "not a whole number"),
        ("3.5", "not a whole number"),
        ("three", "not a whole number"),
        ("1,0000", "commas"),
        ("३", "0-9"),
        (True, "TRUE or FALSE"),
        (datetime.date(2024, 4, 1), "date"),
    ],
)
def test_a_number_that_is_not_whole_is_refused(value, words):
    assert words in problem_with(read_whole_number, value).message


@pytest.mark.parametrize(
    ("value", "options", "accepted"),
    [
        (10, {"low": 1, "high": 9}, "a whole number from 1 to 9"),
        (0, {"low": 1, "high": 9}, "a whole number from 1 to 9"),
        ("-1", {"low": 0}, "a whole number of at least 0"),
        (10, {"high": 9}, "a whole number of at most 9"),
    ],
)
def test_a_number_outside_its_range_is_refused_saying_the_range(
    value, options, accepted
):
    problem = problem_with(read_whole_number, value, **options)
    assert problem.accepted == accepted


def test_a_number_at_either_end_of_its_range_is_read():
    assert read_whole_number("1", low=1, high=9) == 1
    assert read_whole_number(9.0, low=1, high=9) == 9


# Choices ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["magnets", "Magnets", "MAGNETS", f" {NBSP}magnets ", "चुंबक", " चुंबक "],
)
def test_a_choice_is_read_by_its_code_or_its_label_in_either_language(value):
    assert read_choice(value, Project.Stage) == Project.Stage.MAGNETS


@pytest.mark.parametrize(
    "value",
    [
        "separation_and_refining",
        "Separation and refining",
        "separation   and\nrefining",
        "पृथक्करण एवं शोधन",
    ],
)
def test_a_choice_of_several_words_is_read_whatever_its_spacing(value):
    assert read_choice(value, Project.Stage) == Project.Stage.SEPARATION


def test_a_choice_is_read_from_a_list_of_pairs():
    pairs = [("yes", gettext_lazy("yes")), ("no", "No")]
    assert read_choice("NO", pairs) == "no"
    assert read_choice("Yes", pairs) == "yes"


def test_an_unknown_choice_is_refused_listing_the_labels():
    problem = problem_with(read_choice, "lasers", choices=Project.Stage)
    assert problem.message == "This is not one of the choices."
    assert problem.accepted.startswith("exploration, beneficiation, extraction")


def test_an_unknown_choice_lists_the_labels_in_the_language_of_the_import():
    with translation.override("hi"):
        problem = problem_with(read_choice, "lasers", choices=Project.Stage)
    assert "चुंबक" in problem.accepted
    assert "magnets" not in problem.accepted


def test_a_choice_matching_two_codes_is_refused():
    pairs = [("a", "Open"), ("b", "open")]
    assert "more than one" in problem_with(read_choice, "OPEN", choices=pairs).message


# Lists and e-mail addresses -----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "items"),
    [
        ("Nd, Pr; Dy", ["Nd", "Pr", "Dy"]),
        ("Nd,Pr", ["Nd", "Pr"]),
        ("Nd\nPr\r\nDy", ["Nd", "Pr", "Dy"]),
        ("Nd,, Pr ,", ["Nd", "Pr"]),
        ("Rare  earth, magnets", ["Rare earth", "magnets"]),
        ("Nd", ["Nd"]),
        ("", []),
    ],
)
def test_a_list_is_split_at_its_separators(value, items):
    assert read_list(value) == items


def test_a_list_may_have_other_separators():
    assert read_list("Nd | Pr", separators="|") == ["Nd", "Pr"]


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("pi@iitb.ac.in", "pi@iitb.ac.in"),
        (" Meera.Iyer@IITB.AC.IN ", "Meera.Iyer@iitb.ac.in"),
        (f"pi@iitb.ac.in{NBSP}", "pi@iitb.ac.in"),
    ],
)
def test_an_email_address_is_read_with_its_domain_in_lower_case(value, address):
    assert read_email(value) == address


@pytest.mark.parametrize(
    "value", ["pi", "pi@", "@iitb.ac.in", "pi iyer@iitb.ac.in", "a@b.in, c@d.in", 12]
)
def test_an_invalid_email_address_is_refused(value):
    problem = problem_with(read_email, value)
    assert problem.message == "This is not a valid e-mail address."


# Headers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("Reference", "reference"),
        ("  Reference *", "reference"),
        ("Reference*", "reference"),
        ("Sanctioned amount (Rs.) *", "sanctioned amount (rs.)"),
        ("Sanctioned\namount", "sanctioned amount"),
        (f"Sanctioned{NBSP} amount", "sanctioned amount"),
        ("Title (required)", "title"),
        ("Title (Required) *", "title"),
        ("शीर्षक (आवश्यक)", "शीर्षक"),
        ("संस्वीकृत राशि *", "संस्वीकृत राशि"),
        ("STRASSE", "strasse"),
        (2024, "2024"),
        (None, ""),
    ],
)
def test_a_header_is_normalised_for_matching(value, key):
    assert header_key(value) == key


# Problems -----------------------------------------------------------------------


def test_a_problem_is_a_value_error_with_its_message_and_what_is_accepted():
    problem = CellProblem("Wrong.", accepted="Right.")
    assert isinstance(problem, ValueError)
    assert (str(problem), problem.message, problem.accepted) == (
        "Wrong.",
        "Wrong.",
        "Right.",
    )


def test_a_problem_is_worded_when_raised_in_the_language_of_the_import():
    with translation.override("hi"):
        problem = CellProblem(gettext_lazy("magnets"), accepted=gettext_lazy("magnets"))
    assert (problem.message, problem.accepted) == ("चुंबक", "चुंबक")
