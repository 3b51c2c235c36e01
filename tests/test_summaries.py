import datetime
import zoneinfo

import pytest
import time_machine
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import services, summaries, tasks
from grants.generator import generate_portfolio
from grants.models import Organisation, Project, ProjectSummary
from grants.reads import dashboard, pipeline
from tests.factories import (
    InstalmentFactory,
    MilestoneFactory,
    ProjectFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db

DEMO_DAY = datetime.datetime(
    2026, 11, 22, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")
)
ON = datetime.date(2026, 11, 22)


def summary_of(project) -> ProjectSummary:
    return ProjectSummary.objects.get(project=project)


def is_out_of_date(project, *, on=ON) -> bool:
    return summaries.out_of_date(on=on).filter(project=project).exists()


def assert_summary_matches_the_rows(project, *, on):
    """The summary says what the SQL definitions and the pipeline say."""
    computed = dashboard.with_portfolio_figures(
        Project.objects.filter(pk=project.pk)
    ).get()
    summary = summary_of(project)
    assert summary.released == computed.released_total, project.reference
    assert summary.expenditure == computed.accepted_expenditure, project.reference
    assert summary.unspent == computed.unspent_balance, project.reference

    state = None
    if project.status not in pipeline.ENDED_STATUSES:
        loaded = pipeline.projects_for_pipeline(
            Project.objects.filter(pk=project.pk)
        ).get()
        state = pipeline.next_release_state(loaded, on=on)
    if state is None:
        assert summary.release_stage == "", project.reference
        assert summary.next_instalment is None
    else:
        assert summary.release_stage == state.stage, project.reference
        assert summary.next_instalment_id == state.instalment.pk
        assert summary.next_amount == state.instalment.amount
        assert summary.stage_since == state.since
        assert summary.blocker_list == state.blockers


# Every project gets a summary that says what its rows say ---------------------------


def test_every_demo_project_summary_matches_its_rows(demo_portfolio):
    with time_machine.travel(DEMO_DAY, tick=False):
        summaries.bring_up_to_date(on=demo_portfolio)

    projects = list(Project.objects.all())
    assert len(projects) == 11
    for project in projects:
        assert_summary_matches_the_rows(project, on=demo_portfolio)


def test_a_new_project_gets_a_summary_that_is_out_of_date_until_refreshed():
    project = ProjectFactory(ongoing=True)

    assert is_out_of_date(project)
    summaries.bring_up_to_date(on=ON)
    assert not is_out_of_date(project)


def test_the_summary_counts_released_money_accepted_expenditure_and_the_balance():
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(project=project, sequence=1, amount=20_00_000, released=True)
    InstalmentFactory(project=project, sequence=2, amount=10_00_000)
    UtilisationCertificateFactory(project=project, accepted=True)  # closing 4,00,000

    summaries.refresh([project.pk], on=ON)

    summary = summary_of(project)
    assert summary.released == 20_00_000
    assert summary.expenditure == 16_00_000
    assert summary.unspent == 4_00_000
    assert_summary_matches_the_rows(project, on=ON)


def test_a_closed_project_summary_holds_no_balance_and_no_next_instalment():
    project = ProjectFactory(
        status=Project.Status.CLOSED, closed_on=datetime.date(2026, 10, 1)
    )
    InstalmentFactory(project=project, sequence=1, amount=20_00_000, released=True)
    InstalmentFactory(project=project, sequence=2, amount=10_00_000)

    summaries.refresh([project.pk], on=ON)

    summary = summary_of(project)
    assert (summary.released, summary.unspent) == (20_00_000, 0)
    assert summary.release_stage == ""


# Changes mark the summary; a refresh never loses one -------------------------------


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda project: InstalmentFactory(project=project, sequence=9),
            id="an instalment added",
        ),
        pytest.param(
            lambda project: project.instalments.first().delete(),
            id="an instalment deleted",
        ),
        pytest.param(
            lambda project: UtilisationCertificateFactory(project=project),
            id="a certificate submitted",
        ),
        pytest.param(
            lambda project: MilestoneFactory(project=project),
            id="a milestone added",
        ),
        pytest.param(
            lambda project: Project.objects.get(pk=project.pk).save(),
            id="the project saved",
        ),
    ],
)
def test_a_change_to_a_project_or_its_rows_marks_its_summary_out_of_date(change):
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(project=project, sequence=1, released=True)
    summaries.bring_up_to_date(on=ON)
    assert not is_out_of_date(project)

    change(project)

    assert is_out_of_date(project)


