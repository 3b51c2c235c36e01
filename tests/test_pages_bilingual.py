"""Every page, in Hindi and in English, on the demo portfolio.

Each page of the staff workspace, the grantee portal and the account pages is
rendered twice, once per language, by a user whose ``preferred_language`` says
which. The Hindi page may hold Latin text only where it is data (what people typed:
titles, names, references, file names; anything in an element that carries its own
``lang``) or one of the few tokens in ``LATIN_ALLOWED``. Translation must not cost
queries: both renderings run the same number.
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants import page_cache, services
from grants.models import (
    AgendaItem,
    AssetDisposal,
    Committee,
    Extension,
    Meeting,
    Milestone,
    Organisation,
    PortfolioImport,
    ProgressReport,
    Project,
    Reappropriation,
    ReleaseCondition,
    User,
    UtilisationCertificate,
)
from tests.factories import RegisterExportFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

# What a Hindi page may write in Latin letters: abbreviations officers know so (the
# glossary keeps them in brackets beside the Hindi), file formats, the rupee's "Rs",
# the names of the product, a scheme and the other language, element symbols, the
# DEMO mark that prefixes demo references, keys as printed on the keyboard and the
# typed date's pattern, and the names of products a reader uses beside the app.
LATIN_ALLOWED = set(
    """
    GFR UC UCs PFMS TRL REE PI PDF CSV XLSX ICS Rs GIGW WCAG AA OTP API
    PAN DPIIT Udyam SoE MSME PSU CIN IFSC JNARDDC DSIR UTR PERC SSAG TEC
    Khanij R D S T PRISM English
    Sc Y La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu
    DEMO Tab Enter DD-MM-YYYY e-mail axe-core QR
    Excel Word docx xlsx PNG JPEG
    Outlook Google Calendar Microsoft Authenticator FreeOTP
    """.split()  # noqa: SIM905 - a short list is easier to read as words
)

# Pages that are not pages: files, feeds and redirects, each with its reason.
NOT_PAGES = {
    "calendar-feed": "an iCalendar file, not HTML",
    "two-factor-qr": "an SVG image",
    "document-download": "a stored file",
    "logout": "POST only",
    "favicon": "a redirect to an image",
    "home": "a redirect to the workspace or the portal",
    "healthz": "a machine's health check",
    "set_language": "POST only",
    "milestone-remind": "POST only",
    "password_reset_confirm": "needs a token sent by e-mail",
    "two-factor-invitation": "a redirect, with a token sent by e-mail",
    "locked-out": "shown in place of a login, with no address of its own",
    "sanction-order": "a PDF document",
    "release-order": "a PDF document",
    "certificate-gfr-12a": "a PDF document",
    "project-brief": "a PDF document",
    "assets-pdf": "a PDF document",
    "register-job-download": "a PDF or XLSX file",
    "import-template": "an XLSX file",
    "import-confirm": "POST only",
    "api-token-revoke": "POST only",
    "committee-schedule": "POST only",
    "meeting-add-item": "POST only",
    "meeting-attendance": "POST only",
    "item-recommend": "POST only",
    "item-decide": "POST only",
    "meeting-minutes-pdf": "a PDF document",
    "item-brief": "a PDF document",
    "item-file": "a stored file",
}


def first(queryset):
    found = queryset.order_by("pk").first()
    assert found is not None, f"the demo has no {queryset.model.__name__} for a page"
    return found


def staff_pages():
    project = first(Project.objects.all())
    milestone = first(Milestone.objects.open())
    return {
        "dashboard": {},
        "project-list": {},
        "project-detail": {"pk": project.pk},
        "project-history": {"pk": project.pk},
        "project-close": {"pk": project.pk},
        "milestone-list": {},
        "milestone-waive": {"pk": milestone.pk},
        "milestone-reschedule": {"pk": milestone.pk},
        "instalment-list": {},
        "instalment-recommend": {
            "pk": first(
                project.instalments.model.objects.filter(released_on__isnull=True)
            ).pk
        },
        "instalment-release": {
            "pk": first(
                project.instalments.model.objects.filter(released_on__isnull=True)
            ).pk
        },
        "condition-met": {
            "pk": first(
                ReleaseCondition.objects.filter(kind=ReleaseCondition.Kind.OTHER)
            ).pk
        },
        "certificate-list": {},
        "certificate-detail": {"pk": first(UtilisationCertificate.objects.all()).pk},
        "certificate-accept": {
            "pk": first(UtilisationCertificate.objects.awaiting_decision()).pk
        },
        "certificate-return": {
            "pk": first(UtilisationCertificate.objects.awaiting_decision()).pk
        },
        "report-detail": {"pk": first(ProgressReport.objects.all()).pk},
        "report-accept": {"pk": first(ProgressReport.objects.awaiting_decision()).pk},
        "report-return": {"pk": first(ProgressReport.objects.awaiting_decision()).pk},
        "extension-list": {},
        "extension-detail": {"pk": first(Extension.objects.awaiting_decision()).pk},
        "extension-approve": {"pk": first(Extension.objects.awaiting_decision()).pk},
        "extension-reject": {"pk": first(Extension.objects.awaiting_decision()).pk},
        "reappropriation-list": {},
        "reappropriation-detail": {"pk": first(Reappropriation.objects.all()).pk},
        "reappropriation-approve": {
            "pk": first(Reappropriation.objects.awaiting_decision()).pk
        },
        "reappropriation-reject": {
            "pk": first(Reappropriation.objects.awaiting_decision()).pk
        },
        "organisation-list": {},
        "reminder-list": {},
        "asset-register": {},
        "asset-disposal": {"pk": first(AssetDisposal.objects.all()).pk},
        "grant-register": {},
        # The demo has no register built by the worker: one is being built.
        "register-job": {
            "pk": RegisterExportFactory(
                requested_by=first(User.objects.filter(username="officer"))
            ).pk
        },
        "import": {},
        "committee-list": {},
        "committee-detail": {"pk": first(Committee.objects.filter(kind="perc")).pk},
        "meeting-detail": {"pk": perc_meeting().pk},
        "meeting-minutes": {"pk": perc_meeting(held=True).pk},
        # A workbook the worker is reading: its page shows the progress.
        "import-detail": {
            "pk": PortfolioImport.objects.create(
                file="imports/portfolio.xlsx",
                original_name="portfolio.xlsx",
                sha256="0" * 64,
                uploaded_by=first(User.objects.filter(username="finance")),
            ).pk
        },
    }


def perc_meeting(*, held=False):
    """The PERC's meeting to come, or (``held``) last year's, with its record."""
    meetings = Meeting.objects.filter(committee__kind="perc")
    return (meetings.order_by("held_on") if held else meetings.order_by("-held_on"))[0]


def review_pages(expert):
    """The reviewer's pages: an item not yet declared on, and one with its papers."""
    items = AgendaItem.objects.open_to(expert).filter(meeting=perc_meeting())
    undeclared, declared = first(items), items.order_by("pk")[1]
    services.declare_conflict(declared, member=expert, conflict="none")
    return {
        "home": {},
        "item": {"pk": undeclared.pk},
        # The same address once the papers are open: walked under a second name.
        "item-papers": {"pk": declared.pk},
    }


