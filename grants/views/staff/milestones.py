"""Staff decisions on milestones: waive, move the due date, remind now."""

import uuid

from grants.forms import staff as forms
from grants.models import Milestone
from grants.views.staff.actions import ActionView


class MilestoneWaiveView(ActionView):
    model = Milestone
    form_class = forms.WaiveForm
    permission_required = "grants.waive_milestone"
    service = "waive_milestone"
    title = "Waive a milestone"
    button = "Waive it"
    section = "milestones"
    success_message = "{object} waived."


class MilestoneRescheduleView(MilestoneWaiveView):
    form_class = forms.RescheduleForm
    permission_required = "grants.reschedule_milestone"
    service = "reschedule_milestone"
    title = "Move a milestone's due date"
    button = "Move the due date"
    success_message = "{result} is now due on {result.due_on:%d %b %Y}."

    def get_initial(self):
        return {"new_due_on": self.object.due_on}


class MilestoneRemindView(MilestoneWaiveView):
    """Send the grantee a reminder now; the form's key makes each click count once."""

    form_class = forms.RemindNowForm
    permission_required = "grants.change_milestone"
    service = "send_reminder_now"
    actor = "sent_by"
    title = "Send the grantee a reminder now"
    button = "Send the reminder"

    def get_initial(self):
        return {"request_key": uuid.uuid4().hex}

    def describe(self, result):
        people = ", ".join(reminder.recipient_email for reminder in result)
        return f"Reminder about {self.object.title} sent to {people}."
