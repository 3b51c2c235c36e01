"""Reminder rules, the reminders sent by them, and the weekly digests."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grants.models.milestones import Milestone


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
