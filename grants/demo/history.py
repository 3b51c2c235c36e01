"""The reminders the demo's history says the daily sweep sent before its date."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import F

from grants import reminders
from grants.demo.data import LADDER_LEFT_FOR_THE_SWEEP, SWEEP_TIME
from grants.formatting import INDIA
from grants.models import (
    Extension,
    Membership,
    ProgressReport,
    Reminder,
    UtilisationCertificate,
)
from grants.services import reminders as reminder_services
from grants.services.reminder_emails import reminder_subject


def clip(periods, *, after, until):
    """The parts of open periods (first, last or None) after one day, up to another."""
    clipped = []
    for first, last in periods:
        if after is not None:
            first = max(first, after + datetime.timedelta(days=1))
        if until is not None:
            last = until if last is None else min(last, until)
        if last is None or first <= last:
            clipped.append((first, last))
    return clipped


class ReminderHistory:
    """The part of ``DemoLoader`` that writes each project's reminder history.

    It reads what ``DemoLoader.load`` sets up: ``demo_day``, ``ladder``,
    ``division_heads`` and the ``extensions`` cache.
    """

    def open_periods(self, milestone, start):
        """Return the (first, last) days a milestone was open; last None = still.

        A submission closes it on its day (the 09:00 sweep came first); a return
        reopens it the next day.
        """
        events = []
        reports = sorted(milestone.reports.all(), key=lambda report: report.version)
        if reports:
            for report in reports:
                events.append(("close", report.submitted_on))
                if report.status == ProgressReport.Status.RETURNED:
                    events.append(("open", report.decided_on))
        elif milestone.certificate is not None:
            certificate = milestone.certificate
            events.append(("close", certificate.submitted_on))
            if certificate.status == UtilisationCertificate.Status.RETURNED:
                events.append(("open", certificate.decided_on))
        elif milestone.submitted_on:
            events.append(("close", milestone.submitted_on))
        periods, first = [], start
        for event, day in events:
            if event == "close" and first is not None:
                periods.append((first, day))
                first = None
            elif event == "open" and first is None:
                first = day + datetime.timedelta(days=1)
        if first is not None:
            periods.append((first, None))
        return periods

    def approved_extension(self, project):
        if project.pk not in self.extensions:
            self.extensions[project.pk] = project.extensions.filter(
                status=Extension.Status.APPROVED
            ).first()
        return self.extensions[project.pk]

    def due_dates(self, milestone, project, periods):
        """Return (due date, open periods) for each due date the milestone had.

        An approved extension moved the milestones derived from the end date, and
        a return moved a milestone to its resubmission date: up to the day of a
        move it was due on the old date, from the next day on the new one.
        """
        moves = []  # (day of the move, the due date until then)
        extension = self.approved_extension(project)
        if extension is not None and milestone.months_after_end is not None:
            old_due = extension.previous_end_on + relativedelta(
                months=milestone.months_after_end
            )
            moves.append((extension.decided_on, old_due))
        returned_on = self.first_return(milestone)
        if returned_on is not None and milestone.original_due_on is not None:
            moves.append((returned_on, milestone.original_due_on))
        segments, since = [], None
        for day, due_before in sorted(moves):
            segments.append((since, day, due_before))
            since = day
        segments.append((since, None, milestone.due_on))
        return [
            (due_on, clip(periods, after=since, until=until))
            for since, until, due_on in segments
        ]

    def first_return(self, milestone):
        """The day the milestone's report or certificate was first returned, if ever."""
        days = [
            report.decided_on
            for report in milestone.reports.all()
            if report.status == ProgressReport.Status.RETURNED
        ]
        certificate = milestone.certificate
        if certificate and certificate.status == UtilisationCertificate.Status.RETURNED:
            days.append(certificate.decided_on)
        return min(days, default=None)

    def create_reminder_history(self, project):
        """Record the reminders the demo's history says went out before its date."""
        demo_day = self.demo_day
        organisation = project.organisation
        organisation.finance_memberships = list(
            organisation.memberships.filter(
                role=Membership.Role.FINANCE_OFFICER, is_active=True
            ).select_related("user")
        )
        milestones = (
            project.milestones.select_related(
                "certificate",
                "project__principal_investigator",
                "project__programme_officer",
            )
            .prefetch_related("reports")
            .order_by("due_on", "pk")
        )
        rows = []
        for milestone in milestones:
            milestone.project = project
            periods = self.open_periods(milestone, project.sanctioned_on)
            left_for_the_sweep = (
                project.reference in LADDER_LEFT_FOR_THE_SWEEP
                and milestone.status in reminders.REMINDED_STATUSES
            )
            for due_on, due_periods in self.due_dates(milestone, project, periods):
                for step in self.ladder.steps(milestone.kind):
                    if left_for_the_sweep and step.start > 0:
                        continue
                    day = reminders.first_day_open(
                        step, due_on, due_periods, before=demo_day
                    )
                    if day is None:
                        continue
                    rows += self.sent_reminders(milestone, step, due_on, day)
        Reminder.objects.bulk_create(rows)
        # The rows were made now; the history says when each was made and sent.
        Reminder.objects.filter(milestone__project=project).update(
            created_at=F("sent_at")
        )

    def sent_reminders(self, milestone, step, due_on, day):
        sent_at = datetime.datetime.combine(day, SWEEP_TIME, tzinfo=INDIA)
        people = reminder_services.recipients(
            milestone, (step.audience,), division_heads=self.division_heads
        )
        rows = []
        for person in people:
            reminder = Reminder(
                milestone=milestone,
                rule=step.rule,
                recipient=person.user,
                recipient_email=person.email,
                due_on=due_on,
                status=Reminder.Status.SENT,
                attempts=1,
                claimed_at=sent_at,
                sent_at=sent_at,
            )
            reminder.subject = reminder_subject(reminder, today=day)
            rows.append(reminder)
        return rows
