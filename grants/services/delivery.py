"""Sending one recorded e-mail exactly once: claim the row, send, record.

Shared by reminders and digests. The conditional update in ``claim`` is the lock; a
claim that a lost worker never recorded is handed out again after
``STALE_CLAIM_AFTER`` (``release_stale_claims``). A transient mail failure raises
``TransientSendError`` for the task to retry; a permanent one is recorded.
"""

import datetime
import logging
import smtplib
import socket

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from grants import page_cache

logger = logging.getLogger(__name__)


# A claim older than this whose e-mail was never recorded is handed out again. It
# is far longer than one send can take (EMAIL_TIMEOUT bounds every SMTP step).
STALE_CLAIM_AFTER = datetime.timedelta(minutes=10)


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


def release_stale_claims(model, *, now: datetime.datetime, stale_after) -> int:
    """Put back to pending the rows claimed before ``now - stale_after``, unsent."""
    return model.objects.filter(
        status=model.Status.SENDING, claimed_at__lt=now - stale_after
    ).update(
        status=model.Status.PENDING,
        last_error="The worker that claimed it stopped before recording the send; "
        "handed out again.",
    )


def queue_sends(task, ids) -> None:
    """Queue one ``task`` per row id, all on one broker connection."""
    if not ids:
        return
    # A batch pipelines the messages where the transport can (Redis); others
    # publish them one by one.
    with task.app.producer_or_acquire() as producer, producer.batch():
        for pk in ids:
            task.apply_async((pk,), producer=producer)


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


def deliver(model, row, build, *, today: datetime.date) -> str:
    """Send a claimed row's e-mail and record the outcome on the row."""
    try:
        message = build(row, today=today)
        # Rows that keep their subject (reminders, notices) record what was sent.
        keeps_subject = any(f.name == "subject" for f in model._meta.concrete_fields)
        subject = {"subject": message.subject} if keeps_subject else {}
        message.send()
    except Exception as error:
        if is_transient(error):
            model.objects.filter(pk=row.pk).update(
                status=model.Status.PENDING, last_error=describe(error)
            )
            page_cache.portfolio_changed()
            logger.warning("%s %s: %s; will retry", model.__name__, row.pk, error)
            raise TransientSendError(describe(error)) from error
        model.objects.filter(pk=row.pk).update(
            status=model.Status.FAILED, last_error=describe(error)
        )
        page_cache.portfolio_changed()
        logger.error("%s %s failed: %s", model.__name__, row.pk, error)
        if isinstance(error, smtplib.SMTPException):
            return "failed"
        raise
    model.objects.filter(pk=row.pk).update(
        status=model.Status.SENT, sent_at=timezone.now(), **subject
    )
    # A sent reminder or notice is on the grantee's home page (written without
    # save(), so no signal says so).
    page_cache.portfolio_changed()
    return "sent"
