"""Asking for a password reset: queued for the worker, the same answer for anyone,
and throttled per e-mail address and per client."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.celery import app as celery_app
from grants.services import password_reset
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def ask(client, email, address="10.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_the_reset_e_mail_is_sent_by_the_worker_not_inside_the_request(
    client, eager, django_capture_on_commit_callbacks, mailoutbox
):
    # Finding 8: the mail was sent inside the request, so a known address took
    # three times as long to answer as an unknown one.
    UserFactory(username="pi-iast", email="pi@iast.example.org")

    with django_capture_on_commit_callbacks() as queued:
        response = ask(client, "pi@iast.example.org")

    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []
    assert len(queued) == 1
    queued[0]()
    (message,) = mailoutbox
    assert message.to == ["pi@iast.example.org"]
    assert f"{settings.KHANIJ_SITE_URL}/accounts/reset/" in message.body


def test_the_request_does_the_same_work_for_a_known_and_an_unknown_address(
    client, django_capture_on_commit_callbacks
):
    users = UserFactory(username="pi-iast", email="pi@iast.example.org")._meta.db_table

    def work_for(email, address):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as queued,
        ):
            response = ask(client, email, address)
        statements = [
            query["sql"] for query in queries.captured_queries if users in query["sql"]
        ]
        return response.status_code, response.url, len(queued), statements

    known = work_for("pi@iast.example.org", "10.0.0.1")
    unknown = work_for("nobody@iast.example.org", "10.0.0.2")

    assert known == unknown
    assert known[3] == []  # no account is looked up in the request


def test_ten_reset_requests_for_one_address_send_at_most_three_e_mails(
    client, eager, django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(username="pi-iast", email="pi@iast.example.org")

    for number in range(10):
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(client, "PI@iast.example.org", f"10.0.1.{number}")
        assert response.url == reverse("password_reset_done")

    assert len(mailoutbox) == password_reset.MAILS_PER_ADDRESS == 3
    assert {tuple(message.to) for message in mailoutbox} == {("pi@iast.example.org",)}


def test_a_client_asking_too_often_gets_the_same_answer_and_nothing_more_is_queued(
    client, django_capture_on_commit_callbacks
):
    answers = set()
    with django_capture_on_commit_callbacks() as queued:
        for number in range(15):
            response = ask(client, f"probe-{number}@example.org", "10.0.0.9")
            answers.add((response.status_code, response.url))

    assert answers == {(302, reverse("password_reset_done"))}
    assert len(queued) == password_reset.REQUESTS_PER_CLIENT == 10
    with django_capture_on_commit_callbacks() as elsewhere:
        ask(client, "probe-0@example.org", "10.0.0.10")
    assert len(elsewhere) == 1


def test_the_reset_e_mail_is_written_in_the_users_own_language(
    client, eager, django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(
        username="pi-hindi", email="pi@hindi.example.org", preferred_language="hi"
    )

    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "pi@hindi.example.org")

    (message,) = mailoutbox
    assert message.subject == "खनिज अनुसंधान एवं विकास: नया पासवर्ड चुनें"


def test_the_throttles_count_in_the_database_that_web_and_worker_share():
    assert settings.CACHES["shared"]["BACKEND"] == (
        "django.core.cache.backends.db.DatabaseCache"
    )
    table = settings.CACHES["shared"]["LOCATION"]
    caches["shared"].add("visible-to-every-process", True, timeout=60)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] == 1


def test_migrate_creates_the_throttles_table():
    table = settings.CACHES["shared"]["LOCATION"]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")

    call_command("migrate", verbosity=0)

    assert table in connection.introspection.table_names()
