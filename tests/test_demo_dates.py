"""The demo loaded on any day keeps its periods true and its forms acceptable."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from grants import demo, services
from grants.formatting import INDIA, fiscal_year_bounds
from grants.models import Membership, Milestone, UtilisationCertificate

pytestmark = pytest.mark.django_db

DAYS = [
    datetime.date(2026, 12, 2),
    datetime.date(2027, 3, 31),
    datetime.date(2027, 4, 1),
    datetime.date(2028, 2, 29),
]


@pytest.fixture(params=DAYS, ids=str)
def today(request):
    moment = datetime.datetime.combine(request.param, datetime.time(11), tzinfo=INDIA)
    with time_machine.travel(moment, tick=False):
        demo.seed(as_of=None, today=request.param)
        yield request.param


class Rollback(Exception):
    pass


def accepted_by_the_rules(submit) -> None:
    """Run a submission and undo it; a refusal fails the test with its words."""
    try:
        with transaction.atomic():
            submit()
            raise Rollback
    except Rollback:
        pass


def test_every_annual_certificate_covers_one_whole_fiscal_year(today):
    annual = UtilisationCertificate.objects.filter(
        kind=UtilisationCertificate.Kind.ANNUAL
    )
    assert annual.exists()
    for certificate in annual:
        start, end = fiscal_year_bounds(certificate.fiscal_year)
        assert certificate.period_end == end, certificate
        assert certificate.period_start >= start, certificate


def test_every_report_period_ends_on_a_half_year_or_the_project_end(today):
    for milestone in Milestone.objects.filter(
        kind=Milestone.Kind.PROGRESS_REPORT, title__startswith="Half-yearly"
    ):
        assert (milestone.period_end.month, milestone.period_end.day) in {
            (9, 30),
            (3, 31),
        }, milestone


def submitter(milestone, roles):
    return (
        Membership.objects.filter(
            organisation=milestone.project.organisation, role__in=roles
        )
        .select_related("user")
        .first()
        .user
    )


def test_every_pre_filled_certificate_form_is_accepted(client, today):
    open_certificates = Milestone.objects.open().filter(
        kind=Milestone.Kind.UTILISATION_CERTIFICATE
    )
    assert open_certificates.exists()
    for milestone in open_certificates.select_related("project__organisation"):
        client.force_login(submitter(milestone, services.CERTIFICATE_SUBMITTER_ROLES))
        page = client.get(
            reverse("portal:milestone-certificate-submit", args=[milestone.pk])
        )
        assert page.status_code == 200, milestone
        initial = page.context["form"].initial
        available = (
            initial["opening_balance"]
            + initial["interest_earned"]
            - initial["interest_remitted"]
            + initial["grant_received"]
        )
        figures = services.CertificateFigures(
            opening_balance=initial["opening_balance"],
            interest_earned=initial["interest_earned"],
            interest_remitted=initial["interest_remitted"],
            grant_received=initial["grant_received"],
            expenditure=0,
            closing_balance=available,
        )

        def submit(milestone=milestone, initial=initial, figures=figures):
            services.submit_certificate(
                milestone.project,
                kind=initial["kind"],
                period_start=initial["period_start"],
                period_end=initial["period_end"],
                figures=figures,
                submitted_on=today,
                submitted_by=None,
                milestone=milestone,
            )

        if initial["period_end"] > today:
            # A year not yet over: its annual UC is made after 31 March, and the
            # form's period is refused until then, on that ground alone.
            with pytest.raises(services.GrantRuleError) as early:
                accepted_by_the_rules(submit)
            assert list(early.value.message_dict) == ["period_end"], milestone
            assert "time that has passed" in early.value.messages[0], milestone
            continue
        accepted_by_the_rules(submit)


def test_every_pre_filled_report_form_is_accepted(client, today):
    open_reports = Milestone.objects.open().filter(
        kind__in=[Milestone.Kind.PROGRESS_REPORT, Milestone.Kind.FINAL_REPORT],
        due_on__lte=today + datetime.timedelta(days=90),
    )
    assert open_reports.exists()
    for milestone in open_reports.select_related("project__organisation"):
        client.force_login(submitter(milestone, services.REPORT_SUBMITTER_ROLES))
        page = client.get(reverse("portal:report-submit", args=[milestone.pk]))
        assert page.status_code == 200, milestone
        initial = page.context["form"].initial
        accepted_by_the_rules(
            lambda milestone=milestone, initial=initial: (
                services.submit_progress_report(
                    milestone,
                    period_start=initial["period_start"],
                    period_end=initial["period_end"],
                    narrative="Work done in the period.",
                    trl_now=initial["trl_now"],
                    submitted_on=today,
                    submitted_by=None,
                )
            )
        )


def test_a_refused_annual_period_says_which_dates_are_accepted(project):
    with pytest.raises(services.GrantRuleError) as refusal:
        services.submit_certificate(
            project,
            kind=UtilisationCertificate.Kind.ANNUAL,
            period_start=datetime.date(2024, 4, 11),
            period_end=datetime.date(2025, 4, 10),
            figures=services.CertificateFigures(0, 0, 0, 0, 0, 0),
            submitted_on=datetime.date(2025, 5, 1),
            submitted_by=None,
        )
    assert refusal.value.message_dict["period_start"] == [
        "An annual UC covers one fiscal year, 1 April to 31 March: for 2024-25, "
        "enter 01 Apr 2024 (or the project's first day in it) to 31 Mar 2025."
    ]
