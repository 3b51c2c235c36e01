"""Dates, texts and counts without sense are refused (issue 16, findings 10 and 12).

The project runs from 01 Apr 2024 to 31 Mar 2027, sanctioned on 12 Mar 2024;
today is 22 Nov 2026. A date outside the project's life or after today, text that
shows nothing once its invisible characters are gone, and a count no project
reports are refused with the reason next to the field, and nothing is written.
Sensible values still pass.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants import services
from grants.forms.assets import AssetRecordForm
from grants.forms.closure import CloseProjectForm
from grants.models import (
    Document,
    Extension,
    Membership,
    Milestone,
    ProgressReport,
    UtilisationCertificate,
)
from grants.services import GrantRuleError
from tests.factories import (
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProgressReportFactory,
    ProjectFactory,
    UtilisationCertificateFactory,
)
from tests.test_uploads import PDF_BYTES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

TODAY = datetime.date(2026, 11, 22)
OUT_OF_RANGE = (
    "That date cannot be right: enter a date from 01 Jan 2000 to 31 Dec 2099."
)
WITHIN_THE_PROJECT = (
    "The period must fall within the project, 01 Apr 2024 to 31 Mar 2027."
)
ZERO_WIDTH_SPACE = "\u200b"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u202e \u00a0"
# 0 + 0 - 0 + 20,00,000 - 16,00,000 = 4,00,000
FIGURES = services.CertificateFigures(
    opening_balance=0,
    interest_earned=0,
    interest_remitted=0,
    grant_received=2_000_000,
    expenditure=1_600_000,
    closing_balance=400_000,
)


@pytest.fixture
def project(organisation):
    project = ProjectFactory(organisation=organisation, ongoing=True)
    project.release = InstalmentFactory(
        project=project,
        sequence=1,
        amount=2_000_000,
        planned_on=datetime.date(2024, 4, 10),
        released=True,
    )
    return project


@pytest.fixture
def report_milestone(project):
    return MilestoneFactory(
        project=project,
        title="Half-yearly progress report, Apr–Sep 2026",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 9, 30),
        due_on=datetime.date(2026, 10, 30),
    )


@pytest.fixture
def finance_member(project):
    return MembershipFactory(
        organisation=project.organisation, role=Membership.Role.FINANCE_OFFICER
    ).user


def report_data(**overrides):
    data = {
        "period_start": "2026-04-01",
        "period_end": "2026-09-30",
        "narrative": "Bench-scale solvent extraction reached 92% Nd recovery.",
        "trl_now": "4",
        "publications": "2",
        "patents_filed": "0",
        "prototypes": "0",
        "technologies_transferred": "0",
        "people_trained": "5",
    }
    data.update(overrides)
    return data


def submit_report(client, grantee, milestone, **overrides):
    client.force_login(grantee)
    return client.post(
        reverse("portal:report-submit", args=[milestone.pk]), report_data(**overrides)
    )


def report_terms(**overrides):
    terms = {
        "period_start": datetime.date(2026, 4, 1),
        "period_end": datetime.date(2026, 9, 30),
        "narrative": "Leaching trials at bench scale completed.",
        "trl_now": 4,
        "submitted_on": TODAY,
        "submitted_by": None,
    }
    terms.update(overrides)
    return terms


def certificate_data(project, **overrides):
    """A provisional UC as on 31 Oct 2026: 20 lakh received, 16 lakh spent."""
    data = {
        "kind": "provisional",
        "period_start": "2024-04-01",
        "period_end": "2026-10-31",
        "opening_balance": "0",
        "interest_earned": "0",
        "interest_remitted": "0",
        "received_instalments": [project.release.pk],
        "grant_received": "20,00,000",
        "expenditure": "16,00,000",
        "closing_balance": "4,00,000",
        "signed_copy": SimpleUploadedFile(
            "signed.pdf", PDF_BYTES, content_type="application/pdf"
        ),
    }
    data.update(overrides)
    return data


def submit_certificate(client, member, project, **overrides):
    client.force_login(member)
    return client.post(
        reverse("portal:certificate-submit", args=[project.pk]),
        certificate_data(project, **overrides),
    )


def errors(response) -> dict:
    assert response.status_code == 200
    return response.context["form"].errors


def period_errors(response) -> dict:
    """The errors of a certificate's period (its signed copy is checked apart)."""
    return {
        field: messages
        for field, messages in errors(response).items()
        if field.startswith("period_")
    }


# Utilisation certificates ------------------------------------------------------------


