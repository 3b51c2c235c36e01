import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from grants import services
from grants.models import (
    Extension,
    Instalment,
    Milestone,
    ProgressReport,
    Project,
    ReleaseCondition,
    Reminder,
    UtilisationCertificate,
)
from tests.factories import (
    AssetDisposalFactory,
    AssetFactory,
    DocumentFactory,
    ExtensionFactory,
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReappropriationFactory,
    ReminderFactory,
    StaffUserFactory,
    UtilisationCertificateFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

TODAY = datetime.date(2026, 11, 22)


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def world():
    """A project with one of each thing an action works on."""
    project = ProjectFactory(ongoing=True)
    first = InstalmentFactory(
        project=project,
        sequence=1,
        planned_on=datetime.date(2024, 4, 1),
        amount=20_00_000,
    )
    second = InstalmentFactory(
        project=project,
        sequence=2,
        planned_on=datetime.date(2025, 6, 1),
        amount=20_00_000,
    )
    milestone = MilestoneFactory(project=project, due_on=datetime.date(2026, 10, 30))
    report_milestone = MilestoneFactory(
        project=project,
        due_on=datetime.date(2026, 10, 30),
        status=Milestone.Status.SUBMITTED,
    )
    report = ProgressReportFactory(milestone=report_milestone)
    uc_milestone = MilestoneFactory(
        project=project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        due_on=datetime.date(2025, 6, 30),
        status=Milestone.Status.SUBMITTED,
    )
    certificate = UtilisationCertificateFactory(project=project, signed=True)
    uc_milestone.certificate = certificate
    uc_milestone.save()
    extension = ExtensionFactory(project=project)
    return {
        "project": project,
        "first": first,
        "second": second,
        "milestone": milestone,
        "report": report,
        "certificate": certificate,
        "extension": extension,
    }


def page_urls(world):
    return [
        reverse("staff:dashboard"),
        reverse("staff:report-detail", args=[world["report"].pk]),
        reverse("staff:certificate-detail", args=[world["certificate"].pk]),
        reverse("staff:project-list"),
        reverse("staff:project-detail", args=[world["project"].pk]),
        reverse("staff:milestone-list"),
        reverse("staff:instalment-list"),
        reverse("staff:certificate-list"),
        reverse("staff:organisation-list"),
        reverse("staff:reminder-list"),
        reverse("staff:project-list") + "?_export=csv",
    ]


def action_urls(world):
    return [
        reverse("staff:report-accept", args=[world["report"].pk]),
        reverse("staff:report-return", args=[world["report"].pk]),
        reverse("staff:certificate-accept", args=[world["certificate"].pk]),
        reverse("staff:certificate-return", args=[world["certificate"].pk]),
        reverse("staff:instalment-release", args=[world["first"].pk]),
        reverse("staff:instalment-recommend", args=[world["first"].pk]),
        reverse("staff:milestone-waive", args=[world["milestone"].pk]),
        reverse("staff:milestone-reschedule", args=[world["milestone"].pk]),
        reverse("staff:milestone-remind", args=[world["milestone"].pk]),
        reverse("staff:extension-approve", args=[world["extension"].pk]),
        reverse("staff:project-close", args=[world["project"].pk]),
    ]


# Who may come in ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_for_every_staff_url(client, world):
    for url in page_urls(world) + action_urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_a_grantee_gets_403_on_every_staff_url_and_changes_nothing(
    client, grantee, world
):
    login(client, grantee)
    for url in page_urls(world) + action_urls(world):
        assert client.get(url).status_code == 403, url
        assert (
            client.post(url, {"reason": "x", "decided_on": "2026-11-22"}).status_code
            == 403
        ), url

    world["report"].refresh_from_db()
    world["first"].refresh_from_db()
    assert world["report"].status == ProgressReport.Status.SUBMITTED
    assert world["first"].released_on is None


def test_staff_see_every_staff_page(client, staff_user, world):
    login(client, staff_user)
    for url in page_urls(world):
        assert client.get(url).status_code == 200, url


def test_staff_without_the_permission_cannot_open_an_action(client, staff_user, world):
    login(client, staff_user)
    for url in action_urls(world):
        assert client.get(url).status_code == 403, url


def test_the_roles_hold_the_permissions_the_workspace_checks(
    programme_officer, finance_officer
):
    officer_may = {
        "decide_report",
        "recommend_instalment",
        "waive_milestone",
        "reschedule_milestone",
        "approve_extension",
    }
    finance_may = {"decide_certificate", "release_instalment", "close_project"}
    for name in officer_may | finance_may:
        assert programme_officer.has_perm(f"grants.{name}") == (name in officer_may)
        assert finance_officer.has_perm(f"grants.{name}") == (name in finance_may)


def test_a_post_without_the_csrf_token_is_refused(finance_officer, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(finance_officer)

    response = client.post(
        reverse("staff:instalment-release", args=[world["first"].pk]),
        {"released_on": "2026-11-22", "release_order_number": "RO/9"},
    )

    assert response.status_code == 403
    world["first"].refresh_from_db()
    assert world["first"].released_on is None


# Progress reports ---------------------------------------------------------------------


def test_a_programme_officer_accepts_a_report(client, programme_officer, world):
    login(client, programme_officer)

    response = client.post(
        reverse("staff:report-accept", args=[world["report"].pk]),
        {"decided_on": "2026-11-22", "comment": "Good progress."},
        follow=True,
    )

    report = ProgressReport.objects.get(pk=world["report"].pk)
    assert report.status == ProgressReport.Status.ACCEPTED
    assert report.decided_by == programme_officer
    assert report.milestone.status == Milestone.Status.ACCEPTED
    assert "accepted" in str(list(response.context["messages"])[0])
    assert response.redirect_chain[-1][0] == reverse(
        "staff:report-detail", args=[report.pk]
    )


def test_finance_cannot_decide_a_progress_report(client, finance_officer, world):
    login(client, finance_officer)

    response = client.post(
        reverse("staff:report-accept", args=[world["report"].pk]),
        {"decided_on": "2026-11-22"},
    )

    assert response.status_code == 403
    world["report"].refresh_from_db()
    assert world["report"].status == ProgressReport.Status.SUBMITTED


def test_returning_a_report_needs_a_reason_and_keeps_the_input(
    client, programme_officer, world
):
    login(client, programme_officer)

    response = client.post(
        reverse("staff:report-return", args=[world["report"].pk]),
        {"decided_on": "2026-11-20", "reason": "  "},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert 'value="2026-11-20"' in response.content.decode()
    world["report"].refresh_from_db()
    assert world["report"].status == ProgressReport.Status.SUBMITTED


def test_a_returned_report_carries_the_reason_the_grantee_will_see(
    client, programme_officer, world
):
    login(client, programme_officer)

    client.post(
        reverse("staff:report-return", args=[world["report"].pk]),
        {"decided_on": "2026-11-22", "reason": "Add the yield figures."},
    )

    report = ProgressReport.objects.get(pk=world["report"].pk)
    assert report.status == ProgressReport.Status.RETURNED
    assert report.review_comment == "Add the yield figures."
    assert report.milestone.status == Milestone.Status.RETURNED


def test_deciding_a_report_twice_is_refused_on_the_form(
    client, programme_officer, world
):
    login(client, programme_officer)
    url = reverse("staff:report-accept", args=[world["report"].pk])
    client.post(url, {"decided_on": "2026-11-22"})

    response = client.post(url, {"decided_on": "2026-11-21"})

    assert response.status_code == 200
    assert "only a submitted one can be decided" in response.content.decode()
    assert ProgressReport.objects.get(pk=world["report"].pk).decided_on == TODAY


# Utilisation certificates -------------------------------------------------------------


def test_finance_accepts_a_certificate(client, finance_officer, world):
    login(client, finance_officer)

    response = client.post(
        reverse("staff:certificate-accept", args=[world["certificate"].pk]),
        {"decided_on": "2026-11-22"},
    )

    assert response.status_code == 302
    certificate = UtilisationCertificate.objects.get(pk=world["certificate"].pk)
    assert certificate.status == UtilisationCertificate.Status.ACCEPTED
    assert certificate.milestones.get().status == Milestone.Status.ACCEPTED


def test_a_programme_officer_cannot_decide_a_certificate(
    client, programme_officer, world
):
    login(client, programme_officer)

    response = client.post(
        reverse("staff:certificate-return", args=[world["certificate"].pk]),
        {"decided_on": "2026-11-22", "reason": "No."},
    )

    assert response.status_code == 403
    world["certificate"].refresh_from_db()
    assert world["certificate"].status == UtilisationCertificate.Status.SUBMITTED


def test_finance_returns_a_certificate_with_a_reason(client, finance_officer, world):
    login(client, finance_officer)

    client.post(
        reverse("staff:certificate-return", args=[world["certificate"].pk]),
        {"decided_on": "2026-11-22", "reason": "Interest not remitted."},
    )

    certificate = UtilisationCertificate.objects.get(pk=world["certificate"].pk)
    assert certificate.status == UtilisationCertificate.Status.RETURNED
    assert certificate.return_reason == "Interest not remitted."


# Releases -----------------------------------------------------------------------------


def release(client, instalment, **data):
    return client.post(
        reverse("staff:instalment-release", args=[instalment.pk]),
        {"released_on": "2026-11-22", "release_order_number": "RO/2026/7", **data},
        follow=True,
    )


def test_finance_records_the_first_release(client, finance_officer, world):
    login(client, finance_officer)

    response = release(client, world["first"])

    instalment = Instalment.objects.get(pk=world["first"].pk)
    assert instalment.released_on == TODAY
    assert instalment.release_order_number == "RO/2026/7"
    assert instalment.released_by == finance_officer
    message = str(list(response.context["messages"])[0])
    assert "released on 22 Nov 2026: ₹\u00a020,00,000, order RO/2026/7" in message


def test_a_programme_officer_cannot_record_a_release(client, programme_officer, world):
    login(client, programme_officer)

    response = client.post(
        reverse("staff:instalment-release", args=[world["first"].pk]),
        {"released_on": "2026-11-22", "release_order_number": "RO/1"},
    )

    assert response.status_code == 403
    assert not Instalment.objects.released().exists()


def released_first(world):
    services.release_instalment(
        world["first"],
        released_on=datetime.date(2024, 4, 10),
        release_order_number="RO/1",
        released_by=None,
    )


def test_the_loser_of_a_release_race_is_told_who_released_it_and_by_which_order(
    client, finance_officer, world
):
    """The other officer's release lands between opening the form and sending it."""
    login(client, finance_officer)
    client.get(reverse("staff:instalment-release", args=[world["first"].pk]))
    winner = StaffUserFactory(display_name="Ms Winner (finance)")
    services.release_instalment(
        world["first"],
        released_on=TODAY,
        release_order_number="RO/2026/WIN",
        released_by=winner,
    )

    response = release(client, world["first"])

    assert response.redirect_chain[-1][0].startswith(
        reverse("staff:project-detail", args=[world["first"].project_id])
    )
    page = response.content.decode()
    assert (
        f"Instalment 1 of {world['project'].reference} was already released on "
        "22 Nov 2026 (order RO/2026/WIN)"
    ) in page
    assert "by Ms Winner (finance)" in page
    assert 'name="override_reason"' not in page
    instalment = Instalment.objects.get(pk=world["first"].pk)
    assert instalment.release_order_number == "RO/2026/WIN"
    assert instalment.released_by == winner


def test_without_a_covering_certificate_the_page_names_it_and_asks_for_an_override(
    client, finance_officer, world
):
    released_first(world)
    login(client, finance_officer)

    page = client.get(
        reverse("staff:instalment-release", args=[world["second"].pk])
    ).content.decode()

    assert "No accepted utilisation certificate covers the previous release of" in page
    assert "10 Apr 2024" in page
    assert 'name="override_reason"' in page


def test_a_release_blocked_by_the_gfr_rule_without_a_reason_writes_nothing(
    client, finance_officer, world
):
    released_first(world)
    login(client, finance_officer)

    response = release(client, world["second"])

    assert response.status_code == 200
    assert response.context["form"].errors["override_reason"]
    assert 'value="RO/2026/7"' in response.content.decode()
    assert Instalment.objects.get(pk=world["second"].pk).released_on is None


def test_an_override_with_a_reason_releases_and_is_recorded(
    client, finance_officer, world
):
    released_first(world)
    login(client, finance_officer)

    release(client, world["second"], override_reason="Minister's directive of 1 Nov.")

    instalment = Instalment.objects.get(pk=world["second"].pk)
    assert instalment.released_on == TODAY
    assert instalment.override_reason == "Minister's directive of 1 Nov."
    record = instalment.history.order_by("-history_id").first()
    assert "override: Minister's directive" in record.history_change_reason


def covered_by_low_utilisation(world):
    released_first(world)
    UtilisationCertificateFactory(
        project=world["project"],
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        accepted=True,
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 3, 31),
        grant_received=20_00_000,
        expenditure=2_00_000,
    )


def test_low_utilisation_shows_the_figure_and_needs_a_note(
    client, finance_officer, world
):
    covered_by_low_utilisation(world)
    login(client, finance_officer)

    response = release(client, world["second"])

    page = response.content.decode()
    assert response.context["form"].errors["low_utilisation_note"]
    assert "utilisation 10.0%" in page
    assert "under the 75% benchmark" in page
    assert Instalment.objects.get(pk=world["second"].pk).released_on is None


def test_low_utilisation_acknowledged_with_a_note_releases(
    client, finance_officer, world
):
    covered_by_low_utilisation(world)
    login(client, finance_officer)

    release(client, world["second"], low_utilisation_note="Equipment paid in March.")

    instalment = Instalment.objects.get(pk=world["second"].pk)
    assert instalment.released_on == TODAY
    assert instalment.low_utilisation_note == "Equipment paid in March."


def test_a_release_refused_by_a_rule_shows_the_rule_and_writes_nothing(
    client, finance_officer, world
):
    login(client, finance_officer)

    response = release(client, world["second"])

    assert "cannot be released before instalment 1" in response.content.decode()
    assert not Instalment.objects.released().exists()


# Recommendation -----------------------------------------------------------------------


def test_a_programme_officer_recommends_an_eligible_instalment(
    client, programme_officer, world
):
    login(client, programme_officer)

    client.post(
        reverse("staff:instalment-recommend", args=[world["first"].pk]),
        {"recommended_on": "2026-11-22"},
    )

    instalment = Instalment.objects.get(pk=world["first"].pk)
    assert instalment.recommended_on == TODAY
    assert instalment.recommended_by == programme_officer


def test_a_blocked_instalment_is_not_recommended_and_the_page_says_why(
    client, programme_officer, world
):
    released_first(world)
    login(client, programme_officer)

    response = client.post(
        reverse("staff:instalment-recommend", args=[world["second"].pk]),
        {"recommended_on": "2026-11-22"},
    )

    assert response.status_code == 200
    assert "cannot be recommended yet" in response.content.decode()
    assert Instalment.objects.get(pk=world["second"].pk).recommended_on is None


def test_finance_cannot_recommend(client, finance_officer, world):
    login(client, finance_officer)

    response = client.post(
        reverse("staff:instalment-recommend", args=[world["first"].pk]),
        {"recommended_on": "2026-11-22"},
    )

    assert response.status_code == 403
    assert Instalment.objects.get(pk=world["first"].pk).recommended_on is None


# Milestones ---------------------------------------------------------------------------


def test_a_programme_officer_waives_a_milestone_with_a_reason(
    client, programme_officer, world
):
    login(client, programme_officer)

    client.post(
        reverse("staff:milestone-waive", args=[world["milestone"].pk]),
        {"decided_on": "2026-11-22", "reason": "Merged with the annual report."},
    )

    milestone = Milestone.objects.get(pk=world["milestone"].pk)
    assert milestone.status == Milestone.Status.WAIVED
    assert milestone.waiver_reason == "Merged with the annual report."


def test_waiving_without_a_reason_is_refused(client, programme_officer, world):
    login(client, programme_officer)

    response = client.post(
        reverse("staff:milestone-waive", args=[world["milestone"].pk]),
        {"decided_on": "2026-11-22", "reason": ""},
    )

    assert response.context["form"].errors["reason"]
    assert Milestone.objects.get(pk=world["milestone"].pk).status == "pending"


def test_a_programme_officer_moves_a_due_date(client, programme_officer, world):
    login(client, programme_officer)

    client.post(
        reverse("staff:milestone-reschedule", args=[world["milestone"].pk]),
        {"new_due_on": "2027-01-15", "reason": "Field season."},
    )

    milestone = Milestone.objects.get(pk=world["milestone"].pk)
    assert milestone.due_on == datetime.date(2027, 1, 15)
    assert milestone.original_due_on == datetime.date(2026, 10, 30)


def test_a_due_date_in_the_past_is_refused_on_the_field(
    client, programme_officer, world
):
    login(client, programme_officer)

    response = client.post(
        reverse("staff:milestone-reschedule", args=[world["milestone"].pk]),
        {"new_due_on": "2026-01-15", "reason": "Oops."},
    )

    assert response.context["form"].errors["new_due_on"] == [
        "The new due date cannot be in the past."
    ]
    assert Milestone.objects.get(pk=world["milestone"].pk).original_due_on is None


def test_finance_cannot_waive_or_move_milestones(client, finance_officer, world):
    login(client, finance_officer)

    for name in ("staff:milestone-waive", "staff:milestone-reschedule"):
        response = client.post(
            reverse(name, args=[world["milestone"].pk]),
            {"decided_on": "2026-11-22", "new_due_on": "2027-01-01", "reason": "x"},
        )
        assert response.status_code == 403
    milestone = Milestone.objects.get(pk=world["milestone"].pk)
    assert (milestone.status, milestone.due_on) == (
        "pending",
        datetime.date(2026, 10, 30),
    )


# Extensions and closure ---------------------------------------------------------------


def test_a_programme_officer_approves_an_extension(client, programme_officer, world):
    login(client, programme_officer)
    new_end = world["extension"].new_end_on

    client.post(
        reverse("staff:extension-approve", args=[world["extension"].pk]),
        {"decided_on": "2026-11-22", "comment": "Approved by the PERC."},
    )

    extension = Extension.objects.get(pk=world["extension"].pk)
    assert extension.status == Extension.Status.APPROVED
    project = Project.objects.get(pk=world["project"].pk)
    assert project.end_on == new_end
    assert project.status == Project.Status.EXTENDED


def test_an_extension_decided_already_is_refused(client, programme_officer, world):
    login(client, programme_officer)
    url = reverse("staff:extension-approve", args=[world["extension"].pk])
    client.post(url, {"decided_on": "2026-11-22"})

    response = client.post(url, {"decided_on": "2026-11-22"})

    assert "already approved" in response.content.decode()


def test_finance_cannot_approve_an_extension(client, finance_officer, world):
    login(client, finance_officer)

    response = client.post(
        reverse("staff:extension-approve", args=[world["extension"].pk]),
        {"decided_on": "2026-11-22"},
    )

    assert response.status_code == 403
    assert Extension.objects.get(pk=world["extension"].pk).status == "requested"


def completed_project_ready_to_close():
    project = ProjectFactory(status=Project.Status.COMPLETED)
    MilestoneFactory(
        project=project,
        kind=Milestone.Kind.FINAL_REPORT,
        status=Milestone.Status.ACCEPTED,
    )
    UtilisationCertificateFactory(
        project=project,
        kind=UtilisationCertificate.Kind.FINAL,
        accepted=True,
        grant_received=20_00_000,
        expenditure=20_00_000,
    )
    return project


CLOSURE = {
    "closed_on": "2026-11-22",
    "unspent_refunded": "0",
    "interest_refunded": "0",
    "refund_reference": "",
    "asset_disposition": "Equipment transferred to the institute.",
}


def test_finance_closes_a_completed_project(client, finance_officer):
    project = completed_project_ready_to_close()
    login(client, finance_officer)
    url = reverse("staff:project-close", args=[project.pk])

    # The figures first show the reconciliation; the confirmation closes.
    client.post(url, CLOSURE)
    response = client.post(url, {**CLOSURE, "confirm": "1"})

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    assert project.closed_on == TODAY


def test_a_project_without_its_final_certificate_is_not_closed(
    client, finance_officer, world
):
    project = world["project"]
    project.status = Project.Status.COMPLETED
    project.save()
    login(client, finance_officer)

    response = client.post(reverse("staff:project-close", args=[project.pk]), CLOSURE)

    assert "the final utilisation certificate is not accepted" in (
        response.content.decode()
    )
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED


def test_a_programme_officer_cannot_close_a_project(client, programme_officer):
    project = completed_project_ready_to_close()
    login(client, programme_officer)

    response = client.post(reverse("staff:project-close", args=[project.pk]), CLOSURE)

    assert response.status_code == 403
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED


# The project page ---------------------------------------------------------------------


def test_the_project_page_shows_every_section(client, finance_officer, world):
    released_first(world)
    login(client, finance_officer)

    response = client.get(reverse("staff:project-detail", args=[world["project"].pk]))

    page = response.content.decode()
    for section in (
        "overview",
        "finance",
        "instalments",
        "milestones",
        "reports",
        "certificates",
        "documents",
        "reminders",
        "history",
    ):
        assert f'id="{section}"' in page, section
    assert "Form GFR 12-A components" in page
    assert "Interest earned and remitted" in page
    assert "annual UC 2024-25 submitted on 25 Apr 2025 is under review" in page


def test_the_project_page_offers_each_role_only_its_actions(
    client, programme_officer, finance_officer, world
):
    url = reverse("staff:project-detail", args=[world["project"].pk])
    officer_page = login(client, programme_officer).get(url).content.decode()
    finance_page = login(Client(), finance_officer).get(url).content.decode()

    release_url = reverse("staff:instalment-release", args=[world["first"].pk])
    assert release_url not in officer_page
    assert release_url in finance_page
    # Reports and certificates are decided on their own pages, after reading them.
    report_page = reverse("staff:report-detail", args=[world["report"].pk])
    uc_page = reverse("staff:certificate-detail", args=[world["certificate"].pk])
    assert report_page in officer_page
    assert uc_page in finance_page
    report_accept = reverse("staff:report-accept", args=[world["report"].pk])
    uc_accept = reverse("staff:certificate-accept", args=[world["certificate"].pk])
    assert (
        report_accept
        in login(client, programme_officer).get(report_page).content.decode()
    )
    assert (
        report_accept
        not in login(client, finance_officer).get(report_page).content.decode()
    )
    assert uc_accept in login(client, finance_officer).get(uc_page).content.decode()
    assert (
        uc_accept not in login(client, programme_officer).get(uc_page).content.decode()
    )


def test_the_project_page_links_each_document_to_its_download(
    client, staff_user, world
):
    document = DocumentFactory(project=world["project"], original_name="soe.pdf")
    login(client, staff_user)

    page = client.get(
        reverse("staff:project-detail", args=[world["project"].pk])
    ).content.decode()

    assert "soe.pdf" in page
    try:
        download = reverse("document-download", args=[document.pk])
    except NoReverseMatch:  # the download view is not installed: name only
        assert "/documents/" not in page
    else:
        assert f'href="{download}"' in page


def test_the_history_tab_shows_who_changed_what_and_why(client, finance_officer, world):
    login(client, finance_officer)
    client.post(
        reverse("staff:certificate-return", args=[world["certificate"].pk]),
        {"decided_on": "2026-11-22", "reason": "Interest not remitted."},
    )

    response = client.get(reverse("staff:project-history", args=[world["project"].pk]))

    history = response.context["history"]
    entry = next(e for e in history if e.what.startswith("UC"))
    assert entry.who == finance_officer
    assert entry.reason == "Returned: Interest not remitted."
    assert any(
        (change.field, change.old, change.new) == ("status", "submitted", "returned")
        for change in entry.changes
    )
    assert "Returned: Interest not remitted." in response.content.decode()


def test_the_project_page_lists_the_reminders_sent(client, staff_user, world):
    ReminderFactory(milestone=world["milestone"], recipient_email="pi@konkan.example")
    login(client, staff_user)

    page = client.get(
        reverse("staff:project-detail", args=[world["project"].pk])
    ).content.decode()

    assert "pi@konkan.example" in page


def grow(project, count):
    for _ in range(count):
        number = project.instalments.count() + 1
        instalment = InstalmentFactory(project=project, sequence=number, released=True)
        milestone = MilestoneFactory(project=project)
        ReleaseCondition.objects.create(
            instalment=instalment,
            kind=ReleaseCondition.Kind.MILESTONE,
            milestone=milestone,
        )
        ProgressReportFactory(milestone=milestone)
        UtilisationCertificateFactory(
            project=project, kind=UtilisationCertificate.Kind.PROVISIONAL
        )
        DocumentFactory(project=project)
        ReminderFactory(milestone=milestone)
        AssetDisposalFactory(asset=AssetFactory(project=project))
        ReappropriationFactory(project=project)
        services.waive_milestone(
            MilestoneFactory(project=project),
            reason="Not needed.",
            decided_by=None,
            decided_on=TODAY,
        )


def test_the_project_page_runs_the_same_queries_for_1_and_11_of_everything(
    client, staff_user
):
    project = ProjectFactory(ongoing=True)
    ExtensionFactory(project=project)
    login(client, staff_user)
    url = reverse("staff:project-detail", args=[project.pk])
    grow(project, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    grow(project, 10)
    with CaptureQueriesContext(connection) as eleven:
        response = client.get(url)

    assert len(response.context["states"]) == 11
    assert len(eleven) == len(one)
    # 15, and the instalments' conditions and the audited statements they read.
    assert len(statements(eleven)) <= 17, "\n".join(statements(eleven))


def statements(queries) -> list[str]:
    """The SQL a page runs in production, where it is not inside a test's transaction.

    Under test, saving the session adds a SAVEPOINT and its RELEASE.
    """
    return [
        query["sql"][:120]
        for query in queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_the_history_tab_runs_the_same_queries_for_1_and_11_of_everything(
    client, programme_officer
):
    project = ProjectFactory(ongoing=True)
    login(client, programme_officer)
    url = reverse("staff:project-history", args=[project.pk])
    grow(project, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    grow(project, 10)
    with CaptureQueriesContext(connection) as eleven:
        assert client.get(url).status_code == 200

    assert len(eleven) == len(one)
    # One query per history table (eleven of them: the project, its instalments,
    # conditions, certificates, milestones, reports, extensions, budget lines,
    # re-appropriations, assets and disposals), and the page's own few.
    assert len(statements(eleven)) <= 19, "\n".join(statements(eleven))


def test_a_staff_members_permissions_are_read_in_one_query(programme_officer):
    from grants.models import User

    user = User.objects.get(pk=programme_officer.pk)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("grants.decide_report")
        assert not user.has_perm("grants.release_instalment")
        assert user.has_perm("grants.change_milestone")

    assert len(queries) == 1


# House rules for the templates --------------------------------------------------------

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"
MY_TEMPLATES = [
    *sorted((TEMPLATES / "staff").rglob("*.html")),
    *sorted((TEMPLATES / "grants" / "staff").rglob("*.html")),
]


@pytest.mark.parametrize("path", MY_TEMPLATES, ids=lambda p: p.name)
def test_staff_templates_have_no_inline_style_script_or_handlers(path):
    text = path.read_text()
    assert "style=" not in text
    assert "<script" not in text
    assert not re.search(r"\son[a-z]+=", text)
    assert "javascript:" not in text


@pytest.mark.parametrize("path", MY_TEMPLATES, ids=lambda p: p.name)
def test_every_post_form_in_the_staff_templates_has_a_csrf_token(path):
    text = path.read_text()
    for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", text, re.S):
        assert "{% csrf_token %}" in form


def test_a_programme_officer_sends_a_reminder_now_once_per_click(
    client, programme_officer, world, django_capture_on_commit_callbacks
):
    MembershipFactory(
        organisation=world["project"].organisation,
        user=world["project"].principal_investigator,
    )
    login(client, programme_officer)
    url = reverse("staff:milestone-remind", args=[world["milestone"].pk])
    key = client.get(url).context["form"].initial["request_key"]

    with django_capture_on_commit_callbacks():
        first = client.post(url, {"request_key": key})
        client.post(url, {"request_key": key})

    assert first.status_code == 302
    reminders = Reminder.objects.filter(milestone=world["milestone"])
    assert reminders.count() == 1
    reminder = reminders.get()
    assert reminder.rule is None
    assert reminder.sent_by == programme_officer
    assert reminder.recipient == world["project"].principal_investigator


def test_a_reminder_now_for_a_submitted_milestone_is_refused(
    client, programme_officer, world
):
    login(client, programme_officer)
    milestone = MilestoneFactory(
        project=world["project"], status=Milestone.Status.SUBMITTED
    )

    response = client.post(
        reverse("staff:milestone-remind", args=[milestone.pk]), {"request_key": "k1"}
    )

    assert response.status_code == 200
    assert "nothing to remind" in response.content.decode()
    assert not Reminder.objects.filter(milestone=milestone).exists()
