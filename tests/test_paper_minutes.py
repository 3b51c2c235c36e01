"""The minutes of a committee meeting: the page and the PDF read back."""

import datetime

import pytest
from django.urls import reverse

from grants.models import ConflictDeclaration
from tests.factories import (
    AgendaItemFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    ConflictDeclarationFactory,
    MeetingFactory,
    RecommendationFactory,
    ScoreFactory,
)
from tests.pdf import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]


@pytest.fixture
def meeting():
    """Meeting 4 of a PERC: two present, one absent, one item recommended."""
    committee = CommitteeFactory(name="PERC for S&T Programme")
    secretary = CommitteeMemberFactory(
        committee=committee, secretary=True, user__display_name="Smt Kavita Rao"
    ).user
    expert = CommitteeMemberFactory(
        committee=committee, user__display_name="Prof Anil Mehta"
    ).user
    relative = CommitteeMemberFactory(
        committee=committee, user__display_name="Dr Rekha Nair"
    ).user
    meeting = MeetingFactory(
        committee=committee,
        number=4,
        held_on=datetime.date(2026, 11, 20),
        place="JNARDDC, Nagpur",
    )
    meeting.attendees.set([secretary, expert])
    item = AgendaItemFactory(meeting=meeting, position=1)
    affiliated = CommitteeMemberFactory(
        committee=committee,
        organisation=item.project.organisation,
        user__display_name="Dr Sunil Kulkarni",
    ).user
    ConflictDeclarationFactory(agenda_item=item, member=expert)
    ConflictDeclarationFactory(
        agenda_item=item,
        member=relative,
        conflict=ConflictDeclaration.Conflict.RELATIVE,
        note="The PI is my brother-in-law.",
    )
    ScoreFactory(
        agenda_item=item,
        member=expert,
        progress=4,
        outputs=4,
        use_of_funds=3,
        trl_likelihood=4,
    )
    recommendation = RecommendationFactory(
        agenda_item=item,
        outcome="continue_with_conditions",
        reasons="Pilot plant commissioned on time.",
        conditions="Submit the audited statement before the next release.",
    )
    recommendation.members.add(expert)
    meeting.affiliated = affiliated
    return meeting


@pytest.fixture
def officer_client(client, programme_officer):
    client.force_login(programme_officer)
    return client


def test_the_minutes_page_records_attendance_conflicts_and_the_recommendation(
    officer_client, meeting
):
    response = officer_client.get(reverse("staff:meeting-minutes", args=[meeting.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Minutes of meeting 4 of the PERC for S&amp;T Programme" in page
    record = response.context["record"]
    assert [str(seat.user) for seat in record.present] == [
        "Smt Kavita Rao",
        "Prof Anil Mehta",
    ]
    assert {str(seat.user) for seat in record.absent} == {
        "Dr Rekha Nair",
        "Dr Sunil Kulkarni",
    }
    assert "The PI is my brother-in-law." in page
    assert "own organisation is the grantee" in page
    assert "Pilot plant commissioned on time." in page
    assert "15.0 of 20" in page


def test_the_minutes_pdf_reads_back_with_attendance_a_conflict_and_the_recommendation(
    officer_client, meeting
):
    response = officer_client.get(
        reverse("staff:meeting-minutes-pdf", args=[meeting.pk])
    )

    assert response["Content-Type"] == "application/pdf"
    assert "minutes-perc-meeting-4-en.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Minutes of the meeting" in text
    assert "Meeting 4 of the PERC for S&T Programme" in text
    assert "20 Nov 2026" in text
    assert "JNARDDC, Nagpur" in text
    assert "Smt Kavita Rao Member secretary Present" in text
    assert "Dr Rekha Nair Member Absent" in text
    assert "Dr Rekha Nair: relative (The PI is my brother-in-law.)" in text
    assert "Dr Sunil Kulkarni: own organisation is the grantee" in text
    assert "Continue with conditions" in text
    assert "Pilot plant commissioned on time." in text
    assert "Submit the audited statement before the next release." in text
    assert "Members who joined it: Prof Anil Mehta" in text
    assert "Mean score: 15.0 of 20" in text
    assert "Awaiting decision" in text
