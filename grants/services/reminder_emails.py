"""What a reminder or escalation e-mail says, to whom, with which links."""

import datetime
import functools

from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from grants.formatting import format_date
from grants.models import (
    Instalment,
    Milestone,
    Project,
    Reminder,
)
from grants.services.emails import message_id, page_url, render_email, render_subject
from grants.services.recipients import language_of

# Who an e-mail is written for: the same step reads differently to each.
GRANTEE_NOTICE = "grantee"
OFFICER_NOTICE = "programme_officer"
DIVISION_HEAD_NOTICE = "division_head"
HEAD_NOTICE = "head"
STAFF_NOTICES = (OFFICER_NOTICE, DIVISION_HEAD_NOTICE)


def portal_project_url(project: Project) -> str:
    return page_url("portal:project-detail", "/portal/projects/{}/", project.pk)


def staff_project_url(project: Project) -> str:
    return page_url("staff:project-detail", "/staff/projects/{}/", project.pk)


def what_to_submit(milestone: Milestone) -> str:
    """Say in a sentence what the grantee owes for a milestone."""
    Kind = Milestone.Kind
    if milestone.period_start and milestone.period_end:
        words = {
            "start": format_date(milestone.period_start),
            "end": format_date(milestone.period_end),
        }
        texts = {
            Kind.PROGRESS_REPORT: _(
                "The progress report for %(start)s to %(end)s: work done, results, "
                "deviations from the plan, the TRL now, and outputs (publications, "
                "patents, prototypes)."
            ),
            Kind.UTILISATION_CERTIFICATE: _(
                "The utilisation certificate in Form GFR 12-A for %(start)s to "
                "%(end)s, signed by the Chief Finance Officer and the head of the "
                "organisation, with the head-wise statement of expenditure."
            ),
            Kind.FINAL_REPORT: _(
                "The final technical report for %(start)s to %(end)s, covering the "
                "whole project."
            ),
        }
    else:
        words = {}
        texts = {
            Kind.PROGRESS_REPORT: _(
                "The progress report: work done, results, deviations from the plan, "
                "the TRL now, and outputs (publications, patents, prototypes)."
            ),
            Kind.UTILISATION_CERTIFICATE: _(
                "The utilisation certificate in Form GFR 12-A, signed by the Chief "
                "Finance Officer and the head of the organisation, with the "
                "head-wise statement of expenditure."
            ),
            Kind.FINAL_REPORT: _(
                "The final technical report, covering the whole project."
            ),
        }
    texts[Kind.TECHNICAL_DELIVERABLE] = _(
        "The deliverable, with the evidence that it meets the target agreed in the "
        "sanction."
    )
    texts[Kind.REVIEW_MEETING] = _(
        "Attend the review meeting with a presentation of the progress since the "
        "last review and the plan for the next period."
    )
    text = texts.get(milestone.kind)
    text = text % words if text is not None else _("The item due for this milestone.")
    if milestone.deliverable:
        text = _("%(what)s Agreed deliverable: %(deliverable)s") % {
            "what": text,
            "deliverable": milestone.deliverable,
        }
    return text


def notice_for(reminder: Reminder) -> str:
    """Say which version of the e-mail a recipient gets."""
    project = reminder.milestone.project
    recipient = reminder.recipient
    if reminder.rule_id is None:
        return GRANTEE_NOTICE
    if recipient is not None and recipient.is_staff:
        if reminder.rule.to_division_head and recipient.is_division_head:
            return DIVISION_HEAD_NOTICE
        return OFFICER_NOTICE
    head = project.organisation.head_email
    if recipient is None and head.lower() == reminder.recipient_email.lower():
        return HEAD_NOTICE
    return GRANTEE_NOTICE


def template_name(reminder: Reminder) -> str:
    return reminder.rule.template if reminder.rule_id else "by_hand"


def reminder_context(reminder: Reminder, *, today: datetime.date) -> dict:
    milestone = reminder.milestone
    project = milestone.project
    days_left = (reminder.due_on - today).days
    notice = notice_for(reminder)
    if reminder.recipient is not None:
        name = reminder.recipient.get_full_name() or reminder.recipient.username
    elif notice == HEAD_NOTICE and project.organisation.head_name:
        name = project.organisation.head_name
    else:
        name = _("Sir/Madam")

    # Read only by escalations, so looked up only when a template asks.
    @functools.cache
    def next_instalment():
        return (
            Instalment.objects.unreleased()
            .filter(project=project)
            .order_by("sequence")
            .first()
        )

    return {
        "reminder": reminder,
        "rule": reminder.rule,
        "milestone": milestone,
        "project": project,
        "organisation": project.organisation,
        "due_on": reminder.due_on,
        "days_left": days_left,
        "days_overdue": -days_left,
        "recipient_name": name,
        "notice": notice,
        "is_returned": milestone.status == Milestone.Status.RETURNED,
        "what_to_submit": lambda: what_to_submit(milestone),
        "project_url": functools.partial(
            staff_project_url if notice in STAFF_NOTICES else portal_project_url,
            project,
        ),
        "next_instalment": next_instalment,
        "sent_by": reminder.sent_by,
        "is_illustrative": project.is_illustrative,
    }


def reminder_subject(reminder: Reminder, *, today: datetime.date) -> str:
    """Render only a reminder's subject line, as it reads on ``today``.

    In the recipient's language, as the e-mail itself is.
    """
    with translation.override(language_of(reminder.recipient)):
        context = reminder_context(reminder, today=today)
        return render_subject(template_name(reminder), context)


def build_reminder_email(
    reminder: Reminder, *, today: datetime.date
) -> EmailMultiAlternatives:
    """Render a reminder's e-mail, text and HTML, for its one recipient.

    In the recipient's language (``preferred_language``; English for an address
    with no account), whatever language the process that sends it is in.
    """
    with translation.override(language_of(reminder.recipient)):
        return render_email(
            template_name(reminder),
            reminder_context(reminder, today=today),
            to=reminder.recipient_email,
            message_id_header=message_id("reminder", reminder.pk),
        )
