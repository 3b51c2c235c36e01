"""Re-appropriation from both sides: the grantee asks, the ministry decides."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import BudgetLine, Membership, Project, Reappropriation
from tests.factories import (
    BudgetLineFactory,
    MembershipFactory,
    ProjectFactory,
    ReappropriationFactory,
    StaffUserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

NBSP = "\u00a0"
EQUIPMENT, CONSUMABLES = BudgetLine.Head.EQUIPMENT, BudgetLine.Head.CONSUMABLES


def with_budget(project):
    """Equipment year 1 Rs 4,00,000 and consumables years 1-2 Rs 3,00,000 each."""
    for head, year, amount in [
        (EQUIPMENT, 1, 400_000),
        (CONSUMABLES, 1, 300_000),
        (CONSUMABLES, 2, 300_000),
    ]:
        BudgetLineFactory(project=project, head=head, project_year=year, amount=amount)
    return project


@pytest.fixture
def own_project(grantee, organisation):
    return with_budget(
        ProjectFactory(
            organisation=organisation,
            principal_investigator=grantee,
            status=Project.Status.ONGOING,
            sanctioned_amount=1_000_000,
        )
    )


def page(project):
    return reverse("portal:reappropriations", args=[project.pk])


def ask(client, project, **data):
    return client.post(
        page(project),
        {
            "from_head": EQUIPMENT,
            "from_year": "1",
            "to_head": CONSUMABLES,
            "to_year": "2",
            "amount": "40,000",
            "reason": "The reagents cost more than quoted.",
            **data,
        },
    )


# The portal -------------------------------------------------------------------------


def test_a_principal_investigator_asks_to_move_money(client, grantee, own_project):
    client.force_login(grantee)

    response = ask(client, own_project)

    assert response.status_code == 302
    assert response.url == page(own_project)
    reappropriation = own_project.reappropriations.get()
    assert (reappropriation.amount, reappropriation.requested_by) == (40_000, grantee)
    assert reappropriation.requested_on == datetime.date(2026, 11, 22)
    assert reappropriation.needs_finance is False
    followed = client.get(response.url)
    assert "was sent to the ministry" in followed.content.decode()


def test_the_grantees_finance_officer_may_ask_too(client, own_project):
    finance = MembershipFactory(
        organisation=own_project.organisation, role=Membership.Role.FINANCE_OFFICER
    ).user
    client.force_login(finance)

    assert ask(client, own_project, amount="2,50,000").status_code == 302

    reappropriation = own_project.reappropriations.get()
    assert reappropriation.amount == 250_000
    assert reappropriation.needs_finance is True


def test_the_page_shows_the_budget_and_each_request_with_its_decision(
    client, grantee, own_project
):
    ReappropriationFactory(
        project=own_project,
        status=Reappropriation.Status.REJECTED,
        decided_on=datetime.date(2026, 11, 10),
        decision_comment="Equipment is still to be bought.",
    )
    client.force_login(grantee)

    response = client.get(page(own_project))

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["budget"]["grand_total"] == 1_000_000
    assert f"₹{NBSP}4,00,000" in content
    assert f"₹{NBSP}50,000 from equipment, year 1 to consumables, year 2" in content
    assert "Equipment is still to be bought." in content
    assert "Rejected" in content


def test_an_amount_larger_than_the_head_is_a_field_error(client, grantee, own_project):
    client.force_login(grantee)

    response = ask(client, own_project, amount="4,00,001")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "amount": [
            f"Equipment, year 1 holds ₹{NBSP}4,00,000: it cannot give ₹{NBSP}4,00,001."
        ]
    }
    assert not own_project.reappropriations.exists()


def test_a_missing_reason_and_a_year_the_project_does_not_have_are_field_errors(
    client, grantee, own_project
):
    client.force_login(grantee)

    response = ask(client, own_project, reason="", to_year="4")

    errors = response.context["form"].errors
    assert errors["reason"] == ["Say why the money is needed."]
    assert "to_year" in errors
    assert not own_project.reappropriations.exists()


def test_another_organisations_project_is_not_found(client, grantee):
    other = with_budget(ProjectFactory(status=Project.Status.ONGOING))
    client.force_login(grantee)

    assert client.get(page(other)).status_code == 404
    assert ask(client, other).status_code == 404
    assert not Reappropriation.objects.exists()


def test_a_request_posted_without_the_csrf_token_is_refused(grantee, own_project):
    client = Client(enforce_csrf_checks=True)
    client.force_login(grantee)

    response = ask(client, own_project)

    assert response.status_code == 403
    assert not own_project.reappropriations.exists()


def test_the_project_page_links_to_re_appropriation(client, grantee, own_project):
    client.force_login(grantee)

    response = client.get(reverse("portal:project-detail", args=[own_project.pk]))

    assert page(own_project) in response.content.decode()


# The staff workspace ----------------------------------------------------------------


def test_the_queue_lists_requests_with_days_waiting_and_who_decides(
    client, programme_officer
):
    small = ReappropriationFactory(requested_on=datetime.date(2026, 11, 2))
    large = ReappropriationFactory(
        requested_on=datetime.date(2026, 11, 12), needs_finance=True
    )
    client.force_login(programme_officer)

    response = client.get(reverse("staff:reappropriation-list"))

    waiting = response.context["waiting"]
    assert [r.pk for r in waiting] == [small.pk, large.pk]
    assert [r.days_waiting for r in waiting] == [20, 10]
    content = response.content.decode()
    assert "Programme officer" in content
    assert "Finance (above 10%)" in content
    assert reverse("staff:reappropriation-detail", args=[small.pk]) in content


def test_the_queue_runs_the_same_queries_for_1_and_8_requests(
    client, programme_officer
):
    client.force_login(programme_officer)
    counts = []
    for more in (1, 7):
        ReappropriationFactory.create_batch(more)
        ReappropriationFactory(
            status=Reappropriation.Status.APPROVED,
            decided_on=datetime.date(2026, 11, 20),
            decided_by=StaffUserFactory(),
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("staff:reappropriation-list"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.context["waiting"]) == 8
    assert counts[0] == counts[1]


def test_the_staff_menu_links_to_the_queue(client, programme_officer):
    client.force_login(programme_officer)

    response = client.get(reverse("staff:dashboard"))

    assert reverse("staff:reappropriation-list") in response.content.decode()


def test_a_grantee_cannot_open_the_queue(client, grantee):
    client.force_login(grantee)

    assert client.get(reverse("staff:reappropriation-list")).status_code == 403


@pytest.fixture
def waiting_request(own_project):
    return ReappropriationFactory(project=own_project, amount=40_000)


def decision_page(reappropriation):
    return reverse("staff:reappropriation-detail", args=[reappropriation.pk])


def test_the_decision_page_shows_both_lines_before_and_after_and_the_threshold(
    client, programme_officer, waiting_request
):
    client.force_login(programme_officer)

    response = client.get(decision_page(waiting_request))

    source, target = response.context["lines"]
    assert (source.now, source.after) == (400_000, 360_000)
    assert (target.now, target.after) == (300_000, 340_000)
    assert response.context["share"] == "10.0%"
    assert response.context["may_decide"] is True
    content = response.content.decode()
    assert f"₹{NBSP}3,60,000" in content
    assert f"₹{NBSP}3,40,000" in content
    assert "up to 10%" in content
    assert (
        reverse("staff:reappropriation-approve", args=[waiting_request.pk]) in content
    )


def test_a_programme_officer_approves_from_the_decision_page(
    client, programme_officer, waiting_request
):
    client.force_login(programme_officer)

    response = client.post(
        reverse("staff:reappropriation-approve", args=[waiting_request.pk]),
        {"decided_on": "2026-11-22", "comment": "Agreed."},
    )

    assert response.status_code == 302
    assert response.url == decision_page(waiting_request)
    waiting_request.refresh_from_db()
    assert waiting_request.status == Reappropriation.Status.APPROVED
    assert waiting_request.decided_by == programme_officer
    source = BudgetLine.objects.get(
        project=waiting_request.project, head=EQUIPMENT, project_year=1
    )
    assert source.amount == 360_000


def test_a_move_above_the_threshold_is_left_to_finance(
    client, programme_officer, finance_officer, own_project
):
    large = ReappropriationFactory(
        project=own_project, amount=100_000, needs_finance=True
    )
    client.force_login(programme_officer)

    page_for_officer = client.get(decision_page(large))
    refused = client.post(
        reverse("staff:reappropriation-approve", args=[large.pk]),
        {"decided_on": "2026-11-22"},
    )

    assert page_for_officer.context["may_decide"] is False
    assert "finance officer decides" in page_for_officer.content.decode()
    assert refused.status_code == 200
    assert "threshold: finance decides" in refused.content.decode()
    large.refresh_from_db()
    assert large.status == Reappropriation.Status.REQUESTED

    client.force_login(finance_officer)
    assert client.get(decision_page(large)).context["may_decide"] is True
    client.post(
        reverse("staff:reappropriation-approve", args=[large.pk]),
        {"decided_on": "2026-11-22"},
    )
    large.refresh_from_db()
    assert large.status == Reappropriation.Status.APPROVED


def test_a_rejection_without_a_reason_is_a_field_error(
    client, programme_officer, waiting_request
):
    client.force_login(programme_officer)

    response = client.post(
        reverse("staff:reappropriation-reject", args=[waiting_request.pk]),
        {"decided_on": "2026-11-22", "comment": ""},
    )

    assert response.status_code == 200
    assert "comment" in response.context["form"].errors
    waiting_request.refresh_from_db()
    assert waiting_request.status == Reappropriation.Status.REQUESTED


def test_a_staff_user_without_the_permission_cannot_decide(client, waiting_request):
    client.force_login(StaffUserFactory())

    response = client.post(
        reverse("staff:reappropriation-reject", args=[waiting_request.pk]),
        {"decided_on": "2026-11-22", "comment": "No."},
    )

    assert response.status_code == 403
    waiting_request.refresh_from_db()
    assert waiting_request.status == Reappropriation.Status.REQUESTED


def test_an_approved_request_keeps_the_share_its_decision_was_judged_on(
    client, programme_officer, waiting_request
):
    client.force_login(programme_officer)
    client.post(
        reverse("staff:reappropriation-approve", args=[waiting_request.pk]),
        {"decided_on": "2026-11-22", "comment": "Agreed."},
    )

    response = client.get(decision_page(waiting_request))

    # Rs 40,000 of the Rs 4,00,000 line it came from, not of the Rs 3,60,000 left.
    assert response.context["share"] == "10.0%"
    assert response.context["may_decide"] is False
