"""Cached page parts: rendered once per change to the portfolio, never stale."""

import datetime
import logging

import pytest
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from grants import page_cache, services
from grants.services import delivery
from tests.factories import (
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    ReminderFactory,
)

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 22)


@pytest.fixture
def staff_client(client, programme_officer):
    client.force_login(programme_officer)
    return client


def dashboard(client):
    response = client.get(reverse("staff:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.usefixtures("demo_morning")
def test_a_release_shows_on_the_next_dashboard_read(staff_client, finance_officer):
    project = ProjectFactory(ongoing=True, sanctioned_amount=10_00_000)
    instalment = InstalmentFactory(
        project=project, sequence=1, amount=3_21_000, planned_on=ON
    )
    # The headline's exact released figure: "₹ 3,21,000 · 32% of sanction".
    assert "3,21,000 · " not in dashboard(staff_client)

    services.release_instalment(
        instalment,
        released_on=ON,
        release_order_number="RO/cache",
        released_by=finance_officer,
    )

    assert "3,21,000 · " in dashboard(staff_client)


@pytest.mark.usefixtures("demo_morning")
def test_an_unchanged_portfolio_is_read_from_the_cache(staff_client):
    ProjectFactory(ongoing=True)
    first = dashboard(staff_client)

    with CaptureQueriesContext(connection) as queries:
        second = dashboard(staff_client)

    def body(page):  # the part cached: the base template's CSRF token differs
        return page.split('<div class="page-head">')[1].split("</main>")[0]

    assert body(second) == body(first)
    assert not [query for query in queries if "grants_portfoliorollup" in query["sql"]]
    assert not [query for query in queries if "grants_milestone" in query["sql"]]


@pytest.mark.usefixtures("demo_morning")
def test_each_language_has_its_own_cached_dashboard(staff_client, programme_officer):
    ProjectFactory(ongoing=True)
    english = dashboard(staff_client)

    programme_officer.preferred_language = "hi"
    programme_officer.save(update_fields=["preferred_language"])
    hindi = dashboard(staff_client)

    assert "Portfolio dashboard" in english
    assert "Portfolio dashboard" not in hindi
    with translation.override("hi"):
        assert translation.gettext("Portfolio dashboard") in hindi


def test_every_save_and_delete_of_a_portfolio_row_changes_the_version():
    before = page_cache.version()
    project = ProjectFactory()
    after_save = page_cache.version()
    project.delete()

    assert len({before, after_save, page_cache.version()}) == 3


def test_the_version_changes_again_when_the_change_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ProjectFactory()
        at_the_save = page_cache.version()

    assert page_cache._new_version in callbacks
    assert page_cache.version() != at_the_save


def test_logging_in_leaves_the_cached_parts_alone(programme_officer, rf):
    before = page_cache.version()

    user_logged_in.send(
        sender=type(programme_officer), request=rf.get("/"), user=programme_officer
    )

    assert page_cache.version() == before


def test_a_part_is_rendered_once_per_version():
    renders = []

    def render():
        renders.append(1)
        return f"<p>{len(renders)}</p>"

    assert page_cache.fragment("part", render=render) == "<p>1</p>"
    assert page_cache.fragment("part", render=render) == "<p>1</p>"
    page_cache.portfolio_changed()
    assert page_cache.fragment("part", render=render) == "<p>2</p>"


def test_a_cache_that_is_down_does_not_undo_a_save(settings, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1.
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }

    with caplog.at_level(logging.ERROR, logger="grants.page_cache"):
        project = ProjectFactory()

    assert project.pk
    assert "Could not mark the cached pages out of date" in caplog.text


def test_the_summaries_and_the_audit_history_are_not_watched():
    watched = {model._meta.model_name for model in page_cache.watched_models()}

    assert "project" in watched
    assert "milestone" in watched
    assert not watched & page_cache.UNWATCHED
    assert not [name for name in watched if name.startswith("historical")]


@pytest.mark.usefixtures("demo_morning")
def test_the_project_page_shows_each_officer_the_actions_they_may_take(
    client, programme_officer, finance_officer
):
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(project=project, sequence=1, planned_on=ON)
    url = reverse("staff:project-detail", args=[project.pk])

    client.force_login(finance_officer)
    as_finance = client.get(url).content.decode()
    client.force_login(programme_officer)
    as_programme = client.get(url).content.decode()

    assert "Record release" in as_finance
    assert "Record release" not in as_programme


@pytest.mark.usefixtures("demo_morning")
def test_the_project_page_shows_a_change_at_once(staff_client):
    project = ProjectFactory(ongoing=True)
    url = reverse("staff:project-detail", args=[project.pk])
    assert "Assay of the second batch" not in staff_client.get(url).content.decode()

    MilestoneFactory(project=project, title="Assay of the second batch")

    assert "Assay of the second batch" in staff_client.get(url).content.decode()


def test_a_staff_table_shows_a_new_row_at_once_and_each_filter_its_own_rows(
    staff_client,
):
    url = reverse("staff:project-list")
    ProjectFactory(title="Bastnaesite flotation trials")
    assert "Monazite leaching" not in staff_client.get(url).content.decode()

    ProjectFactory(title="Monazite leaching")

    assert "Monazite leaching" in staff_client.get(url).content.decode()
    searched = staff_client.get(url, {"q": "monazite"}).content.decode()
    assert "Monazite leaching" in searched
    assert "Bastnaesite flotation trials" not in searched


@pytest.mark.usefixtures("demo_morning")
def test_each_grantee_gets_their_own_home_page_from_the_cache(client):
    ours = MembershipFactory()
    theirs = MembershipFactory()
    ProjectFactory(organisation=ours.organisation, title="Ionic clay leaching pilot")
    ProjectFactory(organisation=theirs.organisation, title="Xenotime beneficiation")

    pages = {}
    for membership in (ours, theirs, ours, theirs):
        client.force_login(membership.user)
        pages.setdefault(membership.pk, set()).add(
            client.get(reverse("portal:home")).content.decode().count("Xenotime")
        )

    assert pages == {ours.pk: {0}, theirs.pk: {1}}


@pytest.mark.usefixtures("demo_morning")
def test_a_grantees_home_shows_a_new_project_at_once(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    assert "Ionic clay" not in client.get(reverse("portal:home")).content.decode()

    ProjectFactory(organisation=membership.organisation, title="Ionic clay pilot")

    assert "Ionic clay" in client.get(reverse("portal:home")).content.decode()


def test_a_reminder_marked_sent_without_save_still_changes_the_version():
    reminder = ReminderFactory()
    before = page_cache.version()

    outcome = delivery.deliver(
        type(reminder), reminder, lambda row, today: SentMessage(), today=ON
    )

    assert outcome == "sent"
    assert page_cache.version() != before


class SentMessage:
    """An e-mail that sends without a mail server."""

    subject = "Reminder"

    def send(self):
        return 1
