"""What people see when a part of the system is down."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from grants import tasks
from grants.models import Membership, Reminder
from tests.factories import MembershipFactory, MilestoneFactory

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


def test_with_the_broker_down_a_reminder_sent_by_hand_is_kept_for_the_sweep(
    client, programme_officer, monkeypatch, django_capture_on_commit_callbacks
):
    milestone = MilestoneFactory()
    MembershipFactory(
        organisation=milestone.project.organisation,
        user=milestone.project.principal_investigator,
        role=Membership.Role.PRINCIPAL_INVESTIGATOR,
    )

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    monkeypatch.setattr(tasks.send_reminder, "delay", broker_down)
    client.force_login(programme_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/milestones/{milestone.pk}/remind/", {"request_key": "click-1"}
        )

    assert response.status_code == 302
    reminder = Reminder.objects.get(milestone=milestone)
    assert reminder.status == Reminder.Status.PENDING
