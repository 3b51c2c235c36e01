"""Per-project summaries of money and the release pipeline, for the dashboard."""

from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from grants.models.common import money_field, non_negative
from grants.models.money import Instalment
from grants.models.projects import Project
from grants.models.reference import Scheme


class ProjectSummary(models.Model):
    """A project's money and release-pipeline figures, kept for the dashboard.

    Summing a project's instalments and certificates, and working out where its
    next instalment stands, is cheap for one project and slow for a hundred
    thousand; the dashboard and the projects table read these rows instead.

    A row is exact for the days from ``refreshed_for`` up to (not including)
    ``valid_until``: the first day the calendar alone can change the pipeline (an
    instalment falling due, a milestone reaching 30 days overdue). Every save of
    the project or of its instalments, certificates and milestones adds one to
    ``version`` and clears ``valid_until`` in the same transaction
    (``grants.summaries``), and readers refresh the rows that are out of date
    before they use them. A refresh records the version it read *before* reading
    the figures and clears ``valid_until`` again where the version has moved on
    since, so a change made meanwhile leaves the row out of date, not lost.
    """

    project = models.OneToOneField(
        Project,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="summary",
        verbose_name=_("project"),
    )
    # Copies of what the dashboard groups and counts by, so that its sums read
    # this one narrow table: the project's own columns and its grantee's kind.
    fiscal_year = models.CharField(_("fiscal year"), max_length=7, blank=True)
    scheme = models.ForeignKey(
        Scheme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scheme"),
    )
    organisation_kind = models.CharField(
        _("organisation kind"), max_length=20, blank=True
    )
    stage = models.CharField(_("stage"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=12, blank=True)
    trl_start = models.PositiveSmallIntegerField(_("trl start"), null=True, blank=True)
    trl_now = models.PositiveSmallIntegerField(_("trl now"), null=True, blank=True)
    trl_target = models.PositiveSmallIntegerField(
        _("trl target"), null=True, blank=True
    )
    sanctioned = money_field(_("sanctioned amount (Rs)"))
    search_text = models.TextField(
        _("search text"),
        blank=True,
        help_text=_(
            "Reference, title, grantee and principal investigator, in capitals: "
            "what the projects table's search looks in."
        ),
    )
    released = money_field(_("released (Rs)"))
    expenditure = money_field(_("expenditure in accepted UCs (Rs)"))
    unspent = money_field(_("unspent balance held by the grantee (Rs)"))
    next_instalment = models.ForeignKey(
        Instalment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("next instalment"),
    )
    next_amount = money_field(_("next instalment (Rs)"))
    release_stage = models.CharField(
        _("release stage"),
        max_length=20,
        blank=True,
        help_text=_("Where the next instalment stands; blank when none is due."),
    )
    stage_since = models.DateField(_("stage since"), null=True, blank=True)
    blockers = models.TextField(_("blockers"), blank=True, help_text=_("One per line."))
    # The same blockers in Hindi: a summary is read by pages in either language, so
    # it keeps both rather than working them out again per page.
    blockers_hi = models.TextField(
        _("blockers in Hindi"), blank=True, help_text=_("One per line.")
    )
    # Two more figures the dashboard totals: money released in each fiscal year of
    # release ({"2024-25": rupees}), and the milestones returned to the grantee.
    released_by_year = models.JSONField(
        _("released by fiscal year (Rs)"), default=dict, blank=True
    )
    returned_milestones = models.PositiveIntegerField(
        _("milestones returned for resubmission"), default=0
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    refreshed_version = models.PositiveIntegerField(_("refreshed version"), default=0)
    refreshed_for = models.DateField(_("refreshed for"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("project summary")
        verbose_name_plural = _("project summaries")
        constraints = [
            *non_negative(
                "sanctioned",
                "released",
                "expenditure",
                "unspent",
                "next_amount",
                model="projectsummary",
            )
        ]
        indexes = [
            # What readers look for before they read: rows changed since their
            # refresh (valid_until cleared) or overtaken by the calendar.
            models.Index(fields=["valid_until"], name="summary_valid_until"),
            models.Index(fields=["refreshed_for"], name="summary_refreshed_for"),
            # The projects table sorts by released amount; the pipeline by stage.
            models.Index(fields=["released"], name="summary_released"),
            # Key columns past the first three only let the pipeline's ranking
            # and totals read the index alone.
            models.Index(
                fields=[
                    "release_stage",
                    "stage_since",
                    "project",
                    "next_amount",
                    "next_instalment",
                ],
                name="summary_stage_since",
            ),
        ]

    def __str__(self):
        return gettext("Summary of %(project)s") % {"project": self.project_id}

    @property
    def blocker_list(self) -> list[str]:
        """The blockers in the page's language (English where none are in Hindi)."""
        text = self.blockers
        if self.blockers_hi and (get_language() or "").startswith("hi"):
            text = self.blockers_hi
        return [line for line in text.splitlines() if line]


class PortfolioRollup(models.Model):
    """The portfolio's totals by each dimension the dashboard shows, kept exact.

    One row per value of each dimension (a fiscal year, a scheme, a grantee kind, a
    TRL, a release stage...) and one for the whole portfolio (dimension ``all``):
    a few dozen rows, however many projects there are. Every refresh of project
    summaries adds the difference between the old and the new summaries here, in
    the same transaction (``grants.rollup``), so these rows always equal the sums
    of the summaries and the dashboard reads them instead of every summary.
    """

    dimension = models.CharField(_("dimension"), max_length=20)
    value = models.CharField(_("value"), max_length=40, blank=True)
    projects = models.BigIntegerField(_("projects"), default=0)
    sanctioned = money_field(_("sanctioned amount (Rs)"))
    released = money_field(_("released (Rs)"))
    expenditure = money_field(_("expenditure in accepted UCs (Rs)"))
    unspent = money_field(_("unspent balance held by grantees (Rs)"))
    next_amount = money_field(_("next instalments (Rs)"))
    returned = models.BigIntegerField(
        _("milestones returned for resubmission"), default=0
    )

    class Meta:
        verbose_name = _("portfolio total")
        verbose_name_plural = _("portfolio totals")
        # No "never negative" checks here, unlike the figures they sum: the rollup
        # is changed by adding differences in an upsert, and the database checks
        # the row it would insert (the difference, often negative) before it finds
        # the row to add to. The tests hold the rows equal to the summaries' sums.
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "value"], name="rollup_dimension_value"
            ),
        ]

    def __str__(self):
        return f"{self.dimension}={self.value}"
