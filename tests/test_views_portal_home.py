"""The portal home at a large grantee's size, and the full list of what is due."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import page_cache, services
from grants.models import Milestone, Project
from grants.views.portal.home import DUE_LISTED
from tests.factories import (
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProgressReportFactory,
    ProjectFactory,
    SchemeFactory,
    StaffUserFactory,
)

TODAY = datetime.date(2026, 11, 22)
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")
QUERY_CEILING = 15

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


def overdue_items(project, count, *, first_title=1):
    """``count`` pending milestones, the first the longest overdue."""
    return [
        MilestoneFactory(
            project=project,
            title=f"Overdue report {first_title + number}",
            due_on=days_ago(400 - number),
        )
        for number in range(count)
    ]


def portfolio(organisation, grantee, count):
    """``count`` projects of one organisation, each with what a real one has due."""
    scheme, officer = SchemeFactory(), StaffUserFactory()
    projects = []
    for _ in range(count):
        project = ProjectFactory(
            organisation=organisation,
            principal_investigator=grantee,
            programme_officer=officer,
            scheme=scheme,
            status=Project.Status.ONGOING,
        )
        InstalmentFactory(project=project, sequence=1, released=True)
        InstalmentFactory(
            project=project, sequence=2, planned_on=datetime.date(2025, 4, 1)
        )
        MilestoneFactory(project=project, due_on=days_ago(200))
        MilestoneFactory(project=project, due_on=days_ago(40))
        MilestoneFactory(project=project, due_on=TODAY + datetime.timedelta(days=60))
        MilestoneFactory(project=project, due_on=TODAY + datetime.timedelta(days=400))
        ProgressReportFactory(
            milestone=MilestoneFactory(
                project=project, status=Milestone.Status.SUBMITTED
            )
        )
        projects.append(project)
    return projects


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    statements = [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)
    ]
    return response, statements


def html(response) -> str:
    return response.content.decode()


# The most urgent, and all of them -----------------------------------------------


def test_the_home_page_lists_the_most_urgent_items_and_links_to_all_of_them(
    client, grantee, organisation
):
    project = ProjectFactory(organisation=organisation)
    overdue = overdue_items(project, DUE_LISTED + 5)
    client.force_login(grantee)

    response = client.get(reverse("portal:home"))

    assert response.context["due"] == overdue[:DUE_LISTED]
    assert response.context["due_count"] == DUE_LISTED + 5
    assert "Showing the 20 most urgent of 25 items." in html(response)
    assert f'href="{reverse("portal:due")}">See all 25</a>' in html(response)
    assert "Overdue report 21" not in html(response)


def test_the_most_urgent_come_first_overdue_then_soonest_with_returned_ones_by_date(
    client, grantee, organisation
):
    project = ProjectFactory(organisation=organisation)
    soon = MilestoneFactory(project=project, due_on=TODAY + datetime.timedelta(days=5))
    returned = MilestoneFactory(
        project=project, due_on=days_ago(3), status=Milestone.Status.RETURNED
    )
    overdue = MilestoneFactory(project=project, due_on=days_ago(90))
    client.force_login(grantee)

    response = client.get(reverse("portal:home"))

    assert response.context["due"] == [overdue, returned, soon]


def test_a_hindi_reader_is_told_how_many_more_there_are_in_hindi(
    client, grantee, organisation
):
    overdue_items(ProjectFactory(organisation=organisation), DUE_LISTED + 5)
    grantee.preferred_language = "hi"
    grantee.save()
    client.force_login(grantee)

    response = client.get(reverse("portal:home"))

    assert "25 मदों में से सबसे अत्यावश्यक 20 दिखाई गई हैं।" in html(response)
    assert "सभी 25 देखें" in html(response)


def test_a_short_list_has_no_link_to_the_full_one(client, grantee, organisation):
    overdue_items(ProjectFactory(organisation=organisation), DUE_LISTED)
    client.force_login(grantee)

    response = client.get(reverse("portal:home"))

    assert len(response.context["due"]) == DUE_LISTED
    assert "most urgent" not in html(response)


def test_the_count_is_of_what_is_due_within_six_months_overdue_or_returned(
    client, grantee, organisation
):
    project = ProjectFactory(organisation=organisation)
    overdue_items(project, DUE_LISTED)
    MilestoneFactory(project=project, due_on=TODAY + datetime.timedelta(days=150))
    MilestoneFactory(
        project=project, due_on=days_ago(700), status=Milestone.Status.RETURNED
    )
    # Not counted: due after six months (counted as later), or not the grantee's
    # to do any more.
    MilestoneFactory(project=project, due_on=TODAY + datetime.timedelta(days=200))
    MilestoneFactory(project=project, due_on=TODAY + datetime.timedelta(days=900))
    MilestoneFactory(project=project, due_on=days_ago(5), status="submitted")
    MilestoneFactory(project=project, due_on=days_ago(5), status="accepted")
    MilestoneFactory(
        project=project, due_on=days_ago(5), status="waived", waiver_reason="Merged."
    )
    client.force_login(grantee)

    response = client.get(reverse("portal:home"))
    listed = client.get(reverse("portal:due"))

    assert response.context["due_count"] == DUE_LISTED + 2
    assert response.context["later"] == 2
    assert listed.context["paginator"].count == DUE_LISTED + 2
    assert "See all 22" in html(response)


def test_the_full_list_pages_through_everything_due_most_urgent_first(
    client, grantee, organisation
):
    overdue = overdue_items(ProjectFactory(organisation=organisation), 60)
    client.force_login(grantee)

    first = client.get(reverse("portal:due"))
    second = client.get(reverse("portal:due") + "?page=2")

    assert first.context["due"] == overdue[:50]
    assert second.context["due"] == overdue[50:]
    assert "Rows 1–50 of 60" in html(first)
    assert "395 days overdue" in html(first)
    assert reverse("portal:report-submit", args=[overdue[0].pk]) in html(first)


def test_another_organisations_items_never_appear_nor_count(
    client, grantee, organisation
):
    overdue_items(ProjectFactory(organisation=organisation), 3)
    other = ProjectFactory(reference="THEIRS-REE-0001")
    overdue_items(other, DUE_LISTED + 5, first_title=100)
    client.force_login(grantee)

    home = client.get(reverse("portal:home"))
    listed = client.get(reverse("portal:due"))

    assert home.context["due_count"] == 3
    assert listed.context["paginator"].count == 3
    for response in (home, listed):
        assert "THEIRS-REE-0001" not in html(response)
        assert "Overdue report 100" not in html(response)
        assert "See all" not in html(response)


def test_a_member_of_two_organisations_sees_and_counts_both(
    client, grantee, organisation
):
    overdue_items(ProjectFactory(organisation=organisation), 2)
    second = ProjectFactory()
    MembershipFactory(user=grantee, organisation=second.organisation)
    overdue_items(second, 3)
    client.force_login(grantee)

    response = client.get(reverse("portal:home"))

    assert response.context["due_count"] == 5


# The projects table, from the summaries ------------------------------------------


def test_the_projects_table_shows_a_release_made_since_the_last_visit(
    client, grantee, organisation, finance_user
):
    project = ProjectFactory(organisation=organisation, sanctioned_amount=6_000_000)
    instalment = InstalmentFactory(project=project, sequence=1, amount=2_000_000)
    InstalmentFactory(project=project, sequence=2, planned_on=datetime.date(2027, 4, 1))
    client.force_login(grantee)
    before = client.get(reverse("portal:home")).context["projects"][0]

    services.release_instalment(
        instalment,
        released_on=TODAY,
        release_order_number="MoM/RO/2026/40",
        released_by=finance_user,
    )
    after = client.get(reverse("portal:home"))

    assert (before.released_total, before.pending_total) == (0, 6_000_000)
    shown = after.context["projects"][0]
    assert (shown.released_total, shown.pending_total) == (2_000_000, 4_000_000)
    assert (shown.next_sequence, shown.next_stage) == (2, "planned")
    assert "(planned 01 Apr 2027)" in html(after)


def test_a_closed_project_says_nothing_more_is_released(client, grantee, organisation):
    project = ProjectFactory(organisation=organisation, status=Project.Status.CLOSED)
    InstalmentFactory(project=project, sequence=1)
    client.force_login(grantee)

    response = client.get(reverse("portal:home"))

    assert "The project is closed: nothing more is released." in html(response)
    assert "All released" not in html(response)


# Queries ------------------------------------------------------------------------


def test_the_home_page_of_a_fifty_project_grantee_stays_under_the_query_ceiling(
    client, grantee, organisation
):
    portfolio(organisation, grantee, 1)
    client.force_login(grantee)
    client.get(reverse("portal:home"))  # warm the caches, refresh the summaries
    page_cache.clear()  # the page is rendered, not read from the page cache
    _, one = page_queries(client, reverse("portal:home"))

    portfolio(organisation, grantee, 49)
    client.get(reverse("portal:home"))  # refreshes the new projects' summaries
    page_cache.clear()
    response, fifty = page_queries(client, reverse("portal:home"))

    assert len(response.context["projects"]) == 50
    assert response.context["due_count"] == 150
    assert len(response.context["due"]) == DUE_LISTED
    assert len(fifty) == len(one)
    assert len(fifty) <= QUERY_CEILING


def test_the_full_list_queries_do_not_grow_with_what_is_due(
    client, grantee, organisation
):
    project = ProjectFactory(organisation=organisation)
    overdue_items(project, 2)
    client.force_login(grantee)
    client.get(reverse("portal:due"))
    _, few = page_queries(client, reverse("portal:due"))

    overdue_items(project, 80, first_title=10)
    _, many = page_queries(client, reverse("portal:due"))

    assert len(many) == len(few)
    assert len(many) <= QUERY_CEILING
