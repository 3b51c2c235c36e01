"""Text in the other language carries its own lang (templatetags/bilingual.py)."""

from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load bilingual %}" + source).render(Context(context))


def test_an_english_title_on_a_hindi_page_is_marked_english():
    html = render("{{ t|in_lang }}", "hi", t="Recovery of REEs")
    assert html == '<span lang="en">Recovery of REEs</span>'


def test_a_hindi_title_on_an_english_page_is_marked_hindi():
    assert render("{{ t|in_lang }}", "en", t="पुनर्चक्रण") == (
        '<span lang="hi">पुनर्चक्रण</span>'
    )


def test_text_in_the_pages_own_language_or_only_digits_is_left_as_it_is():
    assert render("{{ t|in_lang }}", "en", t="Recovery") == "Recovery"
    assert render("{{ t|in_lang }}", "hi", t="2024-25") == "2024-25"


def test_what_is_marked_is_still_escaped():
    assert render("{{ t|in_lang }}", "hi", t="<b>x</b>") == (
        '<span lang="en">&lt;b&gt;x&lt;/b&gt;</span>'
    )


def test_a_hindi_page_leads_with_the_hindi_title_and_keeps_the_english():
    project = SimpleNamespace(title="Magnet recycling", title_hi="चुंबक पुनर्चक्रण")
    html = render("{% project_title p %}", "hi", p=project)
    assert html == (
        'चुंबक पुनर्चक्रण <span class="title-other">'
        '<span lang="en">Magnet recycling</span></span>'
    )


def test_an_english_page_leads_with_the_english_title():
    project = SimpleNamespace(title="Magnet recycling", title_hi="चुंबक पुनर्चक्रण")
    html = render("{% project_title p %}", "en", p=project)
    assert html.startswith("Magnet recycling <span")
    assert '<span lang="hi">चुंबक पुनर्चक्रण</span>' in html


def test_a_project_without_a_hindi_title_shows_its_title_alone():
    project = SimpleNamespace(title="Magnet recycling", title_hi="")
    assert render("{% project_title p %}", "hi", p=project) == (
        '<span lang="en">Magnet recycling</span>'
    )
