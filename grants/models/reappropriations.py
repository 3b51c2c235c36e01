"""Moving sanctioned money from one budget head and year to another."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grants.models.common import actor_field, money_field
from grants.models.decisions import Decided, DecidedQuerySet, decision_constraints
from grants.models.money import BudgetLine
from grants.models.projects import Project


class ReappropriationQuerySet(DecidedQuerySet):
    def visible_to(self, user):
        """Return the re-appropriations of projects the user may see."""
        return self.filter(project__in=Project.objects.visible_to(user))


class Reappropriation(Decided):
    """A grantee's request to move an amount between budget heads, and the decision.

    The budget lines still add up to the sanction afterwards: the service moves the
    amount from one line to the other in one transaction.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("asked")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    AWAITING_DECISION = Status.REQUESTED

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="reappropriations",
        verbose_name=_("project"),
    )
    from_head = models.CharField(_("from head"), max_length=15, choices=BudgetLine.Head)
    from_year = models.PositiveSmallIntegerField(
        _("from project year"), validators=[MinValueValidator(1)]
    )
    to_head = models.CharField(_("to head"), max_length=15, choices=BudgetLine.Head)
    to_year = models.PositiveSmallIntegerField(
        _("to project year"), validators=[MinValueValidator(1)]
    )
    amount = money_field(_("amount (Rs)"))
    reason = models.TextField(_("reason"))
    needs_finance = models.BooleanField(
        _("needs finance"),
        default=False,
        help_text=_("Above the scheme's threshold: finance decides, not the officer."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.REQUESTED
    )
    requested_on = models.DateField(_("requested on"))
    requested_by = actor_field(_("requested by"))
    # decided_on and decided_by: from Decided.
    decision_comment = models.TextField(_("decision comment"), blank=True)

    history = HistoricalRecords()

    objects = ReappropriationQuerySet.as_manager()

    class Meta:
        verbose_name = _("reappropriation")
        verbose_name_plural = _("reappropriations")
        ordering = ["project", "requested_on", "pk"]
        permissions = [
            ("decide_reappropriation", "Can decide a re-appropriation"),
            (
                "decide_large_reappropriation",
                "Can decide a re-appropriation above the scheme's threshold",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="reappropriation_amount_positive",
                violation_error_message=_("The amount to move must be above zero."),
            ),
            models.CheckConstraint(
                condition=~Q(
                    from_head=models.F("to_head"), from_year=models.F("to_year")
                ),
                name="reappropriation_moves_somewhere",
                violation_error_message=_(
                    "Choose a different head or year to move the amount to."
                ),
            ),
            *decision_constraints(
                "reappropriation",
                reason_field="decision_comment",
                reason_message=_("A rejection needs a reason."),
                date_message=_("A decided request needs its decision date."),
                refused="rejected",
                waiting="requested",
                reason_check="rejection_has_reason",
            ),
        ]

    def __str__(self):
        return gettext(
            "%(reference)s: %(from_head)s year %(from_year)s to %(to_head)s year "
            "%(to_year)s"
        ) % {
            "reference": self.project.reference,
            "from_head": self.get_from_head_display(),
            "from_year": self.from_year,
            "to_head": self.get_to_head_display(),
            "to_year": self.to_year,
        }
