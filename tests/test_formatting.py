import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import number_format

from grants.formatting import (
    fiscal_year_bounds,
    fiscal_year_of,
    format_inr,
    format_inr_short,
)

NBSP = "\u00a0"


def render(source, **context):
    return Template(source).render(Context(context))


# format_inr ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1000, "1,000"),
        (99_999, "99,999"),
        (100_000, "1,00,000"),
        (6_840_000, "68,40,000"),
        (93_300_000, "9,33,00,000"),
        (100_000_000, "10,00,00,000"),
        (12_345_678_901_234, "1,23,45,67,89,01,234"),
    ],
)
def test_format_inr_groups_the_last_three_digits_then_pairs(amount, expected):
    assert format_inr(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (-1, "-1"),
        (-999, "-999"),
        (-150_000, "-1,50,000"),
        (-93_300_000, "-9,33,00,000"),
    ],
)
def test_format_inr_puts_the_minus_sign_before_the_digits(amount, expected):
    assert format_inr(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1234567.49"), "12,34,567"),
        (Decimal("1234567.50"), "12,34,568"),
        (Decimal("0.5"), "1"),
        (Decimal("0.49"), "0"),
        (Decimal("-0.5"), "-1"),
        (Decimal("-150000.50"), "-1,50,001"),
        (Decimal("99999.5"), "1,00,000"),
        (2.5, "3"),
    ],
)
def test_format_inr_rounds_fractions_half_up_to_the_rupee(amount, expected):
    assert format_inr(amount) == expected


def test_format_inr_writes_a_fraction_that_rounds_to_zero_without_a_minus_sign():
    assert format_inr(Decimal("-0.4")) == "0"


def test_format_inr_puts_the_symbol_after_the_minus_sign():
    assert format_inr(-150_000, symbol="Rs ") == "-Rs 1,50,000"


# format_inr_short ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (93_300_000, "Rs 9.33 crore"),
        (10_000_000, "Rs 1.00 crore"),
        (6_840_000, "Rs 68.40 lakh"),
        (100_000, "Rs 1.00 lakh"),
        (150_000, "Rs 1.50 lakh"),
        (45_000, "Rs 45,000"),
        (99_999, "Rs 99,999"),
        (0, "Rs 0"),
    ],
)
def test_format_inr_short_writes_lakh_and_crore(amount, expected):
    assert format_inr_short(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (9_999_999, "Rs 1.00 crore"),
        (9_999_499, "Rs 99.99 lakh"),
        (9_999_500, "Rs 1.00 crore"),
        (149_999, "Rs 1.50 lakh"),
        (100_499, "Rs 1.00 lakh"),
        (100_500, "Rs 1.01 lakh"),
        (93_350_000, "Rs 9.34 crore"),
    ],
)
def test_format_inr_short_rounds_half_up_and_moves_to_crore_at_100_lakh(
    amount, expected
):
    assert format_inr_short(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (12_345_670_000, "Rs 1,234.57 crore"),
        (1_000_000_000_000, "Rs 1,00,000.00 crore"),
        (12_345_678_901_234, "Rs 12,34,567.89 crore"),
    ],
)
def test_format_inr_short_groups_thousands_of_crore_the_indian_way(amount, expected):
    assert format_inr_short(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (-45_000, "-Rs 45,000"),
        (-150_000, "-Rs 1.50 lakh"),
        (-93_300_000, "-Rs 9.33 crore"),
    ],
)
def test_format_inr_short_puts_the_minus_sign_before_the_symbol(amount, expected):
    assert format_inr_short(amount) == expected


def test_format_inr_short_writes_a_fraction_that_rounds_to_zero_without_a_minus_sign():
    assert format_inr_short(Decimal("-0.4")) == "Rs 0"


def test_format_inr_short_takes_another_symbol():
    assert format_inr_short(93_300_000, symbol="INR ") == "INR 9.33 crore"


# Fiscal years -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2024, 2, 29), "2023-24"),
        (datetime.date(2024, 3, 31), "2023-24"),
        (datetime.date(2024, 4, 1), "2024-25"),
        (datetime.date(2024, 12, 31), "2024-25"),
        (datetime.date(2025, 1, 1), "2024-25"),
        (datetime.date(2009, 4, 1), "2009-10"),
        (datetime.date(1999, 4, 1), "1999-00"),
        (datetime.date(2099, 4, 1), "2099-00"),
        (datetime.date(2100, 3, 31), "2099-00"),
    ],
)
def test_fiscal_year_of_runs_from_april_to_march(day, expected):
    assert fiscal_year_of(day) == expected


