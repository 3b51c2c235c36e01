"""Staff read a report or certificate in full before they accept or return it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import (
    Document,
    Milestone,
    Notice,
    ProgressReport,
    UtilisationCertificate,
)
from tests.factories import (
    DocumentFactory,
    MilestoneFactory,
    ProgressReportFactory,
    ProjectFactory,
    UtilisationCertificateFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]


@pytest.fixture
def resubmitted_report():
    """Version 2 of a report, after version 1 was returned for missing yields."""
    project = ProjectFactory(ongoing=True, trl_start=3, trl_now=4, trl_target=6)
    milestone = MilestoneFactory(
        project=project,
        title="Half-yearly progress report, Apr–Sep 2026",
        status=Milestone.Status.SUBMITTED,
    )
    ProgressReportFactory(
        milestone=milestone,
        version=1,
        narrative="Bench leaching done.",
        status=ProgressReport.Status.RETURNED,
        decided_on=datetime.date(2026, 11, 1),
        review_comment="Give the recovery yield per batch.",
    )
    report = ProgressReportFactory(
        milestone=milestone,
        version=2,
        narrative="Bench leaching done; recovery 91% per batch.",
        trl_now=5,
        publications=1,
        submitted_on=datetime.date(2026, 11, 15),
    )
    DocumentFactory(
        project=project,
        report=report,
        kind=Document.Kind.REPORT_ATTACHMENT,
        original_name="yields.xlsx",
    )
    return report


def test_the_report_page_shows_everything_submitted_and_what_changed(
    client, programme_officer, resubmitted_report
):
    client.force_login(programme_officer)
    report = resubmitted_report

    html = client.get(reverse("staff:report-detail", args=[report.pk])).content
    html = html.decode()

    assert "Bench leaching done; recovery 91% per batch." in html
    assert "(project: started at 3, now 4, target 6)" in html
    assert "yields.xlsx" in html
    document = report.documents.get()
    assert reverse("document-download", args=[document.pk]) in html
    # What changed since the returned version, and why it was returned.
    assert "Changed since the version before" in html
    assert "Give the recovery yield per batch." in html
    assert "Version 1 returned" in html
    assert f'action="{reverse("staff:report-accept", args=[report.pk])}"' in html
    assert f'action="{reverse("staff:report-return", args=[report.pk])}"' in html


def test_returning_from_the_page_needs_a_reason_and_then_comes_back(
    client, programme_officer, resubmitted_report
):
    client.force_login(programme_officer)
    report = resubmitted_report
    url = reverse("staff:report-return", args=[report.pk])

    refused = client.post(url, {"decided_on": "2026-11-22", "reason": " "})
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    assert ProgressReport.objects.get(pk=report.pk).status == "submitted"

    done = client.post(
        url, {"decided_on": "2026-11-22", "reason": "Attach the assay reports."}
    )
    assert done.url == reverse("staff:report-detail", args=[report.pk])
    assert ProgressReport.objects.get(pk=report.pk).status == "returned"
    assert Notice.objects.filter(kind=Notice.Kind.REPORT_RETURNED).exists()


def test_a_report_page_offers_no_decision_to_staff_without_the_permission(
    client, finance_officer, resubmitted_report
):
    client.force_login(finance_officer)
    html = client.get(
        reverse("staff:report-detail", args=[resubmitted_report.pk])
    ).content.decode()
    assert "You do not have the permission to decide on it." in html
    assert reverse("staff:report-accept", args=[resubmitted_report.pk]) not in html


def test_the_certificate_page_shows_the_columns_with_their_arithmetic(
    client, finance_officer
):
    certificate = UtilisationCertificateFactory(
        opening_balance=5_00_000,
        interest_earned=12_000,
        interest_remitted=2_000,
        grant_received=20_00_000,
        expenditure=16_00_000,
        signed=True,
    )
    client.force_login(finance_officer)

    html = client.get(
        reverse("staff:certificate-detail", args=[certificate.pk])
    ).content.decode()

    nbsp = "\u00a0"
    assert (
        f"1 + 2 − 3 + 4 = ₹{nbsp}5,00,000 + ₹{nbsp}12,000 − ₹{nbsp}2,000 + "
        f"₹{nbsp}20,00,000"
    ) in html
    assert f"5 − 6 = ₹{nbsp}25,10,000 − ₹{nbsp}16,00,000" in html
    # 16,00,000 / 25,10,000 = 63.745...%: rounded down, the one rule.
    assert "Utilisation 63.7% of the funds available" in html
    assert "₹\u00a010,000 earned but not remitted" in html
    assert "signed-uc.pdf" in html
    assert reverse("staff:certificate-accept", args=[certificate.pk]) in html


def test_a_certificate_without_its_signed_copy_cannot_be_accepted(
    client, finance_officer
):
    certificate = UtilisationCertificateFactory()
    client.force_login(finance_officer)

    page = client.get(reverse("staff:certificate-detail", args=[certificate.pk]))
    html = page.content.decode()
    assert "No signed copy is on file" in html
    assert reverse("staff:certificate-accept", args=[certificate.pk]) not in html
    assert reverse("staff:certificate-return", args=[certificate.pk]) in html

    refused = client.post(
        reverse("staff:certificate-accept", args=[certificate.pk]),
        {"decided_on": "2026-11-22"},
    )
    assert "has no signed copy on file" in refused.content.decode()
    assert UtilisationCertificate.objects.get(pk=certificate.pk).status == "submitted"


def test_a_corrected_certificate_shows_the_figures_changed_since_the_returned_one(
    client, finance_officer
):
    returned = UtilisationCertificateFactory(
        status=UtilisationCertificate.Status.RETURNED,
        decided_on=datetime.date(2025, 5, 10),
        return_reason="Remit the interest.",
        interest_earned=10_000,
        interest_remitted=0,
    )
    corrected = UtilisationCertificateFactory(
        project=returned.project,
        interest_earned=10_000,
        interest_remitted=10_000,
        submitted_on=datetime.date(2025, 5, 20),
        signed=True,
    )
    client.force_login(finance_officer)

    html = client.get(
        reverse("staff:certificate-detail", args=[corrected.pk])
    ).content.decode()

    assert "3. Interest remitted" in html
    assert "Remit the interest." in html
    assert reverse("staff:certificate-detail", args=[returned.pk]) in html


def test_the_review_pages_run_the_same_queries_however_many_versions_and_files(
    client, programme_officer
):
    def report_with(versions):
        milestone = MilestoneFactory(status=Milestone.Status.SUBMITTED)
        for number in range(1, versions):
            ProgressReportFactory(
                milestone=milestone,
                version=number,
                status=ProgressReport.Status.RETURNED,
                decided_on=datetime.date(2026, 1, number),
                review_comment="More detail.",
            )
        report = ProgressReportFactory(milestone=milestone, version=versions)
        for _ in range(versions):
            DocumentFactory(project=milestone.project, report=report)
        return report

    client.force_login(programme_officer)
    counts = []
    for versions in (1, 6):
        report = report_with(versions)
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("staff:report-detail", args=[report.pk])).status_code
                == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]
