"""Rendering the e-mails kept as rows: absolute links, Message-IDs, subject and parts.

Shared by reminders and digests (``reminder_emails``, ``digests``). Links are
absolute because an e-mail is read outside the site (``KHANIJ_SITE_URL``).
"""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from grants.models import Reminder

# A reminder row keeps its subject, so no subject is longer than that field.
SUBJECT_MAX_LENGTH = Reminder._meta.get_field("subject").max_length


def site_url(path: str) -> str:
    return settings.KHANIJ_SITE_URL.rstrip("/") + path


def page_url(name: str, fallback: str, *args) -> str:
    """Return the absolute address of a page, by URL name when it is mounted."""
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        path = fallback.format(*args)
    return site_url(path)


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


def render_subject(template: str, context: dict) -> str:
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    return " ".join(subject.split())[:SUBJECT_MAX_LENGTH]
