"""The REE R&D grant portfolio: sanctions, money, paperwork and reminders.

Money is whole rupees in ``BigIntegerField`` columns: exact on SQLite and PostgreSQL
alike, so the Form GFR 12-A arithmetic can be a database check constraint.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grants.formatting import FISCAL_YEAR_PATTERN, format_inr

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


class User(AbstractUser):
    """Anyone who logs in: ministry staff (``is_staff``) or a grantee's member."""

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(
        _("name as written on letters"),
        max_length=150,
        blank=True,
        help_text=_("With title, e.g. 'Dr Rohan Deshmukh'."),
    )
    designation = models.CharField(max_length=150, blank=True)
    is_division_head = models.BooleanField(
        _("division head"),
        default=False,
        help_text=_("Receives the escalations of milestones overdue by 90 days."),
    )
    calendar_token = models.CharField(
        _("calendar feed token"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The secret in the user's private calendar feed address."),
    )

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        return self.display_name or super().get_full_name()


class Scheme(models.Model):
    """A funding programme, e.g. the S&T Programme or S&T-PRISM."""

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    max_duration_months = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Element(models.Model):
    """A rare-earth element (the 17: Sc, Y and the lanthanides)."""

    class Series(models.TextChoices):
        LIGHT = "light", _("light REE")
        HEAVY = "heavy", _("heavy REE")
        SCANDIUM = "scandium", _("scandium")

    symbol = models.CharField(max_length=3, primary_key=True)
    name = models.CharField(max_length=30, unique=True)
    atomic_number = models.PositiveSmallIntegerField(unique=True)
    series = models.CharField(max_length=10, choices=Series)
    is_magnet_critical = models.BooleanField(default=False)

    class Meta:
        ordering = ["atomic_number"]

    def __str__(self):
        return self.symbol


class Organisation(models.Model):
    """A grantee: an institution, laboratory, start-up or company."""

    class Kind(models.TextChoices):
        ACADEMIC = "academic", _("academic institution")
        GOVERNMENT_LAB = "government_lab", _("government R&D laboratory")
        PSU = "psu", _("public sector undertaking")
        STARTUP = "startup", _("start-up")
        MSME = "msme", _("MSME")
        PRIVATE = "private", _("private industry")

    class State(models.TextChoices):
        AN = "AN", "Andaman and Nicobar Islands"
        AP = "AP", "Andhra Pradesh"
        AR = "AR", "Arunachal Pradesh"
        AS = "AS", "Assam"
        BR = "BR", "Bihar"
        CH = "CH", "Chandigarh"
        CG = "CG", "Chhattisgarh"
        DH = "DH", "Dadra and Nagar Haveli and Daman and Diu"
        DL = "DL", "Delhi"
        GA = "GA", "Goa"
        GJ = "GJ", "Gujarat"
        HR = "HR", "Haryana"
        HP = "HP", "Himachal Pradesh"
        JK = "JK", "Jammu and Kashmir"
        JH = "JH", "Jharkhand"
        KA = "KA", "Karnataka"
        KL = "KL", "Kerala"
        LA = "LA", "Ladakh"
        LD = "LD", "Lakshadweep"
        MP = "MP", "Madhya Pradesh"
        MH = "MH", "Maharashtra"
        MN = "MN", "Manipur"
        ML = "ML", "Meghalaya"
        MZ = "MZ", "Mizoram"
        NL = "NL", "Nagaland"
        OD = "OD", "Odisha"
        PY = "PY", "Puducherry"
        PB = "PB", "Punjab"
        RJ = "RJ", "Rajasthan"
        SK = "SK", "Sikkim"
        TN = "TN", "Tamil Nadu"
        TS = "TS", "Telangana"
        TR = "TR", "Tripura"
        UP = "UP", "Uttar Pradesh"
        UK = "UK", "Uttarakhand"
        WB = "WB", "West Bengal"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    state = models.CharField(max_length=2, choices=State)
    city = models.CharField(max_length=100, blank=True)
    address = models.TextField(blank=True)
    pan = models.CharField("PAN", max_length=10, blank=True, validators=[pan_validator])
    udyam_number = models.CharField(
        _("Udyam registration number"),
        max_length=19,
        blank=True,
        validators=[udyam_validator],
    )
    dpiit_number = models.CharField(
        _("DPIIT recognition number"),
        max_length=30,
        blank=True,
        validators=[dpiit_validator],
    )
    pfms_agency_code = models.CharField(
        _("PFMS unique agency code"), max_length=30, blank=True
    )
    head_name = models.CharField(
        _("head of organisation"),
        max_length=150,
        blank=True,
        help_text=_("Registrar or director: escalations are addressed to them."),
    )
    head_email = models.EmailField(_("head's e-mail"), blank=True)
    is_illustrative = models.BooleanField(
        default=False, help_text=_("Fictional demo record, not a real grantee.")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pan"],
                condition=~Q(pan=""),
                name="organisation_pan_unique",
                violation_error_message=_("Another organisation has this PAN."),
            ),
        ]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self):
        """Return memberships that currently give portal access."""
        return self.filter(is_active=True)


