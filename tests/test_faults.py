"""What people see when a part of the system is down."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self):
        raise OperationalError("connection to server at 127.0.0.1 refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


def test_a_page_answers_a_clean_503_when_the_database_is_down(
    client, staff_user, database_down
):
    client.raise_request_exception = False
    response = client.get("/accounts/login/")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    body = response.content.decode()
    assert "briefly unavailable" in body
    assert "Traceback" not in body
    assert "OperationalError" not in body


def test_a_logged_in_page_answers_503_when_the_database_goes_down(
    client, staff_user, monkeypatch
):
    client.force_login(staff_user)

    def refuse(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    client.raise_request_exception = False
    response = client.get("/admin/")

    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()


def test_the_health_check_names_the_database_when_it_is_down(client, database_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False
    assert response.json()["broker"]["ok"] is True
