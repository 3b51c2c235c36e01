import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import summaries
from grants.models import Milestone, Project, UtilisationCertificate
from grants.reads import dashboard
from tests.factories import (
    InstalmentFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProgressReportFactory,
    ProjectFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db

DEMO_DAY = datetime.datetime(
    2026, 11, 22, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")
)


@pytest.fixture
def board(demo_portfolio):
    with time_machine.travel(DEMO_DAY, tick=False):
        return dashboard.build(on=demo_portfolio)


# The demo portfolio's figures (demo-portfolio.md, "Portfolio numbers a dashboard
# should show") ------------------------------------------------------------------------


def test_the_demo_portfolio_shows_its_sanctioned_released_and_pending_totals(board):
    assert board.totals.projects == 11
    assert board.totals.sanctioned == 9_33_00_000
    assert board.totals.released == 7_70_02_000
    assert board.totals.pending == 1_62_98_000
    assert round(board.totals.released_percent, 1) == 82.5


def test_the_demo_portfolio_shows_what_was_released_in_each_fiscal_year(board):
    assert board.released_by_year == [
        ("2023-24", 2_18_28_000),
        ("2024-25", 3_22_99_000),
        ("2025-26", 1_71_35_000),
        ("2026-27", 57_40_000),
    ]


def test_the_demo_portfolio_has_p05s_two_overdue_items_and_p03s_returned_uc(board):
    assert board.overdue.count == 3
    assert [(m.project.reference, m.days) for m in board.overdue.rows] == [
        ("DEMO-REE-2324-05", 145),
        # Returned on 15 Jun, to be resubmitted by 15 Jul.
        ("DEMO-REE-2324-03", 130),
        ("DEMO-REE-2324-05", 23),
    ]


def test_the_demo_portfolio_has_one_returned_item_the_p03_certificate(board):
    assert board.returned == 1
    returned = Milestone.objects.get(status=Milestone.Status.RETURNED)
    assert returned.project.reference == "DEMO-REE-2324-03"
    assert returned.kind == Milestone.Kind.UTILISATION_CERTIFICATE


def test_the_demo_portfolio_has_two_items_under_review(board):
    assert board.under_review == 2
    (uc,) = board.certificates.rows
    assert (uc.project.reference, uc.kind) == ("DEMO-REE-2324-04", "final")
    (report,) = board.reports.rows
    assert report.milestone.project.reference == "DEMO-REE-2425-04"


def test_the_demo_portfolio_blocks_instalment_3_of_p03_and_p05(board):
    assert sorted(
        (state.instalment.project.reference, state.instalment.sequence)
        for state in board.blocked.shown
    ) == [("DEMO-REE-2324-03", 3), ("DEMO-REE-2324-05", 3)]
    assert board.blocked.count == 2
    assert all(state.blockers for state in board.blocked.shown)


def test_the_demo_portfolio_shows_the_expenditure_and_unspent_balance_it_defines(
    board,
):
    # Expenditure of accepted annual and final UCs; unspent balance by the
    # definition in docs/staff-workspace.md (2,06,43,000 on the demo date).
    assert board.totals.expenditure == 5_63_59_000
    assert board.totals.unspent == 2_06_43_000


def test_every_breakdown_adds_up_to_the_headline_figures(board):
    for breakdown in board.breakdowns:
        assert breakdown.total == board.totals, breakdown.dimension.key


def test_the_breakdown_by_fiscal_year_of_sanction_splits_the_demo(board):
    by_year = dict(board.breakdowns[0].rows)
    assert by_year["2023-24"].projects == 5
    assert by_year["2024-25"].projects == 6
    assert by_year["2023-24"].sanctioned + by_year["2024-25"].sanctioned == 9_33_00_000


def test_the_breakdown_by_stage_lists_every_stage_even_without_projects(board):
    stage = next(b for b in board.breakdowns if b.dimension.key == "stage")
    assert [label for label, _ in stage.rows] == [
        str(label) for _, label in Project.Stage.choices
    ]


def test_the_trl_view_counts_the_demo_projects_at_start_now_and_target(board):
    assert sum(row.start for row in board.trl) == 11
    assert sum(row.now for row in board.trl) == 11
    assert sum(row.target for row in board.trl) == 11
    by_level = {row.level: row for row in board.trl}
    assert by_level[3].start == 5
    assert by_level[7].target == 2


# Definitions --------------------------------------------------------------------------


def figures_of(project):
    return dashboard.with_portfolio_figures(Project.objects.filter(pk=project.pk)).get()


def test_a_project_without_an_accepted_certificate_holds_all_it_was_released():
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(project=project, sequence=1, amount=20_00_000, released=True)
    InstalmentFactory(project=project, sequence=2, amount=10_00_000)

    assert figures_of(project).unspent_balance == 20_00_000


def test_the_unspent_balance_is_the_latest_closing_plus_releases_after_its_period():
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(
        project=project,
        sequence=1,
        amount=20_00_000,
        released_on=datetime.date(2024, 6, 1),
        release_order_number="RO/1",
    )
    InstalmentFactory(
        project=project,
        sequence=2,
        amount=15_00_000,
        released_on=datetime.date(2025, 6, 1),
        release_order_number="RO/2",
    )
    UtilisationCertificateFactory(project=project, accepted=True)  # closing 4,00,000
    UtilisationCertificateFactory(
        project=project,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        opening_balance=4_00_000,
        grant_received=15_00_000,
        expenditure=10_00_000,
    )  # submitted, not accepted: does not count

    figures = figures_of(project)

    assert figures.latest_closing_balance == 4_00_000
    assert figures.unspent_balance == 4_00_000 + 15_00_000
    assert figures.accepted_expenditure == 16_00_000


def test_a_provisional_certificate_sets_the_balance_but_not_the_expenditure():
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(project=project, sequence=1, amount=20_00_000, released=True)
    UtilisationCertificateFactory(
        project=project,
        accepted=True,
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_end=datetime.date(2025, 12, 31),
        fiscal_year="2025-26",
        expenditure=15_00_000,
    )

    figures = figures_of(project)

    assert figures.unspent_balance == 5_00_000
    assert figures.accepted_expenditure == 0


def test_a_closed_project_holds_no_unspent_balance():
    project = ProjectFactory(
        status=Project.Status.CLOSED, closed_on=datetime.date(2026, 10, 1)
    )
    InstalmentFactory(project=project, sequence=1, amount=20_00_000, released=True)

    assert figures_of(project).unspent_balance == 0


def test_a_queue_counts_all_its_rows_but_lists_the_first_ten():
    project = ProjectFactory()
    for day in range(12):
        MilestoneFactory(project=project, due_on=datetime.date(2026, 1, 1 + day))

    queue = dashboard.overdue_milestones(on=datetime.date(2026, 11, 22))

    assert queue.count == 12
    assert len(queue.rows) == 10
    assert queue.more == 2
    assert queue.rows[0].due_on == datetime.date(2026, 1, 1)


def test_a_submitted_report_waits_in_the_review_queue_with_its_days():
    ProgressReportFactory(submitted_on=datetime.date(2026, 11, 2))

    queue = dashboard.reports_awaiting_review(on=datetime.date(2026, 11, 22))

    assert queue.count == 1
    assert queue.rows[0].days == 20


# The page -----------------------------------------------------------------------------


def test_the_dashboard_page_shows_the_demo_figures(client, staff_user, demo_portfolio):
    client.force_login(staff_user)
    with time_machine.travel(DEMO_DAY, tick=False):
        response = client.get(reverse("staff:dashboard"))

    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "₹\u00a09,33,00,000",
        "₹\u00a07,70,02,000",
        "82.5%",
        "₹\u00a01,62,98,000",
        "₹\u00a02,18,28,000",
        "₹\u00a03,22,99,000",
        "₹\u00a01,71,35,000",
        "₹\u00a057,40,000",
        "₹\u00a09.33 crore",
        "<svg",
    ):
        assert text in page, text


