"""Every e-mail the demo sends on the day it is loaded, by address and subject.

On its demo date (a Sunday) beat runs the daily sweep only; the weekly digest
goes on Mondays. docs/reminders.md, "The demo", gives the reasoning.
"""

import datetime
import zoneinfo
from collections import Counter

import pytest
import time_machine

from config.celery import app as celery_app
from grants import demo, services
from grants.models import Reminder

pytestmark = pytest.mark.django_db

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
DEMO_DATE = datetime.date(2026, 11, 22)
UC = "Annual UC 2025-26 (GFR 12-A)"
REPORT = "Half-yearly progress report, Apr–Sep 2026"
P05 = "DEMO-REE-2324-05"


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def what_beat_runs(day, captured):
    """The sweep at 09:00, and on a Monday the digest at 08:30."""
    with time_machine.travel(
        datetime.datetime.combine(day, datetime.time(9), tzinfo=IST), tick=False
    ):
        demo.seed(as_of=None, today=day)
        with captured(execute=True):
            if day.weekday() == 0:
                services.send_weekly_digests()
            services.sweep_reminders()


def test_the_demo_date_sends_these_eight_e_mails_and_nothing_else(
    eager, django_capture_on_commit_callbacks, mailoutbox
):
    what_beat_runs(DEMO_DATE, django_capture_on_commit_callbacks)

    assert sorted((m.to[0], m.subject) for m in mailoutbox) == sorted(
        [
            (
                "divhead@demo.example",
                f"[{P05}] Escalation to the division head: {UC} overdue by 145 days "
                f"– project non-compliant, instalment 3 blocked",
            ),
            (
                "head-konkan-ust@demo.example",
                f"[{P05}] Escalation: {UC} overdue by 145 days – project "
                f"non-compliant, instalment 3 blocked",
            ),
            (
                "officer@demo.example",
                f"[{P05}] Escalation: {UC} overdue by 145 days – project "
                f"non-compliant, instalment 3 blocked",
            ),
            (
                "pi-konkan-ust@demo.example",
                f"[{P05}] Overdue by 145 days: {UC} (due 30 Jun 2026)",
            ),
            (
                "fo-konkan-ust@demo.example",
                f"[{P05}] Overdue by 145 days: {UC} (due 30 Jun 2026)",
            ),
            (
                "pi-konkan-ust@demo.example",
                f"[{P05}] Overdue by 23 days: {REPORT} (due 30 Oct 2026)",
            ),
            (
                "fo-konkan-ust@demo.example",
                f"[{P05}] Overdue by 23 days: {REPORT} (due 30 Oct 2026)",
            ),
            (
                "officer@demo.example",
                f"[{P05}] Copy: Overdue by 23 days: {REPORT} (due 30 Oct 2026)",
            ),
        ]
    )


@pytest.mark.parametrize(
    "day",
    [datetime.date(2026, 12, 2), datetime.date(2027, 3, 31), datetime.date(2027, 4, 1)],
    ids=str,
)
def test_loaded_on_a_later_day_each_person_hears_of_each_item_once(
    eager, django_capture_on_commit_callbacks, mailoutbox, day
):
    what_beat_runs(day, django_capture_on_commit_callbacks)

    assert mailoutbox
    subjects = Counter((m.to[0], m.subject) for m in mailoutbox)
    assert max(subjects.values()) == 1
    # Each person hears of each item's latest step only: one e-mail per item.
    swept = Reminder.objects.filter(
        created_at__gte=datetime.datetime.combine(day, datetime.time(0), tzinfo=IST)
    )
    items = Counter(swept.values_list("milestone_id", "recipient_email"))
    assert max(items.values()) == 1
