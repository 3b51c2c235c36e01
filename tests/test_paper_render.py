"""The paper's foundation: amounts in words, fonts, fetcher, bilingual headings."""

import polib
import pytest
from django.template import engines
from django.utils import translation

from grants.paper.render import STATIC_DIR, StaticOnlyFetcher, html_to_pdf
from grants.paper.words import rupees_in_words
from tests.pdf import pdf_fonts, pdf_pages, pdf_text, uncovered_characters


def render(source: str, language: str = "en", **context) -> str:
    with translation.override(language):
        return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize(
    ("amount", "english", "hindi"),
    [
        (
            93_300_000,
            "Rupees Nine Crore Thirty-Three Lakh only",
            "नौ करोड़ तैंतीस लाख रुपये मात्र",
        ),
        (
            1_729_000,
            "Rupees Seventeen Lakh Twenty-Nine Thousand only",
            "सत्रह लाख उनतीस हज़ार रुपये मात्र",
        ),
        (100, "Rupees One Hundred only", "एक सौ रुपये मात्र"),
        (1_100, "Rupees One Thousand One Hundred only", "एक हज़ार एक सौ रुपये मात्र"),
        (10_000_000, "Rupees One Crore only", "एक करोड़ रुपये मात्र"),
        (
            1_234_567_891,
            "Rupees One Hundred and Twenty-Three Crore Forty-Five Lakh Sixty-Seven "
            "Thousand Eight Hundred and Ninety-One only",
            "एक सौ तेईस करोड़ पैंतालीस लाख सड़सठ हज़ार आठ सौ इक्यानवे रुपये मात्र",
        ),
        (0, "Rupees Zero only", "शून्य रुपये मात्र"),
    ],
)
def test_an_amount_is_written_in_words_in_lakh_and_crore_in_both_languages(
    amount, english, hindi
):
    assert rupees_in_words(amount, "en") == english
    assert rupees_in_words(amount, "hi") == hindi


def test_an_amount_in_words_never_says_arab_or_billion():
    words = rupees_in_words(99_999_999_999, "en") + rupees_in_words(
        99_999_999_999, "hi"
    )
    assert "arab" not in words.lower()
    assert "billion" not in words.lower()
    assert "अरब" not in words


def test_a_negative_amount_has_no_words():
    with pytest.raises(ValueError, match="never negative"):
        rupees_in_words(-1, "en")


def test_the_bilingual_tag_gives_hindi_then_english_each_with_its_lang():
    html = render(
        '{% load i18n paper %}{% bilingual %}{% translate "Government of India" %}'
        "{% endbilingual %}"
    )
    assert html.index('lang="hi"') < html.index('lang="en"')
    assert "भारत सरकार" in html
    assert "Government of India" in html


def test_the_bilingual_tag_writes_text_once_when_both_languages_say_the_same():
    html = render("{% load paper %}{% bilingual %}GFR 12-A{% endbilingual %}")
    assert html == "GFR 12-A"


def test_the_bilingual_tag_escapes_what_it_encloses_once():
    html = render(
        "{% load paper %}{% bilingual %}{{ name }}{% endbilingual %}", name="A & B"
    )
    assert html == "A &amp; B"


def test_the_in_words_filter_follows_the_reader_language():
    source = "{% load paper %}{{ amount|in_words }}"
    assert render(source, "en", amount=93_300_000).startswith("Rupees Nine Crore")
    assert render(source, "hi", amount=93_300_000).startswith("नौ करोड़")


def test_a_hindi_document_is_drawn_with_the_shipped_devanagari_font():
    pdf = html_to_pdf(
        '<html lang="hi"><body><p>उपयोगिता प्रमाणपत्र संस्वीकृति क्ष श्रृ द्वि हृ ₹</p>'
        "<p>9,33,00,000</p></body></html>"
    )
    assert "KhanijDeva" in pdf_fonts(pdf)
    assert "9,33,00,000" in pdf_text(pdf)
    assert pdf_pages(pdf) == 1


# Where the words printed on paper come from: the documents' templates, and the
# models' and reads' labels they show (web pages may use symbols the browser's
# own fonts draw; a PDF has only the fonts it ships).
PRINTED_FROM = ("templates/paper/", "grants/paper/", "grants/models/", "grants/reads/")


def test_the_shipped_fonts_draw_every_hindi_word_a_document_can_print():
    catalogue = polib.pofile(str(STATIC_DIR.parent / "locale/hi/LC_MESSAGES/django.po"))
    printed = [
        entry
        for entry in catalogue
        if any(path.startswith(PRINTED_FROM) for path, _ in entry.occurrences)
    ]
    text = "".join(
        entry.msgstr + "".join(entry.msgstr_plural.values()) for entry in printed
    )
    assert len(printed) > 100
    assert uncovered_characters(text) == set()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/healthz",
        "https://example.com/logo.png",
        "file:///etc/passwd",
        (STATIC_DIR / ".." / "config" / "settings.py").as_uri(),
    ],
)
def test_the_fetcher_refuses_anything_outside_the_static_files(url):
    with pytest.raises(ValueError, match="only the app's static files"):
        StaticOnlyFetcher().fetch(url)


def test_the_fetcher_refuses_a_symbolic_link_that_leads_out_of_static(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (root / "escape.css").symlink_to("/etc/hostname")
    with pytest.raises(ValueError, match="only the app's static files"):
        StaticOnlyFetcher(root=root).fetch((root / "escape.css").as_uri())


def test_the_fetcher_serves_the_shipped_fonts():
    font = STATIC_DIR / "fonts" / "noto-sans-devanagari-devanagari-400-normal.woff2"
    response = StaticOnlyFetcher().fetch(font.as_uri())
    assert response.read()[:4] == b"wOF2"


def test_a_document_with_a_remote_or_system_image_renders_without_it():
    pdf = html_to_pdf(
        '<html><body><p>Order</p><img src="http://169.254.169.254/latest/meta-data">'
        '<img src="file:///etc/passwd"></body></html>'
    )
    assert pdf_text(pdf).startswith("Order")
    assert "root:" not in pdf_text(pdf)
