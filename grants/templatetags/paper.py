"""Template tags for the ministry's paper (``templates/paper/``).

``{% bilingual %}…{% endbilingual %}`` renders what it encloses twice, in Hindi
and then in English, each marked with its ``lang``: Government of India letters
carry their headings in both languages, Hindi first, whatever the reader's
language. ``{% bilingual stacked %}`` puts the English on a line of its own.
"""

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from grants.paper.words import rupees_in_words

register = template.Library()

LANGUAGES = ("hi", "en")


class BilingualNode(template.Node):
    def __init__(self, nodelist, stacked):
        self.nodelist = nodelist
        self.stacked = stacked

    def render(self, context):
        texts = []
        for language in LANGUAGES:
            with translation.override(language):
                # The nodelist's output is already escaped; strip() would unmark it.
                texts.append(mark_safe(self.nodelist.render(context).strip()))
        hindi, english = texts
        if hindi == english:
            return hindi
        if self.stacked:
            return format_html(
                '<span class="stacked" lang="hi">{}</span>'
                '<span class="stacked" lang="en">{}</span>',
                hindi,
                english,
            )
        return format_html(
            '<span lang="hi">{}</span><span class="bilingual-sep"> / </span>'
            '<span lang="en">{}</span>',
            hindi,
            english,
        )


@register.tag
def bilingual(parser, token):
    bits = token.split_contents()
    stacked = bits[1:] == ["stacked"]
    if bits[1:] and not stacked:
        raise template.TemplateSyntaxError("{% bilingual %} takes only 'stacked'.")
    nodelist = parser.parse(("endbilingual",))
    parser.delete_first_token()
    return BilingualNode(nodelist, stacked)


@register.filter
def in_words(amount):
    """Whole rupees in words in the page's language."""
    if amount is None or amount == "":
        return ""
    return rupees_in_words(amount, translation.get_language() or "en")
