"""Access in one place: every portal URL, walked from the URLconf.

A member of organisation A who asks for organisation B's project, milestone,
report, certificate or document gets a 404 for GET and POST alike, and nothing is
written; with A's own objects every page works. The patterns are read from the
URLconf, so a new portal page is covered as soon as it is added, and a page with
a URL argument the walker cannot fill fails the test until it is taught.
"""

import datetime
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from grants import services
from grants.models import (
    Asset,
    AssetDisposal,
    BudgetLine,
    Document,
    Extension,
    Membership,
    Milestone,
    ProgressReport,
    Project,
    Reappropriation,
    UtilisationCertificate,
)
from tests.factories import (
    AssetDisposalFactory,
    AssetFactory,
    BudgetLineFactory,
    DocumentFactory,
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReappropriationFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db


def build_organisation_world():
    """An organisation with its PI and one of everything the portal shows."""
    membership = MembershipFactory(role=Membership.Role.PRINCIPAL_INVESTIGATOR)
    project = ProjectFactory(organisation=membership.organisation)
    InstalmentFactory(
        project=project,
        sequence=1,
        planned_on=datetime.date(2024, 4, 10),
        released=True,
    )
    report_milestone = MilestoneFactory(
        project=project,
        kind=Milestone.Kind.PROGRESS_REPORT,
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2024, 9, 30),
        due_on=datetime.date(2024, 10, 30),
    )
    uc_milestone = MilestoneFactory(
        project=project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        title="Annual UC 2024-25 (GFR 12-A)",
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 3, 31),
        due_on=datetime.date(2025, 6, 30),
    )
    reported = MilestoneFactory(project=project, status=Milestone.Status.SUBMITTED)
    report = ProgressReportFactory(milestone=reported)
    certificate = UtilisationCertificateFactory(
        project=project,
        period_start=datetime.date(2023, 4, 1),
        period_end=datetime.date(2024, 3, 31),
        grant_received=0,
        expenditure=0,
    )
    document = DocumentFactory(project=project, certificate=certificate)
    # The budget, Rs 60,00,000 in three lines, and a request to move some of it.
    equipment, *_others = [
        BudgetLineFactory(project=project, head=head, project_year=year, amount=amount)
        for head, year, amount in [
            (BudgetLine.Head.EQUIPMENT, 1, 3_000_000),
            (BudgetLine.Head.CONSUMABLES, 1, 1_500_000),
            (BudgetLine.Head.CONSUMABLES, 2, 1_500_000),
        ]
    ]
    reappropriation = ReappropriationFactory(project=project)
    # The register of assets: one asset with its invoice, and one whose disposal
    # is waiting for the ministry.
    invoice = DocumentFactory(
        project=project, kind=Document.Kind.ASSET_INVOICE, original_name="bill.pdf"
    )
    asset = AssetFactory(project=project, invoice=invoice, budget_line=equipment)
    disposal = AssetDisposalFactory(asset=AssetFactory(project=project))
    user = membership.user
    services.regenerate_calendar_token(user)
    revoked = user.calendar_token
    services.regenerate_calendar_token(user)
    return {
        "user": user,
        Project: project,
        Milestone: report_milestone,
        "uc_milestone": uc_milestone,
        ProgressReport: report,
        UtilisationCertificate: certificate,
        Document: document,
        BudgetLine: equipment,
        Reappropriation: reappropriation,
        Asset: asset,
        AssetDisposal: disposal,
        "token": user.calendar_token,
        "revoked_token": revoked,
    }


# URL arguments by name; ``pk`` means the view's own model.
MODEL_KWARGS = {
    "project_pk": Project,
    "milestone_pk": Milestone,
    "report_pk": ProgressReport,
    "certificate_pk": UtilisationCertificate,
    "document_pk": Document,
}
# Where a page needs a particular object of its model.
OBJECT_FOR_PAGE = {"milestone-certificate-submit": "uc_milestone"}


def portal_patterns():
    """Yield (name, kwarg names, view class) for every pattern under portal:."""
    _prefix, resolver = get_resolver().namespace_dict["portal"]

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                kwargs = list(pattern.pattern.regex.groupindex)
                view_class = getattr(pattern.callback, "view_class", None)
                yield pattern.name, kwargs, view_class

    yield from walk(resolver.url_patterns)


def fill(name, kwarg, view_class, world, *, own):
    """Return the value for one URL argument, from one organisation's world."""
    if kwarg == "token":
        # The feed is found by its secret alone: someone else's token is not
        # "their object" but a credential. What must fail is any token that is
        # not a live one, such as a revoked token.
        return world["token"] if own else world["revoked_token"]
    if kwarg == "pk":
        model = getattr(view_class, "model", None)
    else:
        model = MODEL_KWARGS.get(kwarg)
    if model is None:
        pytest.fail(
            f"portal:{name} takes <{kwarg}>, which the access walker cannot fill: "
            f"teach it (MODEL_KWARGS, or a `model` on the view)."
        )
    return world[OBJECT_FOR_PAGE.get(name, model)].pk


