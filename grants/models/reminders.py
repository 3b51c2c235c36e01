"""Reminder rules, the reminders sent by them, and the weekly digests."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext
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
        _("code"), max_length=40, help_text=_("e.g. before-30, due-today, overdue-7")
    )
    name = models.CharField(_("name"), max_length=100)
    milestone_kind = models.CharField(
        _("milestone kind"),
        max_length=25,
        choices=Milestone.Kind,
        blank=True,
        help_text=_("Blank: every kind of milestone."),
    )
    offset_days = models.SmallIntegerField(
        _("offset days"),
        help_text=_("Days from the due date: -30 before, 0 on the day, 7 after."),
    )
    template = models.CharField(
        _("template"), max_length=12, choices=Template, default=Template.REMINDER
    )
    to_grantee = models.BooleanField(_("to the PI and finance officer"), default=True)
    to_programme_officer = models.BooleanField(_("to programme officer"), default=False)
    to_organisation_head = models.BooleanField(
        _("to the head of the grantee organisation"), default=False
    )
    to_division_head = models.BooleanField(_("to division head"), default=False)
    marks_non_compliant = models.BooleanField(
        _("marks non compliant"),
        default=False,
        help_text=_(
            "The project shows as non-compliant and its next instalment as blocked."
        ),
    )
    is_active = models.BooleanField(_("is active"), default=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
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
        kind = (
            self.get_milestone_kind_display()
            if self.milestone_kind
            else pgettext("milestone kinds", "all")
        )
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
        Milestone,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("milestone"),
    )
    rule = models.ForeignKey(
        ReminderRule,
        on_delete=models.PROTECT,
        related_name="reminders",
        null=True,
        blank=True,
        help_text=_("Blank for a reminder sent by hand."),
        verbose_name=_("rule"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="reminders",
        null=True,
        blank=True,
        verbose_name=_("recipient"),
    )
    recipient_email = models.EmailField(_("recipient email"))
    due_on = models.DateField(
        _("due on"), help_text=_("The milestone's due date it was sent for.")
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("The staff member who sent it by hand."),
        verbose_name=_("sent by"),
    )
    request_key = models.CharField(_("request key"), max_length=64, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status,
        default=Status.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
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
        rule = self.rule.code if self.rule_id else gettext("by hand")
        return gettext("%(rule)s to %(email)s for %(milestone)s") % {
            "rule": rule,
            "email": self.recipient_email,
            "milestone": self.milestone,
        }


class Digest(models.Model):
    """The weekly digest of overdue and upcoming items sent to a programme officer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digests",
        verbose_name=_("recipient"),
    )
    week_starting = models.DateField(_("week starting"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-week_starting"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "week_starting"],
                name="digest_once_per_recipient_and_week",
            )
        ]

    def __str__(self):
        return gettext("Digest for %(recipient)s, week of %(week)s") % {
            "recipient": self.recipient,
            "week": self.week_starting,
        }
