"""The staff side of committees: the list, a committee, a meeting and its forms."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import AgendaItem, ConflictDeclaration, Meeting, Milestone
from tests.factories import (
    AgendaItemFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    ConflictDeclarationFactory,
    ExtensionFactory,
    InstalmentFactory,
    MeetingFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProjectFactory,
    ReappropriationFactory,
    RecommendationFactory,
    SchemeFactory,
    ScoreFactory,
    StaffUserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

HELD_ON = datetime.date(2026, 11, 20)  # two days before the demo morning


@pytest.fixture
def committee():
    return CommitteeFactory(name="PERC for S&T Programme")


@pytest.fixture
def secretary(committee):
    return CommitteeMemberFactory(
        committee=committee,
        secretary=True,
        user__display_name="Smt. Kavita Rao",
    ).user


@pytest.fixture
def expert(committee):
    return CommitteeMemberFactory(
        committee=committee, user__display_name="Prof. Anil Mehta"
    ).user


@pytest.fixture
def meeting(committee, secretary):
    return MeetingFactory(committee=committee, number=4, held_on=HELD_ON)


@pytest.fixture
def item(meeting):
    return AgendaItemFactory(meeting=meeting, position=1)


@pytest.fixture
def secretary_client(client, secretary):
    client.force_login(secretary)
    return client


@pytest.fixture
def officer_client(client, programme_officer):
    client.force_login(programme_officer)
    return client


def page_of(meeting):
    return reverse("staff:meeting-detail", args=[meeting.pk])


def text(response) -> str:
    return response.content.decode()


# The list -----------------------------------------------------------------------------


def test_the_committee_list_shows_chair_secretary_members_and_next_meeting(
    officer_client, committee, secretary, expert
):
    CommitteeMemberFactory(
        committee=committee, role="chair", user__display_name="Dr. Meera Iyer"
    )
    scheme = SchemeFactory(name="S&T Programme")
    committee.schemes.add(scheme)
    MeetingFactory(committee=committee, held_on=datetime.date(2026, 12, 15))
    MeetingFactory(committee=committee, held_on=datetime.date(2026, 10, 1))

    response = officer_client.get(reverse("staff:committee-list"))

    assert response.status_code == 200
    [row] = [row.record for row in response.context["table"].paginated_rows]
    assert row == committee
    assert row.chair_name == "Dr. Meera Iyer"
    assert row.secretary_name == "Smt. Kavita Rao"
    assert row.member_count == 3
    assert row.meeting_count == 2
    assert row.next_meeting_on == datetime.date(2026, 12, 15)
    assert row.scheme_names == "S&T Programme"
    assert "15 Dec 2026" in text(response)
    assert reverse("staff:committee-detail", args=[committee.pk]) in text(response)


def test_the_committee_list_filters_by_kind(officer_client):
    perc = CommitteeFactory(kind="perc")
    CommitteeFactory(kind="apex")

    response = officer_client.get(reverse("staff:committee-list"), {"kind": "perc"})

    assert [row.record for row in response.context["table"].paginated_rows] == [perc]


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_the_committee_list_exports_as_csv_and_xlsx(officer_client, committee):
    url = reverse("staff:committee-list")
    xlsx = officer_client.get(url, {"_export": "xlsx"})
    csv = officer_client.get(url, {"_export": "csv"})

    assert xlsx.status_code == 200
    assert body_of(xlsx)[:2] == b"PK"
    assert "PERC for S&T Programme" in body_of(csv).decode("utf-8-sig")


def test_the_committee_list_runs_the_same_queries_for_2_and_6_committees(
    officer_client,
):
    def committee_with_seats():
        committee = CommitteeFactory()
        CommitteeMemberFactory(committee=committee, secretary=True)
        CommitteeMemberFactory(committee=committee)
        MeetingFactory(committee=committee)

    for _ in range(2):
        committee_with_seats()
    with CaptureQueriesContext(connection) as two:
        officer_client.get(reverse("staff:committee-list"))
    for _ in range(4):
        committee_with_seats()
    with CaptureQueriesContext(connection) as six:
        response = officer_client.get(reverse("staff:committee-list"))

    assert len(list(response.context["table"].paginated_rows)) == 6
    assert len(six) == len(two)


# Who may see them ---------------------------------------------------------------------


def test_a_grantee_cannot_reach_the_committee_pages(client, grantee, meeting, item):
    client.force_login(grantee)
    for url in addresses(meeting, item):
        assert client.get(url).status_code == 403, url


def test_an_anonymous_user_is_sent_to_log_in(client, meeting, item):
    for url in addresses(meeting, item):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"]


def test_staff_without_the_permission_or_a_seat_are_refused(client, meeting):
    client.force_login(StaffUserFactory())
    assert client.get(reverse("staff:committee-list")).status_code == 403
    assert client.get(page_of(meeting)).status_code == 403


def addresses(meeting, item):
    return [
        reverse("staff:committee-list"),
        reverse("staff:committee-detail", args=[meeting.committee.pk]),
        page_of(meeting),
        reverse("staff:meeting-minutes", args=[meeting.pk]),
        reverse("staff:meeting-minutes-pdf", args=[meeting.pk]),
    ]


# A committee --------------------------------------------------------------------------


def test_a_committee_page_lists_its_members_and_its_meetings(
    officer_client, committee, secretary, meeting
):
    institute = OrganisationFactory(name="Indian Institute of Mineral Studies")
    CommitteeMemberFactory(
        committee=committee,
        organisation=institute,
        user__display_name="Prof. Anil Mehta",
    )
    upcoming = MeetingFactory(
        committee=committee, number=5, held_on=datetime.date(2026, 12, 15)
    )

    response = officer_client.get(
        reverse("staff:committee-detail", args=[committee.pk])
    )

    page = text(response)
    assert "Smt. Kavita Rao" in page
    assert "Member secretary" in page
    assert "Ministry staff" in page
    assert "Prof. Anil Mehta" in page
    assert "External expert" in page
    assert "Indian Institute of Mineral Studies" in page
    assert response.context["upcoming"] == [upcoming]
    assert response.context["past"] == [meeting]
    assert page_of(upcoming) in page
    assert page_of(meeting) in page


def test_the_member_secretary_schedules_the_next_meeting(
    secretary_client, committee, meeting
):
    response = secretary_client.post(
        reverse("staff:committee-schedule", args=[committee.pk]),
        {
            "held_on": "18-12-2026",
            "starts_at": "10:30",
            "place": "Shastri Bhawan, New Delhi",
            "online_link": "",
        },
    )

    scheduled = Meeting.objects.get(committee=committee, number=5)
    assert response.status_code == 302
    assert response["Location"] == page_of(scheduled)
    assert scheduled.held_on == datetime.date(2026, 12, 18)
    assert scheduled.place == "Shastri Bhawan, New Delhi"


def test_a_meeting_without_a_place_or_link_is_refused_with_the_input_kept(
    secretary_client, committee
):
    response = secretary_client.post(
        reverse("staff:committee-schedule", args=[committee.pk]),
        {"held_on": "18-12-2026", "starts_at": "10:30", "place": "", "online_link": ""},
    )

    assert response.status_code == 200
    assert "Give the place or the online link." in text(response)
    assert 'value="18-12-2026"' in text(response)
    assert not Meeting.objects.filter(committee=committee).exists()


def test_a_staff_member_who_is_not_the_secretary_sees_no_schedule_form(
    officer_client, committee, secretary
):
    response = officer_client.get(
        reverse("staff:committee-detail", args=[committee.pk])
    )

    assert response.context["schedule_form"] is None
    assert reverse("staff:committee-schedule", args=[committee.pk]) not in text(
        response
    )


# A meeting ----------------------------------------------------------------------------


def test_a_meeting_page_shows_each_item_with_declarations_scores_and_outcome(
    officer_client, committee, meeting, expert
):
    milestone = MilestoneFactory(
        kind=Milestone.Kind.REVIEW_MEETING,
        title="Annual review meeting, year 2",
        due_on=datetime.date(2026, 11, 30),
    )
    item = AgendaItemFactory(
        meeting=meeting, position=1, project=milestone.project, milestone=milestone
    )
    affiliated = CommitteeMemberFactory(
        committee=committee,
        organisation=item.project.organisation,
        user__display_name="Dr. Sunil Kulkarni",
    ).user
    relative = CommitteeMemberFactory(
        committee=committee, user__display_name="Dr. Rekha Nair"
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
        progress=5,
        outputs=4,
        use_of_funds=4,
        trl_likelihood=4,
        comment="Strong pilot results.",
    )
    recommendation = RecommendationFactory(
        agenda_item=item, reasons="Milestones met on time."
    )
    recommendation.members.add(expert)

    response = officer_client.get(page_of(meeting))

    page = text(response)
    assert reverse("staff:project-detail", args=[item.project.pk]) in page
    assert "Annual review meeting, year 2" in page
    [entry] = response.context["record"].items
    by_member = {row.member: row for row in entry.declarations}
    assert by_member[expert].labels == ["no conflict of interest"]
    assert by_member[affiliated].labels == ["own organisation is the grantee"]
    assert by_member[relative].labels == ["relative"]
    assert "Own organisation is the grantee" in page
    assert "The PI is my brother-in-law." in page
    assert "Strong pilot results." in page
    assert entry.average == 17
    assert "Milestones met on time." in page
    assert "Awaiting decision" in page
    assert affiliated not in [score.member for score in entry.scores]


def test_a_staff_member_who_is_not_the_secretary_sees_the_meeting_without_forms(
    officer_client, meeting, item
):
    response = officer_client.get(page_of(meeting))

    page = text(response)
    assert response.status_code == 200
    for name, pk in [
        ("staff:meeting-add-item", meeting.pk),
        ("staff:meeting-attendance", meeting.pk),
        ("staff:item-recommend", item.pk),
    ]:
        assert reverse(name, args=[pk]) not in page


def test_a_staff_member_who_is_not_the_secretary_cannot_post_a_form(
    officer_client, meeting, item
):
    response = officer_client.post(
        reverse("staff:meeting-attendance", args=[meeting.pk]), {}
    )

    assert response.status_code == 403


def test_the_secretary_sees_every_form(secretary_client, meeting, item):
    page = text(secretary_client.get(page_of(meeting)))

    assert reverse("staff:meeting-add-item", args=[meeting.pk]) in page
    assert reverse("staff:meeting-attendance", args=[meeting.pk]) in page
    assert reverse("staff:item-recommend", args=[item.pk]) in page


def test_before_the_meeting_the_secretary_builds_the_agenda_but_records_nothing(
    secretary_client, committee
):
    coming = MeetingFactory(committee=committee, held_on=datetime.date(2026, 12, 15))
    upcoming_item = AgendaItemFactory(meeting=coming)

    page = text(secretary_client.get(page_of(coming)))

    assert reverse("staff:meeting-add-item", args=[coming.pk]) in page
    assert reverse("staff:meeting-attendance", args=[coming.pk]) not in page
    assert reverse("staff:item-recommend", args=[upcoming_item.pk]) not in page
    assert "recorded on or after the meeting day, 15 Dec 2026" in page


def test_the_secretary_adds_an_agenda_item(secretary_client, meeting):
    project = ProjectFactory(ongoing=True)

    response = secretary_client.post(
        reverse("staff:meeting-add-item", args=[meeting.pk]),
        {"kind": AgendaItem.Kind.ANNUAL_REVIEW, "project": project.reference},
    )

    assert response.status_code == 302
    assert response["Location"] == page_of(meeting)
    assert meeting.items.get().project == project
    followed = secretary_client.get(page_of(meeting))
    assert "added to the agenda" in text(followed)


def test_an_item_on_a_scheme_the_committee_does_not_serve_is_refused_on_the_form(
    secretary_client, committee, meeting
):
    committee.schemes.add(SchemeFactory())
    project = ProjectFactory(ongoing=True, scheme=SchemeFactory(name="Other"))

    response = secretary_client.post(
        reverse("staff:meeting-add-item", args=[meeting.pk]),
        {
            "kind": AgendaItem.Kind.ANNUAL_REVIEW,
            "project": project.reference,
            "note": "Bring the pilot data",
        },
    )

    assert response.status_code == 200
    assert "does not serve the scheme" in text(response)
    assert "Bring the pilot data" in text(response)
    assert not meeting.items.exists()


def test_the_secretary_records_attendance(secretary_client, meeting, secretary, expert):
    response = secretary_client.post(
        reverse("staff:meeting-attendance", args=[meeting.pk]),
        {"attendees": [secretary.pk]},
    )

    assert response.status_code == 302
    assert list(meeting.attendees.all()) == [secretary]


def test_attendance_of_someone_not_on_the_committee_is_refused(
    secretary_client, meeting
):
    stranger = StaffUserFactory()

    response = secretary_client.post(
        reverse("staff:meeting-attendance", args=[meeting.pk]),
        {"attendees": [stranger.pk]},
    )

    assert response.status_code == 200
    assert response.context["attendance_form"].errors
    assert not meeting.attendees.exists()


def recommend(client, item, **data):
    prefix = f"item-{item.pk}"
    values = {
        "outcome": "continue",
        "reasons": "Good progress.",
        "conditions": "",
        "recorded_on": "21-11-2026",
        **data,
    }
    return client.post(
        reverse("staff:item-recommend", args=[item.pk]),
        {f"{prefix}-{name}": value for name, value in values.items()},
    )


def test_the_secretary_records_the_recommendation(secretary_client, item, expert):
    ConflictDeclarationFactory(agenda_item=item, member=expert)
    ScoreFactory(agenda_item=item, member=expert)

    response = recommend(secretary_client, item)

    assert response.status_code == 302
    assert response["Location"] == page_of(item.meeting)
    item.refresh_from_db()
    assert item.recommendation.reasons == "Good progress."
    assert list(item.recommendation.members.all()) == [expert]


def test_a_recommendation_without_a_score_is_refused_with_the_input_kept(
    secretary_client, item
):
    response = recommend(secretary_client, item, reasons="Steady work on the pilot.")

    assert response.status_code == 200
    assert "needs at least one score" in text(response)
    assert "Steady work on the pilot." in text(response)
    assert not AgendaItem.objects.filter(recommendation__isnull=False).exists()


def decide(client, item, **data):
    prefix = f"decision-{item.pk}"
    values = {"decision": "approved", "note": "", "decided_on": "22-11-2026", **data}
    return client.post(
        reverse("staff:item-decide", args=[item.pk]),
        {f"{prefix}-{name}": value for name, value in values.items()},
    )


def test_the_secretary_records_the_decision(secretary_client, item):
    recommendation = RecommendationFactory(agenda_item=item, recorded_on=HELD_ON)

    response = decide(secretary_client, item)

    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.decision == "approved"
    assert recommendation.decided_on == datetime.date(2026, 11, 22)


def test_a_refusal_without_a_reason_is_refused_on_the_form(secretary_client, item):
    recommendation = RecommendationFactory(agenda_item=item, recorded_on=HELD_ON)

    response = decide(secretary_client, item, decision="not_approved")

    assert response.status_code == 200
    assert "Say why it was not approved" in text(response)
    recommendation.refresh_from_db()
    assert recommendation.decision == "pending"


def test_the_meeting_page_runs_the_same_queries_for_1_and_5_items(
    secretary_client, committee, meeting, expert
):
    other = CommitteeMemberFactory(committee=committee).user

    def item_with_papers(position):
        # Every kind of request an item names, each read with what it shows.
        kinds = {
            2: {"kind": "extension", "extension": ExtensionFactory()},
            3: {"kind": "cost_revision", "reappropriation": ReappropriationFactory()},
            4: {"kind": "release", "instalment": InstalmentFactory()},
        }
        item = AgendaItemFactory(
            meeting=meeting, position=position, **kinds.get(position, {})
        )
        ConflictDeclarationFactory(agenda_item=item, member=expert)
        ConflictDeclarationFactory(
            agenda_item=item, member=other, conflict="collaborator", note="Co-author"
        )
        ScoreFactory(agenda_item=item, member=expert)
        recommendation = RecommendationFactory(agenda_item=item)
        recommendation.members.add(expert)

    item_with_papers(1)
    with CaptureQueriesContext(connection) as one:
        secretary_client.get(page_of(meeting))
    for position in range(2, 6):
        item_with_papers(position)
    with CaptureQueriesContext(connection) as five:
        response = secretary_client.get(page_of(meeting))

    assert len(response.context["record"].items) == 5
    assert len(five) == len(one)


def test_a_seated_member_sees_no_scores_on_an_item_closed_to_them(
    client, committee, meeting, item, expert
):
    officer = CommitteeMemberFactory(committee=committee, user=StaffUserFactory()).user
    ScoreFactory(agenda_item=item, member=expert, comment="A private remark.")
    ConflictDeclarationFactory(
        agenda_item=item, member=officer, conflict="relative", note="My nephew."
    )
    client.force_login(officer)

    shown = text(client.get(page_of(meeting)))

    assert "A private remark." not in shown
    assert "its scores and outcome are not shown to you" in shown
