"""The Hindi catalogue: complete, current, compiled, and in the glossary's words."""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib
import pytest
from django.conf import settings

from grants.management.commands.compile_catalogues import catalogues

BASE = Path(settings.BASE_DIR)
HINDI = BASE / "locale" / "hi" / "LC_MESSAGES" / "django.po"

# The glossary's settled terms (docs/glossary-hi.md): wherever the English term is in
# a message, its Hindi stands in the translation (inflected forms contain it:
# किस्तों, पड़ावों).
GLOSSARY = {
    "instalment": "किस्त",
    "utilisation certificate": "उपयोगिता प्रमाणपत्र",
    "principal investigator": "प्रधान अन्वेषक",
    "programme officer": "कार्यक्रम अधिकारी",
    "finance officer": "वित्त अधिकारी",
    "re-appropriation": "पुनर्विनियोजन",
    "budget head": "बजट शीर्ष",
    "sanction order": "संस्वीकृति आदेश",
    "milestone": "पड़ाव",
    "grantee": "अनुदानग्राह",  # the stem: अनुदानग्राही, अनुदानग्राहियों
    "technology readiness level": "प्रौद्योगिकी तत्परता स्तर",
    "value chain": "मूल्य श्रृंखला",
    "audited statement of expenditure": "लेखापरीक्षित व्यय विवरण",
    "unspent balance": "अव्ययित शेष",
    "fiscal year": "वित्तीय वर्ष",
    "progress report": "प्रगति रिपोर्ट",
    "division head": "प्रभाग प्रमुख",
    "committee": "समिति",
    "conflict of interest": "हितों का टकराव",
    "member secretary": "सदस्य सचिव",
    "agenda": "कार्यसूची",
}

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}")


def entries():
    return [e for e in polib.pofile(str(HINDI)) if not e.obsolete]


def translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_there_is_a_hindi_catalogue_and_only_the_projects_languages():
    assert catalogues() == [HINDI]
    assert [code for code, _ in settings.LANGUAGES] == ["en", "hi"]


def test_every_message_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(HINDI))
    assert not po.metadata_is_fuzzy
    missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
    assert missing == []
    assert po.percent_translated() == 100


def test_hindi_has_two_plural_forms():
    assert polib.pofile(str(HINDI)).metadata["Plural-Forms"].startswith("nplurals=2;")


def test_every_translation_keeps_the_placeholders_of_its_message():
    wrong = []
    for entry in entries():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in translations(entry):
            # A singular Hindi form may write "1" for %(count)s; all else must match.
            found = sorted(PLACEHOLDER.findall(text))
            plural_singular = entry.msgid_plural and set(found) <= set(wanted)
            if found != wanted and not plural_singular:
                wrong.append((entry.msgid, text))
    assert wrong == []


def test_every_translation_is_in_devanagari():
    latin_only = [
        e.msgid
        for e in entries()
        for text in translations(e)
        if not re.search("[\u0900-\u097f]", text)
        and re.search("[A-Za-z]{4,}", PLACEHOLDER.sub("", text))
    ]
    assert latin_only == []


@pytest.mark.parametrize(("english", "hindi"), GLOSSARY.items())
def test_the_glossarys_term_is_used_wherever_its_english_is(english, hindi):
    pattern = re.compile(rf"\b{re.escape(english)}", re.IGNORECASE)
    off = [
        e.msgid
        for e in entries()
        if pattern.search(PLACEHOLDER.sub("", e.msgid))
        and not all(hindi in text for text in translations(e))
    ]
    assert off == []


def test_the_compiled_catalogue_is_the_current_one():
    mo = HINDI.with_suffix(".mo")
    assert mo.exists(), "run `make catalogues` (manage.py compile_catalogues)"
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo))}
    current = {
        (e.msgctxt, e.msgid): e.msgstr
        for e in entries()
        if e.translated() and not e.msgid_plural
    }
    assert {k: v for k, v in current.items() if compiled.get(k) != v} == {}, (
        "the .mo is older than the .po: run `make catalogues`"
    )


def test_makemessages_finds_nothing_the_catalogue_lacks():
    """A new translatable string fails here until the catalogue has it.

    makemessages runs on a copy of the project, so the checkout is never touched.
    """
    assert shutil.which("xgettext"), "GNU gettext is needed: `make test` installs it"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(
            BASE,
            copy,
            ignore=shutil.ignore_patterns(
                *[".venv", ".git", "node_modules", "var", "static", "docs", "bench"],
                "*.mo",
            ),
        )
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "hi",
                "--no-obsolete",
                "-v0",
                "--ignore=tests/*",
                "--ignore=.venv/*",
            ],
            cwd=copy,
            check=True,
        )

        def key(e):
            return (e.msgctxt, e.msgid, e.msgid_plural)

        fresh = {key(e) for e in polib.pofile(str(copy / HINDI.relative_to(BASE)))}
        old = {key(e) for e in entries()}
    assert (fresh - old, old - fresh) == (set(), set()), "run `make messages`"