def test_a_provisional_uc_as_on_9999_12_31_is_refused_and_nothing_is_saved(
    client, project, finance_member
):
    response = submit_certificate(
        client, finance_member, project, period_end="9999-12-31"
    )

    assert errors(response)["period_end"] == [OUT_OF_RANGE]
    assert UtilisationCertificate.objects.count() == 0
    assert Document.objects.count() == 0


def test_an_annual_uc_for_2030_31_is_refused_as_outside_the_project_and_to_come(
    client, project, finance_member
):
    response = submit_certificate(
        client,
        finance_member,
        project,
        kind="annual",
        period_start="2030-04-01",
        period_end="2031-03-31",
    )

    assert period_errors(response) == {
        "period_start": [
            f"{project.reference} ends on 31 Mar 2027, and no certificate covers "
            "time after 31 Mar 2028: a period starting on 01 Apr 2030 is outside "
            "the project."
        ],
        "period_end": [
            "A certificate is made for time that has passed: the period ends on "
            "22 Nov 2026, the day it is submitted, or earlier."
        ],
    }
    assert UtilisationCertificate.objects.count() == 0
    assert Document.objects.count() == 0


def test_a_provisional_uc_starting_before_the_projects_first_fiscal_year_is_refused(
    project,
):
    with pytest.raises(GrantRuleError) as refusal:
        services.submit_certificate(
            project,
            kind=UtilisationCertificate.Kind.PROVISIONAL,
            period_start=datetime.date(2001, 1, 1),
            period_end=datetime.date(2026, 10, 31),
            figures=FIGURES,
            submitted_on=TODAY,
            submitted_by=None,
        )

    assert refusal.value.message_dict == {
        "period_start": [
            f"{project.reference}'s money starts on 01 Apr 2024: a certificate's "
            "period starts on 01 Apr 2024 (the first day of that fiscal year) or "
            "later."
        ]
    }
    assert UtilisationCertificate.objects.count() == 0


def test_a_sensible_provisional_uc_is_still_accepted(project):
    certificate = services.submit_certificate(
        project,
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_start=project.start_on,
        period_end=datetime.date(2026, 10, 31),
        figures=FIGURES,
        submitted_on=TODAY,
        submitted_by=None,
    )

    assert certificate.period_end == datetime.date(2026, 10, 31)


# Progress report periods -------------------------------------------------------------


def test_report_periods_of_0001_01_01_and_9999_12_31_are_refused_on_the_form(
    client, grantee, report_milestone
):
    response = submit_report(
        client,
        grantee,
        report_milestone,
        period_start="0001-01-01",
        period_end="9999-12-31",
    )

    assert errors(response) == {
        "period_start": [OUT_OF_RANGE],
        "period_end": [OUT_OF_RANGE],
    }
    assert ProgressReport.objects.count() == 0
    report_milestone.refresh_from_db()
    assert report_milestone.status == Milestone.Status.PENDING


def test_report_periods_of_0001_01_01_and_9999_12_31_are_refused_by_the_service(
    report_milestone,
):
    with pytest.raises(GrantRuleError) as refusal:
        services.submit_progress_report(
            report_milestone,
            **report_terms(
                period_start=datetime.date(1, 1, 1),
                period_end=datetime.date(9999, 12, 31),
            ),
        )

    assert refusal.value.message_dict == {
        "period_start": [WITHIN_THE_PROJECT],
        "period_end": [WITHIN_THE_PROJECT],
    }
    assert ProgressReport.objects.count() == 0


def test_a_report_period_before_the_project_starts_is_refused_with_its_dates(
    client, grantee, report_milestone
):
    response = submit_report(
        client,
        grantee,
        report_milestone,
        period_start="01-10-2023",
        period_end="31-03-2024",
    )

    assert errors(response) == {
        "period_start": [WITHIN_THE_PROJECT],
        "period_end": [WITHIN_THE_PROJECT],
    }
    assert ProgressReport.objects.count() == 0


def test_a_report_period_starting_after_today_is_refused(
    client, grantee, report_milestone
):
    response = submit_report(
        client,
        grantee,
        report_milestone,
        period_start="2026-12-01",
        period_end="2027-03-31",
    )

    assert errors(response) == {
        "period_start": [
            "The period cannot start after today, 22 Nov 2026: a report covers "
            "time that has begun."
        ]
    }
    assert ProgressReport.objects.count() == 0


def test_a_report_period_reaching_into_an_approved_extension_is_accepted(
    client, grantee, report_milestone, staff_user
):
    project = report_milestone.project
    refused = submit_report(client, grantee, report_milestone, period_end="2027-06-30")
    services.extend_project(
        project,
        new_end_on=datetime.date(2027, 9, 30),
        reason="The pilot furnace came late.",
        decided_on=TODAY,
        decided_by=staff_user,
    )

    accepted = submit_report(client, grantee, report_milestone, period_end="2027-06-30")

    assert errors(refused)["period_end"] == [WITHIN_THE_PROJECT]
    assert accepted.status_code == 302
    assert ProgressReport.objects.get().period_end == datetime.date(2027, 6, 30)


