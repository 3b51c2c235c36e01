"""Reminders, escalations and the weekly digest: sent once, recorded always.

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
import smtplib
import socket
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Prefetch
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from grants import reminders
from grants.models import (
    Digest,
    Instalment,
    Membership,
    Milestone,
    Project,
    Reminder,
    ReminderRule,
    User,
)
from grants.services.common import GrantRuleError, _date

logger = logging.getLogger(__name__)

# A claim older than this whose e-mail was never recorded is handed out again. It
# is far longer than one send can take (EMAIL_TIMEOUT bounds every SMTP step).
STALE_CLAIM_AFTER = datetime.timedelta(minutes=10)
# Candidates are read and written in chunks, so memory stays flat however many
# milestones are due.
CHUNK_SIZE = 2000
# The weekly digest lists open milestones due up to this many days ahead.
DIGEST_DAYS_AHEAD = 30
SUBJECT_MAX_LENGTH = Reminder._meta.get_field("subject").max_length

# Who an e-mail is written for: the same step reads differently to each.
GRANTEE_NOTICE = "grantee"
OFFICER_NOTICE = "programme_officer"
DIVISION_HEAD_NOTICE = "division_head"
HEAD_NOTICE = "head"
STAFF_NOTICES = (OFFICER_NOTICE, DIVISION_HEAD_NOTICE)


class TransientSendError(Exception):
    """The mail server failed in a way worth retrying; the row is pending again."""


def is_transient(error: BaseException) -> bool:
    """Say whether a send failure may succeed later (a 4xx reply, a lost line)."""
    if isinstance(error, smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, ConnectionError | TimeoutError | socket.timeout)


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# Who receives what ------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    user: User | None
    audience: str


def _reachable(user: User | None) -> bool:
    return user is not None and user.is_active and bool(user.email)


def finance_officers(organisation) -> list[User]:
    """Return the organisation's active finance officers (prefetched when swept)."""
    memberships = getattr(organisation, "finance_memberships", None)
    if memberships is None:
        memberships = (
            Membership.objects.active()
            .filter(organisation=organisation, role=Membership.Role.FINANCE_OFFICER)
            .select_related("user")
        )
    return [membership.user for membership in memberships]


def recipients(
    milestone: Milestone, audiences, *, division_heads: list[User]
) -> list[Recipient]:
    """Return who a step for ``audiences`` goes to, once per e-mail address."""
    project = milestone.project
    found = []
    for audience in audiences:
        if audience == reminders.GRANTEE:
            people = [
                project.principal_investigator,
                *finance_officers(project.organisation),
            ]
            found += [
                Recipient(user.email, user, audience)
                for user in people
                if _reachable(user)
            ]
        elif audience == reminders.PROGRAMME_OFFICER:
            if _reachable(project.programme_officer):
                officer = project.programme_officer
                found.append(Recipient(officer.email, officer, audience))
        elif audience == reminders.ORGANISATION_HEAD:
            if project.organisation.head_email:
                found.append(Recipient(project.organisation.head_email, None, audience))
        elif audience == reminders.DIVISION_HEAD:
            found += [
                Recipient(user.email, user, audience)
                for user in division_heads
                if _reachable(user)
            ]
    unique = {}
    for recipient in found:
        unique.setdefault(recipient.email.lower(), recipient)
    return list(unique.values())


def division_heads() -> list[User]:
    return list(
        User.objects.filter(is_division_head=True, is_active=True).exclude(email="")
    )


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
    return len(new)


def release_stale_claims(model, *, now: datetime.datetime, stale_after) -> int:
    """Put back to pending the rows claimed before ``now - stale_after``, unsent."""
    return model.objects.filter(
        status=model.Status.SENDING, claimed_at__lt=now - stale_after
    ).update(
        status=model.Status.PENDING,
        last_error="The worker that claimed it stopped before recording the send; "
        "handed out again.",
    )


def sweep_reminders(
    *,
    on: datetime.date | None = None,
    stale_after: datetime.timedelta = STALE_CLAIM_AFTER,
) -> SweepResult:
    """Record every reminder due today and hand each unsent one to a send task.

    Idempotent: a second sweep, or two at once, insert nothing new, and a row is
    sent by whichever task claims it first. Also hands out again what a lost
    worker or broker message left behind: rows claimed and never recorded, rows
    never dispatched, and this week's unsent digests. Tasks are queued after the
    transaction commits (``transaction.on_commit``, as ``delay_on_commit`` does),
    so a worker always finds the rows.
    """
    from grants import tasks

    on = on or timezone.localdate()
    now = timezone.now()
    result = SweepResult(on=on)
    with transaction.atomic():
        result.candidates, result.created = create_due_reminders(on)
        result.reclaimed = release_stale_claims(
            Reminder, now=now, stale_after=stale_after
        )
        release_stale_claims(Digest, now=now, stale_after=stale_after)
        unsent = Reminder.objects.filter(status=Reminder.Status.PENDING)
        reminder_ids = list(unsent.values_list("pk", flat=True))
        digests = Digest.objects.filter(
            status=Digest.Status.PENDING, week_starting=week_starting(on)
        )
        digest_ids = list(digests.values_list("pk", flat=True))
        # Like delay_on_commit, once per sweep: all on one broker connection.
        transaction.on_commit(
            functools.partial(queue_sends, tasks.send_reminder, reminder_ids)
        )
        transaction.on_commit(
            functools.partial(queue_sends, tasks.send_digest, digest_ids)
        )
        result.dispatched = len(reminder_ids)
        result.digests_dispatched = len(digest_ids)
    logger.info("Reminder sweep: %s", result.as_dict())
    return result


