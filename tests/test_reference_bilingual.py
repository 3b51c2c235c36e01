"""Reference data in both languages: schemes, elements and project titles."""

import pytest
from django.utils import translation

from grants.models import Element, Scheme
from grants.reads import dashboard
from tests.factories import ProjectFactory, SchemeFactory

pytestmark = pytest.mark.django_db


def test_the_migration_names_every_element_and_both_schemes_in_hindi():
    assert not Element.objects.filter(name_hi="").exists()
    assert Element.objects.get(symbol="Nd").name_hi == "नियोडिमियम"
    assert set(Scheme.objects.values_list("code", "name_hi")) >= {
        ("st-programme", "विज्ञान एवं प्रौद्योगिकी कार्यक्रम (अनुसंधान एवं विकास घटक)"),
        ("st-prism", "एस एंड टी-प्रिज़्म (खान मंत्रालय)"),
    }


def test_a_scheme_is_named_in_the_pages_language():
    scheme = SchemeFactory(name="Magnet Mission", name_hi="चुंबक मिशन")
    with translation.override("hi"):
        assert str(scheme) == "चुंबक मिशन"
    with translation.override("en"):
        assert str(scheme) == "Magnet Mission"


def test_without_a_hindi_name_the_english_one_serves_both():
    scheme = SchemeFactory(name="Magnet Mission", name_hi="")
    with translation.override("hi"):
        assert scheme.local_name == "Magnet Mission"


def test_the_dashboard_breaks_down_by_scheme_in_the_pages_language():
    scheme = SchemeFactory(name="Magnet Mission", name_hi="चुंबक मिशन")
    ProjectFactory(scheme=scheme)
    on = scheme.projects.get().start_on
    for language, label in [("hi", "चुंबक मिशन"), ("en", "Magnet Mission")]:
        with translation.override(language):
            board = dashboard.build(on=on)
        by_scheme = next(b for b in board.breakdowns if b.dimension.key == "scheme")
        assert [name for name, _ in by_scheme.rows] == [label]