def reverse_for(name, kwargs, view_class, world, *, own):
    values = {k: fill(name, k, view_class, world, own=own) for k in kwargs}
    return reverse(f"portal:{name}", kwargs=values)


def counts():
    return (
        ProgressReport.objects.count(),
        UtilisationCertificate.objects.count(),
        Document.objects.count(),
        Milestone.objects.filter(status=Milestone.Status.SUBMITTED).count(),
        Extension.objects.count(),
        Reappropriation.objects.count(),
        Asset.objects.count(),
        AssetDisposal.objects.count(),
        list(BudgetLine.objects.order_by("pk").values_list("pk", "amount")),
    )


def test_the_walker_finds_the_portal_pages():
    names = {name for name, _kwargs, _view in portal_patterns()}

    assert {
        "home",
        "due",
        "project-detail",
        "report-submit",
        "certificate-submit",
        "milestone-certificate-submit",
        "report-detail",
        "certificate-detail",
        "document-upload",
        "extension-request",
        "reappropriations",
        "assets",
        "calendar",
        "calendar-feed",
    } <= names
    assert all(name for name in names), "every portal pattern needs a name"


def test_every_portal_page_with_another_organisations_object_is_a_404(client):
    mine = build_organisation_world()
    theirs = build_organisation_world()
    client.force_login(mine["user"])
    before = counts()
    checked = []

    for name, kwargs, view_class in portal_patterns():
        if not kwargs:
            continue
        url = reverse_for(name, kwargs, view_class, theirs, own=False)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, (
                f"{method.__name__.upper()} {url} (portal:{name}) answered "
                f"{response.status_code} for another organisation's object"
            )
        checked.append(name)

    assert counts() == before
    assert {"project-detail", "reappropriations", "assets"} <= set(checked)
    assert "calendar-feed" in checked


def test_every_portal_page_with_the_members_own_objects_works(client):
    mine = build_organisation_world()
    build_organisation_world()
    client.force_login(mine["user"])

    for name, kwargs, view_class in portal_patterns():
        url = reverse_for(name, kwargs, view_class, mine, own=True)
        response = client.get(url)
        assert response.status_code in (200, 302), (
            f"GET {url} (portal:{name}) answered {response.status_code}"
        )
        response = client.post(url)
        allowed = {200, 302}
        if not hasattr(view_class, "post"):
            allowed.add(405)
        assert response.status_code in allowed, (
            f"POST {url} (portal:{name}) answered {response.status_code}"
        )


def test_every_portal_page_sends_an_anonymous_visitor_to_log_in(client):
    world = build_organisation_world()

    for name, kwargs, view_class in portal_patterns():
        if name == "calendar-feed":
            continue  # found by its secret; tested in test_calendar.py
        url = reverse_for(name, kwargs, view_class, world, own=True)
        response = client.get(url)
        assert response.status_code == 302, f"portal:{name}"
        assert response["Location"].startswith(reverse("login")), f"portal:{name}"


def test_a_former_member_loses_access_at_once(client):
    world = build_organisation_world()
    client.force_login(world["user"])
    url = reverse("portal:project-detail", args=[world[Project].pk])
    assert client.get(url).status_code == 200

    Membership.objects.filter(user=world["user"]).update(is_active=False)

    assert client.get(url).status_code == 404


def test_a_member_of_two_organisations_sees_both(client):
    first = build_organisation_world()
    second = build_organisation_world()
    MembershipFactory(
        user=first["user"],
        organisation=second[Project].organisation,
        role=Membership.Role.CO_INVESTIGATOR,
    )
    client.force_login(first["user"])

    for world in (first, second):
        url = reverse("portal:project-detail", args=[world[Project].pk])
        assert client.get(url).status_code == 200


def test_staff_see_no_grantee_objects_in_the_portal(client, staff_user):
    world = build_organisation_world()
    client.force_login(staff_user)

    url = reverse("portal:project-detail", args=[world[Project].pk])

    assert client.get(url).status_code == 404


def without_csrf(response) -> str:
    """The page without its CSRF token, which is masked afresh on every response,
    and without the language switch's return address, which is the address asked for.
    """
    page = re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode())
    return re.sub(r'name="next" value="[^"]*"', 'name="next"', page)


def test_another_organisations_project_looks_exactly_like_one_that_does_not_exist(
    client,
):
    mine = build_organisation_world()
    theirs = build_organisation_world()
    client.force_login(mine["user"])
    missing = Project.objects.order_by("-pk").first().pk + 1000

    theirs_response = client.get(
        reverse("portal:project-detail", args=[theirs[Project].pk])
    )
    missing_response = client.get(reverse("portal:project-detail", args=[missing]))

    assert theirs_response.status_code == missing_response.status_code == 404
    assert without_csrf(theirs_response) == without_csrf(missing_response)
    assert theirs[Project].reference not in theirs_response.content.decode()


def test_the_walker_refuses_a_url_argument_it_cannot_fill():
    world = build_organisation_world()

    with pytest.raises(pytest.fail.Exception, match="cannot fill"):
        fill("new-page", "grant_pk", None, world, own=True)