def test_fiscal_year_of_an_aware_datetime_is_the_fiscal_year_of_its_date_in_india():
    # 19:00 UTC on 31 March is 00:30 IST on 1 April.
    moment = datetime.datetime(2024, 3, 31, 19, 0, tzinfo=datetime.UTC)
    assert fiscal_year_of(moment) == "2024-25"


@pytest.mark.parametrize(
    ("label", "first", "last"),
    [
        ("2024-25", datetime.date(2024, 4, 1), datetime.date(2025, 3, 31)),
        ("2023-24", datetime.date(2023, 4, 1), datetime.date(2024, 3, 31)),
        ("2099-00", datetime.date(2099, 4, 1), datetime.date(2100, 3, 31)),
    ],
)
def test_fiscal_year_bounds_are_1_april_and_31_march(label, first, last):
    assert fiscal_year_bounds(label) == (first, last)


def test_fiscal_year_bounds_round_trip_with_fiscal_year_of():
    first, last = fiscal_year_bounds("2031-32")
    assert fiscal_year_of(first) == fiscal_year_of(last) == "2031-32"
    assert fiscal_year_of(first - datetime.timedelta(days=1)) == "2030-31"
    assert fiscal_year_of(last + datetime.timedelta(days=1)) == "2032-33"


@pytest.mark.parametrize(
    "label",
    [
        "2024-26",
        "2024-24",
        "24-25",
        "2024/25",
        "2024-2025",
        "2099-01",
        "",
        None,
        "2024-25\n",
        "२०२४-२५",
    ],
)
def test_fiscal_year_bounds_refuse_what_is_not_a_fiscal_year(label):
    with pytest.raises(ValueError, match="not a fiscal year"):
        fiscal_year_bounds(label)


# Template filters ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (93_300_000, f"₹{NBSP}9,33,00,000"),
        (0, f"₹{NBSP}0"),
        (-150_000, f"-₹{NBSP}1,50,000"),
        (Decimal("6840000.50"), f"₹{NBSP}68,40,001"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_inr_filter_writes_rupees_with_a_no_break_space(value, expected):
    assert render("{% load inr %}{{ value|inr }}", value=value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (93_300_000, f"₹{NBSP}9.33 crore"),
        (6_840_000, f"₹{NBSP}68.40 lakh"),
        (45_000, f"₹{NBSP}45,000"),
        (-93_300_000, f"-₹{NBSP}9.33 crore"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_inr_short_filter_writes_lakh_and_crore(value, expected):
    assert render("{% load inr %}{{ value|inr_short }}", value=value) == expected


def test_inr_filter_output_is_not_escaped_into_entities():
    html = render("{% load inr %}<td>{{ value|inr }}</td>", value=1_000)
    assert html == f"<td>₹{NBSP}1,000</td>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2024, 3, 31), "2023-24"),
        (datetime.date(2024, 4, 1), "2024-25"),
        (datetime.datetime(2024, 3, 31, 19, 0, tzinfo=datetime.UTC), "2024-25"),
    ],
)
def test_fy_filter_names_the_fiscal_year_of_a_date(value, expected):
    assert render("{% load fy %}{{ value|fy }}", value=value) == expected


@pytest.mark.parametrize("value", [None, "", "2024-04-01"])
def test_fy_filter_leaves_what_is_not_a_date_blank(value):
    assert render("{% load fy %}[{{ value|fy }}]", value=value) == "[]"


# Django's own number formatting -------------------------------------------------


@pytest.mark.parametrize("language", ["en-in", "en", "hi"])
def test_django_number_format_groups_in_lakh_and_crore(language):
    with translation.override(language):
        assert number_format(93_300_000, force_grouping=True) == "9,33,00,000"
        assert number_format(100_000, force_grouping=True) == "1,00,000"
        assert number_format(999, force_grouping=True) == "999"


@pytest.mark.parametrize("language", ["en-in", "en", "hi"])
def test_django_number_format_groups_decimals_in_lakh_and_crore(language):
    with translation.override(language):
        formatted = number_format(
            Decimal("12345678.5"), decimal_pos=2, force_grouping=True
        )
    assert formatted == "1,23,45,678.50"


@pytest.mark.parametrize("language", ["en-in", "en", "hi"])
def test_intcomma_groups_in_lakh_and_crore(language):
    with translation.override(language):
        html = render("{% load humanize %}{{ value|intcomma }}", value=93_300_000)
    assert html == "9,33,00,000"


def test_dates_render_the_indian_english_way():
    with translation.override("en-in"):
        html = render("{{ value|date }}", value=datetime.date(2026, 6, 30))
    assert html == "30 Jun 2026"
