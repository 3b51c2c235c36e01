"""Staff decisions on milestones: waive, move the due date, remind now."""

import uuid

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grants.formatting import format_date
from grants.forms import staff as forms
from grants.models import Milestone
from grants.views.staff.actions import ActionView


class MilestoneWaiveView(ActionView):
    model = Milestone
    form_class = forms.WaiveForm
    permission_required = "grants.waive_milestone"
    service = "waive_milestone"
    title = _("Waive a milestone")
    button = _("Waive it")
    section = "milestones"
    success_message = _("%(object)s waived.")


class MilestoneRescheduleView(MilestoneWaiveView):
    form_class = forms.RescheduleForm
    permission_required = "grants.reschedule_milestone"
    service = "reschedule_milestone"
    title = _("Move a milestone's due date")
    button = _("Move the due date")
    success_message = _("%(milestone)s is now due on %(date)s.")

    def message_values(self, result):
        return {"milestone": result, "date": format_date(result.due_on, "d M Y")}

    def get_initial(self):
        return {"new_due_on": self.object.due_on}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.object.project}


class MilestoneRemindView(MilestoneWaiveView):
    """Send the grantee a reminder now; the form's key makes each click count once."""

    form_class = forms.RemindNowForm
    permission_required = "grants.change_milestone"
    service = "send_reminder_now"
    actor = "sent_by"
    title = _("Send the grantee a reminder now")
    button = _("Send the reminder")

    def get_initial(self):
        return {"request_key": uuid.uuid4().hex}

    def describe(self, result):
        people = ", ".join(reminder.recipient_email for reminder in result)
        return gettext("Reminder about %(milestone)s sent to %(people)s.") % {
            "milestone": self.object.title,
            "people": people,
        }
