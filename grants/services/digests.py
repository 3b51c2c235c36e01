"""The programme officers' weekly digest: one row per officer and week, sent once."""

import datetime

from django.db import transaction
from django.utils import timezone, translation

from grants import reminders
from grants.models import (
    Digest,
    Milestone,
    User,
)
from grants.services import queue
from grants.services.delivery import (
    STALE_CLAIM_AFTER,
    claim,
    deliver,
    release_stale_claims,
)
from grants.services.emails import message_id, page_url, render_email
from grants.services.recipients import language_of
from grants.services.reminder_emails import staff_project_url

# The weekly digest lists open milestones due up to this many days ahead.
DIGEST_DAYS_AHEAD = 30


def week_starting(day: datetime.date) -> datetime.date:
    """Return the Monday of the week ``day`` falls in."""
    return day - datetime.timedelta(days=day.weekday())


def digest_milestones(officer: User, *, on: datetime.date):
    """Return the open milestones of an officer's projects due up to 30 days ahead."""
    return (
        Milestone.objects.open()
        .filter(
            project__programme_officer=officer,
            due_on__lte=on + datetime.timedelta(days=DIGEST_DAYS_AHEAD),
        )
        .exclude(project__status__in=reminders.SILENT_PROJECT_STATUSES)
        .select_related("project")
        .order_by("due_on", "project__reference", "pk")
    )


@transaction.atomic
def send_weekly_digests(*, on: datetime.date | None = None) -> int:
    """Record this week's digest for every programme officer with items; queue them.

    One ``Digest`` row per officer and week: running it again in the same week
    sends nothing more. Returns how many digests were queued.
    """
    on = on or timezone.localdate()
    week = week_starting(on)
    items = (
        Milestone.objects.open()
        .filter(due_on__lte=on + datetime.timedelta(days=DIGEST_DAYS_AHEAD))
        .exclude(project__status__in=reminders.SILENT_PROJECT_STATUSES)
    )
    officers = User.objects.filter(
        pk__in=items.values("project__programme_officer"), is_active=True
    ).exclude(email="")
    Digest.objects.bulk_create(
        [Digest(recipient=officer, week_starting=week) for officer in officers],
        ignore_conflicts=True,
    )
    release_stale_claims(Digest, now=timezone.now(), stale_after=STALE_CLAIM_AFTER)
    queued = 0
    pending = Digest.objects.filter(week_starting=week, status=Digest.Status.PENDING)
    send_digest_task = queue.sender(queue.DIGEST)
    for digest_id in pending.values_list("pk", flat=True):
        send_digest_task.delay_on_commit(digest_id)
        queued += 1
    return queued


def digest_context(digest: Digest, *, today: datetime.date) -> dict:
    items = list(digest_milestones(digest.recipient, on=today))
    for item in items:
        item.days_left = (item.due_on - today).days
        item.days_overdue = -item.days_left
        item.project_url = staff_project_url(item.project)
    overdue = [item for item in items if item.is_overdue(on=today)]
    upcoming = [item for item in items if not item.is_overdue(on=today)]
    return {
        "digest": digest,
        "recipient_name": digest.recipient.get_full_name() or digest.recipient.username,
        "today": today,
        "week_starting": digest.week_starting,
        "overdue": overdue,
        "upcoming": upcoming,
        "days_ahead": DIGEST_DAYS_AHEAD,
        "reminders_url": page_url("staff:reminder-list", "/staff/reminders/"),
        "is_illustrative": any(item.project.is_illustrative for item in items),
    }


def build_digest_email(digest: Digest, *, today: datetime.date):
    """Render an officer's digest, text and HTML, in the officer's language."""
    with translation.override(language_of(digest.recipient)):
        return render_email(
            "digest",
            digest_context(digest, today=today),
            to=digest.recipient.email,
            message_id_header=message_id("digest", digest.pk),
        )


def send_digest(digest_id: int) -> str:
    """Claim one weekly digest, send it and record it; as ``send_reminder``."""
    if not claim(Digest, digest_id):
        return "not claimed"
    digest = Digest.objects.select_related("recipient").get(pk=digest_id)
    return deliver(Digest, digest, build_digest_email, today=timezone.localdate())
