"""Amounts in words, the Indian way: "Rupees Nine Crore Thirty-Three Lakh only".

num2words2 counts in lakh and crore in English (``en_IN``) and in Hindi; plain
num2words has no Hindi. Above 99 crore both libraries say "arab", which
government paper does not: such amounts are written as a number of crore
("One Hundred and Twenty-Three Crore …"), so the crore part is spelt on its own.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language
from num2words2 import num2words

CRORE = 10_000_000


def number_in_words(number: int, language: str) -> str:
    """Spell a whole non-negative number with lakh and crore, never arab."""
    if language.startswith("hi"):
        return _hindi(number)
    crores, rest = divmod(number, CRORE)
    if crores >= 100:
        parts = [f"{num2words(crores, lang='en_IN')} crore"]
        if rest:
            parts.append(num2words(rest, lang="en_IN"))
        return " ".join(parts)
    return num2words(number, lang="en_IN")


# Hindi names each number below a hundred with its own word, which num2words2
# has right; above that it drops the "एक" of "एक सौ", "एक लाख" and "एक करोड़",
# and says "एक हज़ार सौ" for 1,100. So only the words below a hundred come from
# it, and the places (करोड़, लाख, हज़ार, सौ) are put together here.
HINDI_PLACES = ((CRORE, "करोड़"), (100_000, "लाख"), (1_000, "हज़ार"), (100, "सौ"))


def _hindi(number: int) -> str:
    if number == 0:
        return num2words(0, lang="hi")
    parts = []
    crores, number = divmod(number, CRORE)
    if crores:
        parts += [_hindi(crores), "करोड़"]
    for place, word in HINDI_PLACES[1:]:
        count, number = divmod(number, place)
        if count:
            parts += [num2words(count, lang="hi"), word]
    if number:
        parts.append(num2words(number, lang="hi"))
    return " ".join(parts)


def _title_english(words: str) -> str:
    """'nine crore, thirty-three lakh' -> 'Nine Crore Thirty-Three Lakh'."""
    titled = []
    for word in words.replace(",", "").split():
        if word == "and":
            titled.append(word)
        else:
            titled.append("-".join(part.capitalize() for part in word.split("-")))
    return " ".join(titled)


def rupees_in_words(amount, language: str | None = None) -> str:
    """Write whole rupees in words for an order: the figure's legal twin.

    English: "Rupees Nine Crore Thirty-Three Lakh only"; Hindi: "नौ करोड़ तैंतीस
    लाख रुपये मात्र". Fractions round half up to the rupee, as the accounts do.
    """
    language = language or get_language() or "en"
    rupees = int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if rupees < 0:
        raise ValueError("An amount in words is never negative.")
    if language.startswith("hi"):
        return f"{number_in_words(rupees, 'hi')} रुपये मात्र"
    return f"Rupees {_title_english(number_in_words(rupees, 'en'))} only"