def test_a_change_made_while_a_refresh_reads_leaves_the_summary_out_of_date(
    monkeypatch,
):
    project = ProjectFactory(ongoing=True)
    instalment = InstalmentFactory(project=project, sequence=1, amount=5_00_000)
    read_rows = summaries._crossings

    def release_meanwhile(project_ids, *, on):
        # Another request releases the instalment after this refresh read the
        # versions and the instalments, before it writes.
        instalment.released_on = ON
        instalment.release_order_number = "RO/late"
        instalment.save()
        return read_rows(project_ids, on=on)

    monkeypatch.setattr(summaries, "_crossings", release_meanwhile)
    summaries.refresh([project.pk], on=ON)

    assert summary_of(project).released == 0  # what the refresh read
    assert is_out_of_date(project)
    monkeypatch.undo()
    summaries.bring_up_to_date(on=ON)
    assert summary_of(project).released == 5_00_000


# The calendar overtakes summaries, and readers notice --------------------------------


def test_an_instalment_falling_due_is_noticed_on_its_planned_day():
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(
        project=project,
        sequence=1,
        released=True,
        planned_on=datetime.date(2026, 4, 1),
    )
    InstalmentFactory(
        project=project, sequence=2, planned_on=datetime.date(2026, 12, 1)
    )

    summaries.bring_up_to_date(on=ON)
    summary = summary_of(project)
    assert summary.release_stage == pipeline.Stage.PLANNED
    assert summary.valid_until == datetime.date(2026, 12, 1)
    assert not is_out_of_date(project, on=datetime.date(2026, 11, 30))
    assert is_out_of_date(project, on=datetime.date(2026, 12, 1))

    summaries.bring_up_to_date(on=datetime.date(2026, 12, 1))
    assert summary_of(project).release_stage == pipeline.Stage.AWAITING_DOCUMENTS
    assert_summary_matches_the_rows(project, on=datetime.date(2026, 12, 1))


def test_a_milestone_becoming_non_compliant_is_noticed_on_the_day_it_does():
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(project=project, sequence=1, planned_on=datetime.date(2026, 4, 1))
    MilestoneFactory(project=project, due_on=datetime.date(2026, 11, 10))

    summaries.bring_up_to_date(on=ON)
    assert summary_of(project).release_stage == pipeline.Stage.ELIGIBLE
    assert summary_of(project).valid_until == datetime.date(2026, 12, 10)

    summaries.bring_up_to_date(on=datetime.date(2026, 12, 10))
    summary = summary_of(project)
    assert summary.release_stage == pipeline.Stage.AWAITING_DOCUMENTS
    assert "30 days overdue" in summary.blockers


def test_a_reader_asking_about_an_earlier_day_gets_summaries_for_that_day():
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(
        project=project, sequence=1, planned_on=datetime.date(2026, 10, 1)
    )
    summaries.bring_up_to_date(on=ON)

    assert is_out_of_date(project, on=datetime.date(2026, 9, 1))
    summaries.bring_up_to_date(on=datetime.date(2026, 9, 1))
    assert summary_of(project).release_stage == pipeline.Stage.PLANNED


# Bulk inserts, the nightly task and the readers ------------------------------------


def test_generated_portfolios_come_with_their_summaries():
    counts = generate_portfolio(projects=30, seed=7, today=ON)

    assert counts.summaries == 30
    assert not summaries.out_of_date(on=ON).exists()
    for project in Project.objects.all()[:10]:
        assert_summary_matches_the_rows(project, on=ON)


def test_the_dashboard_gives_a_project_written_without_a_summary_one():
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(project=project, sequence=1, amount=7_00_000, released=True)
    ProjectSummary.objects.filter(project=project).delete()

    board = dashboard.build(on=ON)

    assert board.totals.released == 7_00_000
    assert summary_of(project).released == 7_00_000


def test_the_nightly_task_creates_missing_summaries_and_refreshes_stale_ones():
    kept = ProjectFactory(ongoing=True)
    lost = ProjectFactory(ongoing=True)
    ProjectSummary.objects.filter(project=lost).delete()

    with time_machine.travel(DEMO_DAY, tick=False):
        outcome = tasks.refresh_project_summaries.apply().get()

    assert outcome == {"created": 1, "refreshed": 1}
    assert not is_out_of_date(kept)
    assert not is_out_of_date(lost)


