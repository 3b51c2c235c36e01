"""Two-factor enrolment invitations: what a staff user needs besides the password.

When staff must use a second factor, a password alone does not link an
authenticator: whoever has only the password could otherwise link their own phone
before the real user does. An administrator issues a one-time link instead, e-mailed
to the user's address (``grants.services.enrolment``). The link's token is kept only
as a SHA-256 hash, so the table does not hold a working link.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grants.models.common import actor_field


class TwoFactorInvitationQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Return the invitations not yet used and not expired at ``now``."""
        return self.filter(used_at__isnull=True, expires_at__gt=now or timezone.now())


class TwoFactorInvitation(models.Model):
    """A one-time, expiring link that lets one user link an authenticator app."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="two_factor_invitations",
        verbose_name=_("user"),
    )
    token_hash = models.CharField(
        _("token hash"), max_length=64, unique=True, editable=False
    )
    created_by = actor_field(_("issued by"))
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    devices_removed = models.PositiveSmallIntegerField(
        _("devices removed"),
        default=0,
        help_text=_("Authenticators and backup codes deleted when it was issued."),
    )

    # The hash is left out: the history says who issued and used a link, not it.
    history = HistoricalRecords(excluded_fields=["token_hash"])

    objects = TwoFactorInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("two-factor enrolment invitation")
        verbose_name_plural = _("two-factor enrolment invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                # Equal when a newer invitation replaced it at once.
                condition=Q(expires_at__gte=F("created_at")),
                name="two_factor_invitation_expires_after_issue",
                violation_error_message=_(
                    "An invitation cannot expire before it is issued."
                ),
            )
        ]

    def __str__(self):
        return gettext("Enrolment invitation for %(user)s") % {"user": self.user}
