"""The shape every ministry decision shares: when it was made, and by whom.

Utilisation certificates and progress reports are *submissions*: a grantee submits
one (``submitted_on``, ``submitted_by``) and the ministry accepts or returns it
(``decided_on``, ``decided_by``). An extension is requested rather than submitted;
it keeps its own ``requested_on`` and ``requested_by`` and shares the decision.

Each concrete model names, in ``AWAITING_DECISION``, the status of a row that still
waits for the ministry; the QuerySet methods here read it.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grants.models.common import actor_field


class DecidedQuerySet(models.QuerySet):
    def awaiting_decision(self):
        """Return the rows still waiting for the ministry's decision."""
        return self.filter(status=self.model.AWAITING_DECISION)

    def decided(self):
        """Return the rows the ministry has decided, with their decision date."""
        return self.filter(
            ~Q(status=self.model.AWAITING_DECISION), decided_on__isnull=False
        )

    def decided_between(self, start: datetime.date, end: datetime.date):
        """Return the rows decided from ``start`` to ``end`` inclusive."""
        return self.decided().filter(decided_on__range=(start, end))

    def recently_decided(self):
        """Return the decided rows, the latest decision first (then the newest row)."""
        return self.decided().order_by("-decided_on", "-pk")


class SubmissionQuerySet(DecidedQuerySet):
    def awaiting_review(self):
        """Return the submissions not yet decided."""
        return self.awaiting_decision()

    def review_queue(self):
        """Return the submissions awaiting a decision, the longest waiting first."""
        return self.awaiting_review().order_by("submitted_on", "pk")

    def accepted(self):
        """Return the submissions the ministry has accepted."""
        return self.filter(status=self.model.Status.ACCEPTED)

    def returned(self):
        """Return the submissions the ministry has returned to the grantee."""
        return self.filter(status=self.model.Status.RETURNED)


class Decided(models.Model):
    """A row the ministry decides on: the date and the officer, blank until then."""

    # The status of a row still waiting for its decision; each model sets it.
    AWAITING_DECISION: str

    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = actor_field(_("decided by"))

    class Meta:
        abstract = True


class Submission(Decided):
    """A grantee's submission for the ministry to decide on: when, and who sent it."""

    submitted_on = models.DateField(_("submitted on"))
    submitted_by = actor_field(_("submitted by"))

    class Meta:
        abstract = True


def decision_constraints(
    prefix: str,
    *,
    reason_field: str,
    reason_message,
    date_message,
    refused: str = "returned",
    waiting: str = "submitted",
    reason_check: str = "return_has_reason",
) -> list[models.CheckConstraint]:
    """The two checks every decided row carries, named ``<prefix>_...``.

    A refused row says why (its ``reason_field`` is not blank), and a decided row
    says when (``decided_on`` is set once the status leaves ``waiting``). For a
    submission the refusal is a return; for a request it is a rejection or refusal.
    """
    return [
        models.CheckConstraint(
            condition=~Q(status=refused) | ~Q(**{reason_field: ""}),
            name=f"{prefix}_{reason_check}",
            violation_error_message=reason_message,
        ),
        models.CheckConstraint(
            condition=Q(status=waiting) | Q(decided_on__isnull=False),
            name=f"{prefix}_decision_has_date",
            violation_error_message=date_message,
        ),
    ]
