"""Reminders and escalations: who gets them, the sweep, sending, and by hand.

Their siblings: ``delivery`` (claim, send, record), ``emails`` and
``reminder_emails`` (what the e-mails say), ``digests`` (the weekly digest) and
``queue`` (the tasks these hand rows to, registered by ``grants/tasks.py``).

The database, not the broker, guarantees delivery. Every e-mail is a row first
(``Reminder`` or ``Digest``) whose unique constraint makes a second or concurrent
sweep insert nothing. A send task then *claims* its row with a conditional update
(pending -> sending) in a transaction of its own, sends, and records the outcome.
A worker that dies between the claim and the record leaves a ``sending`` row with
an old ``claimed_at``; the next sweep hands it out again. That window is the only
place a duplicate can happen: SMTP has no idempotency key, so "exactly once" means
at most one recorded send, and the deterministic Message-ID lets mail systems that
honour it drop the rare duplicate.

Call ``send_reminder`` and ``send_digest`` outside any transaction (the tasks do):
the claim must be committed before the e-mail goes.
"""

import datetime
import functools
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import page_cache, reminders
from grants.models import (
    AgendaNotice,
    Digest,
    Membership,
    Milestone,
    Notice,
    Reminder,
    ReminderRule,
    User,
)
from grants.services import queue
from grants.services.agendas import pending_agenda_ids, record_due_agendas
from grants.services.common import GrantRuleError, _date
from grants.services.delivery import (
    STALE_CLAIM_AFTER,
    claim,
    deliver,
    queue_sends,
    release_stale_claims,
)
from grants.services.digests import week_starting
from grants.services.notices import pending_notice_ids
from grants.services.recipients import (
    division_heads,
    recipients,
)
from grants.services.reminder_emails import build_reminder_email

logger = logging.getLogger(__name__)


# Candidates are read and written in chunks, so memory stays flat however many
# milestones are due.
CHUNK_SIZE = 2000


# The sweep ------------------------------------------------------------------------


@dataclass
class SweepResult:
    """What a sweep did, for the log and the operator.

    ``created`` counts the rows this sweep inserted; when two sweeps run at once
    both may count a row that only one of them wrote.
    """

    on: datetime.date
    candidates: int = 0
    created: int = 0
    reclaimed: int = 0
    dispatched: int = 0
    digests_dispatched: int = 0
    notices_dispatched: int = 0
    agendas_created: int = 0
    agendas_dispatched: int = 0

    def as_dict(self) -> dict:
        return {**vars(self), "on": self.on.isoformat()}


def candidate_milestones(ladder: reminders.Ladder, on: datetime.date):
    """Return the open milestones that may have a step due ``on``.

    One query on the (status, due date) index, in the same order for every sweep:
    two sweeps at once insert the same rows in the same order, so one waits for
    the other instead of deadlocking.
    """
    return Milestone.objects.filter(ladder.candidate_filter(on)).order_by("pk")


def with_recipients(milestones):
    """Load, with the milestones, the people their reminders go to; nothing else."""
    person = ("email", "is_active")
    return (
        milestones.select_related(
            "project__organisation",
            "project__principal_investigator",
            "project__programme_officer",
        )
        .only(
            "kind",
            "due_on",
            "status",
            "project__status",
            "project__organisation__head_email",
            *(f"project__principal_investigator__{field}" for field in person),
            *(f"project__programme_officer__{field}" for field in person),
        )
        .prefetch_related(
            Prefetch(
                "project__organisation__memberships",
                queryset=Membership.objects.active()
                .filter(role=Membership.Role.FINANCE_OFFICER)
                .select_related("user")
                .only("organisation_id", *(f"user__{field}" for field in person)),
                to_attr="finance_memberships",
            )
        )
    )


def create_due_reminders(
    on: datetime.date, *, ladder: reminders.Ladder | None = None
) -> tuple[int, int]:
    """Insert the reminder rows due ``on``; return (candidates, rows inserted).

    A step goes out once for a milestone's due date, to the people it reaches on
    the day it goes out. The candidates are read light (id, kind, due date); only
    those with a step not yet recorded are read again with their people, so a
    day's sweep does not rebuild the thousands of rows it already holds. The
    unique constraint, not that check, is what makes a row go in once, so this is
    safe to run any number of times and from several processes at once.
    """
    if ladder is None:
        ladder = reminders.Ladder(ReminderRule.objects.all())
    heads = division_heads()
    candidates = created = 0
    rows = candidate_milestones(ladder, on).values_list("pk", "kind", "due_on")
    chunk = []
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(row)
        if len(chunk) == CHUNK_SIZE:
            created += _record(ladder, chunk, on=on, heads=heads)
            candidates += len(chunk)
            chunk = []
    if chunk:
        created += _record(ladder, chunk, on=on, heads=heads)
        candidates += len(chunk)
    return candidates, created


