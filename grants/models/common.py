"""Validators and field helpers that the grant models share."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q, Subquery, Value
from django.utils.translation import gettext_lazy as _

from grants.formatting import FISCAL_YEAR_PATTERN

TRL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(9)]
fiscal_year_validator = RegexValidator(
    FISCAL_YEAR_PATTERN, _("Write the fiscal year like 2024-25.")
)
# \Z, not $: $ also matches before a trailing newline.
pan_validator = RegexValidator(
    r"^[A-Z]{5}[0-9]{4}[A-Z]\Z", _("A PAN is ten characters, like AAAAA9999A.")
)
udyam_validator = RegexValidator(
    r"^UDYAM-[A-Z]{2}-[0-9]{2}-[0-9]{7}\Z",
    _("A Udyam number looks like UDYAM-MH-26-0012345."),
)
# Published DPIIT numbers disagree on their shape ("DIPP12345", "DPIIT2022AB1234"),
# so only the documented prefix and trailing digits are checked.
dpiit_validator = RegexValidator(
    r"^(DIPP|DPIIT)[A-Z0-9]*[0-9]+\Z",
    _("A DPIIT recognition number starts with DIPP or DPIIT and ends in digits."),
)


def money_field(verbose_name, **kwargs):
    """Return a column of whole rupees."""
    kwargs.setdefault("default", 0)
    return models.BigIntegerField(verbose_name, **kwargs)


def actor_field(verbose_name=None):
    """Return an optional link to the user who did something, with no reverse name.

    The user cannot be deleted while the record names them (``PROTECT``).
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=verbose_name,
    )


def count_of(queryset):
    """A subquery counting the rows of ``queryset``, for use as an annotation.

    It does not refer to the outer query, so the database counts once (an
    InitPlan on PostgreSQL) and the count rides along with the first rows.
    """
    counted = (
        queryset.select_related(None)
        .order_by()
        .values(count=models.Func(Value(1), function="COUNT"))
    )
    return Subquery(counted, output_field=models.IntegerField())


def non_negative(*fields, model):
    """Return a check constraint per money field that it is never negative."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__gte": 0}),
            name=f"{model}_{field}_non_negative",
            violation_error_message=_("An amount cannot be negative."),
        )
        for field in fields
    ]