def queue_sends(task, ids) -> None:
    """Queue one ``task`` per row id, all on one broker connection."""
    if not ids:
        return
    # A batch pipelines the messages where the transport can (Redis); others
    # publish them one by one.
    with task.app.producer_or_acquire() as producer, producer.batch():
        for pk in ids:
            task.apply_async((pk,), producer=producer)


# Sending one reminder ---------------------------------------------------------------


def claim(model, pk: int) -> bool:
    """Take a pending row for sending; False when another worker has it or it is done.

    The conditional update is the lock: of two workers, exactly one sees a row
    updated. It commits at once when called outside a transaction.
    """
    with transaction.atomic():
        return bool(
            model.objects.filter(pk=pk, status=model.Status.PENDING).update(
                status=model.Status.SENDING,
                attempts=F("attempts") + 1,
                claimed_at=timezone.now(),
            )
        )


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


def site_url(path: str) -> str:
    return settings.KHANIJ_SITE_URL.rstrip("/") + path


def page_url(name: str, fallback: str, *args) -> str:
    """Return the absolute address of a page, by URL name when it is mounted."""
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        path = fallback.format(*args)
    return site_url(path)


def portal_project_url(project: Project) -> str:
    return page_url("portal:project-detail", "/portal/projects/{}/", project.pk)


def staff_project_url(project: Project) -> str:
    return page_url("staff:project-detail", "/staff/projects/{}/", project.pk)


def what_to_submit(milestone: Milestone) -> str:
    """Say in a sentence what the grantee owes for a milestone."""
    period = ""
    if milestone.period_start and milestone.period_end:
        period = (
            f" for {_date(milestone.period_start)} to {_date(milestone.period_end)}"
        )
    Kind = Milestone.Kind
    text = {
        Kind.PROGRESS_REPORT: f"The progress report{period}: work done, results, "
        f"deviations from the plan, the TRL now, and outputs (publications, "
        f"patents, prototypes).",
        Kind.UTILISATION_CERTIFICATE: f"The utilisation certificate in Form GFR "
        f"12-A{period}, signed by the Chief Finance Officer and the head of the "
        f"organisation, with the head-wise statement of expenditure.",
        Kind.TECHNICAL_DELIVERABLE: "The deliverable, with the evidence that it "
        "meets the target agreed in the sanction.",
        Kind.REVIEW_MEETING: "Attend the review meeting with a presentation of the "
        "progress since the last review and the plan for the next period.",
        Kind.FINAL_REPORT: f"The final technical report{period}, covering the "
        f"whole project.",
    }.get(milestone.kind, "The item due for this milestone.")
    if milestone.deliverable:
        text = f"{text} Agreed deliverable: {milestone.deliverable}"
    return text


def notice_for(reminder: Reminder) -> str:
    """Say which version of the e-mail a recipient gets."""
    project = reminder.milestone.project
    recipient = reminder.recipient
    if reminder.rule_id is None:
        return GRANTEE_NOTICE
    if recipient is not None and recipient.is_staff:
        if reminder.rule.to_division_head and recipient.is_division_head:
            return DIVISION_HEAD_NOTICE
        return OFFICER_NOTICE
    head = project.organisation.head_email
    if recipient is None and head.lower() == reminder.recipient_email.lower():
        return HEAD_NOTICE
    return GRANTEE_NOTICE


def template_name(reminder: Reminder) -> str:
    return reminder.rule.template if reminder.rule_id else "by_hand"


def reminder_context(reminder: Reminder, *, today: datetime.date) -> dict:
    milestone = reminder.milestone
    project = milestone.project
    days_left = (reminder.due_on - today).days
    notice = notice_for(reminder)
    if reminder.recipient is not None:
        name = reminder.recipient.get_full_name() or reminder.recipient.username
    elif notice == HEAD_NOTICE and project.organisation.head_name:
        name = project.organisation.head_name
    else:
        name = "Sir/Madam"

    # Read only by escalations, so looked up only when a template asks.
    @functools.cache
    def next_instalment():
        return (
            Instalment.objects.unreleased()
            .filter(project=project)
            .order_by("sequence")
            .first()
        )

    return {
        "reminder": reminder,
        "rule": reminder.rule,
        "milestone": milestone,
        "project": project,
        "organisation": project.organisation,
        "due_on": reminder.due_on,
        "days_left": days_left,
        "days_overdue": -days_left,
        "recipient_name": name,
        "notice": notice,
        "is_returned": milestone.status == Milestone.Status.RETURNED,
        "what_to_submit": lambda: what_to_submit(milestone),
        "project_url": functools.partial(
            staff_project_url if notice in STAFF_NOTICES else portal_project_url,
            project,
        ),
        "next_instalment": next_instalment,
        "sent_by": reminder.sent_by,
        "is_illustrative": project.is_illustrative,
    }


