"""Hindi and English in a real browser: the switch, axe-core, reflow, the e-mails.

The Hindi pages get the same axe-core check as the English ones
(test_accessibility.py); the screenshots of the Hindi dashboard and portal home
are the README's. Pages must reflow at 320 CSS pixels and take text enlarged to
200% (WCAG 1.4.10 and 1.4.4).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from grants.models import ProgressReport, Project, User
from tests.browser.conftest import axe_violations, log_in, pdf, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

KONKAN = "DEMO-REE-2324-05"
REPORT = "Half-yearly progress report, Apr–Sep 2026"
DEVANAGARI = re.compile("[\u0900-\u097f]")


def switch_to_hindi(page):
    page.get_by_role("button", name="हिन्दी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")


def check_in_hindi(page, name, url, *, shot=None):
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.locator("main h1")).to_be_visible()
    assert DEVANAGARI.search(page.locator("main h1").inner_text()), url
    if shot:
        screenshot(page, shot)
    return {name: axe_violations(page, f"{name}-hi")}


def test_the_main_pages_in_hindi_have_no_serious_or_critical_violations(
    open_page, demo_site
):
    project = Project.objects.get(reference=KONKAN)
    submitted = ProgressReport.objects.get(status="submitted")
    page = open_page(bypass_csp=True)  # axe-core is injected (test_accessibility.py)
    page.goto(f"{demo_site}/accounts/login/")
    switch_to_hindi(page)
    found = check_in_hindi(page, "login", f"{demo_site}/accounts/login/")
    found |= check_in_hindi(page, "help", demo_site + reverse("help"))
    found |= check_in_hindi(page, "accessibility", demo_site + reverse("accessibility"))
    # The login page was switched to Hindi before signing in: it stays Hindi.
    page.goto(f"{demo_site}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    page.locator("#id_username").fill("officer")
    page.locator("#id_password").fill("demo-officer-pass")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_role("button", name="लॉग आउट करें")).to_be_visible()
    staff = [
        ("dashboard", reverse("staff:dashboard"), "dashboard-hi"),
        ("projects-table", reverse("staff:project-list"), None),
        ("project-page", reverse("staff:project-detail", args=[project.pk]), None),
        ("report-review", reverse("staff:report-detail", args=[submitted.pk]), None),
        ("instalments-table", reverse("staff:instalment-list"), None),
    ]
    for name, path, shot in staff:
        found |= check_in_hindi(page, name, demo_site + path, shot=shot)

    pi = open_page(bypass_csp=True)
    log_in(pi, demo_site, "pi-konkan-ust", "demo-grantee-pass")
    switch_to_hindi(pi)
    milestone = project.milestones.get(title=REPORT)
    portal = [
        ("portal-home", reverse("portal:home"), "portal-home-hi"),
        ("portal-project", reverse("portal:project-detail", args=[project.pk]), None),
        ("report-form", reverse("portal:report-submit", args=[milestone.pk]), None),
        (
            "uc-form",
            reverse("portal:certificate-submit", args=[project.pk]),
            None,
        ),
    ]
    for name, path, shot in portal:
        found |= check_in_hindi(pi, name, demo_site + path, shot=shot)
    assert found == dict.fromkeys(found, [])


def test_a_pi_submits_in_hindi_while_the_programme_officer_is_told_in_english(
    open_page, demo_site, eager_tasks, mailoutbox
):
    konkan = Project.objects.get(reference=KONKAN)
    milestone = konkan.milestones.get(title=REPORT)

    pi = open_page()
    log_in(pi, demo_site, "pi-konkan-ust", "demo-grantee-pass")
    switch_to_hindi(pi)
    # The choice is the PI's now, not just this browser's.
    assert User.objects.get(username="pi-konkan-ust").preferred_language == "hi"
    expect(pi.get_by_role("button", name="लॉग आउट करें")).to_be_visible()

    pi.goto(demo_site + reverse("portal:report-submit", args=[milestone.pk]))
    pi.locator("#id_narrative").fill(
        "लाल कीचड़ का 2 किग्रा स्तर पर चयनात्मक निक्षालन: 78% स्कैंडियम पुनर्प्राप्ति।"
    )
    pi.locator("#id_trl_now").fill("4")
    pi.locator("#id_publications").fill("1")
    pi.locator("#id_attachments").set_input_files(pdf("apr-sep-2026-report.pdf"))
    pi.locator("main form button[type=submit]").last.click()

    confirmation = pi.locator(".messages")
    expect(confirmation).to_be_visible()
    assert DEVANAGARI.search(confirmation.inner_text())
    expect(confirmation).not_to_contain_text("Version 1 of the report")
    expect(pi.get_by_role("link", name="apr-sep-2026-report.pdf")).to_be_visible()

    officer = open_page()
    log_in(officer, demo_site, "officer", "demo-officer-pass")
    expect(officer.locator("html")).to_have_attribute("lang", "en")
    report = ProgressReport.objects.get(milestone=milestone, status="submitted")
    officer.goto(demo_site + reverse("staff:report-detail", args=[report.pk]))
    officer.get_by_role("button", name="Accept the report").click()
    expect(officer.locator(".messages")).to_contain_text("accepted")

    to_pi = [m for m in mailoutbox if m.to == ["pi-konkan-ust@demo.example"]]
    to_officer = [
        m
        for m in mailoutbox
        if m.to == [User.objects.get(username="officer").email]
        and "Report accepted" in m.subject
    ]
    assert len(to_pi) == 1
    assert DEVANAGARI.search(to_pi[0].subject)
    assert DEVANAGARI.search(to_pi[0].body)
    assert len(to_officer) == 1
    assert not DEVANAGARI.search(to_officer[0].subject)


def widths_over(page, base, paths, limit):
    """The pages, of those given, that scroll sideways at this width.

    Wide tables scroll inside their own box (WCAG 1.4.10 allows it for data
    tables); the page itself must not.
    """
    too_wide = {}
    for path in paths:
        page.goto(base + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > limit:
            too_wide[path] = width
    return too_wide


@pytest.mark.parametrize("language", ["en", "hi"])
def test_pages_reflow_at_320_pixels_and_take_text_at_200_percent(
    open_page, demo_site, language
):
    project = Project.objects.get(reference=KONKAN)
    page = open_page(bypass_csp=True)
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, demo_site, "pi-konkan-ust", "demo-grantee-pass")
    if language == "hi":
        switch_to_hindi(page)
    pages = [
        reverse("portal:home"),
        reverse("portal:project-detail", args=[project.pk]),
        reverse("help"),
    ]
    too_wide = widths_over(page, demo_site, pages, 320)

    officer = open_page(bypass_csp=True)
    officer.set_viewport_size({"width": 320, "height": 640})
    log_in(officer, demo_site, "officer", "demo-officer-pass")
    if language == "hi":
        switch_to_hindi(officer)
    staff = [
        reverse("staff:dashboard"),
        reverse("staff:project-list"),
        reverse("staff:project-detail", args=[project.pk]),
    ]
    too_wide |= widths_over(officer, demo_site, staff, 320)
    assert too_wide == {}

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(demo_site + reverse("portal:project-detail", args=[project.pk]))
    page.add_style_tag(content="html { font-size: 200% !important; }")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1280
    expect(page.locator("main h1")).to_be_visible()
