"""Render a document template to PDF with WeasyPrint, fetching nothing outside static.

The fonts and the house style sheet are parsed once per process and reused: a
font configuration rebuilt for every document costs about a third of a second,
reuse about a tenth. WeasyPrint identifies a font by family and weight, so each
subset file of Noto Sans Devanagari gets a family of its own (``fonts.css``);
one family spread over several files by ``unicode-range`` draws Latin text with
Devanagari glyph numbers.
"""

import functools
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_DIR = Path(settings.BASE_DIR) / "static"
STYLE_SHEETS = ("paper/fonts.css", "paper/paper.css")
FONT_FILES = tuple(sorted((STATIC_DIR / "fonts").glob("*.woff2")))


class StaticOnlyFetcher(URLFetcher):
    """Serve the app's static files and ``data:`` URIs; refuse everything else.

    No ``http(s)``, no file outside ``static/`` (``../`` and symbolic links are
    resolved before the check): a document cannot be made to read the server's
    files or call another machine, whatever text a user typed into it.
    """

    def __init__(self, root: Path = STATIC_DIR, **kwargs):
        super().__init__(allowed_protocols={"file", "data"}, **kwargs)
        self.root = Path(root).resolve()

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve()
        if parts.scheme != "file" or not path.is_relative_to(self.root):
            raise ValueError(f"Documents load only the app's static files: {url}")
        return URLFetcherResponse(url, body=path.read_bytes())


@functools.cache
def _styles():
    fetcher = StaticOnlyFetcher()
    font_config = FontConfiguration()
    sheets = [
        CSS(
            filename=str(STATIC_DIR / name),
            font_config=font_config,
            url_fetcher=fetcher,
        )
        for name in STYLE_SHEETS
    ]
    return font_config, sheets


def html_to_pdf(html: str) -> bytes:
    """Turn a complete HTML document into PDF bytes."""
    font_config, sheets = _styles()
    document = HTML(
        string=html,
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=StaticOnlyFetcher(),
    )
    return document.write_pdf(stylesheets=sheets, font_config=font_config)


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    """Render a template under ``templates/paper/`` to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, context, request=request))