def portal_pages(project):
    due = Milestone.objects.open().filter(project=project)
    report_due = first(due.filter(kind=Milestone.Kind.PROGRESS_REPORT))
    uc_due = first(due.filter(kind=Milestone.Kind.UTILISATION_CERTIFICATE))
    return {
        "home": {},
        "due": {},
        "calendar": {},
        "project-detail": {"pk": project.pk},
        "certificate-submit": {"pk": project.pk},
        "extension-request": {"pk": project.pk},
        "reappropriations": {"pk": project.pk},
        "assets": {"pk": project.pk},
        "document-upload": {"pk": project.pk},
        "report-submit": {"pk": report_due.pk},
        "milestone-certificate-submit": {"pk": uc_due.pk},
        "report-detail": {
            "pk": first(ProgressReport.objects.filter(milestone__project=project)).pk
        },
        "certificate-detail": {
            "pk": first(UtilisationCertificate.objects.filter(project=project)).pk
        },
    }


ACCOUNT_PAGES = [
    "password_change",
    "password_change_done",
    "two-factor-setup",
    "api-tokens",
]
TWO_FACTOR_PAGES = ["two-factor-verify", "two-factor-backup-codes"]
ANONYMOUS_PAGES = [
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
    "help",
    "accessibility",
]


class VisibleText(HTMLParser):
    """The words a reader sees or hears, leaving out what carries another lang."""

    # Codes are not words: a secret key, a backup code, a command.
    SKIPPED = {"script", "style", "template", "code", "kbd", "samp"}
    SPOKEN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self, page_language: str):
        super().__init__(convert_charrefs=True)
        self.page_language = page_language
        self.stack: list[bool] = []  # per open element: is it left out?
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        outer = bool(self.stack and self.stack[-1])
        lang = attrs.get("lang")
        skipped = (
            outer
            or tag in self.SKIPPED
            or (lang is not None and not lang.startswith(self.page_language))
        )
        if not skipped:
            self.parts += [
                v for k, v in attrs.items() if k in self.SPOKEN_ATTRIBUTES and v
            ]
            if tag == "input" and attrs.get("type") in {"submit", "button"}:
                self.parts.append(attrs.get("value") or "")
        if tag not in self.VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str, language: str) -> str:
    parser = VisibleText(language)
    parser.feed(html)
    return " ".join(parser.parts)