class Membership(models.Model):
    """A user's role in a grantee organisation: the only source of portal access."""

    class Role(models.TextChoices):
        PRINCIPAL_INVESTIGATOR = "pi", _("principal investigator")
        CO_INVESTIGATOR = "co_pi", _("co-investigator")
        FINANCE_OFFICER = "finance", _("finance officer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="membership_unique_role",
                violation_error_message=_("This user already has this role here."),
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.organisation}"


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the projects of the organisations the user is an active member of."""
        if not user.is_authenticated:
            return self.none()
        organisations = Membership.objects.active().filter(user=user)
        return self.filter(organisation__in=organisations.values("organisation"))

    def with_released_total(self):
        """Annotate ``released_total``: rupees released so far (0 if none)."""
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

    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    abstract = models.TextField(blank=True)
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="projects"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="projects"
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
    )
    stage = models.CharField(
        _("value-chain stage"), max_length=30, choices=Stage, db_index=True
    )
    elements = models.ManyToManyField(Element, related_name="projects", blank=True)
    trl_start = models.PositiveSmallIntegerField(
        _("TRL at start"), validators=TRL_VALIDATORS
    )
    trl_target = models.PositiveSmallIntegerField(
        _("target TRL"), validators=TRL_VALIDATORS
    )
    trl_now = models.PositiveSmallIntegerField(_("TRL now"), validators=TRL_VALIDATORS)
    sanction_order_number = models.CharField(max_length=60, unique=True)
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
        max_length=12, choices=Status, default=Status.SANCTIONED, db_index=True
    )
    satyabhama_id = models.CharField(
        _("SATYABHAMA identifier"), max_length=40, blank=True
    )
    closed_on = models.DateField(null=True, blank=True)
    unspent_refunded = money_field(_("unspent balance refunded (Rs)"))
    interest_refunded = money_field(_("interest refunded (Rs)"))
    refund_reference = models.CharField(
        _("refund challan / UTR reference"), max_length=60, blank=True
    )
    asset_disposition = models.TextField(
        blank=True, help_text=_("What happens to the assets bought from the grant.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
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
        indexes = [models.Index(fields=["organisation", "status"])]

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


class Extension(models.Model):
    """A request to move a project's end date, and the ministry's decision."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="extensions"
    )
    previous_end_on = models.DateField()
    new_end_on = models.DateField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status, default=Status.REQUESTED)
    requested_on = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decision_comment = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
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
        return f"{self.project.reference}: to {self.new_end_on:%d %b %Y}"

    @property
    def months(self):
        delta = relativedelta(self.new_end_on, self.previous_end_on)
        return delta.years * 12 + delta.months


class GFRComponent(models.TextChoices):
    """The component columns of Form GFR 12-A that budget heads roll up into."""

    GENERAL = "general", _("Grant-in-aid – General")
    SALARY = "salary", _("Grant-in-aid – Salary")
    CAPITAL_ASSETS = "capital", _("Grant-in-aid – Creation of capital assets")


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
        Project, on_delete=models.CASCADE, related_name="budget_lines"
    )
    head = models.CharField(max_length=15, choices=Head)
    project_year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    amount = money_field(_("amount (Rs)"))

    history = HistoricalRecords()

    class Meta:
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
        return f"{self.get_head_display()}, year {self.project_year}"

    @property
    def is_recurring(self):
        return BudgetLine.Head(self.head).is_recurring

    @property
    def gfr_component(self):
        return BudgetLine.Head(self.head).gfr_component


class InstalmentQuerySet(models.QuerySet):
    def released(self):
        """Return the instalments whose money has gone out."""
        return self.filter(released_on__isnull=False)

    def unreleased(self):
        """Return the instalments still to be released."""
        return self.filter(released_on__isnull=True)


