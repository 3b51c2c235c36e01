"""The Celery tasks and their schedule: names, options and the beat rows.

The tasks run eagerly here; tests/test_worker_integration.py runs a real worker.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django_celery_beat.models import PeriodicTask

from config.celery import app as celery_app
from grants import tasks
from grants.models import Milestone, Reminder
from grants.services import TransientSendError
from tests.factories import MilestoneFactory, ProjectFactory, ReminderFactory

pytestmark = pytest.mark.django_db

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
TASKS = [
    "grants.tasks.sweep_reminders",
    "grants.tasks.send_reminder",
    "grants.tasks.send_weekly_digests",
    "grants.tasks.send_digest",
    "grants.tasks.send_password_reset",
    "grants.tasks.build_register_export",
    "grants.tasks.send_agenda_notice",
]


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.mark.parametrize("name", TASKS)
def test_the_tasks_are_registered_under_their_stable_names(name):
    assert name in celery_app.tasks
    assert celery_app.tasks[name].acks_late is True


@pytest.mark.parametrize(
    "task", [tasks.send_reminder, tasks.send_digest, tasks.send_agenda_notice]
)
def test_sends_retry_transient_failures_with_backoff_under_the_visibility_timeout(
    task,
):
    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(
        "visibility_timeout", 3600
    )

    assert task.autoretry_for == (TransientSendError,)
    assert task.retry_backoff
    assert task.retry_jitter is True
    assert task.max_retries == 5
    assert task.retry_backoff_max <= visibility_timeout / 4
    # The longest possible wait of the whole chain is still far from the timeout.
    waits = [
        min(task.retry_backoff * 2**retry, task.retry_backoff_max)
        for retry in range(task.max_retries)
    ]
    assert max(waits) < visibility_timeout


def test_sends_can_be_queued_after_commit():
    # The app's task class is Celery's Django task, with delay_on_commit.
    from celery.contrib.django.task import DjangoTask

    assert isinstance(celery_app.tasks["grants.tasks.send_reminder"], DjangoTask)
    assert hasattr(tasks.send_reminder, "delay_on_commit")


def test_the_settings_make_a_lost_worker_cost_at_most_one_task():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.EMAIL_TIMEOUT
    assert settings.CELERY_TIMEZONE == "Asia/Kolkata"
    assert settings.CELERY_BEAT_SCHEDULER == (
        "django_celery_beat.schedulers:DatabaseScheduler"
    )


def test_the_daily_sweep_is_scheduled_at_nine_in_india():
    sweep = PeriodicTask.objects.get(name="Daily reminder sweep")

    assert sweep.task == "grants.tasks.sweep_reminders"
    assert sweep.enabled
    crontab = sweep.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("0", "9", "*")
    assert str(crontab.timezone) == "Asia/Kolkata"
    # 03:29 UTC is 08:59 in India: due in one minute; 03:31 UTC is past it.
    schedule = crontab.schedule
    last_run = datetime.datetime(2026, 11, 21, 9, 0, tzinfo=IST)
    with time_machine.travel(
        datetime.datetime(2026, 11, 22, 3, 29, tzinfo=datetime.UTC)
    ):
        assert not schedule.is_due(last_run).is_due
    with time_machine.travel(
        datetime.datetime(2026, 11, 22, 3, 31, tzinfo=datetime.UTC)
    ):
        assert schedule.is_due(last_run).is_due


def test_the_weekly_digest_is_scheduled_on_monday_mornings_in_india():
    digest = PeriodicTask.objects.get(name="Weekly digest to programme officers")

    assert digest.task == "grants.tasks.send_weekly_digests"
    crontab = digest.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("30", "8", "1")
    assert str(crontab.timezone) == "Asia/Kolkata"


def test_every_scheduled_task_exists():
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))

    assert scheduled <= set(celery_app.tasks)


def test_a_ministry_admin_may_change_the_schedule_and_the_rules():
    admins = Group.objects.get(name="Ministry admin")
    codenames = set(admins.permissions.values_list("codename", flat=True))

    assert {
        "change_periodictask",
        "add_periodictask",
        "change_crontabschedule",
        "view_periodictask",
        "add_reminderrule",
        "change_reminderrule",
        "view_reminder",
    } <= codenames


def test_the_sweep_task_records_and_sends_the_days_reminders(
    eager, django_capture_on_commit_callbacks, mailoutbox
):
    MilestoneFactory(project=ProjectFactory(), due_on=datetime.date(2026, 12, 22))

    with (
        time_machine.travel(datetime.datetime(2026, 11, 22, 9, tzinfo=IST), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = tasks.sweep_reminders.delay().get()

    assert result["on"] == "2026-11-22"
    assert result["created"] == 1
    assert Reminder.objects.get().status == Reminder.Status.SENT
    assert len(mailoutbox) == 1


def test_the_send_task_reports_what_happened(eager, mailoutbox):
    milestone = MilestoneFactory(status=Milestone.Status.PENDING)
    reminder = ReminderFactory(milestone=milestone)

    assert tasks.send_reminder.delay(reminder.pk).get() == "sent"
    assert tasks.send_reminder.delay(reminder.pk).get() == "not claimed"
    assert len(mailoutbox) == 1
