"""Every page, filter and export names the same overdue items, on any day.

The one definition is ``Milestone.objects.overdue``; the dashboard, the staff
tables and their exports, the grantee portal, the weekly digest and the release
pipeline must all agree with it, on the demo date and on the days after it.
"""

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from grants import demo
from grants.models import Membership, Milestone, Project, User
from grants.reads import pipeline
from grants.services.digests import digest_context
from tests.factories import DigestFactory

pytestmark = pytest.mark.django_db

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
DEMO_DATE = datetime.date(2026, 11, 22)
DAYS = [DEMO_DATE, datetime.date(2026, 12, 2), datetime.date(2027, 1, 15)]


@pytest.fixture(params=DAYS, ids=str)
def day(request):
    demo.seed(as_of=DEMO_DATE, today=DEMO_DATE)
    moment = datetime.datetime.combine(request.param, datetime.time(11), tzinfo=IST)
    with time_machine.travel(moment, tick=False):
        yield request.param


def overdue_items(day):
    return {
        (m.project.reference, m.title)
        for m in Milestone.objects.overdue(on=day).select_related("project")
    }


def export_rows(client, url):
    """The data rows of a CSV export, as dicts by header."""
    text = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    header = next(
        i for i, row in enumerate(lines) if "Project" in row or "Reference" in row
    )
    keys = lines[header]
    return [dict(zip(keys, row, strict=False)) for row in lines[header + 1 :] if row]


def test_the_staff_side_names_the_same_overdue_items(client, day):
    expected = overdue_items(day)
    assert expected, "the demo has overdue items on every day tested"
    client.force_login(User.objects.get(username="officer"))

    board = client.get(reverse("staff:dashboard")).context["board"]
    assert board.overdue.count == len(expected)
    assert {(m.project.reference, m.title) for m in board.overdue.rows} <= expected

    listed = export_rows(
        client, reverse("staff:milestone-list") + "?overdue=true&_export=csv"
    )
    assert {(row["Project"], row["Milestone"]) for row in listed} == expected

    projects = export_rows(
        client, reverse("staff:project-list") + "?has_overdue=true&_export=csv"
    )
    assert {row["Reference"] for row in projects} == {ref for ref, _ in expected}

    officer = User.objects.get(username="officer")
    digest = digest_context(DigestFactory(recipient=officer), today=day)
    assert {(m.project.reference, m.title) for m in digest["overdue"]} == expected


def test_every_grantee_sees_exactly_their_overdue_items(client, day):
    expected = overdue_items(day)
    for membership in Membership.objects.filter(
        role=Membership.Role.PRINCIPAL_INVESTIGATOR
    ).select_related("user", "organisation"):
        client.force_login(membership.user)
        milestones = client.get(reverse("portal:home")).context["due"]
        shown = {
            (m.project.reference, m.title)
            for m in milestones
            if m.status in Milestone.OPEN_STATUSES and m.days_left < 0
        }
        own = {
            (ref, title)
            for ref, title in expected
            if Project.objects.filter(
                reference=ref, organisation=membership.organisation
            ).exists()
        }
        assert shown == own, membership.organisation


def test_the_pipeline_blocks_exactly_the_non_compliant_projects(day):
    non_compliant = set(
        Milestone.objects.non_compliant(on=day).values_list(
            "project__reference", flat=True
        )
    )
    projects = pipeline.projects_for_pipeline(Project.objects.all(), on=day)
    blocked = set()
    for project in projects:
        state = pipeline.next_release_state(project, on=day)
        if state and any("non-compliant" in blocker for blocker in state.blockers):
            blocked.add(project.reference)
    with_money_to_come = {
        project.reference
        for project in projects
        if pipeline.next_release_state(project, on=day) is not None
    }
    assert blocked == non_compliant & with_money_to_come
