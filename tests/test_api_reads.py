"""Reading through the API: lists as the staff tables filter them, paged by cursor,
at a cost in queries that does not grow with the rows."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants import page_cache
from grants.formatting import fiscal_year_of
from grants.models import Document, Milestone, Project
from grants.reads import dashboard
from tests.api import api_client, token_for
from tests.factories import (
    BudgetLineFactory,
    DocumentFactory,
    InstalmentFactory,
    MilestoneFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReleaseConditionFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db

INDIA = zoneinfo.ZoneInfo("Asia/Kolkata")

LISTS = [
    "project-list",
    "budget-line-list",
    "instalment-list",
    "certificate-list",
    "milestone-list",
    "report-list",
    "document-list",
]
# Signing in, the throttle's counter, the log line and the rows: a handful, fixed.
MAX_QUERIES = 15


def add_projects(count):
    for _ in range(count):
        project = ProjectFactory()
        BudgetLineFactory(project=project)
        instalment = InstalmentFactory(project=project, released=True)
        ReleaseConditionFactory(instalment=instalment)
        certificate = UtilisationCertificateFactory(project=project)
        certificate.received_instalments.add(instalment)
        milestone = MilestoneFactory(project=project, status=Milestone.Status.SUBMITTED)
        ProgressReportFactory(milestone=milestone)
        DocumentFactory(project=project, certificate=certificate)
        project.elements.add("Nd", "Pr")


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("name", LISTS)
def test_a_list_costs_the_same_queries_for_two_rows_or_twelve(name, finance_officer):
    client = api_client(finance_officer)
    url = reverse(f"api:{name}")
    add_projects(2)
    # Each first read after a change refreshes the changed summaries, and the
    # token's first use is noted: both once, before what is measured.
    client.get(url)
    few = queries_for(client, url)

    add_projects(10)
    client.get(url)
    many = queries_for(client, url)

    assert many == few
    assert many <= MAX_QUERIES


def test_the_dashboard_costs_few_queries(finance_officer):
    client = api_client(finance_officer)
    add_projects(3)
    client.get(reverse("api:dashboard"))

    assert queries_for(client, reverse("api:dashboard")) <= 2 * MAX_QUERIES


def test_reading_through_the_api_leaves_the_cached_pages_in_place(finance_officer):
    add_projects(1)
    client = api_client(finance_officer)
    client.get(reverse("api:project-list"))
    before = page_cache.version()

    client.get(reverse("api:project-list"))
    client.get(reverse("api:dashboard"))

    assert page_cache.version() == before


def test_a_long_list_is_paged_by_cursor(finance_officer):
    projects = [ProjectFactory() for _ in range(5)]
    client = api_client(finance_officer)

    first = client.get(reverse("api:project-list"), {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [row["id"] for row in first["results"]] == [p.pk for p in projects][::-1][:2]
    assert [row["id"] for row in second["results"]] == [p.pk for p in projects][::-1][
        2:4
    ]
    assert "cursor=" in first["next"]
    assert "page=" not in first["next"]


def test_projects_carry_their_summary_figures_in_whole_rupees(finance_officer):
    project = ProjectFactory(sanctioned_amount=6_000_000)
    InstalmentFactory(project=project, amount=2_000_000, released=True)

    row = api_client(finance_officer).get(
        reverse("api:project-detail", args=[project.pk])
    )

    summary = row.json()["summary"]
    assert row.json()["sanctioned_amount"] == 6_000_000
    assert (summary["released"], summary["pending"]) == (2_000_000, 4_000_000)
    assert isinstance(summary["released"], int)


def test_the_projects_filter_as_the_staff_table_does(finance_officer):
    ongoing = ProjectFactory(status=Project.Status.ONGOING, reference="RARE-ONE")
    ProjectFactory(status=Project.Status.CLOSED, reference="RARE-TWO")
    client = api_client(finance_officer)

    by_status = client.get(reverse("api:project-list"), {"status": "ongoing"}).json()
    by_words = client.get(reverse("api:project-list"), {"q": "rare-one"}).json()

    assert [row["id"] for row in by_status["results"]] == [ongoing.pk]
    assert [row["id"] for row in by_words["results"]] == [ongoing.pk]


@time_machine.travel(datetime.datetime(2026, 11, 22, 10, tzinfo=INDIA), tick=False)
def test_finance_lists_this_fiscal_years_releases(finance_officer):
    today = timezone.localdate()
    this_year = fiscal_year_of(today)
    released = InstalmentFactory(
        planned_on=today - datetime.timedelta(days=1), released=True
    )
    InstalmentFactory(planned_on=datetime.date(2020, 5, 1), released=True)
    InstalmentFactory(planned_on=today + datetime.timedelta(days=40))

    rows = (
        api_client(finance_officer)
        .get(reverse("api:instalment-list"), {"released_in": this_year})
        .json()["results"]
    )

    assert [row["id"] for row in rows] == [released.pk]
    assert rows[0]["release_order_number"] == released.release_order_number


@pytest.mark.parametrize("position", ["p=abc", "p=-5", "p=99999999999999999999"])
def test_a_cursor_the_list_did_not_give_is_refused(finance_officer, position):
    import base64

    cursor = base64.b64encode(position.encode()).decode()

    response = api_client(finance_officer).get(
        reverse("api:project-list"), {"cursor": cursor}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "#/cursor"


def test_an_id_no_row_can_have_is_refused_by_the_filter(finance_officer):
    for name in ("project-list", "milestone-list", "document-list"):
        response = api_client(finance_officer).get(
            reverse(f"api:{name}"),
            {"project_id" if name != "project-list" else "scheme": "9" * 20},
        )
        assert response.status_code == 400, name


def test_the_staff_table_refuses_an_id_no_row_can_have(client, finance_officer):
    client.force_login(finance_officer)

    response = client.get(reverse("staff:project-list"), {"scheme": "9" * 20})

    assert response.status_code == 200


def test_a_filter_value_the_list_does_not_know_is_a_problem(finance_officer):
    response = api_client(finance_officer).get(
        reverse("api:project-list"), {"status": "dreaming"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "#/status"


def test_the_dashboard_answers_the_pages_figures(finance_officer):
    add_projects(2)

    figures = api_client(finance_officer).get(reverse("api:dashboard")).json()

    board = dashboard.build(on=timezone.localdate())
    assert figures["totals"]["sanctioned"] == board.totals.sanctioned
    assert figures["totals"]["released"] == board.totals.released
    assert figures["queues"]["reports_awaiting_review"] == board.reports.count
    by_stage = next(b for b in figures["breakdowns"] if b["dimension"] == "stage")
    assert {row["value"] for row in by_stage["rows"]} == set(Project.Stage.values)


def test_a_document_comes_through_the_permission_checked_download(grantee):
    project = ProjectFactory(organisation=grantee.memberships.get().organisation)
    document = DocumentFactory(project=project, kind=Document.Kind.OTHER)
    _token, secret = token_for(grantee)
    client = api_client(secret=secret)

    row = client.get(reverse("api:document-detail", args=[document.pk])).json()
    download = client.get(row["file"], HTTP_ACCEPT="application/pdf")

    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == document.file.read()
