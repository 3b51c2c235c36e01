"""The home page and logging in: who lands where, and what a grantee sees first."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import page_cache
from tests.factories import (
    InstalmentFactory,
    MembershipFactory,
    OrganisationFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grantee(db):
    return MembershipFactory().user


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_staff_are_sent_to_the_staff_workspace(client, staff_user):
    client.force_login(staff_user)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_a_grantee_is_sent_to_the_portal(client, grantee):
    client.force_login(grantee)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_a_user_without_a_membership_is_sent_to_the_portal_which_says_so(client):
    client.force_login(UserFactory())

    response = client.get("/", follow=True)

    assert response.redirect_chain == [(reverse("portal:home"), 302)]
    assert "not a member of any grantee organisation" in response.content.decode()


def test_a_grantee_sees_only_their_organisations_projects(client, grantee):
    organisation = grantee.memberships.get().organisation
    own = ProjectFactory(organisation=organisation, reference="OWN-REE-0001")
    ProjectFactory(reference="OTHER-REE-0001")
    client.force_login(grantee)

    response = client.get("/", follow=True)

    assert response.status_code == 200
    assert list(response.context["projects"]) == [own]
    html = response.content.decode()
    assert "OWN-REE-0001" in html
    assert "OTHER-REE-0001" not in html


def test_a_grantee_sees_released_and_pending_money_with_indian_grouping(
    client, grantee
):
    organisation = grantee.memberships.get().organisation
    project = ProjectFactory(organisation=organisation, sanctioned_amount=6_000_000)
    InstalmentFactory(project=project, amount=2_000_000, released=True)
    client.force_login(grantee)

    html = client.get("/", follow=True).content.decode()

    # The template filter keeps the sign and the figure together (no-break space).
    assert "₹\u00a060,00,000" in html
    assert "₹\u00a020,00,000" in html
    assert "₹\u00a040,00,000" in html


def test_an_inactive_membership_shows_no_projects(client):
    membership = MembershipFactory(is_active=False)
    ProjectFactory(organisation=membership.organisation, reference="HIDDEN-REE-01")
    client.force_login(membership.user)

    response = client.get("/", follow=True)

    assert response.status_code == 200
    assert list(response.context["projects"]) == []
    assert "HIDDEN-REE-01" not in response.content.decode()
    assert "not a member of any grantee organisation" in response.content.decode()


def test_the_redirect_runs_no_query_beyond_the_session_and_user(client, grantee):
    client.force_login(grantee)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/")

    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "grants_project" not in tables


def test_the_portal_home_queries_do_not_grow_with_projects(client, grantee):
    organisation = grantee.memberships.get().organisation
    project = ProjectFactory(organisation=organisation)
    InstalmentFactory(project=project, released=True)
    client.force_login(grantee)
    client.get(reverse("portal:home"))  # warm the per-process caches
    page_cache.clear()  # the page is rendered, not read from the page cache
    with CaptureQueriesContext(connection) as baseline:
        client.get(reverse("portal:home"))

    for project in ProjectFactory.create_batch(10, organisation=organisation):
        InstalmentFactory(project=project, released=True)
    client.get(reverse("portal:home"))  # refreshes the new projects' summaries
    page_cache.clear()
    with CaptureQueriesContext(connection) as grown:
        response = client.get(reverse("portal:home"))

    assert len(response.context["projects"]) == 11
    assert len(grown) == len(baseline)


def test_the_login_page_renders(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_logging_in_with_the_right_password_opens_the_home_page(client, grantee):
    response = client.post(
        reverse("login"),
        {"username": grantee.username, "password": "test-pass-123"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get("/", follow=True).status_code == 200


def test_logging_in_with_a_wrong_password_is_refused(client, grantee):
    response = client.post(
        reverse("login"),
        {"username": grantee.username, "password": "not-the-password"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/").status_code == 302


def test_logging_in_returns_to_the_page_asked_for(client):
    user = UserFactory(is_staff=True)

    response = client.post(
        reverse("login"),
        {"username": user.username, "password": "test-pass-123", "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_the_login_page_shows_the_illustrative_banner_when_demo_records_exist(
    client,
):
    OrganisationFactory(is_illustrative=True)

    response = client.get(reverse("login"))

    assert "Illustrative data" in response.content.decode()


def test_the_login_page_has_no_illustrative_banner_without_demo_records(client):
    OrganisationFactory(is_illustrative=False)

    response = client.get(reverse("login"))

    assert "Illustrative data" not in response.content.decode()


def test_the_favicon_is_served_to_anyone_and_linked_from_the_admin(
    client, admin_client
):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("img/favicon.svg")
    assert "img/favicon.svg" in admin_client.get("/admin/").content.decode()