def _record(ladder, chunk, *, on, heads) -> int:
    """Insert the rows of the steps due ``on`` that a chunk has not recorded yet."""
    due = {}
    for pk, kind, due_on in chunk:
        steps = ladder.steps_due(kind, due_on, on)
        if steps:
            due[pk] = (due_on, steps)
    if not due:
        return 0
    recorded = set(
        Reminder.objects.filter(milestone__in=list(due), rule__isnull=False)
        .values_list("milestone_id", "rule_id", "due_on")
        .distinct()
    )
    missing = {}
    for pk, (due_on, steps) in due.items():
        unrecorded = [s for s in steps if (pk, s.rule.pk, due_on) not in recorded]
        if unrecorded:
            missing[pk] = unrecorded
    if not missing:
        return 0
    milestones = with_recipients(Milestone.objects.filter(pk__in=list(missing)))
    new = [
        Reminder(
            milestone=milestone,
            rule=step.rule,
            recipient=recipient.user,
            recipient_email=recipient.email,
            due_on=milestone.due_on,
        )
        for milestone in milestones.order_by("pk")
        for step in missing[milestone.pk]
        for recipient in recipients(milestone, (step.audience,), division_heads=heads)
    ]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    page_cache.portfolio_changed()  # bulk inserts send no signal
    return len(new)


def sweep_reminders(
    *,
    on: datetime.date | None = None,
    stale_after: datetime.timedelta = STALE_CLAIM_AFTER,
) -> SweepResult:
    """Record every reminder due today and hand each unsent one to a send task.

    Idempotent: a second sweep, or two at once, insert nothing new, and a row is
    sent by whichever task claims it first. Also hands out again what a lost
    worker or broker message left behind: rows claimed and never recorded, rows
    never dispatched, this week's unsent digests and unsent decision notices.
    Tasks are queued after the transaction commits (``transaction.on_commit``, as
    ``delay_on_commit`` does), so a worker always finds the rows.
    """
    on = on or timezone.localdate()
    now = timezone.now()
    result = SweepResult(on=on)
    with transaction.atomic():
        result.candidates, result.created = create_due_reminders(on)
        result.reclaimed = release_stale_claims(
            Reminder, now=now, stale_after=stale_after
        )
        release_stale_claims(Digest, now=now, stale_after=stale_after)
        release_stale_claims(Notice, now=now, stale_after=stale_after)
        release_stale_claims(AgendaNotice, now=now, stale_after=stale_after)
        notice_ids = pending_notice_ids()
        result.agendas_created = record_due_agendas(on)
        agenda_ids = pending_agenda_ids()
        unsent = Reminder.objects.filter(status=Reminder.Status.PENDING)
        reminder_ids = list(unsent.values_list("pk", flat=True))
        digests = Digest.objects.filter(
            status=Digest.Status.PENDING, week_starting=week_starting(on)
        )
        digest_ids = list(digests.values_list("pk", flat=True))
        # Like delay_on_commit, once per sweep: all on one broker connection.
        transaction.on_commit(
            functools.partial(queue_sends, queue.sender(queue.REMINDER), reminder_ids)
        )
        transaction.on_commit(
            functools.partial(queue_sends, queue.sender(queue.DIGEST), digest_ids)
        )
        transaction.on_commit(
            functools.partial(queue_sends, queue.sender(queue.NOTICE), notice_ids)
        )
        result.dispatched = len(reminder_ids)
        result.digests_dispatched = len(digest_ids)
        transaction.on_commit(
            functools.partial(queue_sends, queue.sender(queue.AGENDA), agenda_ids)
        )
        result.notices_dispatched = len(notice_ids)
        result.agendas_dispatched = len(agenda_ids)
    logger.info("Reminder sweep: %s", result.as_dict())
    return result


