"""The private calendar feed of a member's milestones (iCalendar, RFC 5545)."""

import datetime
import zoneinfo

import icalendar
import pytest
import time_machine
from django.urls import reverse

from grants import services
from grants.calendar_feed import milestones_calendar
from grants.models import Membership, Milestone
from tests.factories import MembershipFactory, MilestoneFactory, ProjectFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata"))


@pytest.fixture
def own_project(organisation):
    return ProjectFactory(organisation=organisation, reference="OWN-REE-0001")


def feed_url(user):
    return reverse("portal:calendar-feed", args=[user.calendar_token])


def unfold(body: bytes) -> list[str]:
    """Undo RFC 5545 line folding and split into content lines."""
    return body.decode("utf-8").replace("\r\n ", "").split("\r\n")


# The token -------------------------------------------------------------------------


def test_a_member_creates_their_private_calendar_address(client, grantee):
    client.force_login(grantee)

    response = client.post(reverse("portal:calendar"), {"action": "create"})

    grantee.refresh_from_db()
    assert response.status_code == 302
    assert len(grantee.calendar_token) >= 40
    page = client.get(reverse("portal:calendar")).content.decode()
    assert f"http://testserver{feed_url(grantee)}" in page


def test_regenerating_the_address_stops_the_old_one(client, grantee, own_project):
    client.force_login(grantee)
    client.post(reverse("portal:calendar"), {"action": "create"})
    grantee.refresh_from_db()
    old = feed_url(grantee)

    client.post(reverse("portal:calendar"), {"action": "regenerate"})
    grantee.refresh_from_db()
    client.logout()

    assert feed_url(grantee) != old
    assert client.get(old).status_code == 404
    assert client.get(feed_url(grantee)).status_code == 200


def test_revoking_the_address_switches_the_feed_off(client, grantee):
    services.regenerate_calendar_token(grantee)
    url = feed_url(grantee)
    client.force_login(grantee)

    client.post(reverse("portal:calendar"), {"action": "revoke"})
    client.logout()

    grantee.refresh_from_db()
    assert grantee.calendar_token is None
    assert client.get(url).status_code == 404


def test_tokens_are_unique_and_unguessable(grantee, organisation):
    other = MembershipFactory(organisation=organisation).user

    tokens = {services.regenerate_calendar_token(grantee) for _ in range(5)}
    tokens.add(services.regenerate_calendar_token(other))

    assert len(tokens) == 6
    assert all(len(token) >= 40 for token in tokens)


# The feed --------------------------------------------------------------------------


def test_the_feed_needs_no_login_and_is_an_icalendar_file(client, grantee, own_project):
    MilestoneFactory(project=own_project)
    services.regenerate_calendar_token(grantee)

    response = client.get(feed_url(grantee))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert response.content.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in response.content.replace(b"\r\n", b"")


def test_an_unknown_token_is_a_404(client, grantee):
    services.regenerate_calendar_token(grantee)

    response = client.get(reverse("portal:calendar-feed", args=["not-a-token"]))

    assert response.status_code == 404


def test_an_inactive_users_feed_is_a_404(client, grantee):
    services.regenerate_calendar_token(grantee)
    grantee.is_active = False
    grantee.save()

    assert client.get(feed_url(grantee)).status_code == 404


def test_the_feed_lists_the_members_milestones_as_all_day_events(
    client, grantee, own_project
):
    milestone = MilestoneFactory(
        project=own_project,
        title="Annual UC 2025-26 (GFR 12-A)",
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        due_on=datetime.date(2026, 6, 30),
        deliverable="Signed UC; interest remitted, with challan",
    )
    MilestoneFactory(title="Someone else's report")
    services.regenerate_calendar_token(grantee)

    with time_machine.travel(NOW, tick=False):
        lines = unfold(client.get(feed_url(grantee)).content)

    assert lines.count("BEGIN:VEVENT") == 1
    assert f"UID:milestone-{milestone.pk}@khanij-rd" in lines
    assert "DTSTAMP:20261122T043000Z" in lines
    assert "DTSTART;VALUE=DATE:20260630" in lines
    assert "DTEND;VALUE=DATE:20260701" in lines
    assert "SUMMARY:OWN-REE-0001: Annual UC 2025-26 (GFR 12-A)" in lines
    project_url = reverse("portal:project-detail", args=[own_project.pk])
    assert f"URL:http://testserver{project_url}" in lines
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    assert "Signed UC\\; interest remitted\\, with challan" in description
    assert "\\n" in description
    assert "Someone else's report" not in "".join(lines)


