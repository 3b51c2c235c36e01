"""Registers built outside the request: a large PDF is a job the worker runs.

A register of a few hundred rows is rendered while the officer waits; a larger one
becomes a ``RegisterExport``, built by a Celery worker a chunk of rows at a time.
Its page shows the progress (``rows_done`` of ``rows_total``) and, once the file is
ready, a link to download it through a view that checks the user is staff: the
file lives in private storage, never under the web root.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegisterExport(models.Model):
    """One request for a register as a file, and how far the worker has got."""

    class Kind(models.TextChoices):
        GRANTS_PDF = "grants_pdf", _("Register of grants (Form GFR 21), PDF")
        ASSETS_PDF = "assets_pdf", _("Register of fixed assets (Form GFR 22), PDF")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being built")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    PENDING_STATUSES = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    parameters = models.JSONField(
        _("parameters"),
        default=dict,
        blank=True,
        help_text=_("The filter the register was asked with (fiscal year, scheme)."),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="register_exports",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    file = models.FileField(
        _("file"), upload_to="registers/%Y/%m/", blank=True, max_length=200
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("register export")
        verbose_name_plural = _("register exports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_done__lte=models.F("rows_total")),
                name="registerexport_done_within_total",
                violation_error_message=_("Rows done cannot exceed the rows in all."),
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(file=""),
                name="registerexport_ready_has_file",
                violation_error_message=_("A ready register has its file."),
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="registerexport_failed_has_error",
                violation_error_message=_("A failed register says why."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING_STATUSES

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def percent_done(self) -> int:
        """Whole percent of the rows built, rounded down; 0 before any."""
        if not self.rows_total:
            return 100 if self.is_ready else 0
        return 100 * self.rows_done // self.rows_total
