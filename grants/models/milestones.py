"""Milestones: what a grantee owes the ministry, and by when."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grants.models.projects import Project

# An open milestone this many days overdue makes its project non-compliant: its
# next instalment is blocked (GFR 2017, rules 230(10) and 238(2)).
NON_COMPLIANT_AFTER_DAYS = 30


def overdue_condition(*, on: datetime.date, by_days: int = 1) -> Q:
    """The one definition of overdue: open, and due ``by_days`` or more before ``on``.

    Open means pending or returned: a returned report or certificate is back with
    the grantee. Its due date moved to the resubmission date when it was returned
    (``services.resubmission_due``), so the days the ministry held it never count.
    """
    return Q(
        status__in=Milestone.OPEN_STATUSES,
        due_on__lte=on - datetime.timedelta(days=by_days),
    )


class MilestoneQuerySet(models.QuerySet):
    def open(self):
        """Return milestones still waiting for the grantee (pending or returned)."""
        return self.filter(status__in=Milestone.OPEN_STATUSES)

    def overdue(self, *, on: datetime.date):
        """Return open milestones whose due date is before ``on``."""
        return self.filter(overdue_condition(on=on))

    def non_compliant(self, *, on: datetime.date):
        """Return open milestones ``NON_COMPLIANT_AFTER_DAYS`` or more overdue."""
        return self.filter(overdue_condition(on=on, by_days=NON_COMPLIANT_AFTER_DAYS))

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
        Project,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("kind"), max_length=25, choices=Kind)
    title = models.CharField(_("title"), max_length=200)
    deliverable = models.TextField(_("deliverable"), blank=True)
    due_on = models.DateField(_("due on"))
    months_after_end = models.PositiveSmallIntegerField(
        _("months after end"),
        null=True,
        blank=True,
        help_text=_(
            "Set when the due date is derived from the project's end date "
            "(e.g. 3 for a final report): extensions move it."
        ),
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    certificate = models.ForeignKey(
        "UtilisationCertificate",
        on_delete=models.SET_NULL,
        related_name="milestones",
        null=True,
        blank=True,
        verbose_name=_("certificate"),
    )
    waiver_reason = models.TextField(_("waiver reason"), blank=True)
    original_due_on = models.DateField(
        _("original due on"),
        null=True,
        blank=True,
        help_text=_(
            "The first due date, before it was rescheduled or moved to a "
            "resubmission date."
        ),
    )
    reschedule_reason = models.TextField(_("reschedule reason"), blank=True)

    history = HistoricalRecords()

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
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
        # The dashboard and the reminder sweep look for open milestones by due date;
        # the register of grants for one project's UC milestones by status.
        indexes = [
            models.Index(fields=["status", "due_on"]),
            # The dashboard's overdue queue: open milestones by due date, the
            # first ten read in order instead of sorting every open one.
            models.Index(
                fields=["due_on", "id"],
                condition=models.Q(status__in=["pending", "returned"]),
                name="milestone_open_due",
            ),
            models.Index(
                fields=["project", "kind", "status", "due_on"],
                name="milestone_project_kind_status",
            ),
        ]

    def __str__(self):
        return f"{self.project.reference}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def days_past_due(self, *, on: datetime.date) -> int:
        """Days an open milestone is past its due date on ``on``; 0 if it is not."""
        return max(0, (on - self.due_on).days) if self.is_open else 0

    def is_overdue(self, *, on: datetime.date) -> bool:
        """Overdue as ``overdue_condition`` says, for one milestone in memory."""
        return self.days_past_due(on=on) > 0

    def is_non_compliant(self, *, on: datetime.date) -> bool:
        return self.days_past_due(on=on) >= NON_COMPLIANT_AFTER_DAYS

    def days_until_due(self, *, on: datetime.date) -> int:
        """Days from ``on`` to the due date; negative when overdue."""
        return (self.due_on - on).days
