"""Sanctioned projects and the extensions of their end dates."""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grants.models.common import (
    TRL_VALIDATORS,
    actor_field,
    fiscal_year_validator,
    money_field,
    non_negative,
)
from grants.models.decisions import Decided, DecidedQuerySet
from grants.models.people import Membership, Organisation
from grants.models.reference import Element, Scheme


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the projects of the organisations the user is an active member of."""
        if not user.is_authenticated:
            return self.none()
        organisations = Membership.objects.active().filter(user=user)
        return self.filter(organisation__in=organisations.values("organisation"))

    def with_released_total(self):
        """Annotate ``released_total``: rupees released so far (0 if none)."""
        from grants.models.money import Instalment  # money.py imports this module

        released = (
            Instalment.objects.released()
            .filter(project=OuterRef("pk"))
            .values("project")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return self.annotate(
            released_total=Coalesce(Subquery(released), Value(0)),
        )

    def with_pending_total(self):
        """Annotate ``released_total`` and ``pending_total`` (sanctioned - released)."""
        return self.with_released_total().annotate(
            pending_total=F("sanctioned_amount") - F("released_total")
        )

    def with_latest_closing_balance(self):
        """Annotate ``latest_closing_balance``: the newest accepted UC's closing."""
        from grants.models.paperwork import UtilisationCertificate  # as above

        latest = (
            UtilisationCertificate.objects.accepted()
            .filter(project=OuterRef("pk"))
            # NULLs sort first in descending order on PostgreSQL, last on SQLite.
            .order_by("-period_end", F("decided_on").desc(nulls_last=True), "-pk")
            .values("closing_balance")[:1]
        )
        return self.annotate(latest_closing_balance=Subquery(latest))


class Project(models.Model):
    """A sanctioned R&D project: the unit the ministry funds and follows."""

    class Stage(models.TextChoices):
        EXPLORATION = "exploration", _("exploration")
        BENEFICIATION = "beneficiation", _("beneficiation")
        EXTRACTION = "extraction", _("extraction")
        SEPARATION = "separation_and_refining", _("separation and refining")
        METALS = "metals_and_alloys", _("metals and alloys")
        MAGNETS = "magnets", _("magnets")
        RECYCLING = "recycling", _("recycling")

    class Status(models.TextChoices):
        SANCTIONED = "sanctioned", _("sanctioned")
        ONGOING = "ongoing", _("ongoing")
        EXTENDED = "extended", _("extended")
        COMPLETED = "completed", _("completed")
        CLOSED = "closed", _("closed")
        TERMINATED = "terminated", _("terminated")

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    title_hi = models.CharField(
        _("title in Hindi"),
        max_length=300,
        blank=True,
        help_text=_("Optional; shown beside the English title where given."),
    )
    abstract = models.TextField(_("abstract"), blank=True)
    scheme = models.ForeignKey(
        Scheme,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("scheme"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("organisation"),
    )
    principal_investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("principal investigator"),
    )
    programme_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="officed_projects",
        null=True,
        blank=True,
        limit_choices_to={"is_staff": True},
        verbose_name=_("programme officer"),
    )
    stage = models.CharField(
        _("value-chain stage"), max_length=30, choices=Stage, db_index=True
    )
    elements = models.ManyToManyField(
        Element, related_name="projects", blank=True, verbose_name=_("elements")
    )
    trl_start = models.PositiveSmallIntegerField(
        _("TRL at start"), validators=TRL_VALIDATORS
    )
    trl_target = models.PositiveSmallIntegerField(
        _("target TRL"), validators=TRL_VALIDATORS
    )
    trl_now = models.PositiveSmallIntegerField(_("TRL now"), validators=TRL_VALIDATORS)
    sanction_order_number = models.CharField(
        _("sanction order number"), max_length=60, unique=True
    )
    sanctioned_on = models.DateField(_("sanction order date"))
    fiscal_year = models.CharField(
        _("fiscal year of sanction"),
        max_length=7,
        validators=[fiscal_year_validator],
        db_index=True,
    )
    start_on = models.DateField(_("start date"))
    duration_months = models.PositiveSmallIntegerField(
        _("sanctioned duration (months)"), validators=[MinValueValidator(1)]
    )
    end_on = models.DateField(
        _("end date"), help_text=_("Moves with each approved extension.")
    )
    sanctioned_amount = money_field(_("sanctioned amount (Rs)"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status,
        default=Status.SANCTIONED,
        db_index=True,
    )
    satyabhama_id = models.CharField(
        _("SATYABHAMA identifier"), max_length=40, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    unspent_refunded = money_field(_("unspent balance refunded (Rs)"))
    interest_refunded = money_field(_("interest refunded (Rs)"))
    refund_reference = models.CharField(
        _("refund challan / UTR reference"), max_length=60, blank=True
    )
    asset_disposition = models.TextField(
        _("asset disposition"),
        blank=True,
        help_text=_("What happens to the assets bought from the grant."),
    )
    refund_difference_reason = models.TextField(
        _("refund difference reason"),
        blank=True,
        help_text=_(
            "Why the refund differs from the final UC's closing balance, if it does."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["reference"]
        permissions = [("close_project", "Can close a project")]
        constraints = [
            *non_negative(
                "sanctioned_amount",
                "unspent_refunded",
                "interest_refunded",
                model="project",
            ),
            models.CheckConstraint(
                condition=Q(trl_start__gte=1, trl_start__lte=9)
                & Q(trl_target__gte=1, trl_target__lte=9)
                & Q(trl_now__gte=1, trl_now__lte=9),
                name="project_trl_between_1_and_9",
                violation_error_message=_("A TRL is between 1 and 9."),
            ),
            models.CheckConstraint(
                condition=Q(end_on__gt=F("start_on")),
                name="project_end_after_start",
                violation_error_message=_("A project must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(status="closed"),
                name="project_closed_on_only_when_closed",
                violation_error_message=_("Only a closed project has a closing date."),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            # The admin's date hierarchy reads the first and last sanction dates
            # and the years between on every page of its project list.
            models.Index(fields=["sanctioned_on"], name="project_sanctioned_on"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("admin:grants_project_change", args=[self.pk])

    @property
    def is_illustrative(self):
        return self.reference.startswith("DEMO-")

    @property
    def sanctioned_end_on(self):
        """The end date the sanction gave, before any extension."""
        return self.start_on + relativedelta(months=self.duration_months, days=-1)


class Extension(Decided):
    """A request to move a project's end date, and the ministry's decision."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    AWAITING_DECISION = Status.REQUESTED

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("project"),
    )
    previous_end_on = models.DateField(_("previous end on"))
    new_end_on = models.DateField(_("new end on"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.REQUESTED
    )
    requested_on = models.DateField(_("requested on"))
    requested_by = actor_field(_("requested by"))
    # decided_on and decided_by: from Decided.
    decision_comment = models.TextField(_("decision comment"), blank=True)

    history = HistoricalRecords()

    objects = DecidedQuerySet.as_manager()

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["project", "requested_on"]
        permissions = [("approve_extension", "Can approve or reject an extension")]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_end_on__gt=F("previous_end_on")),
                name="extension_moves_end_later",
                violation_error_message=_("An extension must move the end date later."),
            )
        ]

    def __str__(self):
        return gettext("%(reference)s: to %(date)s") % {
            "reference": self.project.reference,
            "date": dateformat.format(self.new_end_on, "d M Y"),
        }

    @property
    def months(self):
        delta = relativedelta(self.new_end_on, self.previous_end_on)
        return delta.years * 12 + delta.months
