"""The staff tables' cell attributes: worked out once a table, the same as per cell."""

import django_tables2 as tables
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from grants.tables import TABLE_TEMPLATE, MoneyColumn

pytestmark = pytest.mark.django_db


class FigureTable(tables.Table):
    name = tables.Column(attrs={"td": {"class": "wrap"}})
    amount = MoneyColumn()
    parity = tables.Column(
        attrs={"td": {"data-parity": lambda record: record["parity"]}}
    )

    class Meta:
        template_name = TABLE_TEMPLATE
        orderable = False


def rendered(table):
    return render_to_string(
        TABLE_TEMPLATE, {"table": table}, request=RequestFactory().get("/")
    )


def test_every_row_has_its_columns_fixed_attributes():
    html = rendered(
        FigureTable(
            [
                {"name": "Monazite", "amount": 100, "parity": "odd"},
                {"name": "Bastnaesite", "amount": 200, "parity": "even"},
            ]
        )
    )

    assert html.count('<td class="wrap">') == 2
    assert html.count('<td class="num">') == 2


def test_attributes_worked_out_per_row_stay_per_row():
    html = rendered(
        FigureTable(
            [
                {"name": "Monazite", "amount": 100, "parity": "odd"},
                {"name": "Bastnaesite", "amount": 200, "parity": "even"},
            ]
        )
    )

    assert '<td data-parity="odd">odd</td>' in html
    assert '<td data-parity="even">even</td>' in html
