"""Conflict of interest in one place: every reviewer URL, walked from the URLconf.

An expert who declared a conflict on an item, whose own institution is the
grantee, or who does not sit on the item's committee gets a 404 for GET and POST
alike on every URL that takes the item, and nothing is written. The patterns are
read from the URLconf, so a new reviewer page is walked as soon as it is added; a
URL argument the walker cannot fill fails the test until it is taught.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from grants.models import CommitteeMember, ConflictDeclaration, Score
from tests.factories import (
    AgendaItemFactory,
    CommitteeMemberFactory,
    ConflictDeclarationFactory,
    DocumentFactory,
    MeetingFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProgressReportFactory,
    ProjectFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

# What a POST tries to write: a declaration of no conflict, and a score.
ATTEMPT = {
    "action": "declare",
    "conflict": "none",
    "note": "",
    "progress": "5",
    "outputs": "5",
    "use_of_funds": "5",
    "trl_likelihood": "5",
    "comment": "Let me in.",
}


def with_papers(item):
    """Give the item's project a latest report with a file; return the file."""
    report = ProgressReportFactory(milestone=MilestoneFactory(project=item.project))
    return DocumentFactory(project=item.project, report=report)


def build_world():
    """An expert's committee and meeting with one open item and three closed ones."""
    own_institution = OrganisationFactory()
    seat = CommitteeMemberFactory(organisation=own_institution)
    expert = seat.user
    meeting = MeetingFactory(committee=seat.committee)
    open_item = AgendaItemFactory(meeting=meeting)
    ConflictDeclarationFactory(agenda_item=open_item, member=expert)
    conflicted = AgendaItemFactory(meeting=meeting)
    ConflictDeclarationFactory(
        agenda_item=conflicted,
        member=expert,
        conflict=ConflictDeclaration.Conflict.COLLABORATOR,
        note="Co-author of the PI in 2024.",
    )
    own = AgendaItemFactory(
        meeting=meeting,
        project=ProjectFactory(organisation=own_institution, ongoing=True),
    )
    other_committee = AgendaItemFactory()
    items = {
        "open": open_item,
        "conflicted": conflicted,
        "own institution": own,
        "another committee": other_committee,
    }
    documents = {key: with_papers(item) for key, item in items.items()}
    return {"expert": expert, "items": items, "documents": documents}


def review_patterns():
    """Yield (name, kwarg names) for every pattern under review:."""
    _prefix, resolver = get_resolver().namespace_dict["review"]

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern.name, list(pattern.pattern.regex.groupindex)

    yield from walk(resolver.url_patterns)


def item_url(name, kwargs, world, key):
    """The pattern's URL for one of the world's items (``item_pk`` then ``pk`` the
    item's file; ``pk`` alone the item)."""
    values = {}
    for kwarg in kwargs:
        if kwarg == "item_pk":
            values[kwarg] = world["items"][key].pk
        elif kwarg == "pk" and "item_pk" in kwargs:
            values[kwarg] = world["documents"][key].pk
        elif kwarg == "pk":
            values[kwarg] = world["items"][key].pk
        else:
            pytest.fail(
                f"review:{name} takes <{kwarg}>, which the access walker cannot "
                "fill: teach it (item_url)."
            )
    return reverse(f"review:{name}", kwargs=values)


def item_patterns():
    return [(name, kwargs) for name, kwargs in review_patterns() if kwargs]


def written():
    return (ConflictDeclaration.objects.count(), Score.objects.count())


def test_the_walker_finds_every_reviewer_page():
    names = {name for name, _kwargs in review_patterns()}
    assert {"home", "item", "item-brief", "item-file"} <= names
    assert {name for name, _kwargs in item_patterns()} >= {
        "item",
        "item-brief",
        "item-file",
    }