def test_the_nightly_refresh_is_scheduled_in_the_database():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="grants.tasks.refresh_project_summaries")
    assert (task.crontab.hour, task.crontab.minute) == ("0", "5")
    assert str(task.crontab.timezone) == "Asia/Kolkata"


def test_the_projects_table_sorts_by_the_released_amount_in_the_summaries(
    client, programme_officer
):
    small = ProjectFactory(ongoing=True)
    InstalmentFactory(project=small, sequence=1, amount=1_00_000, released=True)
    large = ProjectFactory(ongoing=True)
    InstalmentFactory(project=large, sequence=1, amount=9_00_000, released=True)
    client.force_login(programme_officer)

    response = client.get(reverse("staff:project-list") + "?sort=-released_total")

    rows = list(response.context["table"].page.object_list)
    assert [row.record.pk for row in rows] == [large.pk, small.pk]
    assert rows[0].record.released_total == 9_00_000


def test_with_summaries_up_to_date_the_dashboard_runs_at_most_15_queries(
    client, programme_officer
):
    client.force_login(programme_officer)
    for _ in range(3):
        project = ProjectFactory(ongoing=True)
        InstalmentFactory(project=project, sequence=1, released=True)
        MilestoneFactory(project=project, due_on=datetime.date(2026, 10, 1))
    with time_machine.travel(DEMO_DAY, tick=False):
        client.get(reverse("staff:dashboard"))  # brings the summaries up to date
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("staff:dashboard"))

    # Under test every request runs in a transaction, so saving the session adds a
    # SAVEPOINT and its RELEASE; in production (autocommit) it is the UPDATE alone.
    statements = [
        query
        for query in queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert response.status_code == 200
    assert len(statements) <= 15, "\n".join(query["sql"][:150] for query in statements)


def test_releasing_through_the_service_updates_the_dashboard_at_once(
    finance_officer,
):
    project = ProjectFactory(ongoing=True, sanctioned_amount=10_00_000)
    instalment = InstalmentFactory(
        project=project,
        sequence=1,
        amount=3_00_000,
        planned_on=datetime.date(2026, 4, 1),
    )
    assert dashboard.build(on=ON).totals.released == 0

    services.release_instalment(
        instalment,
        released_on=ON,
        release_order_number="RO/now",
        released_by=finance_officer,
    )

    assert dashboard.build(on=ON).totals.released == 3_00_000


# The search reads the summary -------------------------------------------------------


def test_renaming_a_principal_investigator_marks_their_projects_for_the_search():
    project = ProjectFactory(ongoing=True)
    summaries.bring_up_to_date(on=ON)
    investigator = project.principal_investigator

    investigator.display_name = "Dr Anjali Gogoi"
    investigator.save()

    assert is_out_of_date(project)
    summaries.bring_up_to_date(on=ON)
    assert "ANJALI GOGOI" in summary_of(project).search_text


def test_logging_in_does_not_mark_the_projects_a_person_leads():
    project = ProjectFactory(ongoing=True)
    summaries.bring_up_to_date(on=ON)

    user_logged_in.send(
        sender=type(project.principal_investigator),
        request=None,
        user=project.principal_investigator,
    )

    assert not is_out_of_date(project)


def test_changing_a_grantees_kind_marks_its_projects_for_the_breakdowns():
    project = ProjectFactory(ongoing=True)
    summaries.bring_up_to_date(on=ON)
    organisation = project.organisation

    organisation.kind = Organisation.Kind.STARTUP
    organisation.save()

    assert is_out_of_date(project)
    summaries.bring_up_to_date(on=ON)
    assert summary_of(project).organisation_kind == Organisation.Kind.STARTUP


def test_the_projects_table_search_finds_every_word_in_any_field(
    client, programme_officer
):
    wanted = ProjectFactory(
        title="Solvent extraction of dysprosium",
        organisation__name="Konkan University",
    )
    ProjectFactory(title="Solvent extraction of neodymium")
    client.force_login(programme_officer)

    response = client.get(reverse("staff:project-list") + "?q=konkan+SOLVENT")

    rows = list(response.context["table"].page.object_list)
    assert [row.record.pk for row in rows] == [wanted.pk]
