"""Two-factor enrolment: an administrator's invitation, and resetting a device.

When staff must use a second factor (``KHANIJ_STAFF_2FA_REQUIRED``), a staff user
without an authenticator links one only through a one-time link that an
administrator has e-mailed to the user's address: whoever has just the password
cannot link their own phone first and so lock the real user out. An administrator
resets a lost or wrongly linked device (the admin's users page, or
``manage.py reset_two_factor`` on the server); the reset deletes the user's
authenticators and backup codes and e-mails a new invitation, and the invitation's
audit history says who reset, when, and how many devices went.

The link's token is random and kept only as its SHA-256 hash, so it can be e-mailed
only by the process that made it: the e-mail goes after the commit, from that
process, and ``sent_at`` records that it went.
"""

import datetime
import functools
import hashlib
import logging
import secrets
import smtplib

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_otp import devices_for_user

from grants.models import TwoFactorInvitation, User
from grants.services.api_tokens import revoke_all_api_tokens
from grants.services.common import GrantRuleError, _save
from grants.services.emails import message_id, render_email, site_url
from grants.services.recipients import language_of

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def needs_invitation_to_enrol(user: User) -> bool:
    """Say whether linking an authenticator needs an administrator's invitation.

    It does for staff without a confirmed device when staff must use a second
    factor. Someone with a confirmed device replaces it after entering a code
    from it; grantees, for whom the second factor is a choice, enrol with their
    password.
    """
    return bool(
        settings.KHANIJ_STAFF_2FA_REQUIRED
        and user.is_staff
        and not any(devices_for_user(user, confirmed=True))
    )


def invitation_from_link(user: User, token: str) -> TwoFactorInvitation | None:
    """Return the user's usable invitation whose link carries ``token``, or None."""
    if not token or not user.is_authenticated:
        return None
    return (
        TwoFactorInvitation.objects.usable()
        .filter(user=user, token_hash=_hash(token))
        .first()
    )


def invitation_in_force(user: User, pk) -> TwoFactorInvitation | None:
    """Return the user's invitation with this id while it is usable, or None."""
    if not isinstance(pk, int) or not user.is_authenticated:
        return None
    return TwoFactorInvitation.objects.usable().filter(user=user, pk=pk).first()


def _link_refused() -> GrantRuleError:
    return GrantRuleError(
        gettext(
            "This enrolment link has expired or was already used. Ask the system "
            "administrator to send a new one."
        )
    )


def use_two_factor_invitation(
    invitation: TwoFactorInvitation, *, user: User
) -> TwoFactorInvitation:
    """Spend the invitation on the authenticator ``user`` is linking: once only.

    Call it in the transaction that confirms the device, so that a refused link
    confirms nothing. Refused when the invitation is another user's, expired or
    used already (by a second tab, say).
    """
    with transaction.atomic():
        row = TwoFactorInvitation.objects.select_for_update().get(pk=invitation.pk)
        now = timezone.now()
        if row.user_id != user.pk or row.used_at is not None or row.expires_at <= now:
            raise _link_refused()
        row.used_at = now
        return _save(
            row,
            reason="Used to link an authenticator",
            by=user,
            update_fields=["used_at"],
        )


def _devices(count: int) -> str:
    if count == 0:
        return "no device to remove"
    return f"{count} device{'s' if count != 1 else ''} removed"


def reset_two_factor(user: User, *, by: User | None) -> TwoFactorInvitation:
    """Delete the user's authenticators and backup codes; e-mail a new invitation.

    Until the user follows the new link nobody passes the second step of their
    account, whoever had linked a device; the user's unused older links stop
    working. ``by`` is the administrator (None on the server's command line).
    Returns the invitation; its ``sent_at`` is set once the e-mail has gone.
    """
    if not user.is_active:
        raise GrantRuleError(gettext("The account is not active: nobody signs in."))
    if not user.email:
        raise GrantRuleError(
            gettext("The account has no e-mail address to send the invitation to.")
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        # One reset of a user at a time: two would each leave a working link.
        User.objects.select_for_update().filter(pk=user.pk).exists()
        now = timezone.now()
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        # A token made with the old second factor goes with it.
        revoke_all_api_tokens(user)
        older = TwoFactorInvitation.objects.usable(now).filter(user=user)
        for old in older.select_for_update():
            old.expires_at = now
            _save(
                old,
                reason="Replaced by a newer invitation",
                by=by,
                update_fields=["expires_at"],
            )
        where = "" if by is not None else " from the server's command line"
        invitation = _save(
            TwoFactorInvitation(
                user=user,
                token_hash=_hash(token),
                created_by=by,
                created_at=now,
                expires_at=now
                + datetime.timedelta(hours=settings.KHANIJ_2FA_INVITATION_HOURS),
                devices_removed=len(devices),
            ),
            reason=(
                f"Two-factor sign-in reset{where} ({_devices(len(devices))}); "
                f"enrolment invitation e-mailed to {user.email}"
            ),
            by=by,
        )
        transaction.on_commit(functools.partial(_send_invitation, invitation.pk, token))
    return invitation


def build_invitation_email(invitation: TwoFactorInvitation, token: str):
    """Render the invitation's e-mail, text and HTML, in the user's language."""
    user = invitation.user
    issued_by = invitation.created_by
    with translation.override(language_of(user)):
        return render_email(
            "two_factor_invitation",
            {
                "invitation": invitation,
                "recipient_name": user.get_full_name() or user.username,
                "username": user.username,
                "issued_by_name": (
                    (issued_by.get_full_name() or issued_by.username)
                    if issued_by
                    else ""
                ),
                "link": site_url(reverse("two-factor-invitation", args=[token])),
                "helpdesk_email": settings.KHANIJ_HELPDESK_EMAIL,
            },
            to=user.email,
            message_id_header=message_id("two-factor-invitation", invitation.pk),
        )


def _send_invitation(pk: int, token: str) -> None:
    invitation = TwoFactorInvitation.objects.select_related("user", "created_by").get(
        pk=pk
    )
    try:
        build_invitation_email(invitation, token).send()
    except (smtplib.SMTPException, OSError):
        # The administrator is told the e-mail did not go (``sent_at`` stays
        # empty) and resets again; the link itself is nowhere else.
        logger.exception("The two-factor invitation %s was not e-mailed", pk)
        return
    TwoFactorInvitation.objects.filter(pk=pk).update(sent_at=timezone.now())