def portfolio_of(count):
    for _ in range(count):
        organisation = OrganisationFactory()
        project = ProjectFactory(organisation=organisation, ongoing=True)
        InstalmentFactory(
            project=project,
            sequence=1,
            planned_on=datetime.date(2024, 4, 1),
            released=True,
        )
        InstalmentFactory(
            project=project, sequence=2, planned_on=datetime.date(2025, 6, 1)
        )
        UtilisationCertificateFactory(project=project, accepted=True)
        UtilisationCertificateFactory(
            project=project,
            period_start=datetime.date(2025, 4, 1),
            period_end=datetime.date(2026, 3, 31),
            fiscal_year="2025-26",
            submitted_on=datetime.date(2026, 5, 1),
        )
        MilestoneFactory(project=project, due_on=datetime.date(2026, 9, 30))
        MilestoneFactory(project=project, due_on=datetime.date(2026, 12, 1))
        ProgressReportFactory(milestone__project=project)
    # Every project has its summary, as the nightly task makes sure.
    summaries.create_missing(on=DEMO_DAY.date())


def test_the_dashboard_runs_the_same_number_of_queries_for_1_and_11_projects(
    client, staff_user
):
    client.force_login(staff_user)
    portfolio_of(1)
    with time_machine.travel(DEMO_DAY, tick=False):
        with CaptureQueriesContext(connection) as one:
            assert client.get(reverse("staff:dashboard")).status_code == 200
        portfolio_of(10)
        with CaptureQueriesContext(connection) as eleven:
            response = client.get(reverse("staff:dashboard"))

    assert response.context["board"].totals.projects == 11
    assert len(eleven) == len(one)
