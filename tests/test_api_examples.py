"""The worked examples of docs/api.md, run as written against a live server."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_django.live_server_helper import LiveServer

from grants.models import Membership, Milestone, ProgressReport
from tests.api import token_for
from tests.factories import (
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def live_server(transactional_db, settings):
    """A server for this test alone, started after the test's settings.

    pytest-django's shared server reads its middleware's settings once, when the
    first test starts it; under a production-like configuration (the PostgreSQL
    run) that would redirect the scripts' plain HTTP to HTTPS.
    """
    settings.SECURE_SSL_REDIRECT = False
    server = LiveServer("localhost")
    yield server
    server.stop()


def run(script, live_server, secret, *arguments, **environment):
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *arguments],
        env={
            **os.environ,
            "KHANIJ_SITE": live_server.url,
            "KHANIJ_TOKEN": secret,
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_finance_example_lists_this_fiscal_years_releases(
    live_server, finance_officer
):
    released = InstalmentFactory(
        planned_on=datetime.date(2026, 5, 4), amount=1_500_000, released=True
    )
    InstalmentFactory(planned_on=datetime.date(2020, 5, 4), released=True)
    _token, secret = token_for(finance_officer)

    done = run("releases_this_year.py", live_server, secret, FISCAL_YEAR="2026-27")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "project,instalment,released on,release order,amount (Rs)"
    assert lines[1:] == [
        f"{released.project.reference},{released.sequence},{released.released_on},"
        f"{released.release_order_number},1500000"
    ]
    assert "1 releases in 2026-27, Rs 15,00,000 in all" in done.stderr


@pytest.fixture
def principal_investigator_with_a_report_due():
    membership = MembershipFactory(role=Membership.Role.PRINCIPAL_INVESTIGATOR)
    project = ProjectFactory(
        organisation=membership.organisation,
        principal_investigator=membership.user,
        start_on=datetime.date(2025, 4, 1),
        end_on=datetime.date(2028, 3, 31),
    )
    milestone = MilestoneFactory(
        project=project,
        kind=Milestone.Kind.PROGRESS_REPORT,
        title="Half-yearly progress report, Apr–Sep 2026",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 9, 30),
        due_on=datetime.date(2026, 10, 30),
    )
    return membership.user, project, milestone


def write_report(tmp_path, **fields):
    report = {
        "period_start": "2026-04-01",
        "period_end": "2026-09-30",
        "narrative": "Pilot column ran 400 hours; Nd-Pr oxide at 99.5% purity.",
        "trl_now": 5,
        "publications": 1,
        "patents_filed": 0,
        "prototypes": 1,
        "technologies_transferred": 0,
        "people_trained": 4,
        **fields,
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    return str(path)


def test_the_grantee_example_submits_a_half_yearly_report(
    live_server, tmp_path, principal_investigator_with_a_report_due
):
    user, project, milestone = principal_investigator_with_a_report_due
    _token, secret = token_for(user)

    done = run(
        "submit_half_yearly_report.py",
        live_server,
        secret,
        project.reference,
        write_report(tmp_path),
    )

    assert done.returncode == 0, done.stderr
    report = ProgressReport.objects.get(milestone=milestone)
    assert f"Submitted version 1 of the report for “{milestone.title}”" in done.stdout
    assert (report.trl_now, report.submitted_by) == (5, user)


def test_the_grantee_example_prints_what_the_form_would_say(
    live_server, tmp_path, principal_investigator_with_a_report_due
):
    user, project, _milestone = principal_investigator_with_a_report_due
    _token, secret = token_for(user)

    done = run(
        "submit_half_yearly_report.py",
        live_server,
        secret,
        project.reference,
        write_report(tmp_path, period_end="2026-03-31", narrative=""),
    )

    assert done.returncode == 1
    assert "400 The input is not valid." in done.stderr
    assert "narrative: Describe the progress made in the period." in done.stderr
    assert "period_end: The period cannot end before it starts." in done.stderr
    assert not ProgressReport.objects.exists()
