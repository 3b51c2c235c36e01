"""The reviewer's pages: their meetings, the declaration, the papers, the score."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import ConflictDeclaration, Score
from tests.factories import (
    AgendaItemFactory,
    CommitteeMemberFactory,
    ConflictDeclarationFactory,
    DocumentFactory,
    ExtensionFactory,
    MeetingFactory,
    MilestoneFactory,
    ProgressReportFactory,
    ProjectFactory,
    RecommendationFactory,
    ScoreFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seat():
    return CommitteeMemberFactory()


@pytest.fixture
def expert(seat, client):
    client.force_login(seat.user)
    return seat.user


@pytest.fixture
def meeting(seat):
    return MeetingFactory(committee=seat.committee, starts_at=datetime.time(10, 30))


@pytest.fixture
def item(meeting):
    return AgendaItemFactory(meeting=meeting, note="Second annual review.")


def declared_none(item, expert):
    return ConflictDeclarationFactory(agenda_item=item, member=expert)


def page(response) -> str:
    return response.content.decode()


def test_the_home_page_lists_the_items_open_to_the_expert_and_counts_the_others(
    client, expert, seat, meeting, item
):
    conflicted = AgendaItemFactory(meeting=meeting)
    ConflictDeclarationFactory(
        agenda_item=conflicted,
        member=expert,
        conflict=ConflictDeclaration.Conflict.COLLABORATOR,
        note="Co-author in 2024.",
    )
    elsewhere = AgendaItemFactory()

    response = client.get(reverse("review:home"))

    assert response.status_code == 200
    html = page(response)
    assert item.project.reference in html
    assert reverse("review:item", args=[item.pk]) in html
    assert "declare first" in html
    assert conflicted.project.reference not in html
    assert conflicted.project.title not in html
    assert elsewhere.project.reference not in html
    assert "You take no part in 1 item of this meeting" in html
    assert seat.committee.name in html
    assert "10:30" in html


def test_the_home_page_shows_where_the_expert_stands_on_each_item(
    client, expert, meeting
):
    declared, scored, recommended = (AgendaItemFactory(meeting=meeting) for _ in "abc")
    for item in (declared, scored, recommended):
        declared_none(item, expert)
    ScoreFactory(agenda_item=scored, member=expert)
    RecommendationFactory(agenda_item=recommended)

    agenda = client.get(reverse("review:home")).context["agenda"]

    statuses = {line.item.pk: line.status for line in agenda.upcoming[0].lines}
    assert statuses == {
        declared.pk: "declared_none",
        scored.pk: "scored",
        recommended.pk: "recommended",
    }


def test_someone_with_no_seat_is_told_they_sit_on_no_committee(client, grantee):
    client.force_login(grantee)

    response = client.get(reverse("review:home"))

    assert response.status_code == 200
    assert "You do not sit on any committee" in page(response)


def test_before_declaring_the_expert_sees_only_the_heading_and_the_declaration(
    client, expert, item
):
    response = client.get(reverse("review:item", args=[item.pk]))

    assert response.status_code == 200
    html = page(response)
    assert item.project.reference in html
    assert item.project.organisation.name in html
    assert "Declaration of interest" in html
    assert "Second annual review." not in html
    assert reverse("review:item-brief", args=[item.pk]) not in html
    assert "score_form" not in response.context


def test_declaring_no_conflict_opens_the_papers_and_the_score_form(
    client, expert, item
):
    response = client.post(
        reverse("review:item", args=[item.pk]),
        {"action": "declare", "conflict": "none", "note": ""},
        follow=True,
    )

    declaration = ConflictDeclaration.objects.get(agenda_item=item, member=expert)
    assert declaration.conflict == ConflictDeclaration.Conflict.NONE
    html = page(response)
    assert "Second annual review." in html
    assert reverse("review:item-brief", args=[item.pk]) in html
    assert "progress against milestones" in html.lower()
    assert response.context["score_form"] is not None


def test_declaring_a_conflict_closes_the_item(client, expert, item):
    response = client.post(
        reverse("review:item", args=[item.pk]),
        {"action": "declare", "conflict": "relative", "note": "My brother is the PI."},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("review:home")
    assert "You take no part in item" in page(response)
    assert client.get(reverse("review:item", args=[item.pk])).status_code == 404


def test_a_conflict_without_a_note_is_refused_with_the_choice_kept(
    client, expert, item
):
    response = client.post(
        reverse("review:item", args=[item.pk]),
        {"action": "declare", "conflict": "financial", "note": " "},
    )

    assert response.status_code == 200
    assert "Say what the conflict is." in page(response)
    assert response.context["declaration_form"]["conflict"].value() == "financial"
    assert not ConflictDeclaration.objects.exists()


def test_the_papers_show_the_latest_report_certificates_and_the_request(
    client, expert, meeting
):
    project = ProjectFactory(ongoing=True)
    extension = ExtensionFactory(project=project, reason="Equipment delivered late.")
    item = AgendaItemFactory(
        meeting=meeting, project=project, kind="extension", extension=extension
    )
    ProgressReportFactory(
        milestone=MilestoneFactory(project=project),
        narrative="Old bench trials.",
        submitted_on=datetime.date(2025, 4, 20),
    )
    latest = ProgressReportFactory(
        milestone=MilestoneFactory(project=project),
        narrative="Pilot plant commissioned.",
        submitted_on=datetime.date(2025, 10, 25),
    )
    DocumentFactory(project=project, report=latest, original_name="annex.pdf")
    UtilisationCertificateFactory(project=project)
    declared_none(item, expert)

    response = client.get(reverse("review:item", args=[item.pk]))

    html = page(response)
    assert "Pilot plant commissioned." in html
    assert "Old bench trials." not in html
    assert "annex.pdf" in html
    assert "2024-25" in html
    assert "Equipment delivered late." in html
    assert extension.new_end_on.strftime("%d %b %Y") in html


def test_scoring_saves_through_the_service_and_prefills_the_form(client, expert, item):
    declared_none(item, expert)
    url = reverse("review:item", args=[item.pk])

    response = client.post(
        url,
        {
            "progress": "4",
            "outputs": "3",
            "use_of_funds": "5",
            "trl_likelihood": "2",
            "comment": "Good pilot data.",
        },
    )

    assert response.status_code == 302
    score = Score.objects.get(agenda_item=item, member=expert)
    assert (
        score.progress,
        score.outputs,
        score.use_of_funds,
        score.trl_likelihood,
    ) == (
        4,
        3,
        5,
        2,
    )
    form = client.get(url).context["score_form"]
    assert form.initial["use_of_funds"] == 5
    assert form.initial["comment"] == "Good pilot data."


def test_a_refused_score_shows_the_rule_on_the_form_with_the_input_kept(
    client, expert, item
):
    declared_none(item, expert)
    url = reverse("review:item", args=[item.pk])
    client.get(url)
    # The secretary records the recommendation while the expert is scoring.
    RecommendationFactory(agenda_item=item)

    response = client.post(
        url,
        {
            "progress": "4",
            "outputs": "3",
            "use_of_funds": "5",
            "trl_likelihood": "2",
            "comment": "Late thoughts.",
        },
    )

    assert response.status_code == 200
    assert "it is closed" in page(response)
    assert response.context["score_form"]["comment"].value() == "Late thoughts."
    assert not Score.objects.exists()


def test_scoring_is_closed_with_a_sentence_once_the_recommendation_is_recorded(
    client, expert, item
):
    declared_none(item, expert)
    RecommendationFactory(agenda_item=item)

    html = page(client.get(reverse("review:item", args=[item.pk])))

    assert "scoring is closed" in html
    assert "Record my score" not in html


def test_the_brief_is_a_pdf(client, expert, item):
    declared_none(item, expert)

    response = client.get(reverse("review:item-brief", args=[item.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_papers_wait_for_the_declaration(client, expert, item):
    response = client.get(reverse("review:item-brief", args=[item.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("review:item", args=[item.pk])


def test_the_latest_reports_file_downloads_and_no_other(client, expert, item):
    project = item.project
    report = ProgressReportFactory(milestone=MilestoneFactory(project=project))
    attached = DocumentFactory(project=project, report=report)
    loose = DocumentFactory(project=project)
    declared_none(item, expert)

    response = client.get(reverse("review:item-file", args=[item.pk, attached.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (
        client.get(reverse("review:item-file", args=[item.pk, loose.pk])).status_code
        == 404
    )


def test_an_expert_with_no_grantee_membership_lands_on_their_reviews(client, expert):
    response = client.get(reverse("home"))

    assert response["Location"] == reverse("review:home")
    assert reverse("review:home") in page(client.get(reverse("review:home")))


def test_a_grantee_still_lands_on_the_portal(client, grantee):
    client.force_login(grantee)

    assert client.get(reverse("home"))["Location"] == reverse("portal:home")


def test_the_home_page_costs_the_same_queries_for_one_item_or_five(
    client, expert, meeting
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("review:home")).status_code == 200
        return len(captured)

    def add_items(count):
        for _ in range(count):
            item = AgendaItemFactory(meeting=meeting)
            declared_none(item, expert)
            ScoreFactory(agenda_item=item, member=expert)
            ConflictDeclarationFactory(
                agenda_item=AgendaItemFactory(meeting=meeting),
                member=expert,
                conflict=ConflictDeclaration.Conflict.FINANCIAL,
                note="Shares in the company.",
            )

    add_items(1)
    client.get(reverse("review:home"))  # the session remembers the seat
    one = queries()
    add_items(4)
    MeetingFactory(committee=meeting.committee)
    five = queries()

    assert five == one


def test_a_conflict_found_in_the_papers_is_declared_on_the_item_page(
    client, item, expert
):
    declared_none(item, expert)
    url = reverse("review:item", args=[item.pk])
    assert "Declare a conflict of interest on this item" in page(client.get(url))

    response = client.post(
        url,
        {
            "action": "declare",
            "conflict": "collaborator",
            "note": "The papers name my co-author of 2025.",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("review:home")
    assert client.get(url).status_code == 404


def test_a_second_declaration_of_no_conflict_is_refused_on_the_form(
    client, item, expert
):
    declared_none(item, expert)

    response = client.post(
        reverse("review:item", args=[item.pk]),
        {"action": "declare", "conflict": "none", "note": ""},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in page(response)