def message_id(kind: str, pk: int) -> str:
    """Return the same Message-ID for every attempt at one row's e-mail."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    return f"<{kind}.{pk}@{domain or 'khanij-rd.invalid'}>"


def render_email(
    template: str, context: dict, *, to: str, message_id_header: str
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=render_subject(template, context),
        body=render_to_string(f"emails/{template}.txt", context),
        to=[to],
        headers={"Message-ID": message_id_header},
    )
    message.attach_alternative(
        render_to_string(f"emails/{template}.html", context), "text/html"
    )
    return message


def reminder_subject(reminder: Reminder, *, today: datetime.date) -> str:
    """Render only a reminder's subject line, as it reads on ``today``."""
    context = reminder_context(reminder, today=today)
    return render_subject(template_name(reminder), context)


def render_subject(template: str, context: dict) -> str:
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    return " ".join(subject.split())[:SUBJECT_MAX_LENGTH]


def build_reminder_email(
    reminder: Reminder, *, today: datetime.date
) -> EmailMultiAlternatives:
    """Render a reminder's e-mail, text and HTML, for its one recipient."""
    return render_email(
        template_name(reminder),
        reminder_context(reminder, today=today),
        to=reminder.recipient_email,
        message_id_header=message_id("reminder", reminder.pk),
    )


def _deliver(model, row, build, *, today: datetime.date) -> str:
    """Send a claimed row's e-mail and record the outcome on the row."""
    try:
        message = build(row, today=today)
        subject = {"subject": message.subject} if model is Reminder else {}
        message.send()
    except Exception as error:
        if is_transient(error):
            model.objects.filter(pk=row.pk).update(
                status=model.Status.PENDING, last_error=describe(error)
            )
            logger.warning("%s %s: %s; will retry", model.__name__, row.pk, error)
            raise TransientSendError(describe(error)) from error
        model.objects.filter(pk=row.pk).update(
            status=model.Status.FAILED, last_error=describe(error)
        )
        logger.error("%s %s failed: %s", model.__name__, row.pk, error)
        if isinstance(error, smtplib.SMTPException):
            return "failed"
        raise
    model.objects.filter(pk=row.pk).update(
        status=model.Status.SENT, sent_at=timezone.now(), **subject
    )
    return "sent"


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
        return "cancelled"
    return _deliver(
        Reminder, reminder, build_reminder_email, today=timezone.localdate()
    )


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
        raise GrantRuleError("This request has no key; reload the page and try again.")
    milestone = Milestone.objects.select_related(
        "project__organisation",
        "project__principal_investigator",
        "project__programme_officer",
    ).get(pk=milestone.pk)
    if milestone.status not in reminders.REMINDED_STATUSES:
        raise GrantRuleError(
            f"{milestone.title} is {milestone.get_status_display()}: there is "
            f"nothing to remind the grantee about."
        )
    project = milestone.project
    if project.status in reminders.SILENT_PROJECT_STATUSES:
        raise GrantRuleError(
            f"{project.reference} is {project.get_status_display()}: its grantee "
            f"is not reminded any more."
        )
    existing = list(milestone.reminders.filter(request_key=request_key))
    if not existing:
        people = recipients(milestone, (reminders.GRANTEE,), division_heads=[])
        if not people:
            raise GrantRuleError(
                f"{project.reference} has no principal investigator or finance "
                f"officer with an active account and an e-mail address."
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
        existing = list(milestone.reminders.filter(request_key=request_key))
        if not existing:
            raise GrantRuleError(
                "This request was already used for another milestone; reload the "
                "page and try again."
            )
        from grants import tasks

        ids = [reminder.pk for reminder in existing]
        transaction.on_commit(
            functools.partial(_queue_or_leave_for_the_sweep, tasks.send_reminder, ids)
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


# The weekly digest ----------------------------------------------------------------


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
    from grants import tasks

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
    for digest_id in pending.values_list("pk", flat=True):
        tasks.send_digest.delay_on_commit(digest_id)
        queued += 1
    return queued


def digest_context(digest: Digest, *, today: datetime.date) -> dict:
    items = list(digest_milestones(digest.recipient, on=today))
    for item in items:
        item.days_left = (item.due_on - today).days
        item.days_overdue = -item.days_left
        item.project_url = staff_project_url(item.project)
    overdue = [item for item in items if item.due_on < today]
    upcoming = [item for item in items if item.due_on >= today]
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
    return _deliver(Digest, digest, build_digest_email, today=timezone.localdate())
