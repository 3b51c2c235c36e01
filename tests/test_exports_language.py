"""An export speaks the language of the person who downloads it."""

import re

import pytest

from tests.factories import ProjectFactory, StaffUserFactory
from tests.test_exports import LISTS, csv_rows, export, xlsx_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

DEVANAGARI = re.compile("[\u0900-\u097f]")


def reading(client, language):
    client.force_login(StaffUserFactory(preferred_language=language))
    return client


@pytest.mark.parametrize("name", LISTS)
def test_a_hindi_readers_csv_has_hindi_headers(client, name):
    ProjectFactory()
    header = csv_rows(export(reading(client, "hi"), name, "csv"))[0]
    assert all(DEVANAGARI.search(cell) for cell in header), header


@pytest.mark.parametrize("name", LISTS)
def test_an_english_readers_csv_has_english_headers(client, name):
    ProjectFactory()
    header = csv_rows(export(reading(client, "en"), name, "csv"))[0]
    assert not any(DEVANAGARI.search(cell) for cell in header), header


def test_a_hindi_readers_xlsx_has_hindi_headers_and_choice_labels(client):
    ProjectFactory(stage="magnets")
    _, rows = xlsx_rows(export(reading(client, "hi"), "staff:project-list", "xlsx"))
    assert all(DEVANAGARI.search(str(cell)) for cell in rows[0])
    assert "चुंबक" in rows[1]
