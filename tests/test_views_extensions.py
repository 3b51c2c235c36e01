"""Extensions from both sides: the grantee asks, the ministry decides."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import Extension, Membership, Milestone, Notice, Project
from tests.factories import (
    ExtensionFactory,
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    ReleaseConditionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]


@pytest.fixture
def own_project(grantee, organisation):
    return ProjectFactory(
        organisation=organisation,
        principal_investigator=grantee,
        status=Project.Status.ONGOING,
        end_on=datetime.date(2027, 3, 31),
    )


def ask(client, project, **data):
    return client.post(
        reverse("portal:extension-request", args=[project.pk]),
        {"new_end_on": "2027-09-30", "reason": "The furnace came late.", **data},
    )


def test_a_principal_investigator_asks_for_an_extension(client, grantee, own_project):
    client.force_login(grantee)

    response = ask(client, own_project)

    assert response.url == reverse("portal:project-detail", args=[own_project.pk])
    extension = own_project.extensions.get()
    assert extension.status == Extension.Status.REQUESTED
    assert extension.previous_end_on == datetime.date(2027, 3, 31)
    assert extension.new_end_on == datetime.date(2027, 9, 30)
    assert extension.requested_by == grantee


def test_a_second_request_waits_for_the_first_to_be_decided(
    client, grantee, own_project
):
    client.force_login(grantee)
    ask(client, own_project)

    again = ask(client, own_project, new_end_on="2027-12-31")

    assert again.status_code == 200
    assert "is waiting for the ministry's decision" in again.content.decode()
    assert own_project.extensions.count() == 1


def test_an_end_date_not_after_the_current_one_is_a_field_error(
    client, grantee, own_project
):
    client.force_login(grantee)
    response = ask(client, own_project, new_end_on="2027-03-31")
    assert "must be after the current end date, 31 Mar 2027" in (
        response.content.decode()
    )
    assert not own_project.extensions.exists()


def test_another_organisations_project_is_not_found(client, grantee):
    client.force_login(grantee)
    assert ask(client, ProjectFactory()).status_code == 404


def test_a_finance_officer_is_told_who_may_ask(client, own_project):
    finance = MembershipFactory(
        organisation=own_project.organisation, role=Membership.Role.FINANCE_OFFICER
    ).user
    client.force_login(finance)
    response = ask(client, own_project)
    assert response.status_code == 403
    assert "principal investigator or a co-investigator" in response.content.decode()
    assert not own_project.extensions.exists()


def test_the_work_queue_lists_requests_with_the_days_they_have_waited(
    client, programme_officer
):
    waiting = ExtensionFactory(requested_on=datetime.date(2026, 10, 5))
    client.force_login(programme_officer)

    response = client.get(reverse("staff:extension-list"))

    assert [e.pk for e in response.context["waiting"]] == [waiting.pk]
    assert response.context["waiting"][0].days_waiting == 48
    assert reverse("staff:extension-detail", args=[waiting.pk]) in (
        response.content.decode()
    )


def test_the_work_queue_runs_the_same_queries_for_1_and_8_requests(
    client, programme_officer
):
    client.force_login(programme_officer)
    counts = []
    for more in (1, 7):
        for _ in range(more):
            ExtensionFactory()
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("staff:extension-list"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.fixture
def request_with_final_report():
    project = ProjectFactory(
        status=Project.Status.ONGOING, end_on=datetime.date(2027, 3, 31)
    )
    final = MilestoneFactory(
        project=project,
        kind=Milestone.Kind.FINAL_REPORT,
        title="Final technical report",
        due_on=datetime.date(2027, 6, 30),
        months_after_end=3,
    )
    extension = ExtensionFactory(project=project, new_end_on=datetime.date(2027, 9, 30))
    return extension, final


def test_the_decision_page_says_what_will_move(
    client, programme_officer, request_with_final_report
):
    extension, _final = request_with_final_report
    client.force_login(programme_officer)

    html = client.get(
        reverse("staff:extension-detail", args=[extension.pk])
    ).content.decode()

    assert "Equipment delivered late." in html
    assert "31 Mar 2027" in html
    assert "6 months more" in html
    assert "Final technical report" in html
    assert "30 Dec 2027" in html
    assert reverse("staff:extension-approve", args=[extension.pk]) in html
    assert reverse("staff:extension-reject", args=[extension.pk]) in html


def test_approving_moves_the_end_date_and_tells_the_grantee(
    client, programme_officer, request_with_final_report
):
    extension, final = request_with_final_report
    client.force_login(programme_officer)

    response = client.post(
        reverse("staff:extension-approve", args=[extension.pk]),
        {"decided_on": "2026-11-22", "comment": "PERC agreed on 18 Nov."},
    )

    assert response.url == reverse("staff:extension-detail", args=[extension.pk])
    extension.project.refresh_from_db()
    assert extension.project.end_on == datetime.date(2027, 9, 30)
    final.refresh_from_db()
    assert final.due_on == datetime.date(2027, 12, 30)
    assert Notice.objects.filter(kind=Notice.Kind.EXTENSION_APPROVED).exists()


def test_rejecting_needs_a_reason_and_then_tells_the_grantee(
    client, programme_officer, request_with_final_report
):
    extension, _final = request_with_final_report
    client.force_login(programme_officer)
    url = reverse("staff:extension-reject", args=[extension.pk])

    refused = client.post(url, {"decided_on": "2026-11-22", "comment": ""})
    assert refused.status_code == 200
    assert Extension.objects.get(pk=extension.pk).status == "requested"

    client.post(url, {"decided_on": "2026-11-22", "comment": "No technical ground."})
    extension.refresh_from_db()
    assert extension.status == Extension.Status.REJECTED
    assert extension.decision_comment == "No technical ground."
    assert extension.project.end_on == datetime.date(2027, 3, 31)
    notice = Notice.objects.get(
        kind=Notice.Kind.EXTENSION_REJECTED,
        recipient_email=extension.project.principal_investigator.email,
    )
    assert notice.reason == "No technical ground."
    assert "still ends on 31 Mar 2027" in notice.next_step


def test_a_decided_request_offers_no_decision(client, programme_officer):
    extension = ExtensionFactory(
        status=Extension.Status.REJECTED,
        decided_on=datetime.date(2026, 11, 1),
        decision_comment="No.",
    )
    client.force_login(programme_officer)
    html = client.get(
        reverse("staff:extension-detail", args=[extension.pk])
    ).content.decode()
    assert reverse("staff:extension-approve", args=[extension.pk]) not in html


@pytest.fixture
def instalment_waiting_for_the_final_report(request_with_final_report):
    extension, final = request_with_final_report
    instalment = InstalmentFactory(
        project=extension.project,
        sequence=2,
        planned_on=datetime.date(2027, 7, 15),
        amount=1_500_000,
    )
    ReleaseConditionFactory(instalment=instalment, milestone=final)
    return extension, final, instalment


def test_the_decision_page_shows_the_instalments_that_will_move_before_they_move(
    client, programme_officer, instalment_waiting_for_the_final_report
):
    extension, _final, instalment = instalment_waiting_for_the_final_report
    client.force_login(programme_officer)

    html = client.get(
        reverse("staff:extension-detail", args=[extension.pk])
    ).content.decode()

    assert "Instalments whose conditions wait for those milestones" in html
    assert "15 Jul 2027" in html
    # The final report moves from 30 Jun to 30 Dec 2027, 183 days: so does the
    # instalment that waits for it.
    assert "14 Jan 2028" in html
    instalment.refresh_from_db()
    assert instalment.planned_on == datetime.date(2027, 7, 15)


def test_approval_moves_an_instalment_waiting_for_a_moved_milestone_and_those_after(
    client, programme_officer, instalment_waiting_for_the_final_report
):
    extension, _final, instalment = instalment_waiting_for_the_final_report
    untied = InstalmentFactory(
        project=extension.project, sequence=3, planned_on=datetime.date(2027, 8, 1)
    )
    client.force_login(programme_officer)

    client.post(
        reverse("staff:extension-approve", args=[extension.pk]),
        {"decided_on": "2026-11-22", "comment": "PERC agreed on 18 Nov."},
    )

    instalment.refresh_from_db()
    untied.refresh_from_db()
    assert instalment.planned_on == datetime.date(2028, 1, 14)
    # Instalment 3 waits for nothing that moves, but may not fall due before
    # instalment 2: it moves as far.
    assert untied.planned_on == datetime.date(2028, 1, 31)
    assert "planned date moved with the milestones it waits for" in (
        instalment.history.first().history_change_reason
    )
