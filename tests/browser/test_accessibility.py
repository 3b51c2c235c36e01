"""axe-core on every main page, and the screenshots the README shows.

A serious or critical violation on any page fails; every violation, whatever
its impact, is written to var/axe/<page>.json. Screenshots are taken at
1366x768 into var/screenshots/ before axe-core is injected.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from grants.models import Milestone, ProgressReport, Project, UtilisationCertificate
from tests.browser.conftest import axe_violations, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PROJECT = "DEMO-REE-2324-05"  # Konkan UST: an overdue UC, a held-back instalment


def check(page, name, url, *, shot=None):
    """Open ``url``, take its screenshot if asked, return its blocking violations."""
    page.goto(url)
    expect(page.locator("main h1")).to_be_visible()
    if shot:
        screenshot(page, shot)
    return {name: axe_violations(page, name)}


def test_staff_pages_have_no_serious_or_critical_violations(open_page, demo_site):
    project = Project.objects.get(reference=PROJECT)
    submitted_report = ProgressReport.objects.get(status="submitted")
    submitted_uc = UtilisationCertificate.objects.get(status="submitted")
    # axe-core is injected as a script of its own; the site's Content-Security-
    # Policy (scripts from 'self' only) would refuse it, so these contexts skip it.
    page = open_page(bypass_csp=True)
    found = check(page, "login", f"{demo_site}/accounts/login/")
    log_in(page, demo_site, "officer", "demo-officer-pass")
    staff_pages = [
        ("dashboard", reverse("staff:dashboard"), "dashboard"),
        ("projects-table", reverse("staff:project-list"), "projects-table"),
        ("project-page", reverse("staff:project-detail", args=[project.pk]), "project"),
        ("project-history", reverse("staff:project-history", args=[project.pk]), None),
        ("milestones-table", reverse("staff:milestone-list"), None),
        ("instalments-table", reverse("staff:instalment-list"), None),
        ("certificates-table", reverse("staff:certificate-list"), None),
        ("organisations-table", reverse("staff:organisation-list"), None),
        ("reminders-table", reverse("staff:reminder-list"), None),
        ("asset-register", reverse("staff:asset-register"), None),
        ("reappropriation-queue", reverse("staff:reappropriation-list"), None),
        ("extension-queue", reverse("staff:extension-list"), None),
        (
            "report-return-form",
            reverse("staff:report-return", args=[submitted_report.pk]),
            None,
        ),
    ]
    for name, path, shot in staff_pages:
        found |= check(page, name, demo_site + path, shot=shot)

    finance = open_page(bypass_csp=True)
    log_in(finance, demo_site, "finance", "demo-finance-pass")
    found |= check(
        finance,
        "certificate-accept-form",
        demo_site + reverse("staff:certificate-accept", args=[submitted_uc.pk]),
    )
    blocked = project.instalments.get(sequence=3)
    found |= check(
        finance,
        "release-form",
        demo_site + reverse("staff:instalment-release", args=[blocked.pk]),
    )

    calcinova = Project.objects.get(reference="DEMO-REE-2324-01")
    found |= check(
        finance,
        "release-form-conditions-unmet",
        demo_site
        + reverse(
            "staff:instalment-release",
            args=[calcinova.instalments.get(sequence=3).pk],
        ),
    )
    found |= check(
        finance,
        "closure-form",
        demo_site + reverse("staff:project-close", args=[project.pk]),
    )

    assert found == dict.fromkeys(found, [])


def test_portal_pages_have_no_serious_or_critical_violations(open_page, demo_site):
    project = Project.objects.get(reference=PROJECT)
    report_due = project.milestones.get(
        title="Half-yearly progress report, Apr–Sep 2026"
    )
    uc_due = project.milestones.get(title="Annual UC 2025-26 (GFR 12-A)")
    accepted_report = ProgressReport.objects.filter(
        milestone__project=project, status="accepted"
    ).first()
    # See the staff test: axe-core could not be injected under the site's CSP.
    page = open_page(bypass_csp=True)
    log_in(page, demo_site, "pi-konkan-ust", "demo-grantee-pass")
    portal_pages = [
        ("portal-home", reverse("portal:home"), "portal-home"),
        (
            "portal-project",
            reverse("portal:project-detail", args=[project.pk]),
            "portal-project",
        ),
        ("report-form", reverse("portal:report-submit", args=[report_due.pk]), None),
        (
            "report-page",
            reverse("portal:report-detail", args=[accepted_report.pk]),
            None,
        ),
        (
            "uc-form",
            reverse("portal:milestone-certificate-submit", args=[uc_due.pk]),
            None,
        ),
        ("calendar", reverse("portal:calendar"), None),
        ("assets", reverse("portal:assets", args=[project.pk]), None),
        (
            "reappropriations",
            reverse("portal:reappropriations", args=[project.pk]),
            None,
        ),
    ]
    found = {}
    for name, path, shot in portal_pages:
        found |= check(page, name, demo_site + path, shot=shot)

    # The forms again, as they come back refused: errors must be as usable.
    page.goto(demo_site + reverse("portal:report-submit", args=[report_due.pk]))
    page.get_by_label("Progress in the period").fill("")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    found["report-form-refused"] = axe_violations(page, "report-form-refused")

    page.goto(
        demo_site + reverse("portal:milestone-certificate-submit", args=[uc_due.pk])
    )
    page.get_by_label("6. Expenditure incurred").fill("100")
    page.get_by_role("button", name="Submit the certificate").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    found["uc-form-refused"] = axe_violations(page, "uc-form-refused")

    assert found == dict.fromkeys(found, [])
    assert (
        Milestone.objects.filter(pk__in=[report_due.pk, uc_due.pk])
        .filter(status="pending")
        .count()
        == 2
    )
