"""Writing through the API: the portal's forms and the services' rules, word for word.

A grantee's script submits what the portal takes, and staff decide as on their
pages; whatever the form or a rule refuses, the API refuses with the same
message (problem details, with each field's pointer).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from grants.models import (
    Document,
    Membership,
    Milestone,
    ProgressReport,
    UtilisationCertificate,
)
from tests import test_views_portal as portal
from tests.api import api_client
from tests.factories import ProgressReportFactory, UtilisationCertificateFactory
from tests.test_views_portal import member_of, pdf, report_data, uc_data

pytestmark = pytest.mark.django_db

# The portal's own fixtures: its day (22 Nov 2026), a project with releases, and
# the milestones that ask for a report and a certificate.
_today = portal._today
own_project = portal.own_project
uc_project = portal.uc_project
report_milestone = portal.report_milestone
uc_milestone = portal.uc_milestone


def problems(response) -> dict:
    """The problem's messages by field name (``None`` for the request as a whole)."""
    assert response["Content-Type"] == "application/problem+json"
    found = {}
    for error in response.json()["errors"]:
        field = error["pointer"][2:] if error["pointer"] else None
        found.setdefault(field, []).append(error["detail"])
    return found


def form_errors(response) -> dict:
    return {
        (None if field == "__all__" else field): messages
        for field, messages in response.context["form"].errors.items()
    }


# A grantee's submissions -------------------------------------------------------------


def test_a_grantee_submits_a_half_yearly_report_as_json(grantee, report_milestone):
    response = api_client(grantee).post(
        reverse("api:milestone-report", args=[report_milestone.pk]),
        {**report_data(), "trl_now": 4, "publications": 2},
        format="json",
    )

    assert response.status_code == 201, response.content
    report = ProgressReport.objects.get()
    assert response.json()["id"] == report.pk
    assert (report.submitted_by, report.trl_now, report.publications) == (grantee, 4, 2)
    report_milestone.refresh_from_db()
    assert report_milestone.status == Milestone.Status.SUBMITTED


