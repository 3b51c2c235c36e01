"""A user's own API tokens: made, revoked, and every request made with one logged.

A token signs in as its user and carries their permissions and nothing more. A
staff member's token opens the whole portfolio to a script, so it is made only
in a session that passed the second factor; a grantee's needs no more than their
sign-in. The secret is returned once, to be shown once; only its digest is kept.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants.models import ApiRequest, ApiToken, User
from grants.services.common import GrantRuleError

# How long a token lasts, in days, as the account page offers it.
LIFETIMES = {
    30: gettext_lazy("30 days"),
    90: gettext_lazy("90 days"),
    365: gettext_lazy("one year"),
}
# A user may keep this many tokens at once: one per script is plenty.
MAX_TOKENS_PER_USER = 10
# The last-used time is written at most this often, not on every request.
LAST_USED_GRANULARITY = datetime.timedelta(minutes=5)


@transaction.atomic
def create_api_token(
    user, *, name: str, lifetime_days: int, second_factor_passed: bool
) -> tuple[ApiToken, str]:
    """Make a token for ``user``; return it and its secret, which is never kept."""
    if user.is_staff and not second_factor_passed:
        raise GrantRuleError(
            _(
                "Confirm your second factor before making an API token: a staff "
                "token reads the whole portfolio."
            )
        )
    if lifetime_days not in LIFETIMES:
        raise GrantRuleError(
            {"lifetime_days": _("Choose one of the lifetimes offered.")}
        )
    name = " ".join(name.split())
    if not name:
        raise GrantRuleError({"name": _("Say what the token is for.")})
    # Lock the user's row: two forms posted at once cannot both pass the count.
    User.objects.select_for_update().filter(pk=user.pk).first()
    # Expired tokens are deleted when next presented; they hold no place meanwhile.
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise GrantRuleError(
            _("You already have %(count)s tokens. Revoke one you no longer use first.")
            % {"count": MAX_TOKENS_PER_USER}
        )
    return ApiToken.objects.create(
        user,
        expiry=datetime.timedelta(days=lifetime_days),
        name=name,
        second_factor=second_factor_passed,
    )


def revoke_api_token(token: ApiToken) -> None:
    """Delete the token: the very next request made with it is refused."""
    token.delete()


def revoke_all_api_tokens(user) -> int:
    """Delete every token of ``user``: after a new password or a second factor reset.

    Whoever held the account for a while could have made a token that outlived
    the password they used; a new password or second factor shuts that door too.
    """
    deleted, _by_model = ApiToken.objects.filter(user=user).delete()
    return deleted


def note_password_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before a user is saved: note whether the password is being changed."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    stored = (
        User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    )
    instance._password_changed = stored is not None and stored != instance.password


def revoke_tokens_after_password_change(sender, instance, raw=False, **kwargs):
    if getattr(instance, "_password_changed", False):
        instance._password_changed = False
        revoke_all_api_tokens(instance)


def connect_signals() -> None:
    from django.db.models.signals import post_save, pre_save

    pre_save.connect(note_password_change, sender=User, dispatch_uid="api-password")
    post_save.connect(
        revoke_tokens_after_password_change, sender=User, dispatch_uid="api-revoke"
    )


def token_used(token: ApiToken) -> None:
    """Note when a token was last used, writing at most every few minutes."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def record_api_request(
    *, user, token: ApiToken | None, method: str, path: str, status: int, address
) -> ApiRequest:
    """Log one API request with the token that made it (its name, not its secret)."""
    return ApiRequest.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        token_key=token.token_key if token is not None else "",
        token_name=token.name if token is not None else "",
        method=method[:10],
        path=path[:500],
        status=status,
        address=address,
    )


# Rows deleted per statement when the log is pruned: short transactions.
PRUNE_BATCH = 5_000


def prune_api_requests(*, now=None) -> int:
    """Delete the log's rows older than ``KHANIJ_API_LOG_DAYS``; say how many."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=settings.KHANIJ_API_LOG_DAYS)
    deleted = 0
    while True:
        batch = list(
            ApiRequest.objects.filter(at__lt=before).values_list("pk", flat=True)[
                :PRUNE_BATCH
            ]
        )
        if not batch:
            return deleted
        deleted += ApiRequest.objects.filter(pk__in=batch).delete()[0]
