"""Members receive a meeting's agenda once, the committee's set days before it.

Tasks run eagerly here (unit tests); the worker integration tests run a real one.
"""

import datetime

import pytest

from config.celery import app as celery_app
from grants import services
from grants.models import AgendaNotice
from grants.services.agendas import record_due_agendas
from tests.factories import (
    AgendaItemFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    ExternalExpertFactory,
    MeetingFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

MEETING_DAY = datetime.date(2026, 12, 10)


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def committee():
    return CommitteeFactory(
        name="Project Evaluation and Review Committee", agenda_days_before=10
    )


@pytest.fixture
def meeting(committee):
    CommitteeMemberFactory(committee=committee, secretary=True)
    return MeetingFactory(committee=committee, number=18, held_on=MEETING_DAY)


@pytest.fixture
def own_item(meeting):
    """An item about a project of the conflicted expert's own institution."""
    return AgendaItemFactory(
        meeting=meeting, project=ProjectFactory(reference="TEST-REE-OWN", ongoing=True)
    )


@pytest.fixture
def other_item(meeting):
    return AgendaItemFactory(
        meeting=meeting,
        project=ProjectFactory(reference="TEST-REE-OTHER", ongoing=True),
    )


@pytest.fixture
def conflicted_expert(meeting, own_item):
    expert = ExternalExpertFactory(username="kulkarni", email="kulkarni@example.org")
    CommitteeMemberFactory(
        committee=meeting.committee,
        user=expert,
        organisation=own_item.project.organisation,
    )
    return expert


def sweep(on):
    return services.sweep_reminders(on=on)


def test_members_receive_the_agenda_the_committees_days_before_the_meeting(
    eager, django_capture_on_commit_callbacks, mailoutbox, meeting, other_item
):
    with django_capture_on_commit_callbacks(execute=True):
        too_early = sweep(MEETING_DAY - datetime.timedelta(days=11))
    assert too_early.agendas_created == 0

    with django_capture_on_commit_callbacks(execute=True):
        due = sweep(MEETING_DAY - datetime.timedelta(days=10))

    assert due.agendas_created == 1  # the member secretary
    (message,) = mailoutbox
    assert message.subject.startswith("Agenda: ")
    assert "TEST-REE-OTHER" in message.body
    assert "/review/" in message.body


def test_the_agenda_is_sent_once(
    eager, django_capture_on_commit_callbacks, mailoutbox, meeting, other_item
):
    for days_before in (10, 9, 9, 1):
        with django_capture_on_commit_callbacks(execute=True):
            sweep(MEETING_DAY - datetime.timedelta(days=days_before))

    assert len(mailoutbox) == 1
    notice = AgendaNotice.objects.get()
    assert notice.status == AgendaNotice.Status.SENT
    assert services.send_agenda_notice(notice.pk) == "not claimed"
    assert len(mailoutbox) == 1


def test_a_member_seated_later_receives_it_at_the_next_sweep(meeting, other_item):
    assert record_due_agendas(MEETING_DAY - datetime.timedelta(days=5)) == 1
    CommitteeMemberFactory(committee=meeting.committee)

    assert record_due_agendas(MEETING_DAY - datetime.timedelta(days=4)) == 1
    assert AgendaNotice.objects.count() == 2


def test_a_meeting_with_nothing_on_its_agenda_waits_for_its_first_item(meeting):
    day = MEETING_DAY - datetime.timedelta(days=5)
    assert record_due_agendas(day) == 0

    AgendaItemFactory(meeting=meeting)

    assert record_due_agendas(day) == 1


def test_a_member_whose_seat_ended_before_the_send_is_not_sent_it(
    meeting, other_item, mailoutbox
):
    record_due_agendas(MEETING_DAY - datetime.timedelta(days=5))
    notice = AgendaNotice.objects.get()
    meeting.committee.seats.update(is_active=False)

    assert services.send_agenda_notice(notice.pk) == "failed"
    assert mailoutbox == []
    notice.refresh_from_db()
    assert "no longer sits" in notice.last_error


def test_no_agenda_goes_out_for_a_meeting_already_held(meeting, other_item):
    assert record_due_agendas(MEETING_DAY + datetime.timedelta(days=1)) == 0


def test_the_agenda_names_only_the_items_the_member_may_take_part_in(
    eager,
    django_capture_on_commit_callbacks,
    mailoutbox,
    conflicted_expert,
    own_item,
    other_item,
):
    with django_capture_on_commit_callbacks(execute=True):
        sweep(MEETING_DAY - datetime.timedelta(days=3))

    (message,) = [m for m in mailoutbox if m.to == ["kulkarni@example.org"]]
    assert "TEST-REE-OTHER" in message.body
    assert "TEST-REE-OWN" not in message.body
    assert "TEST-REE-OWN" not in message.alternatives[0][0]
    assert "You take no part in 1 other item" in message.body


def test_the_agenda_goes_in_the_members_language(
    eager,
    django_capture_on_commit_callbacks,
    mailoutbox,
    conflicted_expert,
    other_item,
):
    conflicted_expert.preferred_language = "hi"
    conflicted_expert.save()

    with django_capture_on_commit_callbacks(execute=True):
        sweep(MEETING_DAY - datetime.timedelta(days=3))

    (message,) = [m for m in mailoutbox if m.to == ["kulkarni@example.org"]]
    assert message.subject.startswith("कार्यसूची")
    assert "Agenda" not in message.body
