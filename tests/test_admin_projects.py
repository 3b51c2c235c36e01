"""The admin's project list: its search finds what Django's search found, its money
columns are the summary's, and a page of it runs the same queries however many
projects there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import summaries
from grants.admin import ProjectAdmin
from grants.models import Element, Project
from tests.factories import (
    InstalmentFactory,
    ProjectFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db

# A list page's ceiling, whatever the number of projects: the session (read and
# saved) and user, the summaries' freshness, the filters' choices, the search's
# elements, one count-and-total, the page, the date hierarchy's
# range and years, the illustrative-data banner.
QUERY_CEILING = 15


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def changelist_url():
    return reverse("admin:grants_project_changelist")


def listed(admin_client, **params):
    response = admin_client.get(changelist_url(), params)
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def sort_by(column):
    """The admin's ``o`` parameter for a column; the action checkbox is column 0."""
    return str(ProjectAdmin.list_display.index(column) + 1)


# Searching ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_fields", "search"),
    [
        ({"reference": "MINES-2025-077"}, "2025-077"),
        ({"title": "Solvent extraction of dysprosium"}, "dysprosium"),
        ({"organisation__name": "Konkan University"}, "konkan"),
        ({"principal_investigator__display_name": "Dr Meera Iyer"}, "meera iyer"),
        ({"sanction_order_number": "MOM/RD/2024/113"}, "MOM/RD/2024/113"),
        ({"sanction_order_number": "MOM/RD/2024/113"}, " mom/rd/2024/113 "),
        ({"sanction_order_number": "MOM/RD/2024/113"}, "2024/113"),
    ],
    ids=[
        "reference",
        "title",
        "organisation",
        "principal investigator",
        "sanction order number",
        "sanction order number in small letters",
        "part of a sanction order number",
    ],
)
def test_the_admin_search_finds_a_project_by_each_kind_of_word(
    admin_client, project_fields, search
):
    wanted = ProjectFactory(**project_fields)
    ProjectFactory()

    assert listed(admin_client, q=search) == {wanted}


def test_the_admin_search_needs_every_word_somewhere(admin_client):
    wanted = ProjectFactory(
        title="Solvent extraction of dysprosium",
        organisation__name="Konkan University",
    )
    ProjectFactory(title="Solvent extraction of neodymium")

    assert listed(admin_client, q="konkan SOLVENT") == {wanted}


def test_an_element_symbol_in_the_admin_search_means_the_element_as_on_the_table(
    admin_client,
):
    magnets = ProjectFactory(title="Sintered magnets from recycled swarf")
    magnets.elements.set([Element.objects.get(symbol="Nd")])
    ProjectFactory(title="Rare earths and thorium from monazite sands")

    assert listed(admin_client, q="Nd") == {magnets}


def test_a_search_shows_the_count_found_without_counting_every_project(admin_client):
    ProjectFactory(title="Solvent extraction of dysprosium")
    ProjectFactory()

    response = admin_client.get(changelist_url(), {"q": "dysprosium"})

    changelist = response.context["cl"]
    assert changelist.result_count == 1
    assert changelist.show_full_result_count is False
    assert "1 result" in response.content.decode()


# Money --------------------------------------------------------------------------------


def test_the_list_shows_the_released_and_pending_figures_of_the_summary(admin_client):
    project = ProjectFactory(sanctioned_amount=6_000_000)
    InstalmentFactory(project=project, amount=2_000_000, released=True)

    response = admin_client.get(changelist_url())

    (row,) = response.context["cl"].result_list
    assert row.summary.released == 2_000_000
    html = response.content.decode()
    assert "₹\u00a020,00,000" in html  # released
    assert "₹\u00a040,00,000" in html  # pending


def test_the_list_sorts_by_the_released_amount(admin_client):
    little, much = ProjectFactory(), ProjectFactory()
    InstalmentFactory(project=little, amount=1_000_000, released=True)
    InstalmentFactory(project=much, amount=3_000_000, released=True)

    response = admin_client.get(
        changelist_url(), {"o": f"-{sort_by('released_display')}"}
    )

    assert list(response.context["cl"].result_list) == [much, little]


def test_the_list_sorts_by_the_pending_amount(admin_client):
    little, much = ProjectFactory(), ProjectFactory()
    InstalmentFactory(project=little, amount=5_000_000, released=True)
    InstalmentFactory(project=much, amount=1_000_000, released=True)

    response = admin_client.get(changelist_url(), {"o": sort_by("pending_display")})

    assert list(response.context["cl"].result_list) == [little, much]


def test_the_change_page_shows_the_money_released_since_the_last_visit(admin_client):
    project = ProjectFactory(sanctioned_amount=6_000_000)
    url = reverse("admin:grants_project_change", args=[project.pk])
    admin_client.get(url)

    InstalmentFactory(project=project, amount=2_000_000, released=True)
    response = admin_client.get(url)

    html = response.content.decode()
    assert "₹\u00a020,00,000" in html
    assert "₹\u00a040,00,000" in html


# Queries ------------------------------------------------------------------------------


def add_projects(count):
    """Projects with released money and accepted certificates, over two years."""
    for n in range(count):
        project = ProjectFactory(
            title=f"Solvent extraction of dysprosium {n}",
            sanctioned_on=datetime.date(2023 + n % 2, 6, 1),
        )
        InstalmentFactory(project=project, released=True)
        UtilisationCertificateFactory(project=project, accepted=True)
    # As the first reader after these changes would; refreshing is the summaries'
    # cost, not the list's.
    summaries.bring_up_to_date()


def queries_for(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(), params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "dysprosium"},
        {"o": f"-{sort_by('released_display')}"},
        {"status__exact": Project.Status.SANCTIONED},
        {"sanctioned_on__year": "2024"},
    ],
    ids=["plain", "searched", "sorted by released", "filtered", "one year"],
)
def test_a_page_of_the_list_runs_the_same_few_queries_for_many_projects(
    admin_client, params
):
    add_projects(3)
    admin_client.get(changelist_url(), params)  # warm the per-process caches
    few = queries_for(admin_client, params)

    add_projects(40)
    many = queries_for(admin_client, params)

    assert many == few
    assert many <= QUERY_CEILING
