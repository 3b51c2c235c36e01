"""An import of a portfolio from a workbook: the file, its check and its outcome.

An upload is checked by the worker (every sheet read, every row run through the
services and rolled back) and its report kept here; the user reads the report
and confirms; the worker then imports the same file, all or nothing. The file
lives in private storage and is read only by these steps.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PortfolioImport(models.Model):
    """One workbook uploaded for import, and how far it has got."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("being checked")
        CHECKED = "checked", _("checked")
        REFUSED = "refused", _("refused")
        IMPORTING = "importing", _("being imported")
        IMPORTED = "imported", _("imported")
        FAILED = "failed", _("failed")

    PENDING_STATUSES = (Status.CHECKING, Status.IMPORTING)

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="portfolio_imports",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.CHECKING
    )
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # When a worker took the step it waits for: a second delivery of the task
    # leaves the job to the first, unless that one has been silent for hours.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("portfolio import")
        verbose_name_plural = _("portfolio imports")
        ordering = ["-uploaded_at", "-pk"]
        permissions = [("import_portfolio", "Can import a portfolio from a workbook")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["refused", "failed"]) | ~Q(error=""),
                name="portfolioimport_refusal_says_why",
                violation_error_message=_("A refused or failed import says why."),
            ),
        ]

    def __str__(self):
        return f"{self.original_name} #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING_STATUSES

    @staticmethod
    def digest(uploaded_file) -> str:
        """The SHA-256 of a file, read in pieces; its position is left at 0."""
        sha = hashlib.sha256()
        uploaded_file.seek(0)
        for chunk in iter(lambda: uploaded_file.read(1 << 16), b""):
            sha.update(chunk)
        uploaded_file.seek(0)
        return sha.hexdigest()