# Text that shows nothing --------------------------------------------------------------


def test_a_narrative_of_one_zero_width_space_is_refused_and_nothing_is_saved(
    client, grantee, report_milestone
):
    response = submit_report(
        client, grantee, report_milestone, narrative=ZERO_WIDTH_SPACE
    )

    assert errors(response) == {
        "narrative": ["Describe the progress made in the period."]
    }
    assert ProgressReport.objects.count() == 0


def test_a_narrative_of_invisible_characters_is_refused_by_the_service(
    report_milestone,
):
    with pytest.raises(GrantRuleError) as refusal:
        services.submit_progress_report(
            report_milestone, **report_terms(narrative=INVISIBLE)
        )

    assert refusal.value.message_dict == {"narrative": ["Describe the progress made."]}
    assert ProgressReport.objects.count() == 0


def test_a_return_reason_of_invisible_characters_is_refused_and_the_uc_stays_submitted(
    client, finance_officer, project
):
    certificate = UtilisationCertificateFactory(project=project, signed=True)
    client.force_login(finance_officer)

    response = client.post(
        reverse("staff:certificate-return", args=[certificate.pk]),
        {"decided_on": "2026-11-22", "reason": INVISIBLE},
    )

    assert errors(response) == {"reason": ["This field is required."]}
    certificate.refresh_from_db()
    assert certificate.status == UtilisationCertificate.Status.SUBMITTED
    with pytest.raises(GrantRuleError) as refusal:
        services.return_certificate(
            certificate, reason=INVISIBLE, decided_on=TODAY, decided_by=finance_officer
        )
    assert list(refusal.value.message_dict) == ["reason"]


def test_an_extension_asked_for_with_a_zero_width_reason_is_refused(
    client, grantee, project
):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:extension-request", args=[project.pk]),
        {"new_end_on": "2027-09-30", "reason": ZERO_WIDTH_SPACE},
    )

    assert errors(response) == {"reason": ["This field is required."]}
    assert Extension.objects.count() == 0


def test_text_with_invisible_characters_among_words_is_kept_as_typed(
    client, grantee, report_milestone
):
    narrative = "Pilot\u200b column commissioned; क्\u200dष"

    response = submit_report(client, grantee, report_milestone, narrative=narrative)

    assert response.status_code == 302
    assert ProgressReport.objects.get().narrative == narrative


# Dates of decisions, releases and requests -------------------------------------------


@pytest.fixture
def submitted_report(project):
    milestone = MilestoneFactory(project=project, status=Milestone.Status.SUBMITTED)
    return ProgressReportFactory(milestone=milestone)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9999-12-31", OUT_OF_RANGE),
        ("0001-01-01", OUT_OF_RANGE),
        ("23-11-2026", "The date cannot be after today, 22 Nov 2026."),
    ],
)
def test_a_decision_dated_without_sense_is_refused_and_the_report_stays_submitted(
    client, programme_officer, submitted_report, typed, message
):
    client.force_login(programme_officer)

    response = client.post(
        reverse("staff:report-accept", args=[submitted_report.pk]),
        {"decided_on": typed},
    )

    assert errors(response) == {"decided_on": [message]}
    submitted_report.refresh_from_db()
    assert submitted_report.status == ProgressReport.Status.SUBMITTED


def test_a_decision_dated_before_the_submission_is_refused(
    client, programme_officer, submitted_report
):
    client.force_login(programme_officer)

    response = client.post(
        reverse("staff:report-accept", args=[submitted_report.pk]),
        {"decided_on": "2025-10-24"},
    )

    assert errors(response) == {
        "decided_on": [
            "The date cannot be before the day it was asked for, 25 Oct 2025."
        ]
    }
    submitted_report.refresh_from_db()
    assert submitted_report.status == ProgressReport.Status.SUBMITTED


def test_a_release_dated_before_the_sanction_is_refused(project, finance_user):
    second = InstalmentFactory(project=project, sequence=2)

    with pytest.raises(GrantRuleError) as refusal:
        services.release_instalment(
            second,
            released_on=datetime.date(2001, 1, 1),
            release_order_number="RO/2",
            released_by=finance_user,
            override_reason="Directive.",
        )

    assert refusal.value.message_dict == {
        "released_on": [
            "The date cannot be before the project's sanction, 12 Mar 2024."
        ]
    }
    second.refresh_from_db()
    assert second.released_on is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9999-12-31", OUT_OF_RANGE),
        (
            "2030-04-01",
            "An extension moves the end date by at most 36 months at a time: the "
            "new end date is 31 Mar 2030 at the latest.",
        ),
    ],
)
def test_an_extension_to_a_far_end_date_is_refused(
    client, grantee, project, typed, message
):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:extension-request", args=[project.pk]),
        {"new_end_on": typed, "reason": "The pilot furnace came late."},
    )

    assert errors(response) == {"new_end_on": [message]}
    assert Extension.objects.count() == 0


