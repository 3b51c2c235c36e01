"""What must hold before an instalment is released, as rows of known kinds.

A sanction order states each instalment's conditions; here each is a row, so the
release service can check it and the pipeline can name it. The kinds the service
knows how to check are listed in ``ReleaseCondition.Kind``; anything else is a
free-text condition that the programme officer marks as met, with a note.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grants.models.common import TRL_VALIDATORS, actor_field
from grants.models.milestones import Milestone
from grants.models.money import Instalment


class ReleaseCondition(models.Model):
    """One condition an instalment's release waits for."""

    class Kind(models.TextChoices):
        COVERING_UC = (
            "covering_uc",
            _("accepted UC covering the previous release (GFR 230(10), 238(2))"),
        )
        MILESTONE = "milestone", _("milestone accepted")
        AUDITED_SOE = "audited_soe", _("audited statement of expenditure received")
        MIN_UTILISATION = (
            "min_utilisation",
            _("minimum utilisation of earlier releases"),
        )
        TRL = "trl", _("technology readiness level reached")
        OTHER = "other", _("other condition, marked met by the programme officer")

    instalment = models.ForeignKey(
        Instalment,
        on_delete=models.CASCADE,
        related_name="conditions",
        verbose_name=_("instalment"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    # RESTRICT: a milestone a condition names is not deleted on its own, but goes
    # with its project when the whole project is deleted.
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.RESTRICT,
        related_name="release_conditions",
        null=True,
        blank=True,
        help_text=_("For a milestone condition: the milestone to be accepted."),
        verbose_name=_("milestone"),
    )
    min_utilisation_percent = models.PositiveSmallIntegerField(
        _("minimum utilisation (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    trl = models.PositiveSmallIntegerField(
        _("TRL to reach"), null=True, blank=True, validators=TRL_VALIDATORS
    )
    text = models.CharField(
        _("condition as the sanction states it"), max_length=300, blank=True
    )
    # A free-text condition is met when the programme officer says so.
    met_on = models.DateField(_("met on"), null=True, blank=True)
    met_by = actor_field(_("met by"))
    met_note = models.TextField(_("met note"), blank=True)
    # Finance may release with the condition unmet, recording why.
    overridden_on = models.DateField(_("overridden on"), null=True, blank=True)
    overridden_by = actor_field(_("overridden by"))
    override_reason = models.TextField(_("override reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("release condition")
        verbose_name_plural = _("release conditions")
        ordering = ["instalment", "pk"]
        permissions = [
            ("mark_condition_met", "Can mark a free-text release condition as met")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="milestone") | Q(milestone__isnull=False),
                name="releasecondition_milestone_named",
                violation_error_message=_("A milestone condition names its milestone."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="min_utilisation")
                | Q(min_utilisation_percent__gte=1, min_utilisation_percent__lte=100),
                name="releasecondition_utilisation_percent",
                violation_error_message=_(
                    "A utilisation condition needs a percentage from 1 to 100."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="trl") | Q(trl__gte=1, trl__lte=9),
                name="releasecondition_trl_between_1_and_9",
                violation_error_message=_("A TRL condition needs a TRL from 1 to 9."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(text=""),
                name="releasecondition_other_has_text",
                violation_error_message=_("A free-text condition needs its wording."),
            ),
            models.CheckConstraint(
                condition=Q(met_on__isnull=True) | ~Q(met_note=""),
                name="releasecondition_met_has_note",
                violation_error_message=_(
                    "Marking a condition as met needs a note saying how."
                ),
            ),
            models.CheckConstraint(
                condition=Q(overridden_on__isnull=True) | ~Q(override_reason=""),
                name="releasecondition_override_has_reason",
                violation_error_message=_("An override needs a reason."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The condition as a finance officer reads it on a refusal."""
        return str(self._name())

    def _name(self):
        if self.kind == self.Kind.MILESTONE:
            return _("%(title)s accepted") % {"title": self.milestone.title}
        if self.kind == self.Kind.MIN_UTILISATION:
            return _("Utilisation of earlier releases of at least %(percent)s%%") % {
                "percent": self.min_utilisation_percent
            }
        if self.kind == self.Kind.TRL:
            return _("TRL %(trl)s reached") % {"trl": self.trl}
        if self.kind == self.Kind.OTHER:
            return self.text
        if self.kind == self.Kind.AUDITED_SOE:
            return _("Audited statement of expenditure received")
        return _("Accepted UC covering the previous release (GFR 230(10), 238(2))")
