"""Who sees what through the API: the portal's rule, walked over every endpoint.

As the portal's walk does (tests/test_portal_access.py), the patterns are read
from the URLconf, so a new endpoint is covered as soon as it is added: a member
of organisation A who names organisation B's object gets a 404 for every method
the endpoint takes, and nothing is written.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from grants.models import (
    ApiRequest,
    Document,
    Instalment,
    Milestone,
    ProgressReport,
    Project,
    UtilisationCertificate,
)
from tests.api import api_client
from tests.factories import StaffUserFactory
from tests.test_portal_access import build_organisation_world as portal_world
from tests.test_portal_access import counts

pytestmark = pytest.mark.django_db

# The object a route needs, where it is not the first of its model in the world.
OBJECT_FOR_ROUTE = {"milestone-certificate": "uc_milestone"}


def build_organisation_world():
    """The portal walk's organisation, with its instalment named as well."""
    world = portal_world()
    world[Instalment] = Instalment.objects.get(project=world[Project])
    return world


def api_patterns():
    """Yield (name, kwarg names, view class, methods) for every pattern under api:."""
    _prefix, resolver = get_resolver().namespace_dict["api"]

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                callback = pattern.callback
                actions = getattr(callback, "actions", None)
                view_class = getattr(callback, "cls", None)
                methods = (
                    sorted(actions)
                    if actions
                    else [
                        method
                        for method in ("get", "post")
                        if view_class is not None and hasattr(view_class, method)
                    ]
                )
                yield (
                    pattern.name,
                    list(pattern.pattern.regex.groupindex),
                    view_class,
                    methods,
                )

    yield from walk(resolver.url_patterns)


def object_url(name, view_class, world):
    found = world[OBJECT_FOR_ROUTE.get(name, view_class.model)]
    return reverse(f"api:{name}", kwargs={"pk": found.pk})


def call(client, method, url):
    return getattr(client, method)(url, {}, format="json")


def test_the_walker_finds_every_endpoint():
    names = {name for name, *_rest in api_patterns()}

    assert {
        "project-list",
        "project-detail",
        "project-certificate",
        "budget-line-detail",
        "instalment-detail",
        "certificate-detail",
        "certificate-accept",
        "certificate-return-it",
        "milestone-detail",
        "milestone-report",
        "milestone-certificate",
        "report-detail",
        "report-accept",
        "report-return-it",
        "document-detail",
        "document-file",
        "dashboard",
    } <= names


def test_every_endpoint_with_another_organisations_object_is_a_404():
    mine = build_organisation_world()
    theirs = build_organisation_world()
    client = api_client(mine["user"])
    before = counts()
    checked = []

    for name, kwargs, view_class, methods in api_patterns():
        if kwargs != ["pk"]:
            continue
        url = object_url(name, view_class, theirs)
        for method in methods:
            response = call(client, method, url)
            assert response.status_code == 404, (
                f"{method.upper()} {url} (api:{name}) answered "
                f"{response.status_code} for another organisation's object"
            )
            assert response["Content-Type"] == "application/problem+json"
        checked.append(name)

    assert counts() == before
    assert {"project-detail", "milestone-report", "document-file"} <= set(checked)


def test_every_endpoint_with_the_members_own_object_is_found():
    mine = build_organisation_world()
    build_organisation_world()
    client = api_client(mine["user"])

    for name, kwargs, view_class, methods in api_patterns():
        if kwargs != ["pk"]:
            continue
        url = object_url(name, view_class, mine)
        for method in methods:
            response = call(client, method, url)
            # An empty body is refused (400), a decision is not a member's (403):
            # but the object is found.
            assert response.status_code in (200, 400, 403), (
                f"{method.upper()} {url} (api:{name}) answered {response.status_code}"
            )


@pytest.mark.parametrize(
    "name",
    [
        "project-list",
        "milestone-list",
        "report-list",
        "certificate-list",
        "document-list",
        "instalment-list",
        "budget-line-list",
    ],
)
def test_a_members_lists_hold_only_their_organisations_rows(name):
    mine = build_organisation_world()
    theirs = build_organisation_world()

    rows = api_client(mine["user"]).get(reverse(f"api:{name}")).json()["results"]

    key = "id" if name == "project-list" else "project"
    assert rows
    assert {row[key] for row in rows} == {mine[Project].pk}
    assert theirs[Project].pk != mine[Project].pk


def test_anonymous_requests_are_refused_everywhere_with_401(settings):
    # Every refusal here comes from one address: it may ask as often as it likes.
    settings.KHANIJ_API_REFUSALS_PER_MINUTE = 10_000
    world = build_organisation_world()
    client = api_client()

    for name, kwargs, view_class, methods in api_patterns():
        if name in ("schema", "docs", "redoc", "not-found"):
            continue
        url = (
            object_url(name, view_class, world)
            if kwargs == ["pk"]
            else reverse(f"api:{name}")
        )
        for method in methods:
            response = call(client, method, url)
            assert response.status_code == 401, f"{method.upper()} api:{name}"
            assert response["WWW-Authenticate"] == "Token"


def test_a_grantee_may_not_read_the_dashboard():
    world = build_organisation_world()

    response = api_client(world["user"]).get(reverse("api:dashboard"))

    assert response.status_code == 403


def test_staff_read_what_their_role_allows(programme_officer):
    world = build_organisation_world()
    no_role = StaffUserFactory()
    officer = api_client(programme_officer)

    for name in ("project-list", "report-list", "document-list", "dashboard"):
        assert officer.get(reverse(f"api:{name}")).status_code == 200
    assert (
        officer.get(
            reverse("api:report-detail", args=[world[ProgressReport].pk])
        ).status_code
        == 200
    )
    refused = api_client(no_role).get(reverse("api:project-list"))
    assert refused.status_code == 403
    assert "projects" in refused.json()["detail"]
    assert api_client(no_role).get(reverse("api:dashboard")).status_code == 403


def test_no_method_describes_another_organisations_object():
    api_client_of_mine = api_client(build_organisation_world()["user"])
    theirs = build_organisation_world()

    response = api_client_of_mine.options(
        reverse("api:project-detail", args=[theirs[Project].pk])
    )

    assert response.status_code in (404, 405)
    assert theirs[Project].reference not in response.content.decode()


def test_an_address_the_api_does_not_have_is_a_logged_problem(grantee):
    response = api_client(grantee).get("/api/v1/projects/1/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert ApiRequest.objects.get().path == "/api/v1/projects/1/nothing-here/"


def test_a_decision_needs_the_permission_its_page_needs(programme_officer):
    world = build_organisation_world()
    certificate = world[UtilisationCertificate]
    certificate.status = UtilisationCertificate.Status.SUBMITTED
    certificate.save()

    response = api_client(programme_officer).post(
        reverse("api:certificate-accept", args=[certificate.pk]),
        {"decided_on": "2026-12-01"},
        format="json",
    )

    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == UtilisationCertificate.Status.SUBMITTED


def test_finance_reads_documents_of_every_organisation():
    world = build_organisation_world()
    finance = StaffUserFactory()
    finance.groups.add(Group.objects.get(name="Finance officer"))

    response = api_client(finance).get(
        reverse("api:document-file", args=[world[Document].pk])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert world[Milestone].project_id == world[Document].project_id