def why_not_send(reminder: Reminder) -> str:
    """Say why a claimed reminder must not go out any more, or return ''."""
    milestone = reminder.milestone
    if milestone.status not in reminders.REMINDED_STATUSES:
        return (
            f"Not sent: the milestone was {milestone.get_status_display()} before "
            f"the reminder went out."
        )
    if milestone.project.status in reminders.SILENT_PROJECT_STATUSES:
        return f"Not sent: the project is {milestone.project.get_status_display()}."
    if reminder.rule_id and reminder.due_on != milestone.due_on:
        return (
            f"Not sent: the due date moved from {_date(reminder.due_on)} to "
            f"{_date(milestone.due_on)}; the new date has reminders of its own."
        )
    return ""


def send_reminder(reminder_id: int) -> str:
    """Claim one reminder, send its e-mail and record it; return what happened.

    "sent", "failed" (a permanent refusal, recorded in ``last_error``),
    "cancelled" (the milestone is no longer open or its date moved) or
    "not claimed" (another worker has it, or it went already). A transient mail
    failure puts the row back to pending and raises ``TransientSendError`` for
    the task to retry.
    """
    if not claim(Reminder, reminder_id):
        return "not claimed"
    reminder = Reminder.objects.select_related(
        "milestone__project__organisation",
        "milestone__project__programme_officer",
        "rule",
        "recipient",
        "sent_by",
    ).get(pk=reminder_id)
    reason = why_not_send(reminder)
    if reason:
        Reminder.objects.filter(pk=reminder_id).update(
            status=Reminder.Status.CANCELLED, last_error=reason
        )
        page_cache.portfolio_changed()
        return "cancelled"
    return deliver(Reminder, reminder, build_reminder_email, today=timezone.localdate())


# By hand --------------------------------------------------------------------------


@transaction.atomic
def send_reminder_now(
    milestone: Milestone, *, sent_by: User, request_key: str
) -> list[Reminder]:
    """Send the grantee a reminder now, on a staff member's request; record it.

    ``request_key`` identifies the click (the form carries a fresh one): the same
    key twice, as from a double click or a resubmitted form, sends nothing more.
    """
    request_key = request_key.strip()
    if not request_key:
        raise GrantRuleError(
            _("This request has no key; reload the page and try again.")
        )
    milestone = Milestone.objects.select_related(
        "project__organisation",
        "project__principal_investigator",
        "project__programme_officer",
    ).get(pk=milestone.pk)
    if milestone.status not in reminders.REMINDED_STATUSES:
        raise GrantRuleError(
            _(
                "%(milestone)s is %(status)s: there is nothing to remind the "
                "grantee about."
            )
            % {"milestone": milestone.title, "status": milestone.get_status_display()}
        )
    project = milestone.project
    if project.status in reminders.SILENT_PROJECT_STATUSES:
        raise GrantRuleError(
            _("%(reference)s is %(status)s: its grantee is not reminded any more.")
            % {"reference": project.reference, "status": project.get_status_display()}
        )
    existing = list(milestone.reminders.filter(request_key=request_key))
    if not existing:
        people = recipients(milestone, (reminders.GRANTEE,), division_heads=[])
        if not people:
            raise GrantRuleError(
                _(
                    "%(reference)s has no principal investigator or finance officer "
                    "with an active account and an e-mail address."
                )
                % {"reference": project.reference}
            )
        Reminder.objects.bulk_create(
            [
                Reminder(
                    milestone=milestone,
                    rule=None,
                    recipient=person.user,
                    recipient_email=person.email,
                    due_on=milestone.due_on,
                    sent_by=sent_by,
                    request_key=request_key,
                )
                for person in people
            ],
            ignore_conflicts=True,
        )
        page_cache.portfolio_changed()  # bulk inserts send no signal
        existing = list(milestone.reminders.filter(request_key=request_key))
        if not existing:
            raise GrantRuleError(
                _(
                    "This request was already used for another milestone; reload "
                    "the page and try again."
                )
            )
        ids = [reminder.pk for reminder in existing]
        transaction.on_commit(
            functools.partial(
                _queue_or_leave_for_the_sweep, queue.sender(queue.REMINDER), ids
            )
        )
    return existing


def _queue_or_leave_for_the_sweep(task, ids):
    """Queue a send per row; with the broker down, leave the rows to the next sweep.

    The rows are committed and pending, and every sweep re-queues pending rows, so a
    broker outage delays the e-mail instead of failing the staff member's request.
    """
    try:
        for pk in ids:
            task.delay(pk)
    except Exception as error:  # any broker failure: the database still has the work
        logger.warning(
            "broker unavailable, %s rows left for the next sweep: %s", len(ids), error
        )
