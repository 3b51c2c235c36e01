"""The rules a utilisation certificate's period and figures keep (submit_certificate).

The project runs from 01 Apr 2024 to 31 Mar 2027. The ministry released Rs 20 lakh
on 10 Apr 2024 and Rs 15 lakh on 20 May 2025; the annual UC for 2024-25 is accepted
(20 lakh received, 16 lakh spent, 4 lakh closing). Every refusal is a field error
saying which value would be accepted, and leaves nothing written.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants import services
from grants.models import Document, Membership, Milestone, UtilisationCertificate
from grants.services import CertificateFigures, GrantRuleError
from tests.factories import (
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    UtilisationCertificateFactory,
)
from tests.test_uploads import PDF_BYTES

pytestmark = pytest.mark.django_db

Kind = UtilisationCertificate.Kind


@pytest.fixture
def project():
    project = ProjectFactory(ongoing=True)
    project.first_release = InstalmentFactory(
        project=project,
        sequence=1,
        amount=2_000_000,
        planned_on=datetime.date(2024, 4, 10),
        released=True,
    )
    project.second_release = InstalmentFactory(
        project=project,
        sequence=2,
        amount=1_500_000,
        planned_on=datetime.date(2025, 5, 20),
        released=True,
    )
    project.previous = UtilisationCertificateFactory(project=project, accepted=True)
    return project


def figures(**overrides):
    """2025-26: 4,00,000 + 0 - 0 + 15,00,000 - 12,00,000 = 7,00,000, balanced."""
    values = {
        "opening_balance": 400_000,
        "interest_earned": 0,
        "interest_remitted": 0,
        "grant_received": 1_500_000,
        "expenditure": 1_200_000,
    }
    values.update(overrides)
    values["closing_balance"] = (
        values["opening_balance"]
        + values["interest_earned"]
        - values["interest_remitted"]
        + values["grant_received"]
        - values["expenditure"]
    )
    return CertificateFigures(**values)


def submit(project, **overrides):
    terms = {
        "kind": Kind.ANNUAL,
        "period_start": datetime.date(2025, 4, 1),
        "period_end": datetime.date(2026, 3, 31),
        "figures": figures(),
        "submitted_on": datetime.date(2026, 4, 25),
        "submitted_by": None,
    }
    terms.update(overrides)
    return services.submit_certificate(project, **terms)


def refusal(project, **overrides) -> dict:
    """Submit, expect a refusal, check nothing was written; return its fields."""
    certificates = list(UtilisationCertificate.objects.values_list("pk", flat=True))
    with pytest.raises(GrantRuleError) as error:
        submit(project, **overrides)
    assert list(UtilisationCertificate.objects.values_list("pk", flat=True)) == (
        certificates
    )
    return error.value.message_dict


def test_the_next_annual_certificate_that_follows_on_is_accepted(project):
    certificate = submit(project)

    assert certificate.fiscal_year == "2025-26"
    assert certificate.gap_reason == ""


# 1. Interest (GFR 230(8)) ----------------------------------------------------------


def test_interest_remitted_may_not_exceed_interest_earned_plus_earlier_unremitted(
    project,
):
    project.previous.interest_earned = 10_000
    project.previous.interest_remitted = 4_000
    project.previous.closing_balance = 406_000
    project.previous.save()

    fields = refusal(
        project,
        figures=figures(
            opening_balance=406_000, interest_earned=12_000, interest_remitted=18_001
        ),
    )

    assert fields == {
        "interest_remitted": [
            "Interest remitted can be at most ₹\u00a018,000: the interest earned "
            "(₹\u00a012,000) plus interest earned and not remitted under earlier "
            "certificates (₹\u00a06,000)."
        ]
    }
    certificate = submit(
        project,
        figures=figures(
            opening_balance=406_000, interest_earned=12_000, interest_remitted=18_000
        ),
    )
    assert certificate.interest_remitted == 18_000


def test_a_returned_certificates_unremitted_interest_does_not_count(project):
    UtilisationCertificateFactory(
        project=project,
        kind=Kind.FINAL,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2025, 9, 30),
        interest_earned=50_000,
        status=UtilisationCertificate.Status.RETURNED,
        decided_on=datetime.date(2025, 10, 20),
        return_reason="Interest not remitted.",
    )

    fields = refusal(project, figures=figures(interest_remitted=1))

    assert "at most ₹\u00a00" in fields["interest_remitted"][0]


# 2. The chain of periods (ministry practice, default) ------------------------------


def test_a_period_overlapping_the_previous_certificate_is_refused_with_the_start_that_would_be_accepted(  # noqa: E501
    project,
):
    fields = refusal(
        project,
        kind=Kind.FINAL,
        period_start=datetime.date(2025, 3, 1),
        period_end=datetime.date(2025, 10, 31),
    )

    assert fields == {
        "period_start": [
            "The previous certificate (Annual UC 2024-25) ends on 31 Mar 2025: this "
            "period starts on 01 Apr 2025."
        ]
    }


def test_a_period_overlapping_a_later_certificate_is_refused_with_the_end_that_would_be_accepted(  # noqa: E501
    project,
):
    project.previous.delete()
    UtilisationCertificateFactory(
        project=project,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        grant_received=0,
        opening_balance=2_000_000,
        expenditure=1_000_000,
    )

    fields = refusal(
        project,
        kind=Kind.FINAL,
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 6, 30),
        figures=figures(opening_balance=0, grant_received=2_000_000),
    )

    assert fields == {
        "period_end": [
            "The next certificate (Annual UC 2025-26) starts on 01 Apr 2025: this "
            "period ends on 31 Mar 2025 at the latest."
        ]
    }


def test_a_gap_after_the_previous_certificate_needs_a_reason(project):
    gap = {
        "kind": Kind.FINAL,
        "period_start": datetime.date(2025, 6, 1),
        "period_end": datetime.date(2025, 10, 31),
        "submitted_on": datetime.date(2025, 11, 10),
    }

    fields = refusal(project, **gap)

    assert fields == {
        "gap_reason": [
            "The previous certificate (Annual UC 2024-25) ends on 31 Mar 2025: the "
            "period starts on 01 Apr 2025. To start it on 01 Jun 2025 instead, say "
            "why the 61 days before it are not covered by a certificate."
        ]
    }
    certificate = submit(
        project, **gap, gap_reason="  April and May were audited with 2024-25.  "
    )
    assert certificate.gap_reason == "April and May were audited with 2024-25."


def test_a_reason_given_without_a_gap_is_not_kept(project):
    certificate = submit(project, gap_reason="No gap, but a reason anyway.")

    assert certificate.gap_reason == ""


def test_a_returned_certificate_is_not_the_previous_one(project):
    project.previous.status = UtilisationCertificate.Status.RETURNED
    project.previous.return_reason = "Figures do not match the audited accounts."
    project.previous.save()

    fields = refusal(project, figures=figures(opening_balance=0))

    assert fields["gap_reason"][0].startswith(
        "This is the first certificate, and "
        f"{project.reference}'s money starts on 01 Apr 2024: the period starts on "
        "01 Apr 2024."
    )


def test_the_first_certificate_starts_in_the_fiscal_year_of_the_projects_first_money():
    project = ProjectFactory(ongoing=True)  # starts 01 Apr 2024
    InstalmentFactory(
        project=project,
        sequence=1,
        amount=1_800_000,
        planned_on=datetime.date(2024, 3, 20),  # released before the start
        released=True,
    )
    first_year = {
        "figures": figures(opening_balance=0, grant_received=1_800_000, expenditure=0),
        "submitted_on": datetime.date(2024, 4, 25),
    }

    fields = refusal(
        project,
        kind=Kind.FINAL,
        period_start=datetime.date(2023, 3, 1),
        period_end=datetime.date(2024, 3, 31),
        **first_year,
    )
    certificate = submit(
        project,
        period_start=datetime.date(2023, 4, 1),
        period_end=datetime.date(2024, 3, 31),
        **first_year,
    )

    assert fields == {
        "period_start": [
            f"This is the first certificate of {project.reference}, whose money "
            "starts on 20 Mar 2024: the period starts on 01 Apr 2023 (the first day "
            "of that fiscal year) or on 20 Mar 2024."
        ]
    }
    assert certificate.fiscal_year == "2023-24"


def test_a_provisional_certificate_is_outside_the_chain(project):
    certificate = submit(
        project,
        kind=Kind.PROVISIONAL,
        period_start=project.start_on,
        period_end=datetime.date(2025, 6, 30),
        figures=figures(opening_balance=0, grant_received=3_500_000),
        submitted_on=datetime.date(2025, 7, 10),
    )

    assert certificate.kind == Kind.PROVISIONAL


# 3. The period has ended, within the project's life (ministry practice, default) ---


def test_the_as_on_date_cannot_be_in_the_future(project):
    fields = refusal(
        project,
        kind=Kind.PROVISIONAL,
        period_start=project.start_on,
        period_end=datetime.date(2025, 6, 30),
        figures=figures(opening_balance=0, grant_received=3_500_000),
        submitted_on=datetime.date(2025, 6, 15),
    )

    assert fields == {
        "period_end": [
            "A certificate is made for time that has passed: the period ends on "
            "15 Jun 2025, the day it is submitted, or earlier."
        ]
    }


def test_the_period_cannot_end_before_the_projects_money_starts():
    project = ProjectFactory(ongoing=True)

    fields = refusal(
        project,
        kind=Kind.PROVISIONAL,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 3, 31),
        figures=figures(opening_balance=0, grant_received=0, expenditure=0),
        submitted_on=datetime.date(2024, 4, 25),
    )

    assert fields == {
        "period_end": [
            f"{project.reference}'s money starts on 01 Apr 2024 (its start date, or "
            "its first release if that came earlier): the period ends on 01 Apr 2024 "
            "or later."
        ]
    }


def test_the_period_cannot_end_more_than_12_months_after_the_project_ends(project):
    fields = refusal(
        project,
        kind=Kind.FINAL,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2028, 4, 30),
        submitted_on=datetime.date(2028, 5, 10),
    )

    assert fields == {
        "period_end": [
            f"{project.reference} ends on 31 Mar 2027, and its certificates cover at "
            "most the 12 months after that: the period ends on 31 Mar 2028 at the "
            "latest."
        ]
    }


# 4. An annual UC covers one fiscal year (GFR 238(1), Form GFR 12-A) ----------------


def test_an_annual_certificate_ends_on_31_march(project):
    fields = refusal(project, period_end=datetime.date(2025, 12, 31))

    assert fields == {
        "period_end": [
            "An annual UC covers the fiscal year 2025-26 to its end: the period ends "
            "on 31 Mar 2026."
        ]
    }


def test_an_annual_certificate_may_end_on_the_projects_end_date(project):
    project.end_on = datetime.date(2025, 12, 31)
    project.save()

    refused = refusal(project, period_end=datetime.date(2025, 11, 30))
    certificate = submit(project, period_end=datetime.date(2025, 12, 31))

    assert refused == {
        "period_end": [
            "An annual UC covers the fiscal year 2025-26 to its end: the period ends "
            "on 31 Mar 2026, or 31 Dec 2025 (the project's end date)."
        ]
    }
    assert certificate.fiscal_year == "2025-26"


# 5. Grant received: the releases made by the period's end (GFR 12-A column 4) ------


def test_a_certificate_cannot_cover_a_release_made_after_its_period(project):
    grantee = MembershipFactory(
        organisation=project.organisation, role=Membership.Role.FINANCE_OFFICER
    ).user
    project.previous.delete()
    both = project.first_release.amount + project.second_release.amount

    with pytest.raises(GrantRuleError) as error:
        services.submit_certificate_with_signed_copy(
            project,
            kind=Kind.ANNUAL,
            period_start=datetime.date(2024, 4, 1),
            period_end=datetime.date(2025, 3, 31),
            figures=figures(opening_balance=0, grant_received=both),
            received_instalments=[project.first_release, project.second_release],
            signed_copy=SimpleUploadedFile("signed.pdf", PDF_BYTES),
            submitted_on=datetime.date(2025, 6, 25),
            submitted_by=grantee,
        )

    assert error.value.message_dict == {
        "received_instalments": [
            "Instalment 2 was released on 20 May 2025, after the period ends on "
            "31 Mar 2025: untick it, a later certificate counts it."
        ]
    }
    assert UtilisationCertificate.objects.filter(project=project).count() == 0
    assert Document.objects.count() == 0


def test_grant_received_may_not_exceed_the_releases_by_the_period_end_less_earlier_certificates(  # noqa: E501
    project,
):
    fields = refusal(project, figures=figures(grant_received=1_500_001))

    assert fields == {
        "grant_received": [
            "Grant received can be at most ₹\u00a015,00,000: the releases to "
            f"{project.reference} up to 31 Mar 2026 total ₹\u00a035,00,000, and "
            "earlier certificates already count ₹\u00a020,00,000 of them."
        ]
    }


def test_a_provisional_certificate_counts_every_release_up_to_its_as_on_date(project):
    provisional = {
        "kind": Kind.PROVISIONAL,
        "period_start": project.start_on,
        "period_end": datetime.date(2025, 5, 19),
        "submitted_on": datetime.date(2025, 6, 10),
    }

    fields = refusal(
        project,
        **provisional,
        figures=figures(opening_balance=0, grant_received=2_000_001),
    )
    certificate = submit(
        project,
        **provisional,
        figures=figures(opening_balance=0, grant_received=2_000_000),
    )

    assert fields == {
        "grant_received": [
            "Grant received can be at most ₹\u00a020,00,000: the releases to "
            f"{project.reference} up to 19 May 2025, counted from the project's "
            "start as a provisional certificate does."
        ]
    }
    assert certificate.grant_received == 2_000_000


def test_every_broken_rule_is_reported_at_once_under_its_own_field(project):
    fields = refusal(
        project,
        kind=Kind.FINAL,
        period_start=datetime.date(2025, 3, 1),
        period_end=datetime.date(2025, 10, 31),
        figures=figures(interest_remitted=1, grant_received=3_500_001),
        submitted_on=datetime.date(2025, 11, 5),
    )

    assert set(fields) == {"period_start", "interest_remitted", "grant_received"}


# The portal ------------------------------------------------------------------------


@pytest.fixture
def _portal_today():
    moment = datetime.datetime(
        2026, 11, 22, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")
    )
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def portal_milestone(project, _portal_today):
    return MilestoneFactory(
        project=project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        title="Annual UC 2025-26 (GFR 12-A)",
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        due_on=datetime.date(2026, 6, 30),
    )


def certificate_post(project, **overrides):
    data = {
        "kind": "final",
        "period_start": "2025-04-01",
        "period_end": "2025-10-31",
        "opening_balance": "4,00,000",
        "interest_earned": "0",
        "interest_remitted": "0",
        "received_instalments": [project.second_release.pk],
        "grant_received": "15,00,000",
        "expenditure": "12,00,000",
        "closing_balance": "7,00,000",
        "signed_copy": SimpleUploadedFile(
            "signed.pdf", PDF_BYTES, content_type="application/pdf"
        ),
    }
    data.update(overrides)
    return data


@pytest.mark.usefixtures("_portal_today")
def test_a_refused_period_comes_back_on_the_portal_form_as_a_field_error(
    client, project
):
    member = MembershipFactory(
        organisation=project.organisation, role=Membership.Role.FINANCE_OFFICER
    ).user
    client.force_login(member)

    response = client.post(
        reverse("portal:certificate-submit", args=[project.pk]),
        certificate_post(project, period_start="2025-03-01"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "period_start": [
            "The previous certificate (Annual UC 2024-25) ends on 31 Mar 2025: this "
            "period starts on 01 Apr 2025."
        ]
    }
    assert list(project.certificates.all()) == [project.previous]
    assert Document.objects.count() == 0


@pytest.mark.usefixtures("_portal_today")
def test_a_gap_on_the_portal_form_asks_for_its_reason_and_keeps_it(client, project):
    member = MembershipFactory(
        organisation=project.organisation, role=Membership.Role.FINANCE_OFFICER
    ).user
    client.force_login(member)
    url = reverse("portal:certificate-submit", args=[project.pk])

    before = client.get(url)
    refused = client.post(url, certificate_post(project, period_start="2025-05-01"))
    accepted = client.post(
        url,
        certificate_post(
            project, period_start="2025-05-01", gap_reason="April audited late."
        ),
    )

    assert 'name="gap_reason"' not in before.content.decode()
    assert (
        "why the 30 days before it" in refused.context["form"].errors["gap_reason"][0]
    )
    assert 'name="gap_reason"' in refused.content.decode()
    assert accepted.status_code == 302
    assert project.certificates.get(kind=Kind.FINAL).gap_reason == (
        "April audited late."
    )


def test_the_portal_form_prefills_the_day_after_the_previous_certificate(
    client, project, portal_milestone
):
    member = MembershipFactory(
        organisation=project.organisation, role=Membership.Role.FINANCE_OFFICER
    ).user
    client.force_login(member)

    response = client.get(
        reverse("portal:milestone-certificate-submit", args=[portal_milestone.pk]),
        {"kind": "final"},
    )

    initial = response.context["form"].initial
    assert initial["period_start"] == datetime.date(2025, 4, 1)
    assert not response.context["prefill"]["gap"]


def test_the_staff_review_page_shows_why_a_period_leaves_a_gap(
    client, project, finance_officer
):
    certificate = submit(
        project,
        kind=Kind.FINAL,
        period_start=datetime.date(2025, 6, 1),
        period_end=datetime.date(2025, 10, 31),
        submitted_on=datetime.date(2025, 11, 10),
        gap_reason="April and May were audited with 2024-25.",
    )
    client.force_login(finance_officer)

    html = client.get(
        reverse("staff:certificate-detail", args=[certificate.pk])
    ).content.decode()
    previous_html = client.get(
        reverse("staff:certificate-detail", args=[project.previous.pk])
    ).content.decode()

    assert "April and May were audited with 2024-25." in html
    assert "does not start the day after the previous certificate" in html
    assert "does not start the day after the previous certificate" not in previous_html
