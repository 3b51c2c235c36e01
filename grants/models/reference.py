"""Reference data: the funding schemes and the rare-earth elements."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scheme(models.Model):
    """A funding programme, e.g. the S&T Programme or S&T-PRISM."""

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    max_duration_months = models.PositiveSmallIntegerField(null=True, blank=True)
    resubmission_days = models.PositiveSmallIntegerField(
        _("days to resubmit after a return"),
        default=30,
        help_text=_(
            "A returned report or certificate is due again this many days after "
            "the return (or on its own due date, if that is later)."
        ),
    )
    reappropriation_threshold_percent = models.PositiveSmallIntegerField(
        _("re-appropriation the programme officer may approve (%)"),
        default=10,
        help_text=_(
            "A move of up to this share of the head and year it comes from is "
            "approved by the programme officer; a larger one by finance. 10% is "
            "the ministry's default, not a GFR rule."
        ),
    )

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
