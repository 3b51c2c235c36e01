"""What every service shares: the domain error and how it writes figures."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from grants.formatting import format_date, format_inr, format_percent


class GrantRuleError(ValidationError):
    """A business rule refused a change; the message says which and why."""


class LowUtilisationWarning(GrantRuleError):
    """The covering UC shows under 75% utilisation: finance must acknowledge it."""


# A date as the services write it, "05 Mar 2027", with the page's month names; the
# services import it by this name.
_date = format_date


def in_default_language():
    """Write what is stored (a history change reason, a note kept on a row) in the
    site's default language, whoever's page wrote it: it is read back as data.

    ``with in_default_language(): reason = ...``
    """
    return translation.override(settings.LANGUAGE_CODE)


def _rupees(amount) -> str:
    """Rupees as every page writes them: the sign and Indian grouping, ₹ 5,67,000."""
    return format_inr(amount, symbol="₹\u00a0")


def _percent_floor(part: int, whole: int) -> str:
    """Write part/whole as a percentage rounded down to 0.1: 74.99% reads 74.9%."""
    return format_percent(part, whole)


def _save(instance, *, reason: str = "", by=None, **kwargs):
    """Validate and save a row; ``reason`` and ``by`` go into its audit history.

    ``by`` names who acted even when no web request does (a task, a command).
    """
    instance.full_clean()
    if reason:
        instance._change_reason = reason
    if by is not None:
        instance._history_user = by
    instance.save(**kwargs)
    return instance
