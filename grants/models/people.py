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
