"""The grantee portal: what a member sees, and submitting reports and certificates."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import page_cache, services
from grants.models import (
    BudgetLine,
    Document,
    Membership,
    Milestone,
    ProgressReport,
    Reminder,
    UtilisationCertificate,
)
from tests.factories import (
    BudgetLineFactory,
    DocumentFactory,
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReminderFactory,
    UserFactory,
    UtilisationCertificateFactory,
)
from tests.pdf import pdf_text
from tests.test_uploads import PDF_BYTES, jpeg_bytes

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _today():
    moment = datetime.datetime(
        2026, 11, 22, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")
    )
    with time_machine.travel(moment, tick=False):
        yield


def member_of(organisation, role=Membership.Role.PRINCIPAL_INVESTIGATOR):
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def own_project(organisation):
    return ProjectFactory(organisation=organisation, reference="OWN-REE-0001")


def pdf(name="signed-uc.pdf", data=PDF_BYTES):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def page(response) -> str:
    return response.content.decode()


# Home ------------------------------------------------------------------------------


def test_home_lists_what_is_due_soonest_first_with_days_left_or_overdue(
    client, grantee, own_project
):
    later = MilestoneFactory(
        project=own_project, title="Review meeting", due_on=datetime.date(2026, 12, 10)
    )
    overdue = MilestoneFactory(
        project=own_project,
        title="Half-yearly report",
        due_on=datetime.date(2026, 11, 10),
    )
    today = MilestoneFactory(project=own_project, title="Annual UC", due_on=TODAY)
    MilestoneFactory(
        project=own_project,
        title="Old accepted report",
        due_on=datetime.date(2026, 1, 1),
        status=Milestone.Status.ACCEPTED,
    )
    client.force_login(grantee)

    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    assert list(response.context["due"]) == [overdue, today, later]
    html = page(response)
    assert "12 days overdue" in html
    assert "due today" in html
    assert "18 days left" in html
    assert "Old accepted report" not in html


def test_home_shows_what_was_returned_and_why(client, grantee, own_project, staff_user):
    report = ProgressReportFactory(
        milestone=MilestoneFactory(
            project=own_project,
            title="Milestone-1 report",
            status=Milestone.Status.SUBMITTED,
        )
    )
    services.return_progress_report(
        report,
        reason="Add the leaching recovery figures per batch.",
        decided_on=TODAY,
        decided_by=staff_user,
    )
    certificate = UtilisationCertificateFactory(project=own_project)
    MilestoneFactory(
        project=own_project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        status=Milestone.Status.SUBMITTED,
        certificate=certificate,
    )
    services.return_certificate(
        certificate,
        reason="Interest earned shown as available instead of remitted.",
        decided_on=TODAY,
        decided_by=staff_user,
    )
    client.force_login(grantee)

    html = page(client.get(reverse("portal:home")))

    assert "Returned to you" in html
    assert "Add the leaching recovery figures per batch." in html
    assert "Interest earned shown as available instead of remitted." in html
    assert reverse("portal:report-submit", args=[report.milestone_id]) in html


def test_home_lists_recent_decisions_with_the_ministrys_comment(
    client, grantee, own_project, staff_user
):
    report = ProgressReportFactory(
        milestone=MilestoneFactory(
            project=own_project, status=Milestone.Status.SUBMITTED
        )
    )
    services.accept_progress_report(
        report,
        decided_on=TODAY,
        decided_by=staff_user,
        comment="Good progress on the pilot.",
    )
    client.force_login(grantee)

    response = client.get(reverse("portal:home"))

    decisions = response.context["decisions"]
    assert [d.status for d in decisions] == ["accepted"]
    assert "Good progress on the pilot." in page(response)


def test_home_lists_a_release_among_the_recent_decisions(
    client, grantee, own_project, finance_user
):
    instalment = InstalmentFactory(project=own_project, sequence=1)
    services.release_instalment(
        instalment,
        released_on=TODAY,
        release_order_number="MoM/RO/2026/12",
        released_by=finance_user,
    )
    client.force_login(grantee)

    response = client.get(reverse("portal:home"))

    decisions = response.context["decisions"]
    assert [d.status for d in decisions] == ["instalment_released"]
    assert "Instalment 1 of ₹ 20,00,000" in page(response)
    assert "Release order MoM/RO/2026/12." in page(response)


def test_home_lists_reminders_sent_to_the_user_by_account_or_by_address(
    client, grantee, own_project
):
    milestone = MilestoneFactory(project=own_project, due_on=datetime.date(2026, 12, 1))
    sent = {"status": Reminder.Status.SENT, "sent_at": "2026-11-01T09:00:00+05:30"}
    ReminderFactory(
        milestone=milestone, recipient=grantee, subject="Due in 30 days", **sent
    )
    ReminderFactory(
        milestone=milestone,
        recipient=None,
        recipient_email=grantee.email.upper(),
        subject="Sent to the address",
        **sent,
    )
    ReminderFactory(milestone=milestone, subject="To someone else", **sent)
    ReminderFactory(milestone=milestone, recipient=grantee, subject="Not sent yet")
    other_milestone = MilestoneFactory()
    ReminderFactory(
        milestone=other_milestone,
        recipient=grantee,
        subject="About a project no longer theirs",
        **sent,
    )
    client.force_login(grantee)

    html = page(client.get(reverse("portal:home")))

    assert "Due in 30 days" in html
    assert "Sent to the address" in html
    assert "To someone else" not in html
    assert "Not sent yet" not in html
    assert "About a project no longer theirs" not in html


def test_home_without_a_membership_says_how_to_get_one(client):
    client.force_login(UserFactory())

    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    assert "not a member of any grantee organisation" in page(response)


def test_home_shows_where_each_projects_next_instalment_stands(
    client, grantee, own_project
):
    InstalmentFactory(
        project=own_project,
        sequence=1,
        planned_on=datetime.date(2024, 4, 10),
        released=True,
    )
    InstalmentFactory(
        project=own_project, sequence=2, planned_on=datetime.date(2025, 4, 1)
    )
    client.force_login(grantee)

    html = page(client.get(reverse("portal:home")))

    assert "What the ministry still needs from you" in html


def _grow_portfolio(organisation, count):
    for _ in range(count):
        project = ProjectFactory(organisation=organisation)
        InstalmentFactory(
            project=project,
            sequence=1,
            planned_on=datetime.date(2024, 4, 10),
            released=True,
        )
        InstalmentFactory(
            project=project, sequence=2, planned_on=datetime.date(2025, 4, 1)
        )
        BudgetLineFactory(project=project)
        milestone = MilestoneFactory(project=project, due_on=datetime.date(2026, 12, 1))
        MilestoneFactory(project=project, due_on=datetime.date(2026, 10, 1))
        report = ProgressReportFactory(
            milestone=MilestoneFactory(
                project=project, status=Milestone.Status.SUBMITTED
            )
        )
        certificate = UtilisationCertificateFactory(
            project=project,
            status=UtilisationCertificate.Status.ACCEPTED,
            decided_on=TODAY,
        )
        DocumentFactory(project=project, report=report)
        DocumentFactory(project=project, certificate=certificate)
        ReminderFactory(
            milestone=milestone,
            recipient=organisation.memberships.first().user,
            status=Reminder.Status.SENT,
        )


def test_home_queries_do_not_grow_with_projects_milestones_and_documents(
    client, grantee, organisation
):
    _grow_portfolio(organisation, 1)
    client.force_login(grantee)
    client.get(reverse("portal:home"))  # warm the per-process caches
    page_cache.clear()  # the page is rendered, not read from the page cache
    with CaptureQueriesContext(connection) as baseline:
        client.get(reverse("portal:home"))

    _grow_portfolio(organisation, 10)
    client.get(reverse("portal:home"))  # refreshes the new projects' summaries
    page_cache.clear()
    with CaptureQueriesContext(connection) as grown:
        response = client.get(reverse("portal:home"))

    assert len(response.context["projects"]) == 11
    assert len(grown) == len(baseline)


# Project ---------------------------------------------------------------------------


def test_the_project_page_shows_sanction_budget_instalments_milestones_and_documents(
    client, grantee, own_project
):
    BudgetLineFactory(
        project=own_project,
        head=BudgetLine.Head.EQUIPMENT,
        project_year=1,
        amount=2_500_000,
    )
    BudgetLineFactory(
        project=own_project,
        head=BudgetLine.Head.MANPOWER,
        project_year=2,
        amount=1_200_000,
    )
    InstalmentFactory(
        project=own_project,
        sequence=1,
        amount=2_000_000,
        planned_on=datetime.date(2024, 4, 10),
        released=True,
        release_order_number="RO/OWN/1",
    )
    MilestoneFactory(project=own_project, title="Milestone-2 report")
    DocumentFactory(project=own_project, original_name="sanction-letter.pdf")
    client.force_login(grantee)

    response = client.get(reverse("portal:project-detail", args=[own_project.pk]))

    html = page(response)
    assert own_project.sanction_order_number in html
    assert "₹\u00a025,00,000" in html  # equipment, year 1
    assert "₹\u00a037,00,000" in html  # budget total
    assert "RO/OWN/1" in html
    assert "Milestone-2 report" in html
    assert "sanction-letter.pdf" in html
    assert reverse("document-download", args=[own_project.documents.get().pk]) in html


def test_where_is_my_instalment_says_what_the_ministry_still_needs(
    client, grantee, own_project
):
    InstalmentFactory(
        project=own_project,
        sequence=1,
        planned_on=datetime.date(2024, 4, 10),
        released=True,
    )
    InstalmentFactory(
        project=own_project, sequence=2, planned_on=datetime.date(2025, 4, 1)
    )
    client.force_login(grantee)

    response = client.get(reverse("portal:project-detail", args=[own_project.pk]))

    steps = {step.stage: step for step in response.context["timeline"]}
    assert steps["planned"].state == "done"
    assert steps["planned"].on == datetime.date(2025, 4, 1)
    assert steps["awaiting_documents"].state == "current"
    assert (
        "An accepted utilisation certificate covering the release of 10 Apr 2024"
        in (" ".join(steps["awaiting_documents"].notes))
    )
    assert steps["released"].state == "todo"
    assert "What the ministry still needs from you" in page(response)


def test_where_is_my_instalment_moves_to_review_when_the_certificate_is_submitted(
    client, grantee, own_project
):
    released = InstalmentFactory(
        project=own_project,
        sequence=1,
        planned_on=datetime.date(2024, 4, 10),
        released=True,
    )
    InstalmentFactory(
        project=own_project, sequence=2, planned_on=datetime.date(2025, 4, 1)
    )
    services.submit_certificate(
        own_project,
        kind=UtilisationCertificate.Kind.ANNUAL,
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 3, 31),
        figures=services.CertificateFigures(
            opening_balance=0,
            interest_earned=0,
            interest_remitted=0,
            grant_received=released.amount,
            expenditure=1_500_000,
            closing_balance=released.amount - 1_500_000,
        ),
        submitted_on=datetime.date(2025, 4, 20),
        submitted_by=grantee,
    )
    client.force_login(grantee)

    response = client.get(reverse("portal:project-detail", args=[own_project.pk]))

    steps = {step.stage: step for step in response.context["timeline"]}
    assert steps["awaiting_documents"].state == "done"
    assert steps["awaiting_documents"].notes == ()
    assert steps["under_review"].state == "current"
    assert steps["under_review"].on == datetime.date(2025, 4, 20)


def test_before_its_planned_date_an_instalment_lists_what_is_still_needed(
    client, grantee, own_project
):
    InstalmentFactory(
        project=own_project,
        sequence=1,
        planned_on=datetime.date(2024, 4, 10),
        released=True,
    )
    InstalmentFactory(
        project=own_project, sequence=2, planned_on=datetime.date(2027, 1, 15)
    )
    client.force_login(grantee)

    response = client.get(reverse("portal:project-detail", args=[own_project.pk]))

    steps = {step.stage: step for step in response.context["timeline"]}
    assert steps["planned"].state == "current"
    assert steps["planned"].on == datetime.date(2027, 1, 15)
    assert steps["awaiting_documents"].state == "todo"
    assert "An accepted utilisation certificate" in steps["awaiting_documents"].notes[0]
    assert "planned for 15 Jan 2027" in page(response)


def test_project_page_queries_do_not_grow_with_milestones_reports_and_documents(
    client, grantee, own_project
):
    def grow(count):
        for _ in range(count):
            InstalmentFactory(project=own_project, planned_on=datetime.date(2027, 1, 1))
            milestone = MilestoneFactory(project=own_project)
            report = ProgressReportFactory(milestone=milestone)
            ProgressReportFactory(milestone=milestone, version=2)
            certificate = UtilisationCertificateFactory(
                project=own_project,
                kind=UtilisationCertificate.Kind.PROVISIONAL,
                period_end=datetime.date(2025, 1, 31),
            )
            DocumentFactory(project=own_project, report=report)
            DocumentFactory(project=own_project, certificate=certificate)
            BudgetLineFactory(
                project=own_project,
                project_year=BudgetLine.objects.filter(project=own_project).count() + 1,
            )

    grow(1)
    url = reverse("portal:project-detail", args=[own_project.pk])
    client.force_login(grantee)
    client.get(url)
    with CaptureQueriesContext(connection) as baseline:
        client.get(url)

    grow(10)
    with CaptureQueriesContext(connection) as grown:
        response = client.get(url)

    assert len(response.context["milestones"]) == 11
    assert len(response.context["documents"]) == 22
    assert len(grown) == len(baseline)


# Progress reports ------------------------------------------------------------------


@pytest.fixture
def report_milestone(own_project):
    return MilestoneFactory(
        project=own_project,
        title="Half-yearly progress report, Apr–Sep 2026",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 9, 30),
        due_on=datetime.date(2026, 10, 30),
    )


def report_data(**overrides):
    data = {
        "period_start": "2026-04-01",
        "period_end": "2026-09-30",
        "narrative": "Bench-scale solvent extraction reached 92% Nd recovery.",
        "trl_now": "4",
        "publications": "2",
        "patents_filed": "1",
        "prototypes": "0",
        "technologies_transferred": "0",
        "people_trained": "5",
    }
    data.update(overrides)
    return data


def test_the_report_form_is_prefilled_with_the_milestones_period(
    client, grantee, report_milestone
):
    client.force_login(grantee)

    response = client.get(reverse("portal:report-submit", args=[report_milestone.pk]))

    form = response.context["form"]
    assert form.initial["period_start"] == datetime.date(2026, 4, 1)
    assert form.initial["period_end"] == datetime.date(2026, 9, 30)
    assert form.initial["trl_now"] == report_milestone.project.trl_now


def test_submitting_a_report_with_attachments_sends_it_to_the_staff_queue(
    client, grantee, report_milestone
):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:report-submit", args=[report_milestone.pk]),
        {
            **report_data(),
            "attachments": [
                pdf("results.pdf"),
                SimpleUploadedFile("site.jpg", jpeg_bytes()),
            ],
        },
    )

    report = ProgressReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:report-detail", args=[report.pk])
    assert report.version == 1
    assert report.submitted_by == grantee
    assert report.submitted_on == TODAY
    assert report.publications == 2
    assert list(ProgressReport.objects.awaiting_review()) == [report]
    report_milestone.refresh_from_db()
    assert report_milestone.status == Milestone.Status.SUBMITTED
    names = sorted(report.documents.values_list("original_name", flat=True))
    assert names == ["results.pdf", "site.jpg"]
    assert set(report.documents.values_list("kind", flat=True)) == {"report_attachment"}


def test_a_report_without_a_narrative_is_refused_and_keeps_the_input(
    client, grantee, report_milestone
):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:report-submit", args=[report_milestone.pk]),
        report_data(narrative="   ", people_trained="7"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["narrative"] == [
        "Describe the progress made in the period."
    ]
    assert ProgressReport.objects.count() == 0
    report_milestone.refresh_from_db()
    assert report_milestone.status == Milestone.Status.PENDING
    assert 'value="7"' in page(response)


def test_a_report_with_a_trl_outside_1_to_9_is_refused(
    client, grantee, report_milestone
):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:report-submit", args=[report_milestone.pk]),
        report_data(trl_now="12"),
    )

    assert "trl_now" in response.context["form"].errors
    assert ProgressReport.objects.count() == 0


def test_a_report_whose_period_ends_before_it_starts_is_refused(
    client, grantee, report_milestone
):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:report-submit", args=[report_milestone.pk]),
        report_data(period_end="2026-03-31"),
    )

    assert response.context["form"].errors["period_end"] == [
        "The period cannot end before it starts."
    ]
    assert ProgressReport.objects.count() == 0


def test_a_report_with_a_forbidden_file_disguised_as_a_pdf_writes_nothing(
    client, grantee, report_milestone
):
    client.force_login(grantee)
    disguised = SimpleUploadedFile(
        "results.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
    )

    response = client.post(
        reverse("portal:report-submit", args=[report_milestone.pk]),
        {**report_data(), "attachments": [pdf("fine.pdf"), disguised]},
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["attachments"])
    assert "“results.pdf” cannot be uploaded: its content is an HTML page" in errors
    assert ProgressReport.objects.count() == 0
    assert Document.objects.count() == 0
    html = page(response)
    assert "Bench-scale solvent extraction reached 92% Nd recovery." in html
    assert "choose the files again" in html


def test_a_report_with_an_oversized_attachment_is_refused(
    client, grantee, report_milestone, settings
):
    settings.UPLOAD_MAX_BYTES = 100
    client.force_login(grantee)

    response = client.post(
        reverse("portal:report-submit", args=[report_milestone.pk]),
        {
            **report_data(),
            "attachments": [pdf(data=PDF_BYTES + b"%" * 200 + b"\n%%EOF")],
        },
    )

    assert "the largest file accepted is 100" in " ".join(
        response.context["form"].errors["attachments"]
    )
    assert ProgressReport.objects.count() == 0


def test_a_returned_report_is_revised_and_resubmitted_as_version_2(
    client, grantee, report_milestone, staff_user
):
    first = services.submit_progress_report(
        report_milestone,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 9, 30),
        narrative="First draft.",
        trl_now=4,
        submitted_on=datetime.date(2026, 10, 28),
        submitted_by=grantee,
    )
    services.return_progress_report(
        first,
        reason="Give the recovery per batch.",
        decided_on=datetime.date(2026, 11, 5),
        decided_by=staff_user,
    )
    client.force_login(grantee)
    url = reverse("portal:report-submit", args=[report_milestone.pk])

    form_page = client.get(url)
    response = client.post(url, report_data(narrative="Revised: recovery per batch."))

    assert "Give the recovery per batch." in page(form_page)
    assert form_page.context["form"].initial["narrative"] == "First draft."
    assert response.status_code == 302
    versions = list(report_milestone.reports.order_by("version"))
    assert [(r.version, r.status) for r in versions] == [
        (1, "returned"),
        (2, "submitted"),
    ]
    assert versions[0].narrative == "First draft."


def test_a_finance_officer_cannot_submit_progress_reports(
    client, organisation, report_milestone
):
    finance = member_of(organisation, Membership.Role.FINANCE_OFFICER)
    client.force_login(finance)
    url = reverse("portal:report-submit", args=[report_milestone.pk])

    shown = client.get(url)
    posted = client.post(url, report_data())

    assert shown.status_code == posted.status_code == 403
    assert "Only the principal investigator or a co-investigator" in page(shown)
    assert ProgressReport.objects.count() == 0


def test_a_co_investigator_may_submit_a_progress_report(
    client, organisation, report_milestone
):
    co_investigator = member_of(organisation, Membership.Role.CO_INVESTIGATOR)
    client.force_login(co_investigator)

    response = client.post(
        reverse("portal:report-submit", args=[report_milestone.pk]), report_data()
    )

    assert response.status_code == 302
    assert ProgressReport.objects.get().submitted_by == co_investigator


def test_a_staff_decision_on_a_report_appears_in_the_portal_with_its_comment(
    client, grantee, report_milestone, programme_officer
):
    client.force_login(grantee)
    client.post(
        reverse("portal:report-submit", args=[report_milestone.pk]), report_data()
    )
    report = ProgressReport.objects.awaiting_review().get()

    services.accept_progress_report(
        report,
        decided_on=TODAY,
        decided_by=programme_officer,
        comment="Accepted; share the batch data at the PERC review.",
    )

    detail = page(client.get(reverse("portal:report-detail", args=[report.pk])))
    project = page(
        client.get(reverse("portal:project-detail", args=[report_milestone.project_id]))
    )
    assert "Accepted; share the batch data at the PERC review." in detail
    assert "Accepted; share the batch data at the PERC review." in project
    assert not ProgressReport.objects.awaiting_review().exists()


# Utilisation certificates ----------------------------------------------------------


@pytest.fixture
def uc_project(own_project):
    """Releases of 20 lakh (2024-25) and 15 lakh (2025-26); the 2024-25 UC accepted."""
    own_project.first_release = InstalmentFactory(
        project=own_project,
        sequence=1,
        amount=2_000_000,
        planned_on=datetime.date(2024, 4, 10),
        released=True,
        release_order_number="RO/OWN/1",
    )
    own_project.second_release = InstalmentFactory(
        project=own_project,
        sequence=2,
        amount=1_500_000,
        planned_on=datetime.date(2025, 5, 20),
        released=True,
        release_order_number="RO/OWN/2",
    )
    UtilisationCertificateFactory(project=own_project, accepted=True)  # closing 4 lakh
    return own_project


@pytest.fixture
def uc_milestone(uc_project):
    return MilestoneFactory(
        project=uc_project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        title="Annual UC 2025-26 (GFR 12-A)",
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        due_on=datetime.date(2026, 6, 30),
    )


def uc_data(project, **overrides):
    data = {
        "kind": "annual",
        "period_start": "2025-04-01",
        "period_end": "2026-03-31",
        "opening_balance": "4,00,000",
        "interest_earned": "12,000",
        "interest_remitted": "12,000",
        "received_instalments": [project.second_release.pk],
        "grant_received": "15,00,000",
        "expenditure_general": "3,00,000",
        "expenditure_salary": "7,00,000",
        "expenditure_capital": "5,00,000",
        "expenditure": "15,00,000",
        "closing_balance": "4,00,000",
        "targets_achieved": "Pilot column commissioned.",
        "signed_copy": pdf(),
    }
    data.update(overrides)
    return data


def test_the_certificate_form_is_prefilled_from_the_previous_certificate_and_releases(
    client, grantee, uc_milestone
):
    client.force_login(grantee)

    response = client.get(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk])
    )

    initial = response.context["form"].initial
    assert initial["opening_balance"] == 400_000
    assert initial["grant_received"] == 1_500_000
    assert initial["received_instalments"] == [uc_milestone.project.second_release.pk]
    assert initial["period_start"] == datetime.date(2025, 4, 1)
    html = page(response)
    assert "RO/OWN/2 of 20 May 2025" in html
    assert "RO/OWN/1" in html  # offered, not ticked: it was released in 2024-25


def test_the_certificate_form_prefills_another_period_on_request(
    client, grantee, uc_project
):
    client.force_login(grantee)

    response = client.get(
        reverse("portal:certificate-submit", args=[uc_project.pk]),
        {"kind": "annual", "period_start": "2024-04-01", "period_end": "2025-03-31"},
    )

    initial = response.context["form"].initial
    assert initial["opening_balance"] == 0
    assert initial["grant_received"] == 2_000_000


def test_a_grantee_prints_the_typed_figures_as_form_gfr_12a_to_sign_saving_nothing(
    client, organisation, uc_milestone
):
    client.force_login(member_of(organisation, Membership.Role.FINANCE_OFFICER))
    project = uc_milestone.project
    data = uc_data(project, print="gfr-12a")
    del data["signed_copy"]

    response = client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]), data
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "to-sign" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Utilization Certificate for the year 2025-26" in text
    for figure in ("4,00,000", "12,000", "15,00,000", "3,00,000", "7,00,000"):
        assert figure in text
    assert "RO/OWN/2" in text
    assert UtilisationCertificate.objects.filter(project=project).count() == 1


def test_figures_that_do_not_add_up_are_refused_on_the_form_instead_of_printed(
    client, organisation, uc_milestone
):
    client.force_login(member_of(organisation, Membership.Role.FINANCE_OFFICER))
    data = uc_data(uc_milestone.project, print="gfr-12a", closing_balance="5,00,000")
    del data["signed_copy"]

    response = client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]), data
    )

    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors["closing_balance"]


def test_the_certificate_form_offers_to_print_form_gfr_12a_before_the_signed_copy(
    client, grantee, uc_milestone
):
    client.force_login(grantee)

    html = page(
        client.get(
            reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk])
        )
    )

    assert html.index('name="print"') < html.index('name="signed_copy"')


def test_submitting_a_certificate_with_its_signed_pdf_sends_it_to_the_staff_queue(
    client, organisation, uc_milestone
):
    finance = member_of(organisation, Membership.Role.FINANCE_OFFICER)
    client.force_login(finance)
    project = uc_milestone.project

    response = client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]),
        uc_data(project),
    )

    certificate = UtilisationCertificate.objects.awaiting_review().get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "portal:certificate-detail", args=[certificate.pk]
    )
    assert certificate.fiscal_year == "2025-26"
    assert certificate.closing_balance == 400_000
    assert certificate.expenditure_capital == 500_000
    assert certificate.submitted_by == finance
    assert list(certificate.received_instalments.all()) == [project.second_release]
    signed = certificate.documents.get()
    assert signed.kind == Document.Kind.SIGNED_UC
    assert signed.content_type == "application/pdf"
    uc_milestone.refresh_from_db()
    assert uc_milestone.status == Milestone.Status.SUBMITTED
    assert uc_milestone.certificate == certificate


def test_a_certificate_whose_arithmetic_is_off_says_which_figure_and_by_how_much(
    client, grantee, uc_milestone
):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]),
        uc_data(uc_milestone.project, closing_balance="4,50,000"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["closing_balance"] == [
        "Closing balance should be ₹\u00a04,00,000 (opening + interest earned - "
        "interest remitted + grant received - expenditure); the figure entered is "
        "₹\u00a050,000 too high."
    ]
    assert not UtilisationCertificate.objects.filter(fiscal_year="2025-26").exists()
    assert Document.objects.count() == 0
    html = page(response)
    assert 'value="4,50,000"' in html
    assert "Pilot column commissioned." in html


def test_a_certificate_whose_components_do_not_add_up_is_refused(
    client, grantee, uc_milestone
):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]),
        uc_data(uc_milestone.project, expenditure_capital="4,00,000"),
    )

    expenditure_error = response.context["form"].errors["expenditure"][0]
    assert "add up to ₹\u00a014,00,000" in expenditure_error
    assert UtilisationCertificate.objects.count() == 1


def test_a_grant_received_that_does_not_match_the_releases_ticked_is_refused(
    client, grantee, uc_milestone
):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]),
        uc_data(
            uc_milestone.project,
            grant_received="16,00,000",
            expenditure="16,00,000",
            expenditure_general="4,00,000",
        ),
    )

    assert response.context["form"].errors["grant_received"] == [
        "Grant received should be ₹\u00a015,00,000, the total of the releases ticked; "
        "the figure entered is ₹\u00a01,00,000 too high."
    ]
    assert UtilisationCertificate.objects.count() == 1


def test_a_co_investigator_is_refused_the_certificate_page_and_nothing_is_written(
    client, organisation, uc_milestone
):
    co_investigator = member_of(organisation, Membership.Role.CO_INVESTIGATOR)
    client.force_login(co_investigator)
    url = reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk])

    shown = client.get(url)
    posted = client.post(url, uc_data(uc_milestone.project))

    assert shown.status_code == posted.status_code == 403
    assert (
        "Only the principal investigator or the finance officer of "
        f"{organisation.name} can submit utilisation certificates" in page(shown)
    )
    assert UtilisationCertificate.objects.count() == 1
    assert Document.objects.count() == 0


def test_a_signed_copy_that_is_a_program_named_pdf_is_refused_and_writes_nothing(
    client, grantee, uc_milestone
):
    client.force_login(grantee)
    program = SimpleUploadedFile("signed.pdf", b"MZ\x90\x00" + b"\x00" * 500)

    response = client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]),
        uc_data(uc_milestone.project, signed_copy=program),
    )

    assert response.status_code == 200
    assert (
        "its content is a Windows program"
        in (response.context["form"].errors["signed_copy"][0])
    )
    assert UtilisationCertificate.objects.count() == 1
    assert Document.objects.count() == 0
    uc_milestone.refresh_from_db()
    assert uc_milestone.status == Milestone.Status.PENDING
    assert 'value="15,00,000"' in page(response)


def test_a_signed_copy_must_be_a_pdf(client, grantee, uc_milestone):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]),
        uc_data(
            uc_milestone.project,
            signed_copy=SimpleUploadedFile("signed.pdf", jpeg_bytes()),
        ),
    )

    assert (
        "is a JPEG image; only PDF files are accepted here"
        in (response.context["form"].errors["signed_copy"][0])
    )
    assert UtilisationCertificate.objects.count() == 1


def test_an_oversized_signed_copy_is_refused(client, grantee, uc_milestone, settings):
    settings.UPLOAD_MAX_BYTES = 50
    client.force_login(grantee)

    response = client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]),
        uc_data(uc_milestone.project),
    )

    assert (
        "the largest file accepted is 50"
        in (response.context["form"].errors["signed_copy"][0])
    )
    assert UtilisationCertificate.objects.count() == 1


def test_a_certificate_without_its_signed_copy_is_refused(
    client, grantee, uc_milestone
):
    client.force_login(grantee)
    data = uc_data(uc_milestone.project)
    del data["signed_copy"]

    response = client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]), data
    )

    assert response.context["form"].errors["signed_copy"] == [
        "Attach the signed certificate as a PDF."
    ]
    assert UtilisationCertificate.objects.count() == 1


def test_a_certificate_with_an_empty_figure_is_refused(client, grantee, uc_milestone):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]),
        uc_data(uc_milestone.project, expenditure=""),
    )

    assert response.context["form"].errors["expenditure"] == ["This field is required."]
    assert UtilisationCertificate.objects.count() == 1


def test_a_returned_certificate_is_corrected_and_resubmitted(
    client, grantee, uc_milestone, finance_officer
):
    client.force_login(grantee)
    url = reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk])
    client.post(
        url,
        uc_data(
            uc_milestone.project, interest_remitted="0", closing_balance="4,12,000"
        ),
    )
    returned = UtilisationCertificate.objects.awaiting_review().get()
    services.return_certificate(
        returned,
        reason="Interest earned must be remitted to the Consolidated Fund.",
        decided_on=TODAY,
        decided_by=finance_officer,
    )

    form_page = client.get(url)
    response = client.post(url, uc_data(uc_milestone.project))

    assert "Interest earned must be remitted" in page(form_page)
    assert form_page.context["form"].initial["closing_balance"] == 412_000
    assert response.status_code == 302
    statuses = list(
        UtilisationCertificate.objects.filter(fiscal_year="2025-26")
        .order_by("pk")
        .values_list("status", flat=True)
    )
    assert statuses == ["returned", "submitted"]


def test_a_staff_decision_on_a_certificate_appears_in_the_portal_with_its_reason(
    client, grantee, uc_milestone, finance_officer
):
    client.force_login(grantee)
    client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]),
        uc_data(uc_milestone.project),
    )
    certificate = UtilisationCertificate.objects.awaiting_review().get()

    services.return_certificate(
        certificate,
        reason="Equipment expenditure does not match the asset register (GFR-22).",
        decided_on=TODAY,
        decided_by=finance_officer,
    )

    reason = "Equipment expenditure does not match the asset register (GFR-22)."
    detail = client.get(reverse("portal:certificate-detail", args=[certificate.pk]))
    home = client.get(reverse("portal:home"))
    assert reason in page(detail)
    assert detail.context["may_resubmit"]
    assert reason in page(home)


def test_the_certificate_page_shows_the_form_12a_columns(client, grantee, uc_project):
    certificate = uc_project.certificates.get()
    certificate.received_instalments.add(uc_project.first_release)
    client.force_login(grantee)

    html = page(client.get(reverse("portal:certificate-detail", args=[certificate.pk])))

    assert "5. Total available (1 + 2 − 3 + 4)" in html
    assert "RO/OWN/1 of 10 Apr 2024" in html
    assert "₹\u00a04,00,000" in html


def test_the_first_certificate_covers_the_fiscal_year_of_the_first_release(
    client, grantee, own_project
):
    InstalmentFactory(
        project=own_project,
        sequence=1,
        amount=1_800_000,
        planned_on=datetime.date(2024, 3, 20),  # before the project's start
        released=True,
    )
    client.force_login(grantee)

    response = client.get(reverse("portal:certificate-submit", args=[own_project.pk]))

    initial = response.context["form"].initial
    assert initial["kind"] == "annual"
    assert initial["period_start"] == datetime.date(2023, 4, 1)
    assert initial["period_end"] == datetime.date(2024, 3, 31)
    assert initial["opening_balance"] == 0
    assert initial["grant_received"] == 1_800_000
