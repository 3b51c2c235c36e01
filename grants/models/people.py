"""Who takes part: users, grantee organisations and their members' roles."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grants.models.common import dpiit_validator, pan_validator, udyam_validator


class User(AbstractUser):
    """Anyone who logs in: ministry staff (``is_staff``) or a grantee's member."""

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(
        _("name as written on letters"),
        max_length=150,
        blank=True,
        help_text=_("With title, e.g. 'Dr Rohan Deshmukh'."),
    )
    designation = models.CharField(_("designation"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_(
            "Pages and e-mails are in this language; the language switch changes it."
        ),
    )
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
        AN = "AN", _("Andaman and Nicobar Islands")
        AP = "AP", _("Andhra Pradesh")
        AR = "AR", _("Arunachal Pradesh")
        AS = "AS", _("Assam")
        BR = "BR", _("Bihar")
        CH = "CH", _("Chandigarh")
        CG = "CG", _("Chhattisgarh")
        DH = "DH", _("Dadra and Nagar Haveli and Daman and Diu")
        DL = "DL", _("Delhi")
        GA = "GA", _("Goa")
        GJ = "GJ", _("Gujarat")
        HR = "HR", _("Haryana")
        HP = "HP", _("Himachal Pradesh")
        JK = "JK", _("Jammu and Kashmir")
        JH = "JH", _("Jharkhand")
        KA = "KA", _("Karnataka")
        KL = "KL", _("Kerala")
        LA = "LA", _("Ladakh")
        LD = "LD", _("Lakshadweep")
        MP = "MP", _("Madhya Pradesh")
        MH = "MH", _("Maharashtra")
        MN = "MN", _("Manipur")
        ML = "ML", _("Meghalaya")
        MZ = "MZ", _("Mizoram")
        NL = "NL", _("Nagaland")
        OD = "OD", _("Odisha")
        PY = "PY", _("Puducherry")
        PB = "PB", _("Punjab")
        RJ = "RJ", _("Rajasthan")
        SK = "SK", _("Sikkim")
        TN = "TN", _("Tamil Nadu")
        TS = "TS", _("Telangana")
        TR = "TR", _("Tripura")
        UP = "UP", _("Uttar Pradesh")
        UK = "UK", _("Uttarakhand")
        WB = "WB", _("West Bengal")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    state = models.CharField(_("state"), max_length=2, choices=State)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    pan = models.CharField(
        _("PAN"), max_length=10, blank=True, validators=[pan_validator]
    )
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
        _("is illustrative"),
        default=False,
        help_text=_("Fictional demo record, not a real grantee."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
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
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role)
    is_active = models.BooleanField(_("is active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
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
