"""The money of a sanction: budget lines by head and year, and instalments."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grants.models.common import actor_field, money_field, non_negative
from grants.models.projects import Project


class GFRComponent(models.TextChoices):
    """The component columns of Form GFR 12-A that budget heads roll up into."""

    GENERAL = "general", _("Grant-in-aid – General")
    SALARY = "salary", _("Grant-in-aid – Salary")
    CAPITAL_ASSETS = "capital", _("Grant-in-aid – Creation of capital assets")


class BudgetLineQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the budget lines of projects the user may see."""
        return self.filter(project__in=Project.objects.visible_to(user))


class BudgetLine(models.Model):
    """The amount sanctioned for one budget head in one project year."""

    class Head(models.TextChoices):
        MANPOWER = "manpower", _("manpower")
        EQUIPMENT = "equipment", _("equipment")
        CONSUMABLES = "consumables", _("consumables")
        TRAVEL = "travel", _("travel")
        CONTINGENCY = "contingency", _("contingency")
        OVERHEAD = "overhead", _("overhead")

        @property
        def is_recurring(self):
            # GFR 2(xxi)/(xxvii): equipment is bought once; the rest recur.
            return self != BudgetLine.Head.EQUIPMENT

        @property
        def gfr_component(self):
            return {
                BudgetLine.Head.MANPOWER: GFRComponent.SALARY,
                BudgetLine.Head.EQUIPMENT: GFRComponent.CAPITAL_ASSETS,
            }.get(self, GFRComponent.GENERAL)

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="budget_lines",
        verbose_name=_("project"),
    )
    head = models.CharField(_("head"), max_length=15, choices=Head)
    project_year = models.PositiveSmallIntegerField(
        _("project year"), validators=[MinValueValidator(1)]
    )
    amount = money_field(_("amount (Rs)"))

    history = HistoricalRecords()

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["project", "project_year", "head"]
        constraints = [
            *non_negative("amount", model="budgetline"),
            models.CheckConstraint(
                condition=Q(project_year__gte=1),
                name="budgetline_project_year_from_1",
                violation_error_message=_("Project years count from 1."),
            ),
            models.UniqueConstraint(
                fields=["project", "head", "project_year"],
                name="budgetline_unique_head_year",
                violation_error_message=_(
                    "This head already has a line for this project year."
                ),
            ),
        ]

    def __str__(self):
        return gettext("%(head)s, year %(year)s") % {
            "head": self.get_head_display(),
            "year": self.project_year,
        }

    @property
    def is_recurring(self):
        return BudgetLine.Head(self.head).is_recurring

    @property
    def gfr_component(self):
        return BudgetLine.Head(self.head).gfr_component


class InstalmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the instalments of projects the user may see."""
        return self.filter(project__in=Project.objects.visible_to(user))

    def released(self):
        """Return the instalments whose money has gone out."""
        return self.filter(released_on__isnull=False)

    def unreleased(self):
        """Return the instalments still to be released."""
        return self.filter(released_on__isnull=True)


class Instalment(models.Model):
    """A planned tranche of a sanction and, once paid, its release."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="instalments",
        verbose_name=_("project"),
    )
    sequence = models.PositiveSmallIntegerField(
        _("sequence"), validators=[MinValueValidator(1)]
    )
    planned_on = models.DateField(_("planned on"))
    amount = money_field(_("amount (Rs)"))
    condition = models.CharField(
        _("condition"),
        max_length=300,
        blank=True,
        help_text=_("What must happen before release."),
    )
    spend_by = models.DateField(
        _("spend by"),
        null=True,
        blank=True,
        help_text=_("GFR 230(4): the time limit to spend it."),
    )
    recommended_on = models.DateField(_("recommended on"), null=True, blank=True)
    recommended_by = actor_field(_("recommended by"))
    released_on = models.DateField(
        _("released on"), null=True, blank=True, db_index=True
    )
    release_order_number = models.CharField(
        _("release order number"), max_length=60, blank=True
    )
    released_by = actor_field(_("released by"))
    covering_certificate = models.ForeignKey(
        "UtilisationCertificate",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("The accepted UC that allowed this release (GFR 238(2))."),
        verbose_name=_("covering certificate"),
    )
    override_reason = models.TextField(
        _("override reason"),
        blank=True,
        help_text=_("Why finance released without an accepted covering UC."),
    )
    low_utilisation_note = models.TextField(
        _("low utilisation note"),
        blank=True,
        # xgettext:no-python-format
        help_text=_("Why the release went ahead with under 75% utilisation."),
    )

    history = HistoricalRecords()

    objects = InstalmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["project", "sequence"]
        permissions = [
            ("release_instalment", "Can record the release of an instalment"),
            ("recommend_instalment", "Can recommend an instalment for release"),
        ]
        # The dashboard sums releases by date from this index alone.
        indexes = [
            models.Index(fields=["released_on", "amount"], name="instalment_released")
        ]
        constraints = [
            *non_negative("amount", model="instalment"),
            models.CheckConstraint(
                condition=Q(sequence__gte=1),
                name="instalment_sequence_from_1",
                violation_error_message=_("Instalments are numbered from 1."),
            ),
            models.UniqueConstraint(
                fields=["project", "sequence"],
                name="instalment_unique_sequence",
                violation_error_message=_(
                    "This project already has an instalment with this number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(released_on__isnull=True) | ~Q(release_order_number=""),
                name="instalment_release_has_order_number",
                violation_error_message=_("A release needs its release order number."),
            ),
        ]

    def __str__(self):
        return gettext("%(reference)s instalment %(number)s") % {
            "reference": self.project.reference,
            "number": self.sequence,
        }

    @property
    def is_released(self):
        return self.released_on is not None