def test_an_events_uid_stays_the_same_from_one_fetch_to_the_next(
    client, grantee, own_project
):
    MilestoneFactory(project=own_project)
    services.regenerate_calendar_token(grantee)

    first = [
        line
        for line in unfold(client.get(feed_url(grantee)).content)
        if line.startswith("UID:")
    ]
    second = [
        line
        for line in unfold(client.get(feed_url(grantee)).content)
        if line.startswith("UID:")
    ]

    assert first == second


def test_a_co_investigator_sees_the_organisations_milestones_too(client, own_project):
    co_investigator = MembershipFactory(
        organisation=own_project.organisation, role=Membership.Role.CO_INVESTIGATOR
    ).user
    MilestoneFactory(project=own_project, title="Technical completion")
    services.regenerate_calendar_token(co_investigator)

    body = client.get(feed_url(co_investigator)).content.decode()

    assert "Technical completion" in body


def test_a_waived_milestone_is_shown_cancelled(client, grantee, own_project):
    MilestoneFactory(
        project=own_project, status=Milestone.Status.WAIVED, waiver_reason="Merged"
    )
    services.regenerate_calendar_token(grantee)

    lines = unfold(client.get(feed_url(grantee)).content)

    assert "STATUS:CANCELLED" in lines


def test_the_feed_cannot_be_posted_to(client, grantee):
    services.regenerate_calendar_token(grantee)

    assert client.post(feed_url(grantee)).status_code == 405


# The file itself ------------------------------------------------------------------

HINDI = "खनिज अनुसंधान " * 14


def feed_of(milestone) -> bytes:
    return milestones_calendar(
        [milestone], url_for=lambda m: "https://portal.example/projects/1/", now=NOW
    )


def summary_of(body: bytes) -> str:
    return next(line for line in unfold(body) if line.startswith("SUMMARY:"))


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a,b;c\\d", "a\\,b\\;c\\\\d"),
        ("line one\nline two", "line one\\nline two"),
        ("windows\r\nline", "windows\\nline"),
        ("bell\x07 and tab\t", "bell and tab\t"),
        ("escape\x1b and delete\x7f", "escape and delete"),
    ],
)
def test_text_values_are_escaped(own_project, text, escaped):
    body = feed_of(MilestoneFactory(project=own_project, title=text))

    assert summary_of(body) == f"SUMMARY:OWN-REE-0001: {escaped}"


def test_long_lines_are_folded_at_75_octets_with_crlf_and_a_space(own_project):
    body = feed_of(MilestoneFactory(project=own_project, title="x" * 200))

    physical = body.split(b"\r\n")
    assert physical[-1] == b""
    assert all(len(line) <= 75 for line in physical)
    start = next(i for i, line in enumerate(physical) if line.startswith(b"SUMMARY:"))
    folded = [physical[start]]
    while physical[start + len(folded)].startswith(b" "):
        folded.append(physical[start + len(folded)])
    assert len(folded) == 3  # 222 octets
    unfolded = folded[0] + b"".join(line.removeprefix(b" ") for line in folded[1:])
    assert unfolded == b"SUMMARY:OWN-REE-0001: " + b"x" * 200


def test_folding_never_splits_a_multibyte_character(own_project):
    body = feed_of(MilestoneFactory(project=own_project, title=HINDI))

    for physical in body.split(b"\r\n"):
        physical.decode("utf-8")  # raises if a character was cut in two
        assert len(physical) <= 75
    assert summary_of(body) == f"SUMMARY:OWN-REE-0001: {HINDI}"


def test_every_line_ends_with_crlf(own_project):
    body = feed_of(
        MilestoneFactory(project=own_project, deliverable="One\nTwo\r\nThree\rFour")
    )

    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")


def test_hindi_text_survives_a_round_trip(own_project):
    milestone = MilestoneFactory(project=own_project, title=HINDI, deliverable=HINDI)

    (event,) = icalendar.Calendar.from_ical(feed_of(milestone)).walk("VEVENT")

    assert event["SUMMARY"] == f"OWN-REE-0001: {HINDI}"
    assert f"Deliverable: {HINDI}\n" in event["DESCRIPTION"]
    assert event.decoded("DTSTART") == milestone.due_on


def test_an_empty_calendar_is_still_valid():
    body = milestones_calendar([], url_for=str, now=NOW)

    assert unfold(body) == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Khanij R&D//Grantee portal//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Khanij R&D milestones",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
        "END:VCALENDAR",
        "",
    ]
