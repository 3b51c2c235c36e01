"""The paperwork a grantee submits: utilisation certificates, reports, files."""

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import dateformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grants.formatting import format_inr, format_percent
from grants.models.common import (
    TRL_VALIDATORS,
    actor_field,
    fiscal_year_validator,
    money_field,
    non_negative,
)
from grants.models.decisions import (
    Submission,
    SubmissionQuerySet,
    decision_constraints,
)
from grants.models.milestones import Milestone
from grants.models.projects import Project


class UtilisationCertificateQuerySet(SubmissionQuerySet):
    def visible_to(self, user):
        """Return the certificates of projects the user may see."""
        return self.filter(project__in=Project.objects.visible_to(user))


class UtilisationCertificate(Submission):
    """A utilisation certificate in the structure of Form GFR 12-A.

    Figures follow the form's columns: 1 opening unspent balance, 2 interest
    earned, 3 interest remitted to the Consolidated Fund, 4 grant received,
    6 expenditure and 7 closing balance = 1 + 2 - 3 + 4 - 6. A provisional UC
    ("as on" a date) carries cumulative figures from the project's start.
    """

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("annual")
        PROVISIONAL = "provisional", _("provisional")
        FINAL = "final", _("final")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    AWAITING_DECISION = Status.SUBMITTED

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="certificates",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    fiscal_year = models.CharField(
        _("fiscal year"),
        max_length=7,
        validators=[fiscal_year_validator],
        db_index=True,
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(
        _("period end"), help_text=_("For a provisional UC, the 'as on' date.")
    )
    opening_balance = money_field(_("1. opening unspent balance (Rs)"))
    interest_earned = money_field(_("2. interest earned (Rs)"))
    interest_remitted = money_field(_("3. interest remitted (Rs)"))
    grant_received = money_field(_("4. grant received (Rs)"))
    expenditure = money_field(_("6. expenditure (Rs)"))
    closing_balance = money_field(_("7. closing balance (Rs)"))
    expenditure_general = models.BigIntegerField(
        _("expenditure: general (Rs)"), null=True, blank=True
    )
    expenditure_salary = models.BigIntegerField(
        _("expenditure: salary (Rs)"), null=True, blank=True
    )
    expenditure_capital = models.BigIntegerField(
        _("expenditure: creation of capital assets (Rs)"), null=True, blank=True
    )
    targets_achieved = models.TextField(
        _("targets achieved"),
        blank=True,
        help_text=_("GFR 238(1): whether the quantified targets were met."),
    )
    received_instalments = models.ManyToManyField(
        "Instalment",
        related_name="certificates",
        blank=True,
        help_text=_("Column 4: the releases (sanction number, date) received."),
        verbose_name=_("received instalments"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status,
        default=Status.SUBMITTED,
        db_index=True,
    )
    gap_reason = models.TextField(
        _("gap reason"),
        blank=True,
        help_text=_(
            "Why the period does not start the day after the previous certificate's."
        ),
    )
    # submitted_on, submitted_by, decided_on and decided_by: from Submission.
    return_reason = models.TextField(_("return reason"), blank=True)
    signed_copy_elsewhere = models.TextField(
        _("signed copy kept elsewhere"),
        blank=True,
        help_text=_(
            "For a certificate accepted before the ministry's files came here: "
            "where its signed copy is kept (a file number)."
        ),
    )

    history = HistoricalRecords()

    objects = UtilisationCertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("utilisation certificate")
        verbose_name_plural = _("utilisation certificates")
        ordering = ["project", "period_end", "pk"]
        permissions = [
            ("decide_certificate", "Can accept or return a utilisation certificate")
        ]
        # The review queue: submitted certificates, the longest waiting first.
        indexes = [
            models.Index(
                fields=["status", "submitted_on", "id"], name="uc_status_submitted"
            ),
            # One project's certificates by status (its latest accepted, its latest
            # received): without it SQLite walks the index above, every accepted
            # certificate of the portfolio for each project.
            models.Index(
                fields=["project", "status", "submitted_on"],
                name="uc_project_status_submitted",
            ),
        ]
        constraints = [
            *non_negative(
                "opening_balance",
                "interest_earned",
                "interest_remitted",
                "grant_received",
                "expenditure",
                "closing_balance",
                model="uc",
            ),
            models.CheckConstraint(
                condition=Q(
                    closing_balance=F("opening_balance")
                    + F("interest_earned")
                    - F("interest_remitted")
                    + F("grant_received")
                    - F("expenditure")
                ),
                name="uc_closing_balance_arithmetic",
                violation_error_message=_(
                    "Closing balance must equal opening balance + interest earned "
                    "- interest remitted + grant received - expenditure."
                ),
            ),
            # A blank component counts as 0, as in submit_certificate. Without the
            # Coalesce, NULL + x is NULL and a CHECK that is NULL passes, so a
            # half-filled row would escape the sum altogether.
            models.CheckConstraint(
                condition=Q(
                    expenditure_general__isnull=True,
                    expenditure_salary__isnull=True,
                    expenditure_capital__isnull=True,
                )
                | Q(
                    expenditure=Coalesce("expenditure_general", Value(0))
                    + Coalesce("expenditure_salary", Value(0))
                    + Coalesce("expenditure_capital", Value(0))
                ),
                name="uc_components_add_up",
                violation_error_message=_(
                    "General, salary and capital expenditure must add up to the "
                    "expenditure."
                ),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="uc_period_ends_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            *decision_constraints(
                "uc",
                reason_field="return_reason",
                reason_message=_("A returned certificate needs a reason."),
                date_message=_(
                    "An accepted or returned certificate needs its decision date."
                ),
            ),
            # Returned certificates are superseded versions and stay on record.
            models.UniqueConstraint(
                fields=["project", "fiscal_year"],
                condition=Q(kind="annual") & ~Q(status="returned"),
                name="uc_one_annual_per_fiscal_year",
                violation_error_message=_(
                    "This project already has an annual UC for this fiscal year."
                ),
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.PROVISIONAL:
            return gettext("%(reference)s provisional UC as on %(date)s") % {
                "reference": self.project.reference,
                "date": dateformat.format(self.period_end, "d M Y"),
            }
        return gettext("%(reference)s %(kind)s UC %(year)s") % {
            "reference": self.project.reference,
            "kind": self.get_kind_display(),
            "year": self.fiscal_year,
        }

    @property
    def total_available(self):
        """Column 5 of GFR 12-A: opening + interest earned - remitted + received."""
        return (
            self.opening_balance
            + self.interest_earned
            - self.interest_remitted
            + self.grant_received
        )

    @property
    def utilisation_percent(self):
        """Expenditure as a share of the funds available, in percent."""
        if not self.total_available:
            return 0
        return 100 * self.expenditure / self.total_available

    @property
    def utilisation_label(self) -> str:
        """Utilisation as every page writes it: rounded down to 0.1%."""
        return format_percent(self.expenditure, self.total_available)

    @property
    def unremitted_interest(self):
        return self.interest_earned - self.interest_remitted

    def describe_arithmetic(self):
        return (
            f"{format_inr(self.opening_balance)} + {format_inr(self.interest_earned)}"
            f" - {format_inr(self.interest_remitted)}"
            f" + {format_inr(self.grant_received)}"
            f" - {format_inr(self.expenditure)}"
        )


class ProgressReportQuerySet(SubmissionQuerySet):
    def visible_to(self, user):
        """Return the reports of projects the user may see."""
        return self.filter(milestone__project__in=Project.objects.visible_to(user))


class ProgressReport(Submission):
    """A grantee's report against a milestone; a resubmission is a new version."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    AWAITING_DECISION = Status.SUBMITTED

    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("milestone"),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    narrative = models.TextField(_("narrative"))
    trl_now = models.PositiveSmallIntegerField(_("TRL now"), validators=TRL_VALIDATORS)
    publications = models.PositiveSmallIntegerField(_("publications"), default=0)
    patents_filed = models.PositiveSmallIntegerField(_("patents filed"), default=0)
    prototypes = models.PositiveSmallIntegerField(_("prototypes"), default=0)
    technologies_transferred = models.PositiveSmallIntegerField(
        _("technologies transferred"), default=0
    )
    people_trained = models.PositiveSmallIntegerField(_("people trained"), default=0)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status,
        default=Status.SUBMITTED,
        db_index=True,
    )
    # submitted_on, submitted_by, decided_on and decided_by: from Submission.
    review_comment = models.TextField(
        _("review comment"),
        blank=True,
        help_text=_("Shown to the grantee; required when returning."),
    )

    history = HistoricalRecords()

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["milestone", "version"]
        permissions = [("decide_report", "Can accept or return a progress report")]
        # The review queue: submitted reports, the longest waiting first.
        indexes = [
            models.Index(
                fields=["status", "submitted_on", "id"], name="report_status_submitted"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "version"],
                name="progressreport_unique_version",
                violation_error_message=_("This version of the report already exists."),
            ),
            models.CheckConstraint(
                condition=Q(trl_now__gte=1, trl_now__lte=9),
                name="progressreport_trl_between_1_and_9",
                violation_error_message=_("A TRL is between 1 and 9."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="progressreport_period_ends_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            *decision_constraints(
                "progressreport",
                reason_field="review_comment",
                reason_message=_("A returned report needs a reason."),
                date_message=_(
                    "An accepted or returned report needs its decision date."
                ),
            ),
        ]

    def __str__(self):
        return gettext("%(milestone)s (version %(version)s)") % {
            "milestone": self.milestone,
            "version": self.version,
        }


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the documents of projects the user may see."""
        return self.filter(project__in=Project.objects.visible_to(user))


class Document(models.Model):
    """A file kept against a project, and optionally one of its reports or UCs."""

    class Kind(models.TextChoices):
        SANCTION_ORDER = "sanction_order", _("sanction order")
        SIGNED_UC = "signed_uc", _("signed utilisation certificate")
        REPORT_ATTACHMENT = "report_attachment", _("report attachment")
        STATEMENT_OF_EXPENDITURE = "soe", _("statement of expenditure")
        AUDITED_SOE = "audited_soe", _("audited statement of expenditure")
        ASSET_INVOICE = "asset_invoice", _("asset invoice")
        OTHER = "other", _("other")

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("project"),
    )
    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        related_name="documents",
        null=True,
        blank=True,
        verbose_name=_("report"),
    )
    certificate = models.ForeignKey(
        UtilisationCertificate,
        on_delete=models.CASCADE,
        related_name="documents",
        null=True,
        blank=True,
        verbose_name=_("certificate"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/")
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = actor_field(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name
