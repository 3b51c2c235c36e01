import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_filters.views import FilterView

from grants import committee_tables, tables
from grants.models import Milestone, Organisation, UtilisationCertificate
from grants.views.staff import tables as staff_tables
from tests.factories import (
    CommitteeMemberFactory,
    InstalmentFactory,
    MeetingFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProjectFactory,
    ReminderFactory,
    ReminderRuleFactory,
    StaffUserFactory,
    UtilisationCertificateFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

TODAY = datetime.date(2026, 11, 22)

LISTS = {
    "staff:project-list": tables.ProjectTable,
    "staff:milestone-list": tables.MilestoneTable,
    "staff:instalment-list": tables.InstalmentTable,
    "staff:certificate-list": tables.CertificateTable,
    "staff:organisation-list": tables.OrganisationTable,
    "staff:reminder-list": tables.ReminderTable,
    "staff:committee-list": committee_tables.CommitteeTable,
}


@pytest.fixture
def staff_client(client, staff_user):
    # Committees are listed to staff who may see them (grants.view_committee).
    staff_user.user_permissions.add(
        Permission.objects.get(
            codename="view_committee", content_type__app_label="grants"
        )
    )
    client.force_login(staff_user)
    return client


def records(client, name, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return [row.record for row in response.context["table"].paginated_rows]


def one_of_everything():
    """A project with an instalment, a certificate, a milestone and a reminder."""
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(project=project, sequence=1, released=True)
    InstalmentFactory(
        project=project, sequence=2, planned_on=datetime.date(2026, 12, 1)
    )
    UtilisationCertificateFactory(project=project, accepted=True)
    milestone = MilestoneFactory(project=project, due_on=datetime.date(2026, 10, 30))
    ReminderFactory(milestone=milestone)
    seat = CommitteeMemberFactory(secretary=True)
    MeetingFactory(committee=seat.committee, held_on=datetime.date(2026, 12, 15))
    return project


# Sorting computed columns -------------------------------------------------------------


def test_projects_sort_by_released_and_pending_totals(staff_client):
    small = ProjectFactory(sanctioned_amount=50_00_000)
    large = ProjectFactory(sanctioned_amount=90_00_000)
    middle = ProjectFactory(sanctioned_amount=60_00_000)
    InstalmentFactory(project=small, amount=10_00_000, released=True)
    InstalmentFactory(project=large, amount=40_00_000, released=True)
    InstalmentFactory(project=middle, amount=25_00_000, released=True)

    assert records(staff_client, "staff:project-list", sort="released_total") == [
        small,
        middle,
        large,
    ]
    assert records(staff_client, "staff:project-list", sort="-released_total") == [
        large,
        middle,
        small,
    ]
    # Pending: 40 lakh, 50 lakh, 35 lakh.
    assert records(staff_client, "staff:project-list", sort="pending_total") == [
        middle,
        small,
        large,
    ]


def test_projects_sort_by_next_due_date_with_projects_owing_nothing_last(
    staff_client,
):
    later = ProjectFactory()
    MilestoneFactory(project=later, due_on=datetime.date(2027, 3, 1))
    sooner = ProjectFactory()
    MilestoneFactory(project=sooner, due_on=datetime.date(2026, 12, 1))
    MilestoneFactory(
        project=sooner,
        due_on=datetime.date(2026, 1, 1),
        status=Milestone.Status.ACCEPTED,
    )
    nothing_due = ProjectFactory()

    assert records(staff_client, "staff:project-list", sort="next_due_on") == [
        sooner,
        later,
        nothing_due,
    ]
    assert records(staff_client, "staff:project-list", sort="-next_due_on") == [
        later,
        sooner,
        nothing_due,
    ]


def test_projects_sort_by_organisation_kind(staff_client):
    msme = ProjectFactory(organisation__kind=Organisation.Kind.MSME)
    academic = ProjectFactory(organisation__kind=Organisation.Kind.ACADEMIC)
    startup = ProjectFactory(organisation__kind=Organisation.Kind.STARTUP)

    assert records(staff_client, "staff:project-list", sort="kind") == [
        academic,
        msme,
        startup,
    ]


def test_milestones_sort_by_days_overdue_with_those_not_overdue_as_zero(
    staff_client,
):
    long_overdue = MilestoneFactory(due_on=datetime.date(2026, 6, 30))
    just_overdue = MilestoneFactory(due_on=datetime.date(2026, 11, 1))
    not_due = MilestoneFactory(due_on=datetime.date(2026, 12, 31))
    accepted = MilestoneFactory(
        due_on=datetime.date(2025, 1, 1), status=Milestone.Status.ACCEPTED
    )

    most_first = records(staff_client, "staff:milestone-list", sort="-days_overdue")
    assert most_first[:2] == [long_overdue, just_overdue]
    assert set(most_first[2:]) == {not_due, accepted}
    least_first = records(staff_client, "staff:milestone-list", sort="days_overdue")
    assert least_first[2:] == [just_overdue, long_overdue]


def test_the_days_overdue_column_counts_days_from_today(staff_client):
    MilestoneFactory(due_on=datetime.date(2026, 6, 30))

    response = staff_client.get(reverse("staff:milestone-list"))

    row = next(iter(response.context["table"].paginated_rows))
    assert row.get_cell("days_overdue") == 145


def test_instalments_sort_by_state_from_planned_to_released(staff_client):
    project = ProjectFactory()
    released = InstalmentFactory(project=project, sequence=1, released=True)
    recommended = InstalmentFactory(
        project=project,
        sequence=2,
        planned_on=datetime.date(2026, 10, 1),
        recommended_on=datetime.date(2026, 10, 5),
        recommended_by=StaffUserFactory(),
    )
    due = InstalmentFactory(
        project=project, sequence=3, planned_on=datetime.date(2026, 11, 1)
    )
    planned = InstalmentFactory(
        project=project, sequence=4, planned_on=datetime.date(2027, 4, 1)
    )

    assert records(staff_client, "staff:instalment-list", sort="state") == [
        planned,
        due,
        recommended,
        released,
    ]
    assert records(staff_client, "staff:instalment-list", sort="-state") == [
        released,
        recommended,
        due,
        planned,
    ]


def test_certificates_sort_by_utilisation(staff_client):
    low = UtilisationCertificateFactory(expenditure=2_00_000)  # 10%
    high = UtilisationCertificateFactory(expenditure=19_00_000)  # 95%
    mid = UtilisationCertificateFactory(expenditure=15_00_000)  # 75%
    nothing = UtilisationCertificateFactory(grant_received=0, expenditure=0)

    assert records(staff_client, "staff:certificate-list", sort="utilisation_permille")[
        :3
    ] == [low, mid, high]
    ordered = records(
        staff_client, "staff:certificate-list", sort="-utilisation_permille"
    )
    assert ordered == [high, mid, low, nothing]


def test_the_utilisation_column_shows_a_tenth_of_a_percent_rounded_down(staff_client):
    UtilisationCertificateFactory(grant_received=30_00_000, expenditure=22_49_999)

    response = staff_client.get(reverse("staff:certificate-list"))

    row = next(iter(response.context["table"].paginated_rows))
    assert row.get_cell("utilisation_permille") == "74.9%"


def test_organisations_sort_by_their_project_totals(staff_client):
    one = OrganisationFactory(name="A one")
    two = OrganisationFactory(name="B two")
    ProjectFactory(organisation=one, sanctioned_amount=90_00_000)
    for _ in range(2):
        project = ProjectFactory(organisation=two, sanctioned_amount=20_00_000)
        InstalmentFactory(project=project, amount=20_00_000, released=True)

    assert records(staff_client, "staff:organisation-list", sort="project_count") == [
        one,
        two,
    ]
    assert records(
        staff_client, "staff:organisation-list", sort="-sanctioned_total"
    ) == [one, two]
    assert records(staff_client, "staff:organisation-list", sort="released_total") == [
        one,
        two,
    ]
    assert records(staff_client, "staff:organisation-list", sort="pending_total") == [
        two,
        one,
    ]


def test_reminders_sent_by_hand_sort_after_those_with_a_rule(staff_client):
    by_rule = ReminderFactory(rule=ReminderRuleFactory(name="A rule"))
    by_hand = ReminderFactory(rule=None, request_key="click-1")

    assert records(staff_client, "staff:reminder-list", sort="rule") == [
        by_rule,
        by_hand,
    ]
    assert records(staff_client, "staff:reminder-list", sort="-rule") == [
        by_rule,
        by_hand,
    ]


@pytest.mark.parametrize(("name", "table"), LISTS.items())
def test_every_column_of_every_table_sorts_both_ways(staff_client, name, table):
    one_of_everything()
    for column in table.base_columns:
        for sort in (column, f"-{column}"):
            response = staff_client.get(reverse(name), {"sort": sort})
            assert response.status_code == 200, sort
            assert response.context["table"].order_by == (sort,)


# Links and rendering ------------------------------------------------------------------


def test_a_project_reference_links_to_its_project_page(staff_client):
    project = ProjectFactory()

    response = staff_client.get(reverse("staff:project-list"))

    assert (
        f'href="{reverse("staff:project-detail", args=[project.pk])}"'
        in response.content.decode()
    )


def test_money_is_written_whole_with_indian_grouping(staff_client):
    ProjectFactory(sanctioned_amount=9_33_00_000)

    response = staff_client.get(reverse("staff:project-list"))

    assert "₹\u00a09,33,00,000" in response.content.decode()


def test_an_organisation_name_opens_its_projects(staff_client):
    organisation = OrganisationFactory(slug="ires-x")

    response = staff_client.get(reverse("staff:organisation-list"))

    assert f"{reverse('staff:project-list')}?organisation=ires-x" in (
        response.content.decode()
    )
    assert organisation.name in response.content.decode()


def test_certificates_show_their_kind_by_its_label(staff_client):
    UtilisationCertificateFactory(kind=UtilisationCertificate.Kind.PROVISIONAL)

    response = staff_client.get(reverse("staff:certificate-list"))

    assert "provisional" in response.content.decode()


# Query counts -------------------------------------------------------------------------


def count_queries(sql_list):
    return sum(1 for query in sql_list if query["sql"].startswith("SELECT COUNT(*)"))


@pytest.mark.parametrize("name", LISTS)
def test_a_table_page_counts_its_rows_once(staff_client, name):
    one_of_everything()

    with CaptureQueriesContext(connection) as queries:
        staff_client.get(reverse(name))

    assert count_queries(queries) == 1


def test_without_handing_over_the_count_the_page_would_count_twice(
    staff_client, monkeypatch
):
    """django-tables2#669: why the view hands its count to the table."""
    one_of_everything()
    monkeypatch.setattr(
        staff_tables.StaffTableView, "paginate_queryset", FilterView.paginate_queryset
    )

    with CaptureQueriesContext(connection) as queries:
        staff_client.get(reverse("staff:project-list"))

    assert count_queries(queries) == 2


def test_the_page_count_still_numbers_the_pages(staff_client):
    for _ in range(27):
        ProjectFactory()

    response = staff_client.get(reverse("staff:project-list"), {"page": 2})

    table = response.context["table"]
    assert table.paginator.count == 27
    assert table.paginator.num_pages == 2
    assert len(list(table.paginated_rows)) == 2
    assert "Rows 26–27 of 27" in response.content.decode()


@pytest.mark.parametrize("name", LISTS)
def test_a_table_page_runs_the_same_queries_for_1_and_11_rows(staff_client, name):
    one_of_everything()
    with CaptureQueriesContext(connection) as one:
        staff_client.get(reverse(name))
    for _ in range(10):
        one_of_everything()
    with CaptureQueriesContext(connection) as eleven:
        response = staff_client.get(reverse(name))

    assert len(list(response.context["table"].paginated_rows)) >= 11
    assert len(eleven) == len(one)