class Instalment(models.Model):
    """A planned tranche of a sanction and, once paid, its release."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="instalments"
    )
    sequence = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    planned_on = models.DateField()
    amount = money_field(_("amount (Rs)"))
    condition = models.CharField(
        max_length=300, blank=True, help_text=_("What must happen before release.")
    )
    spend_by = models.DateField(
        null=True, blank=True, help_text=_("GFR 230(4): the time limit to spend it.")
    )
    recommended_on = models.DateField(null=True, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    released_on = models.DateField(null=True, blank=True, db_index=True)
    release_order_number = models.CharField(max_length=60, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    covering_certificate = models.ForeignKey(
        "UtilisationCertificate",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("The accepted UC that allowed this release (GFR 238(2))."),
    )
    override_reason = models.TextField(
        blank=True,
        help_text=_("Why finance released without an accepted covering UC."),
    )
    low_utilisation_note = models.TextField(
        blank=True,
        help_text=_("Why the release went ahead with under 75% utilisation."),
    )

    history = HistoricalRecords()

    objects = InstalmentQuerySet.as_manager()

    class Meta:
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
        return f"{self.project.reference} instalment {self.sequence}"

    @property
    def is_released(self):
        return self.released_on is not None


class UtilisationCertificateQuerySet(models.QuerySet):
    def accepted(self):
        """Return the certificates the ministry has accepted."""
        return self.filter(status=UtilisationCertificate.Status.ACCEPTED)

    def awaiting_review(self):
        """Return the certificates submitted and not yet decided."""
        return self.filter(status=UtilisationCertificate.Status.SUBMITTED)

    def visible_to(self, user):
        """Return the certificates of projects the user may see."""
        return self.filter(project__in=Project.objects.visible_to(user))


class UtilisationCertificate(models.Model):
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

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="certificates"
    )
    kind = models.CharField(max_length=12, choices=Kind)
    fiscal_year = models.CharField(
        max_length=7, validators=[fiscal_year_validator], db_index=True
    )
    period_start = models.DateField()
    period_end = models.DateField(
        help_text=_("For a provisional UC, the 'as on' date.")
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
        blank=True, help_text=_("GFR 238(1): whether the quantified targets were met.")
    )
    received_instalments = models.ManyToManyField(
        "Instalment",
        related_name="certificates",
        blank=True,
        help_text=_("Column 4: the releases (sanction number, date) received."),
    )
    status = models.CharField(
        max_length=10, choices=Status, default=Status.SUBMITTED, db_index=True
    )
    submitted_on = models.DateField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    return_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = UtilisationCertificateQuerySet.as_manager()

    class Meta:
        ordering = ["project", "period_end", "pk"]
        permissions = [
            ("decide_certificate", "Can accept or return a utilisation certificate")
        ]
        # The review queue: submitted certificates, the longest waiting first.
        indexes = [
            models.Index(
                fields=["status", "submitted_on", "id"], name="uc_status_submitted"
            )
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
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="uc_return_has_reason",
                violation_error_message=_("A returned certificate needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(decided_on__isnull=False),
                name="uc_decision_has_date",
                violation_error_message=_(
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
            return f"{self.project.reference} provisional UC as on {self.period_end}"
        return (
            f"{self.project.reference} {self.get_kind_display()} UC {self.fiscal_year}"
        )

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
    def unremitted_interest(self):
        return self.interest_earned - self.interest_remitted

    def describe_arithmetic(self):
        return (
            f"{format_inr(self.opening_balance)} + {format_inr(self.interest_earned)}"
            f" - {format_inr(self.interest_remitted)}"
            f" + {format_inr(self.grant_received)}"
            f" - {format_inr(self.expenditure)}"
        )


class MilestoneQuerySet(models.QuerySet):
    def open(self):
        """Return milestones still waiting for the grantee (pending or returned)."""
        return self.filter(status__in=Milestone.OPEN_STATUSES)

    def overdue(self, *, on: datetime.date):
        """Return pending milestones whose due date is before ``on``."""
        return self.filter(status=Milestone.Status.PENDING, due_on__lt=on)

    def due_between(self, start: datetime.date, end: datetime.date):
        """Return pending milestones due from ``start`` to ``end`` inclusive."""
        return self.filter(status=Milestone.Status.PENDING, due_on__range=(start, end))

    def visible_to(self, user):
        """Return the milestones of projects the user may see."""
        return self.filter(project__in=Project.objects.visible_to(user))


class Milestone(models.Model):
    """Something a grantee owes the ministry by a date: a report, a UC, a meeting."""

    class Kind(models.TextChoices):
        PROGRESS_REPORT = "progress_report", _("progress report")
        UTILISATION_CERTIFICATE = (
            "utilisation_certificate",
            _("utilisation certificate"),
        )
        TECHNICAL_DELIVERABLE = "technical_deliverable", _("technical deliverable")
        REVIEW_MEETING = "review_meeting", _("review meeting")
        FINAL_REPORT = "final_report", _("final report")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")
        WAIVED = "waived", _("waived")

    OPEN_STATUSES = (Status.PENDING, Status.RETURNED)

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(max_length=25, choices=Kind)
    title = models.CharField(max_length=200)
    deliverable = models.TextField(blank=True)
    due_on = models.DateField()
    months_after_end = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Set when the due date is derived from the project's end date "
            "(e.g. 3 for a final report): extensions move it."
        ),
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    submitted_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    certificate = models.ForeignKey(
        UtilisationCertificate,
        on_delete=models.SET_NULL,
        related_name="milestones",
        null=True,
        blank=True,
    )
    waiver_reason = models.TextField(blank=True)
    original_due_on = models.DateField(
        null=True, blank=True, help_text=_("The due date before it was rescheduled.")
    )
    reschedule_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        permissions = [
            ("waive_milestone", "Can waive a milestone"),
            ("reschedule_milestone", "Can move a milestone's due date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="waived") | ~Q(waiver_reason=""),
                name="milestone_waiver_has_reason",
                violation_error_message=_("A waived milestone needs a reason."),
            ),
        ]
        # The dashboard and the reminder sweep look for open milestones by due date.
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.project.reference}: {self.title}"

    def is_overdue(self, *, on: datetime.date) -> bool:
        return self.status == self.Status.PENDING and self.due_on < on

    def days_until_due(self, *, on: datetime.date) -> int:
        """Days from ``on`` to the due date; negative when overdue."""
        return (self.due_on - on).days


class ProgressReportQuerySet(models.QuerySet):
    def awaiting_review(self):
        """Return the reports submitted and not yet decided."""
        return self.filter(status=ProgressReport.Status.SUBMITTED)

    def visible_to(self, user):
        """Return the reports of projects the user may see."""
        return self.filter(milestone__project__in=Project.objects.visible_to(user))


class ProgressReport(models.Model):
    """A grantee's report against a milestone; a resubmission is a new version."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="reports"
    )
    version = models.PositiveSmallIntegerField(default=1)
    period_start = models.DateField()
    period_end = models.DateField()
    narrative = models.TextField()
    trl_now = models.PositiveSmallIntegerField(_("TRL now"), validators=TRL_VALIDATORS)
    publications = models.PositiveSmallIntegerField(default=0)
    patents_filed = models.PositiveSmallIntegerField(default=0)
    prototypes = models.PositiveSmallIntegerField(default=0)
    technologies_transferred = models.PositiveSmallIntegerField(default=0)
    people_trained = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=Status, default=Status.SUBMITTED, db_index=True
    )
    submitted_on = models.DateField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    review_comment = models.TextField(
        blank=True, help_text=_("Shown to the grantee; required when returning.")
    )

    history = HistoricalRecords()

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
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
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_comment=""),
                name="progressreport_return_has_reason",
                violation_error_message=_("A returned report needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(decided_on__isnull=False),
                name="progressreport_decision_has_date",
                violation_error_message=_(
                    "An accepted or returned report needs its decision date."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.milestone} (version {self.version})"


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
        OTHER = "other", _("other")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="documents"
    )
    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        related_name="documents",
        null=True,
        blank=True,
    )
    certificate = models.ForeignKey(
        UtilisationCertificate,
        on_delete=models.CASCADE,
        related_name="documents",
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.OTHER)
    file = models.FileField(upload_to="documents/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    description = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name


class ReminderRule(models.Model):
    """When a reminder or escalation goes out for a milestone, and to whom.

    Rules are data: a ministry admin edits them in the admin. A rule with a
    milestone kind applies to that kind only; a blank kind applies to every kind
    that has no rule of its own with the same code.
    """

    class Template(models.TextChoices):
        REMINDER = "reminder", _("reminder (before or on the due date)")
        OVERDUE = "overdue", _("overdue notice")
        ESCALATION = "escalation", _("escalation")

    code = models.SlugField(
        max_length=40, help_text=_("e.g. before-30, due-today, overdue-7")
    )
    name = models.CharField(max_length=100)
    milestone_kind = models.CharField(
        max_length=25,
        choices=Milestone.Kind,
        blank=True,
        help_text=_("Blank: every kind of milestone."),
    )
    offset_days = models.SmallIntegerField(
        help_text=_("Days from the due date: -30 before, 0 on the day, 7 after.")
    )
    template = models.CharField(
        max_length=12, choices=Template, default=Template.REMINDER
    )
    to_grantee = models.BooleanField(_("to the PI and finance officer"), default=True)
    to_programme_officer = models.BooleanField(default=False)
    to_organisation_head = models.BooleanField(
        _("to the head of the grantee organisation"), default=False
    )
    to_division_head = models.BooleanField(default=False)
    marks_non_compliant = models.BooleanField(
        default=False,
        help_text=_(
            "The project shows as non-compliant and its next instalment as blocked."
        ),
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["offset_days", "code", "milestone_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "milestone_kind"],
                name="reminderrule_unique_code_per_kind",
                violation_error_message=_(
                    "A rule with this code already exists for this kind of milestone."
                ),
            )
        ]

    def __str__(self):
        kind = self.get_milestone_kind_display() if self.milestone_kind else "all"
        return f"{self.name} ({kind})"


class Reminder(models.Model):
    """One reminder e-mail for a milestone, recipient, rule and due date.

    The unique constraint makes sending idempotent: a sweep claims the row before
    it sends, so a second or concurrent sweep finds it taken. A reminder a staff
    member sends by hand has no rule; its ``request_key`` makes each click count
    once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        # Withdrawn before it went out: its milestone was submitted, its project
        # paused or closed, or its due date moved. Nothing went wrong.
        CANCELLED = "cancelled", _("cancelled")

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="reminders"
    )
    rule = models.ForeignKey(
        ReminderRule,
        on_delete=models.PROTECT,
        related_name="reminders",
        null=True,
        blank=True,
        help_text=_("Blank for a reminder sent by hand."),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="reminders",
        null=True,
        blank=True,
    )
    recipient_email = models.EmailField()
    due_on = models.DateField(help_text=_("The milestone's due date it was sent for."))
    subject = models.CharField(max_length=255, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("The staff member who sent it by hand."),
    )
    request_key = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "recipient_email", "rule", "due_on"],
                name="reminder_once_per_milestone_recipient_rule_date",
            ),
            models.UniqueConstraint(
                fields=["request_key", "recipient_email"],
                condition=~Q(request_key=""),
                name="reminder_once_per_request_and_recipient",
            ),
            models.CheckConstraint(
                condition=Q(rule__isnull=False) | ~Q(request_key=""),
                name="reminder_has_rule_or_request_key",
            ),
        ]
        # The sweep re-dispatches reminders claimed but not sent.
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self):
        rule = self.rule.code if self.rule_id else "by hand"
        return f"{rule} to {self.recipient_email} for {self.milestone}"


class Digest(models.Model):
    """The weekly digest of overdue and upcoming items sent to a programme officer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    week_starting = models.DateField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_starting"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "week_starting"],
                name="digest_once_per_recipient_and_week",
            )
        ]

    def __str__(self):
        return f"Digest for {self.recipient}, week of {self.week_starting}"


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
        Project, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    # Copies of what the dashboard groups and counts by, so that its sums read
    # this one narrow table: the project's own columns and its grantee's kind.
    fiscal_year = models.CharField(max_length=7, blank=True)
    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organisation_kind = models.CharField(max_length=20, blank=True)
    stage = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=12, blank=True)
    trl_start = models.PositiveSmallIntegerField(null=True, blank=True)
    trl_now = models.PositiveSmallIntegerField(null=True, blank=True)
    trl_target = models.PositiveSmallIntegerField(null=True, blank=True)
    sanctioned = money_field(_("sanctioned amount (Rs)"))
    search_text = models.TextField(
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
    )
    next_amount = money_field(_("next instalment (Rs)"))
    release_stage = models.CharField(
        max_length=20,
        blank=True,
        help_text=_("Where the next instalment stands; blank when none is due."),
    )
    stage_since = models.DateField(null=True, blank=True)
    blockers = models.TextField(blank=True, help_text=_("One per line."))
    version = models.PositiveIntegerField(default=1)
    refreshed_version = models.PositiveIntegerField(default=0)
    refreshed_for = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "project summaries"
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
        return f"Summary of {self.project_id}"

    @property
    def blocker_list(self) -> list[str]:
        return [line for line in self.blockers.splitlines() if line]