def test_the_service_refuses_an_extension_of_more_than_36_months(project, grantee):
    with pytest.raises(GrantRuleError) as refusal:
        services.request_extension(
            project,
            new_end_on=datetime.date(2030, 4, 1),
            reason="The pilot furnace came late.",
            requested_on=TODAY,
            requested_by=grantee,
        )

    assert list(refusal.value.message_dict) == ["new_end_on"]
    assert Extension.objects.count() == 0


def test_a_milestone_cannot_be_rescheduled_past_the_projects_closing_period(
    client, programme_officer, report_milestone
):
    client.force_login(programme_officer)

    response = client.post(
        reverse("staff:milestone-reschedule", args=[report_milestone.pk]),
        {"new_due_on": "2099-12-31", "reason": "The field season moved."},
    )

    assert errors(response) == {
        "new_due_on": [
            f"{report_milestone.project.reference} ends on 31 Mar 2027: nothing is "
            "due after 31 Mar 2028, the end of its closing period."
        ]
    }
    report_milestone.refresh_from_db()
    assert report_milestone.due_on == datetime.date(2026, 10, 30)


def test_a_project_cannot_be_closed_on_a_day_to_come():
    form = CloseProjectForm(
        data={"closed_on": "2026-11-23", "unspent_refunded": 0, "interest_refunded": 0}
    )

    assert form.errors == {
        "closed_on": ["The date cannot be after today, 22 Nov 2026."]
    }


def test_an_asset_bought_on_0001_01_01_is_refused(project):
    form = AssetRecordForm(
        data={
            "acquired_on": "0001-01-01",
            "particulars": "ICP-OES spectrometer",
            "supplier": "Agilent Technologies, Bengaluru",
            "bill_number": "INV/1",
            "bill_date": "2001-01-01",
            "cost": "18,50,000",
            "location": "Hydrometallurgy lab",
        },
        project=project,
    )

    assert form.errors["acquired_on"] == [OUT_OF_RANGE]
    assert form.errors["bill_date"] == [
        "The bill is dated 01 Jan 2001, before the project's sanction of 12 Mar "
        "2024: the grant does not meet expenditure before its sanction unless the "
        "sanction says so (GFR 230(15))."
    ]


# Counts without ceilings (finding 12) ------------------------------------------------


def test_a_report_of_40000_publications_is_refused_and_nothing_is_stored(
    client, grantee, report_milestone
):
    response = submit_report(client, grantee, report_milestone, publications="40000")

    assert errors(response) == {
        "publications": [
            "That is more than any project reports in one period (at most 1,000): "
            "check the figure."
        ]
    }
    assert ProgressReport.objects.count() == 0
    report_milestone.refresh_from_db()
    assert report_milestone.status == Milestone.Status.PENDING


@pytest.mark.parametrize(
    ("field", "count"),
    [
        ("publications", 40_000),
        ("patents_filed", 1_001),
        ("prototypes", 32_767),
        ("technologies_transferred", 5_000),
        ("people_trained", 10_001),
    ],
)
def test_the_service_refuses_counts_above_their_ceilings(
    report_milestone, field, count
):
    with pytest.raises(GrantRuleError) as refusal:
        services.submit_progress_report(
            report_milestone, **report_terms(**{field: count})
        )

    assert list(refusal.value.message_dict) == [field]
    assert ProgressReport.objects.count() == 0


def test_counts_at_their_ceilings_are_still_accepted(client, grantee, report_milestone):
    response = submit_report(
        client,
        grantee,
        report_milestone,
        publications="1000",
        people_trained="10000",
    )

    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.publications, report.people_trained) == (1000, 10_000)


# Titles the admin types ---------------------------------------------------------------


def test_a_milestone_title_of_invisible_characters_is_refused_in_the_admin(
    client, superuser, report_milestone
):
    client.force_login(superuser)
    url = reverse("admin:grants_milestone_change", args=[report_milestone.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in {**form.initial, "title": INVISIBLE}.items()
        if value is not None
    }
    data["project"] = report_milestone.project.pk

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "title": ["This field is required."]
    }
    report_milestone.refresh_from_db()
    assert report_milestone.title == "Half-yearly progress report, Apr–Sep 2026"
