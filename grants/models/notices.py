"""Decision notices: what the ministry decided, told to the grantee once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grants.models.projects import Project


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the notices of projects the user may see."""
        return self.filter(project__in=Project.objects.visible_to(user))

    def to_grantees(self):
        """Return the notices addressed to the grantee, not the officers' copies."""
        return self.filter(is_copy=False)


class Notice(models.Model):
    """One decision notice to one recipient, sent once like a ``Reminder``.

    A decision is named by ``decision``: the kind and the audit-history row the
    decision wrote, so every decision has its own key even when the same kind of
    decision is taken twice on one object. The unique (decision, recipient)
    constraint makes recording it idempotent; the send claims the row first.
    """

    class Kind(models.TextChoices):
        REPORT_ACCEPTED = "report_accepted", _("report accepted")
        REPORT_RETURNED = "report_returned", _("report returned")
        CERTIFICATE_ACCEPTED = "certificate_accepted", _("certificate accepted")
        CERTIFICATE_RETURNED = "certificate_returned", _("certificate returned")
        INSTALMENT_RELEASED = "instalment_released", _("instalment released")
        EXTENSION_APPROVED = "extension_approved", _("extension approved")
        EXTENSION_REJECTED = "extension_rejected", _("extension rejected")
        MILESTONE_WAIVED = "milestone_waived", _("milestone waived")
        MILESTONE_RESCHEDULED = "milestone_rescheduled", _("milestone rescheduled")
        PROJECT_CLOSED = "project_closed", _("project closed")
        REAPPROPRIATION_APPROVED = (
            "reappropriation_approved",
            _("re-appropriation approved"),
        )
        REAPPROPRIATION_REJECTED = (
            "reappropriation_rejected",
            _("re-appropriation rejected"),
        )
        DISPOSAL_APPROVED = "disposal_approved", _("asset disposal approved")
        DISPOSAL_REFUSED = "disposal_refused", _("asset disposal refused")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("kind"), max_length=25, choices=Kind)
    decision = models.CharField(
        _("decision"),
        max_length=80,
        help_text=_("The decision's key: its kind and history row."),
    )
    # What the decision was about, in words: "Half-yearly progress report ...".
    about = models.CharField(_("about"), max_length=255)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    next_step = models.TextField(_("next step"), blank=True)
    # The grantee portal page of what was decided, as a path.
    portal_path = models.CharField(_("portal path"), max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="notices",
        null=True,
        blank=True,
        verbose_name=_("recipient"),
    )
    recipient_email = models.EmailField(_("recipient email"))
    is_copy = models.BooleanField(
        _("is copy"), default=False, help_text=_("A copy to the programme officer.")
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
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

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "recipient_email"],
                name="notice_once_per_decision_and_recipient",
            )
        ]
        indexes = [
            # The sweep re-dispatches notices claimed but not sent.
            models.Index(fields=["status", "claimed_at"]),
            # The portal's "Recent decisions" of a project, the latest first.
            models.Index(fields=["project", "-decided_on"]),
        ]

    def __str__(self):
        return gettext("%(kind)s: %(about)s to %(email)s") % {
            "kind": self.get_kind_display(),
            "about": self.about,
            "email": self.recipient_email,
        }


class AgendaNotice(models.Model):
    """A meeting's agenda sent to one member, once, the committee's set number of
    days before the meeting; sent like a ``Notice`` (claimed, then recorded)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    meeting = models.ForeignKey(
        "grants.Meeting",
        on_delete=models.CASCADE,
        related_name="agenda_notices",
        verbose_name=_("meeting"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="agenda_notices",
        null=True,
        blank=True,
        verbose_name=_("recipient"),
    )
    recipient_email = models.EmailField(_("recipient email"))
    subject = models.CharField(_("subject"), max_length=255, blank=True)
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
        verbose_name = _("agenda notice")
        verbose_name_plural = _("agenda notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "recipient_email"],
                name="agenda_notice_once_per_meeting_and_recipient",
            )
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self):
        return gettext("Agenda of %(meeting)s to %(email)s") % {
            "meeting": self.meeting,
            "email": self.recipient_email,
        }