def typed_values() -> list[str]:
    """Everything people and the demo typed into the database: data, not UI."""
    values = set()
    for model in apps.get_app_config("grants").get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        if fields:
            for row in model.objects.values_list(*fields):
                values.update(v.strip() for v in row if isinstance(v, str))
    values.update(str(user) for user in User.objects.all())
    # Longest first, so a title goes before a word inside it.
    return sorted((v for v in values if len(v) > 1), key=len, reverse=True)


LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def english_left(text: str, data: list[str]) -> set[str]:
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    text = re.sub(r"https?://\S+|\S+@\S+|\S+\.(?:pdf|csv|xlsx|ics)\b", " ", text)
    text = re.sub(r"\b\d+-[A-Z]\b", " ", text)  # form numbers: GFR 12-A
    return {w for w in LATIN_WORD.findall(text) if w.strip("-'’") not in LATIN_ALLOWED}


def render(client, user, name, kwargs, language):
    """GET a page as a user reading one language; the page and its query count."""
    if user is not None:
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        client.force_login(user)
    else:
        client.logout()
    url = reverse(name, kwargs=kwargs)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content.decode(), len(queries)


def walk(client, user, pages: dict[str, dict], namespace: str | None):
    data = typed_values()
    found, counts = {}, {}
    for name, kwargs in pages.items():
        full = f"{namespace}:{name}" if namespace else name
        # A first visit may refresh what the page reads (the dashboard's
        # summaries): it is not counted, so both languages are measured warm.
        render(client, user, full, kwargs, "en")
        # Both languages rendered, not read from the page cache.
        page_cache.clear()
        hindi, hindi_queries = render(client, user, full, kwargs, "hi")
        page_cache.clear()
        english, english_queries = render(client, user, full, kwargs, "en")
        assert '<html lang="hi">' in hindi, full
        assert '<html lang="en">' in english, full
        if hindi_queries != english_queries:
            counts[full] = (english_queries, hindi_queries)
        words = english_left(visible_text(hindi, "hi"), data)
        if words:
            found[full] = sorted(words)
    return found, counts


def url_names(namespace: str | None) -> set[str]:
    """The names of a namespace's URLs (or of those outside every namespace)."""
    resolver = get_resolver()
    if namespace:
        resolver = resolver.namespace_dict[namespace][1]
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
        elif isinstance(pattern, URLResolver) and not (namespace or pattern.namespace):
            names.update(p.name for p in pattern.url_patterns if p.name)
    return names


@pytest.fixture
def demo(demo_portfolio):
    return demo_portfolio


def test_every_page_is_walked_or_named_as_not_a_page(demo):
    walked = set(staff_pages())
    assert url_names("staff") - walked - set(NOT_PAGES) == set()
    project = Project.objects.get(reference="DEMO-REE-2324-05")
    walked = set(portal_pages(project))
    assert url_names("portal") - walked - set(NOT_PAGES) == set()
    outside = url_names(None) - {"admin"}
    walked = set(review_pages(User.objects.get(username="expert-iyer")))
    assert url_names("review") - walked - set(NOT_PAGES) == set()
    walked = set(ACCOUNT_PAGES) | set(ANONYMOUS_PAGES) | set(TWO_FACTOR_PAGES)
    assert outside - walked - set(NOT_PAGES) == set()


def test_every_staff_page_is_hindi_in_hindi_at_the_same_query_cost(client, demo):
    admin = User.objects.get(username="admin")
    found, counts = walk(client, admin, staff_pages(), "staff")
    assert found == {}, "English left on Hindi staff pages"
    assert counts == {}, "translation changed the queries a page runs"