def test_a_report_with_attachments_goes_as_multipart(grantee, report_milestone):
    response = api_client(grantee).post(
        reverse("api:milestone-report", args=[report_milestone.pk]),
        {**report_data(), "attachments": [pdf("results.pdf"), pdf("plots.pdf")]},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    names = set(Document.objects.values_list("original_name", flat=True))
    assert names == {"results.pdf", "plots.pdf"}


def test_a_report_the_form_refuses_is_refused_with_the_forms_words(
    client, grantee, report_milestone
):
    bad = report_data(period_end="2026-03-31", narrative=" ")
    client.force_login(grantee)
    page = client.post(reverse("portal:report-submit", args=[report_milestone.pk]), bad)

    response = api_client(grantee).post(
        reverse("api:milestone-report", args=[report_milestone.pk]),
        bad,
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["type"] == "urn:khanij:problem:invalid"
    assert problems(response) == form_errors(page)
    assert set(problems(response)) == {"period_end", "narrative"}
    assert not ProgressReport.objects.exists()


def test_a_certificate_refused_by_the_gfr_arithmetic_says_what_the_form_says(
    client, grantee, uc_milestone
):
    url = reverse("api:milestone-certificate", args=[uc_milestone.pk])
    client.force_login(grantee)
    page = client.post(
        reverse("portal:milestone-certificate-submit", args=[uc_milestone.pk]),
        uc_data(uc_milestone.project, closing_balance="4,50,000"),
    )

    response = api_client(grantee).post(
        url,
        uc_data(uc_milestone.project, closing_balance="4,50,000"),
        format="multipart",
    )

    assert response.status_code == 400
    assert problems(response) == form_errors(page)
    assert problems(response)["closing_balance"] == [
        "Closing balance should be ₹\u00a04,00,000 (opening + interest earned - "
        "interest remitted + grant received - expenditure); the figure entered is "
        "₹\u00a050,000 too high."
    ]
    assert not UtilisationCertificate.objects.filter(fiscal_year="2025-26").exists()


def test_a_certificate_goes_with_its_signed_copy(organisation, uc_milestone):
    finance = member_of(organisation, Membership.Role.FINANCE_OFFICER)

    response = api_client(finance).post(
        reverse("api:milestone-certificate", args=[uc_milestone.pk]),
        uc_data(uc_milestone.project, grant_received=1_500_000),
        format="multipart",
    )

    assert response.status_code == 201, response.content
    certificate = UtilisationCertificate.objects.get(pk=response.json()["id"])
    assert certificate.status == UtilisationCertificate.Status.SUBMITTED
    assert certificate.documents.get().kind == Document.Kind.SIGNED_UC
    assert response.json()["closing_balance"] == 400_000


def test_a_certificate_without_its_signed_copy_is_refused(grantee, uc_milestone):
    data = uc_data(uc_milestone.project)
    del data["signed_copy"]

    response = api_client(grantee).post(
        reverse("api:milestone-certificate", args=[uc_milestone.pk]),
        data,
        format="multipart",
    )

    assert response.status_code == 400
    assert problems(response)["signed_copy"] == [
        "Attach the signed certificate as a PDF."
    ]


def test_a_report_sent_to_a_certificates_milestone_is_refused(grantee, uc_milestone):
    response = api_client(grantee).post(
        reverse("api:milestone-report", args=[uc_milestone.pk]),
        report_data(),
        format="json",
    )

    assert response.status_code == 422
    assert "asks for a utilisation certificate" in response.json()["detail"]


def test_a_report_on_a_milestone_already_decided_is_refused_by_the_rule(
    grantee, report_milestone
):
    report_milestone.status = Milestone.Status.ACCEPTED
    report_milestone.save()

    response = api_client(grantee).post(
        reverse("api:milestone-report", args=[report_milestone.pk]),
        report_data(),
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:khanij:problem:refused"
    assert "there is nothing to submit for it now" in response.json()["detail"]


def test_a_member_whose_role_may_not_submit_is_told_who_may(
    organisation, report_milestone
):
    finance = member_of(organisation, Membership.Role.FINANCE_OFFICER)

    response = api_client(finance).post(
        reverse("api:milestone-report", args=[report_milestone.pk]),
        report_data(),
        format="json",
    )

    assert response.status_code == 403
    assert "principal investigator or a co-investigator" in response.json()["detail"]
    assert not ProgressReport.objects.exists()


def test_the_refusal_comes_in_the_language_asked_for(grantee, report_milestone):
    response = api_client(grantee, language="hi").post(
        reverse("api:milestone-report", args=[report_milestone.pk]),
        report_data(narrative=""),
        format="json",
    )

    assert response.status_code == 400
    with translation.override("hi"):
        expected = gettext("Describe the progress made in the period.")
    assert expected != "Describe the progress made in the period."
    assert problems(response)["narrative"] == [expected]


def test_without_accept_language_the_refusal_is_in_the_users_language(
    grantee, report_milestone
):
    grantee.preferred_language = "hi"
    grantee.save()
    client = api_client(grantee)
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")

    response = client.post(
        reverse("api:milestone-report", args=[report_milestone.pk]),
        report_data(narrative=""),
        format="json",
    )

    with translation.override("hi"):
        assert problems(response)["narrative"] == [
            gettext("Describe the progress made in the period.")
        ]


# Bodies that are not what a form takes ------------------------------------------------


@pytest.mark.parametrize("body", [[1, 2], "a report", 42])
def test_a_body_that_is_not_an_object_is_refused(grantee, report_milestone, body):
    response = api_client(grantee).post(
        reverse("api:milestone-report", args=[report_milestone.pk]), body, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] is None
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("narrative", ["a", "b"]),
        ("comment", {"x": 1}),
        ("period_start", {"day": 1}),
        ("trl_now", [4]),
    ],
)
def test_a_list_or_an_object_where_one_value_goes_is_refused(
    grantee, report_milestone, field, value
):
    response = api_client(grantee).post(
        reverse("api:milestone-report", args=[report_milestone.pk]),
        {**report_data(), field: value},
        format="json",
    )

    if field == "comment":  # not a field of the report: ignored
        assert response.status_code == 201
        return
    assert response.status_code == 400
    assert set(problems(response)) == {field}
    assert not ProgressReport.objects.exists()


def test_a_number_where_a_date_goes_gets_the_forms_date_message(
    grantee, report_milestone
):
    response = api_client(grantee).post(
        reverse("api:milestone-report", args=[report_milestone.pk]),
        {**report_data(), "period_start": 20260401},
        format="json",
    )

    assert response.status_code == 400
    assert "day first" in problems(response)["period_start"][0]


def test_files_inside_json_are_refused_not_dropped(grantee, report_milestone):
    response = api_client(grantee).post(
        reverse("api:milestone-report", args=[report_milestone.pk]),
        {**report_data(), "attachments": ["JVBERi0xLjQK"]},
        format="json",
    )

    assert response.status_code == 400
    assert "multipart/form-data" in problems(response)["attachments"][0]
    assert not ProgressReport.objects.exists()


def test_a_release_id_no_row_can_have_is_an_invalid_choice(grantee, uc_milestone):
    response = api_client(grantee).post(
        reverse("api:milestone-certificate", args=[uc_milestone.pk]),
        uc_data(uc_milestone.project, received_instalments=[10**20]),
        format="multipart",
    )

    assert response.status_code == 400
    assert set(problems(response)) == {"received_instalments"}


def test_a_body_that_is_not_json_is_a_problem(grantee, report_milestone):
    response = api_client(grantee).post(
        reverse("api:milestone-report", args=[report_milestone.pk]),
        "{not json",
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["type"] == "urn:khanij:problem:malformed"


def test_a_milestone_that_takes_nothing_now_says_so_before_the_form(
    grantee, report_milestone
):
    report_milestone.status = Milestone.Status.SUBMITTED
    report_milestone.save()

    response = api_client(grantee).post(
        reverse("api:milestone-report", args=[report_milestone.pk]),
        {"narrative": ""},
        format="json",
    )

    assert response.status_code == 422
    assert "there is nothing to submit for it now" in response.json()["detail"]


# Staff decisions ----------------------------------------------------------------------


def test_a_programme_officer_accepts_a_report(programme_officer, report_milestone):
    report = ProgressReportFactory(milestone=report_milestone)

    response = api_client(programme_officer).post(
        reverse("api:report-accept", args=[report.pk]),
        {"decided_on": "2026-11-21", "comment": "Good progress."},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    report.refresh_from_db()
    assert (report.decided_by, report.review_comment) == (
        programme_officer,
        "Good progress.",
    )


def test_a_return_without_a_reason_is_refused_as_on_the_page(
    client, programme_officer, report_milestone
):
    report = ProgressReportFactory(milestone=report_milestone)
    client.force_login(programme_officer)
    page = client.post(
        reverse("staff:report-return", args=[report.pk]), {"decided_on": "21-11-2026"}
    )

    response = api_client(programme_officer).post(
        reverse("api:report-return-it", args=[report.pk]),
        {"decided_on": "2026-11-21"},
        format="json",
    )

    assert response.status_code == 400
    assert problems(response) == form_errors(page)
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.SUBMITTED


def test_finance_returns_a_certificate_and_the_grantee_resubmits(
    finance_officer, grantee, uc_milestone
):
    submitted = api_client(grantee).post(
        reverse("api:milestone-certificate", args=[uc_milestone.pk]),
        uc_data(uc_milestone.project),
        format="multipart",
    )
    certificate = submitted.json()["id"]

    returned = api_client(finance_officer).post(
        reverse("api:certificate-return-it", args=[certificate]),
        {
            "decided_on": "2026-11-22",
            "reason": "Salary figure needs the auditor's note.",
        },
        format="json",
    )
    again = api_client(grantee).post(
        reverse("api:milestone-certificate", args=[uc_milestone.pk]),
        uc_data(uc_milestone.project),
        format="multipart",
    )

    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert again.status_code == 201, again.content
    assert UtilisationCertificate.objects.filter(fiscal_year="2025-26").count() == 2


def test_accepting_a_certificate_refused_by_a_rule_answers_422(
    finance_officer, uc_project
):
    # Typed in by staff without a signed copy on file: GFR 12-A is a signed form.
    certificate = UtilisationCertificateFactory(
        project=uc_project,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        opening_balance=400_000,
        grant_received=1_500_000,
        expenditure=1_500_000,
    )

    response = api_client(finance_officer).post(
        reverse("api:certificate-accept", args=[certificate.pk]),
        {"decided_on": "2026-11-22"},
        format="json",
    )

    assert response.status_code == 422, response.content
    certificate.refresh_from_db()
    assert certificate.status == UtilisationCertificate.Status.SUBMITTED
