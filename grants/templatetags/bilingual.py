"""Text in the other language carries its own ``lang``, so it is read out right.

A project title typed in English on a Hindi page, or a Hindi title on an English
page, is wrapped in ``<span lang="…">``: screen readers switch voice, and the
browser picks the right font and hyphenation.
"""

import re

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()

DEVANAGARI = re.compile("[\u0900-\u097f]")
LATIN = re.compile("[A-Za-z]")


def language_of_text(text: str) -> str | None:
    """'hi' for Devanagari text, 'en' for Latin text, None for neither (digits)."""
    if DEVANAGARI.search(text):
        return "hi"
    if LATIN.search(text):
        return "en"
    return None


def page_language() -> str:
    return "hi" if (get_language() or "").startswith("hi") else "en"


@register.filter
def in_lang(value):
    """Escape a value; mark it with its language when that is not the page's."""
    text = "" if value is None else str(value)
    language = language_of_text(text)
    if language is None or language == page_language():
        return format_html("{}", text)
    return format_html('<span lang="{}">{}</span>', language, text)


@register.simple_tag
def project_title(project):
    """The title in the page's language first, the other beside it when there is one.

    Hindi pages lead with the Hindi title where the project has one; English pages
    lead with the English title and show the Hindi one after it, as bilingual
    sanction orders do.
    """
    english, hindi = project.title, getattr(project, "title_hi", "")
    if not hindi:
        return in_lang(english)
    first, second = (hindi, english) if page_language() == "hi" else (english, hindi)
    return format_html(
        '{} <span class="title-other">{}</span>', in_lang(first), in_lang(second)
    )