@pytest.mark.parametrize(
    "closed", ["conflicted", "own institution", "another committee"]
)
def test_every_reviewer_url_of_a_closed_item_is_a_404_and_writes_nothing(
    client, closed
):
    world = build_world()
    client.force_login(world["expert"])
    before = written()

    for name, kwargs in item_patterns():
        url = item_url(name, kwargs, world, closed)
        for method in (client.get, client.post):
            response = method(url, ATTEMPT) if method == client.post else method(url)
            assert response.status_code == 404, (
                f"{method.__name__.upper()} {url} (review:{name}) answered "
                f"{response.status_code} for an item {closed}"
            )

    assert written() == before


def test_every_reviewer_url_of_the_open_item_works(client):
    world = build_world()
    client.force_login(world["expert"])

    for name, kwargs in item_patterns():
        url = item_url(name, kwargs, world, "open")
        response = client.get(url)
        assert response.status_code == 200, f"GET {url} (review:{name})"


def test_the_home_page_names_only_the_open_item(client):
    world = build_world()
    client.force_login(world["expert"])

    html = client.get(reverse("review:home")).content.decode()

    assert world["items"]["open"].project.reference in html
    for key in ("conflicted", "own institution", "another committee"):
        assert world["items"][key].project.reference not in html
        assert world["items"][key].project.title not in html
    assert "You take no part in 2 items of this meeting" in html


def test_a_grantee_finds_no_item_even_about_their_own_project(client, grantee):
    world = build_world()
    own = AgendaItemFactory(
        meeting=world["items"]["open"].meeting,
        project=ProjectFactory(organisation=grantee.memberships.get().organisation),
    )
    client.force_login(grantee)
    before = written()

    for name, kwargs in item_patterns():
        for key in world["items"]:
            url = item_url(name, kwargs, world, key)
            assert client.get(url).status_code == 404, url
            assert client.post(url, ATTEMPT).status_code == 404, url
    assert client.get(reverse("review:item", args=[own.pk])).status_code == 404
    assert written() == before


def test_staff_without_a_seat_find_no_item(client):
    world = build_world()
    client.force_login(StaffUserFactory())

    for name, kwargs in item_patterns():
        url = item_url(name, kwargs, world, "open")
        assert client.get(url).status_code == 404, url


def test_staff_with_a_seat_use_the_same_pages(client):
    world = build_world()
    item = world["items"]["open"]
    staff = CommitteeMemberFactory(
        committee=item.meeting.committee, user=StaffUserFactory()
    ).user
    client.force_login(staff)

    assert client.get(reverse("review:item", args=[item.pk])).status_code == 200
    assert item.project.reference in client.get(reverse("review:home")).content.decode()


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    world = build_world()

    for name, kwargs in review_patterns():
        url = item_url(name, kwargs, world, "open")
        response = client.get(url)
        assert response.status_code == 302, f"review:{name}"
        assert response["Location"].startswith(reverse("login")), f"review:{name}"


def test_a_seat_that_ended_closes_every_item(client):
    world = build_world()
    client.force_login(world["expert"])
    url = reverse("review:item", args=[world["items"]["open"].pk])
    assert client.get(url).status_code == 200

    CommitteeMember.objects.filter(user=world["expert"]).update(is_active=False)

    assert client.get(url).status_code == 404


def test_an_expert_is_refused_the_staff_workspace(client):
    world = build_world()
    client.force_login(world["expert"])

    response = client.get("/staff/")

    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert not response["Location"].startswith("/staff/")


def test_an_expert_sees_nothing_of_a_grantee_in_the_portal(client, grantee):
    world = build_world()
    project = ProjectFactory(organisation=grantee.memberships.get().organisation)
    client.force_login(world["expert"])

    home = client.get(reverse("portal:home"))

    assert project.reference not in home.content.decode()
    assert world["items"]["open"].project.reference not in home.content.decode()
    detail = reverse("portal:project-detail", args=[project.pk])
    assert client.get(detail).status_code == 404
    assert (
        client.get(
            reverse("portal:project-detail", args=[world["items"]["open"].project.pk])
        ).status_code
        == 404
    )
