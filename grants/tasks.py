"""Celery tasks: thin wrappers that call services.

The names are stable: beat's schedule (stored in the database) and operators
(``celery -A config call grants.tasks.sweep_reminders``) refer to them.

Every task may run twice (``acks_late``: a worker lost mid-task means the task runs
again), so each one is idempotent; the rows in ``Reminder``, ``Digest`` and
``Notice`` make it so. A transient mail failure is retried with exponential backoff
and jitter, every wait well under the Redis visibility timeout (3600 s), so a
waiting retry is never handed to a second worker; after the last retry the row
stays pending and the next daily sweep tries again. Nothing is ever scheduled days
ahead: the sweep is the scheduler.
"""

from celery import shared_task

from grants import services, summaries
from grants.services import import_jobs, queue
from grants.services.delivery import TransientSendError

# Seconds: retries wait up to 30, 60, 120, 240, 480 (full jitter: a random part of
# that), never more than RETRY_BACKOFF_MAX.
RETRY_BACKOFF = 30
RETRY_BACKOFF_MAX = 600
MAX_RETRIES = 5

SEND_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (TransientSendError,),
    "retry_backoff": RETRY_BACKOFF,
    "retry_backoff_max": RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
}


@shared_task(name="grants.tasks.sweep_reminders", acks_late=True, ignore_result=True)
def sweep_reminders():
    """Record the reminders due today and queue each unsent one (daily, by beat)."""
    return services.sweep_reminders().as_dict()


@shared_task(name="grants.tasks.send_reminder", **SEND_OPTIONS)
def send_reminder(self, reminder_id):
    """Claim, send and record one reminder e-mail."""
    return services.send_reminder(reminder_id)


@shared_task(
    name="grants.tasks.send_weekly_digests", acks_late=True, ignore_result=True
)
def send_weekly_digests():
    """Record this week's digest for each programme officer and queue them."""
    return services.send_weekly_digests()


@shared_task(name="grants.tasks.send_digest", **SEND_OPTIONS)
def send_digest(self, digest_id):
    """Claim, send and record one weekly digest."""
    return services.send_digest(digest_id)


@shared_task(name="grants.tasks.send_notice", **SEND_OPTIONS)
def send_notice(self, notice_id):
    """Claim, send and record one decision notice."""
    return services.send_notice(notice_id)


@shared_task(name="grants.tasks.send_agenda_notice", **SEND_OPTIONS)
def send_agenda_notice(self, notice_id):
    """Claim, send and record one meeting's agenda to one member."""
    return services.send_agenda_notice(notice_id)


@shared_task(
    name="grants.tasks.send_password_reset", acks_late=True, ignore_result=True
)
def send_password_reset(email):
    """Send the password-reset link to the accounts with this address, if any."""
    return services.send_password_reset(email)


@shared_task(
    name="grants.tasks.build_register_export", acks_late=True, ignore_result=True
)
def build_register_export(job_id):
    """Build a register's PDF off the request, counting its rows done as it goes."""
    return services.build_register_export(job_id)


@shared_task(
    name="grants.tasks.run_portfolio_import", acks_late=True, ignore_result=True
)
def run_portfolio_import(job_id):
    """Check an uploaded workbook, or import a confirmed one, off the request."""
    return import_jobs.run_import_step(job_id)


# What the services queue, by the kind of row each task sends.
queue.register(queue.REMINDER, send_reminder)
queue.register(queue.DIGEST, send_digest)
queue.register(queue.NOTICE, send_notice)
queue.register(queue.AGENDA, send_agenda_notice)
queue.register(queue.PASSWORD_RESET, send_password_reset)
queue.register(queue.REGISTER_EXPORT, build_register_export)
queue.register(queue.PORTFOLIO_IMPORT, run_portfolio_import)


@shared_task(
    name="grants.tasks.refresh_project_summaries", acks_late=True, ignore_result=True
)
def refresh_project_summaries():
    """Bring every project's dashboard summary up to date for today (nightly)."""
    return {
        "created": summaries.create_missing(),
        "refreshed": summaries.bring_up_to_date(),
    }


@shared_task(name="grants.tasks.prune_api_log", acks_late=True, ignore_result=True)
def prune_api_log():
    """Delete the API's request log past its keeping (nightly)."""
    return {"deleted": services.prune_api_requests()}
