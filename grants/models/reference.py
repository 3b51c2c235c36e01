"""Reference data: the funding schemes and the rare-earth elements.

Each carries its Hindi name beside the English one; ``local_name`` picks the one of
the language a page is in, falling back to English where no Hindi name is given.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def in_current_language(english: str, hindi: str) -> str:
    """The Hindi text on a Hindi page when there is one, else the English."""
    if hindi and (get_language() or "").startswith("hi"):
        return hindi
    return english


class Scheme(models.Model):
    """A funding programme, e.g. the S&T Programme or S&T-PRISM."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    name_hi = models.CharField(_("name in Hindi"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_hi = models.TextField(_("description in Hindi"), blank=True)
    max_duration_months = models.PositiveSmallIntegerField(
        _("max duration months"), null=True, blank=True
    )
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
            # xgettext:no-python-format
            "A move of up to this share of the head and year it comes from is "
            "approved by the programme officer; a larger one by finance. 10% is "
            "the ministry's default, not a GFR rule."
        ),
    )

    class Meta:
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        ordering = ["name"]

    def __str__(self):
        return self.local_name

    @property
    def local_name(self) -> str:
        return in_current_language(self.name, self.name_hi)

    @property
    def local_description(self) -> str:
        return in_current_language(self.description, self.description_hi)


class Element(models.Model):
    """A rare-earth element (the 17: Sc, Y and the lanthanides)."""

    class Series(models.TextChoices):
        LIGHT = "light", _("light REE")
        HEAVY = "heavy", _("heavy REE")
        SCANDIUM = "scandium", _("scandium")

    symbol = models.CharField(_("symbol"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=30, unique=True)
    name_hi = models.CharField(_("name in Hindi"), max_length=60, blank=True)
    atomic_number = models.PositiveSmallIntegerField(_("atomic number"), unique=True)
    series = models.CharField(_("series"), max_length=10, choices=Series)
    is_magnet_critical = models.BooleanField(_("is magnet critical"), default=False)

    class Meta:
        verbose_name = _("element")
        verbose_name_plural = _("elements")
        ordering = ["atomic_number"]

    def __str__(self):
        return self.symbol

    @property
    def local_name(self) -> str:
        return in_current_language(self.name, self.name_hi)
