"""What every service shares: the domain error and how it writes figures."""

import contextlib
import contextvars
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

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


_database_checks = contextvars.ContextVar("database_checks", default=False)


@contextlib.contextmanager
def constraints_checked_by_the_database():
    """Within, ``_save`` leaves a row's constraints to the database.

    Django checks each constraint of a model with a query of its own before a
    save: a dozen queries for a project. A writer of many thousand rows (an
    import) lets the database check them as it writes instead, each save in a
    savepoint, and turns a violation into the constraint's own message.
    """
    token = _database_checks.set(True)
    try:
        yield
    finally:
        _database_checks.reset(token)


def _save(instance, *, reason: str = "", by=None, **kwargs):
    """Validate and save a row; ``reason`` and ``by`` go into its audit history.

    ``by`` names who acted even when no web request does (a task, a command).
    """
    checked_on_save = _database_checks.get()
    instance.full_clean(validate_constraints=not checked_on_save)
    if reason:
        instance._change_reason = reason
    if by is not None:
        instance._history_user = by
    if not checked_on_save:
        instance.save(**kwargs)
        return instance
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError as error:
        raise GrantRuleError(_violated(instance, error)) from error
    return instance


def _violated(instance, error: IntegrityError) -> str:
    """The message of the constraint a row broke, from the database's error.

    PostgreSQL names the constraint; SQLite names a check constraint, and a
    unique one by its columns.
    """
    text = str(error)
    columns = set()
    if match := re.search(r"UNIQUE constraint failed: (.+)$", text):
        columns = {part.split(".")[-1] for part in match[1].split(", ")}
    for constraint in instance._meta.constraints:
        fields = {
            instance._meta.get_field(name).column
            for name in getattr(constraint, "fields", ())
        }
        if constraint.name in text or (columns and fields == columns):
            return str(constraint.get_violation_error_message())
    return _("The row breaks a rule of the database: %(error)s") % {"error": text}
