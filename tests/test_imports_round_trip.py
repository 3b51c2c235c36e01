"""The demo portfolio, exported to the template and imported into an empty
portfolio, gives the same dashboard, the same pipeline and the same reminders."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grants import page_cache, reminders, summaries
from grants.demo import delete_demo
from grants.imports.export import write_portfolio
from grants.imports.reading import read_workbook
from grants.models import Membership, Organisation, Project, ReminderRule, User
from grants.reads import dashboard
from grants.services.imports import import_portfolio
from grants.services.reminders import candidate_milestones

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]


def queue(q):
    return q.count, [str(row) for row in q.rows]


def seen(board):
    """What a dashboard shows, as plain values to compare."""
    return {
        "totals": board.totals,
        "breakdowns": board.breakdowns,
        "released_by_year": board.released_by_year,
        "trl": board.trl,
        "overdue": queue(board.overdue),
        "due_soon": queue(board.due_soon),
        "certificates": queue(board.certificates),
        "returned": board.returned,
        "released_recently": queue(board.released_recently),
        "pipeline": [
            (
                column.stage,
                column.count,
                column.amount,
                [
                    (str(entry.instalment), entry.since, entry.blockers, entry.days)
                    for entry in column.shown
                ],
            )
            for column in board.pipeline
        ],
    }


def reminders_due(first_day):
    """Every reminder step the ladder has due on each of 13 weeks from a day:
    milestone, due date, rule and audience."""
    ladder = reminders.Ladder(ReminderRule.objects.all())
    due = set()
    for week in range(13):
        on = first_day + datetime.timedelta(weeks=week)
        for milestone in candidate_milestones(ladder, on).select_related("project"):
            for step in ladder.steps_due(milestone.kind, milestone.due_on, on):
                due.add(
                    (
                        on,
                        milestone.project.reference,
                        milestone.title,
                        milestone.due_on,
                        step.rule.pk,
                        step.audience,
                    )
                )
    return due


def recipients():
    """Who each project's reminders and notices reach: people and their roles."""
    return sorted(
        Membership.objects.filter(is_active=True).values_list(
            "organisation__projects__reference", "user__email", "role"
        )
    )


@pytest.fixture
def exported(demo_portfolio):
    buffer = io.BytesIO()
    write_portfolio(buffer)
    return buffer.getvalue()


def empty_the_portfolio():
    """Remove the demo's projects, organisations and grantees; staff stay."""
    delete_demo()
    Organisation.objects.all().delete()
    User.objects.filter(is_staff=False).delete()
    page_cache.clear()


def test_the_demo_exported_and_imported_into_an_empty_portfolio_reads_the_same(
    demo_portfolio, exported
):
    before = seen(dashboard.build(on=demo_portfolio))
    reminders_before = reminders_due(demo_portfolio)
    people_before = recipients()
    empty_the_portfolio()
    assert not Project.objects.exists()

    contents = read_workbook(SimpleUploadedFile("demo.xlsx", exported))
    report = import_portfolio(
        contents, by=User.objects.get(username="finance"), apply=True
    )

    assert not report.errors, [vars(p) for p in report.errors]
    assert Project.objects.count() == 11
    summaries.refresh_all(on=demo_portfolio)
    page_cache.clear()
    after = seen(dashboard.build(on=demo_portfolio))
    for name in before:
        assert after[name] == before[name], name
    assert reminders_due(demo_portfolio) == reminders_before
    assert recipients() == people_before


def test_a_second_import_of_the_exported_demo_changes_nothing(demo_portfolio, exported):
    contents = read_workbook(SimpleUploadedFile("demo.xlsx", exported))
    report = import_portfolio(
        contents, by=User.objects.get(username="finance"), apply=False
    )

    assert not report.errors, [vars(p) for p in report.errors]
    assert report.changes_nothing, report.changes[:5]
