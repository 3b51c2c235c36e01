"""Password-reset e-mails: asked for on the page, looked up and sent by the worker.

The page only queues the address it was given (``request_password_reset``), so it
answers alike, and as fast, for an address with an account, one without, and a
client that asked too often. The worker looks the address up and sends Django's
reset e-mail to each active account with it (``send_password_reset``), in that
person's language (the templates switch to ``preferred_language``).

Two throttles, in the cache every process shares (``throttle``): requests per client
address, checked on the page, and e-mails per e-mail address, checked as each one is
sent, so a flood from many clients still reaches one inbox only so often.
"""

import functools
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction

from grants.services import queue, throttle

logger = logging.getLogger(__name__)

# Three e-mails to one address an hour: one lost to a spam folder and a second
# try still arrive, an inbox cannot be buried.
MAILS_PER_ADDRESS = 3
ADDRESS_WINDOW_SECONDS = 60 * 60
# Ten requests from one client address in a quarter of an hour: plenty for an office
# behind one address, too few to probe for accounts or flood the queue.
REQUESTS_PER_CLIENT = 10
CLIENT_WINDOW_SECONDS = 15 * 60


def request_password_reset(email: str, *, client: str | None) -> bool:
    """Queue the reset e-mail for ``email``; say whether it was queued.

    Nothing here depends on whether an account has the address: it is not looked
    up until the worker sends.
    """
    if not throttle.take_slot(
        "password-reset-client",
        client or "unknown",
        limit=REQUESTS_PER_CLIENT,
        seconds=CLIENT_WINDOW_SECONDS,
    ):
        logger.warning("password reset: client %s asked too often", client)
        return False
    transaction.on_commit(
        functools.partial(_queue, queue.sender(queue.PASSWORD_RESET), email)
    )
    return True


def _queue(task, email: str) -> None:
    try:
        task.delay(email)
    except Exception as error:  # any broker failure: the person can ask again
        logger.warning("broker unavailable, a password reset was not queued: %s", error)


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset e-mail, sent only while the address has mails left this hour."""

    def send_mail(self, subject_template, email_template, context, *args, **kwargs):
        user = context["user"]
        if not throttle.take_slot(
            "password-reset-address",
            context["email"].casefold(),
            limit=MAILS_PER_ADDRESS,
            seconds=ADDRESS_WINDOW_SECONDS,
        ):
            logger.warning("password reset: no more e-mails to user %s now", user.pk)
            return
        super().send_mail(subject_template, email_template, context, *args, **kwargs)


def send_password_reset(email: str) -> None:
    """Send the reset link to every active account with ``email``, if there is one.

    The link's address is the site's own (``KHANIJ_SITE_URL``), never what a
    request's Host header claimed.
    """
    form = ThrottledPasswordResetForm({"email": email})
    if not form.is_valid():
        return
    site = urlsplit(settings.KHANIJ_SITE_URL)
    form.save(
        domain_override=site.netloc + site.path.rstrip("/"),
        use_https=site.scheme == "https",
    )
