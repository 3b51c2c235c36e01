"""API tokens and the log of every request made with one.

A token is a user's own key for scripts: it signs in as that user and carries
their permissions and nothing more. Only a digest of the secret is kept (knox's
SHA-512) with its first characters, which name it on the account page and in the
log; the secret itself is shown once, when the token is made. Revoking deletes the
row, so the very next request with it is refused; the log keeps the name.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A user's API token (knox's model, with a name and when it was last used)."""

    name = models.CharField(
        _("name"),
        max_length=80,
        help_text=_("What the token is for, e.g. “release reconciliation script”."),
    )
    # Staff tokens are made only after the second factor (services.api_tokens).
    second_factor = models.BooleanField(
        _("made after the second factor"), default=False
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.token_key}…)"


class ApiRequest(models.Model):
    """One request to the API: who, with which token (never the secret), and what."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Copies, so the log still names a token after it is revoked.
    token_key = models.CharField(_("token"), max_length=25, blank=True, db_index=True)
    token_name = models.CharField(_("token name"), max_length=80, blank=True)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    status = models.PositiveSmallIntegerField(_("status"))
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("API request")
        verbose_name_plural = _("API requests")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.method} {self.path} {self.status}"