def test_every_portal_page_is_hindi_in_hindi_at_the_same_query_cost(client, demo):
    # Konkan UST: reports and certificates decided, others due, requests waiting.
    project = Project.objects.get(reference="DEMO-REE-2324-05")
    pi = project.principal_investigator
    found, counts = walk(client, pi, portal_pages(project), "portal")
    assert found == {}, "English left on Hindi portal pages"
    assert counts == {}, "translation changed the queries a page runs"


def test_the_committee_pages_of_the_member_secretary_are_hindi_in_hindi(client, demo):
    # The secretary sees every form that the admin's walk above does not.
    officer = User.objects.get(username="officer")
    pages = {
        name: kwargs
        for name, kwargs in staff_pages().items()
        if name.startswith(("committee-", "meeting-"))
    }
    found, counts = walk(client, officer, pages, "staff")
    assert found == {}, "English left on Hindi committee pages"
    assert counts == {}, "translation changed the queries a page runs"


def test_every_reviewer_page_is_hindi_in_hindi_at_the_same_query_cost(client, demo):
    expert = User.objects.get(username="expert-iyer")
    pages = review_pages(expert)
    pages["item"], papers = pages["item"], pages.pop("item-papers")
    found, counts = walk(client, expert, pages, "review")
    more, more_counts = walk(client, expert, {"item": papers}, "review")
    assert {**found, **more} == {}, "English left on Hindi reviewer pages"
    assert {**counts, **more_counts} == {}, "translation changed the queries"


def test_the_account_pages_and_the_pages_before_login_are_hindi_in_hindi(client, demo):
    officer = User.objects.get(username="officer")
    found, _ = walk(client, officer, {name: {} for name in ACCOUNT_PAGES}, None)
    anonymous, _ = walk(client, None, {name: {} for name in ANONYMOUS_PAGES}, None)
    assert {**found, **anonymous} == {}, "English left on Hindi account pages"


def test_the_two_factor_pages_are_hindi_in_hindi(client, demo):
    officer = User.objects.get(username="officer")
    User.objects.filter(pk=officer.pk).update(preferred_language="hi")
    device = TOTPDevice.objects.create(user=officer, name="Authenticator app")
    client.force_login(officer)
    data = typed_values()
    found = {}
    verify = client.get(reverse("two-factor-verify")).content.decode()
    found["two-factor-verify"] = english_left(visible_text(verify, "hi"), data)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    codes = client.get(reverse("two-factor-backup-codes")).content.decode()
    found["two-factor-backup-codes"] = english_left(visible_text(codes, "hi"), data)
    assert {name: words for name, words in found.items() if words} == {}


def test_the_refusal_to_enrol_without_an_invitation_is_hindi_in_hindi(
    client, demo, settings
):
    settings.KHANIJ_STAFF_2FA_REQUIRED = True
    officer = User.objects.get(username="officer")
    User.objects.filter(pk=officer.pk).update(preferred_language="hi")
    client.force_login(officer)

    refused = client.get(reverse("two-factor-invitation", args=["no-such-link"]))

    assert refused.status_code == 403
    page = visible_text(refused.content.decode(), "hi")
    assert english_left(page, typed_values()) == set()


def test_the_walk_would_see_english_left_on_a_hindi_page():
    html = (
        '<html lang="hi"><body><p>परियोजना Submit</p>'
        '<p lang="en">Recovery of REE</p><button aria-label="Close">x</button>'
        "<script>var Submit;</script></body></html>"
    )
    assert english_left(visible_text(html, "hi"), ["x"]) == {"Submit", "Close"}


def test_an_organisation_name_is_data_not_english_ui(demo):
    name = first(Organisation.objects.all()).name
    assert english_left(f"संगठन {name}", typed_values()) == set()


def test_the_admin_and_the_error_pages_speak_hindi(client, demo):
    admin = User.objects.get(username="admin")
    User.objects.filter(pk=admin.pk).update(preferred_language="hi")
    client.force_login(admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert '<html lang="hi"' in index
    assert "अनुदान" in index  # the app's heading
    assert "दो-चरणीय लॉग इन" in index  # "Two-factor sign-in: …"
    missing = client.get("/staff/projects/999999/")
    assert missing.status_code == 404
    page = visible_text(missing.content.decode(), "hi")
    assert english_left(page, typed_values()) == set()
