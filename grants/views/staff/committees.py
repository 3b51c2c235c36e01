"""A committee and its meetings, for the staff; the member secretary's forms.

Staff holding ``grants.view_committee`` (programme and finance officers) and staff
with a seat on a committee see the pages. Only the committee's member secretary
sees and may post the forms; each form posts to its own address, calls one
service, shows a refusal on the form with the input kept, and returns to the
page with a message.
"""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView

from grants import services
from grants.formatting import format_date
from grants.forms.committees import (
    AgendaItemForm,
    AttendanceForm,
    DecisionForm,
    RecommendationForm,
    ScheduleMeetingForm,
)
from grants.models import AgendaItem, Committee, CommitteeMember, Recommendation
from grants.reads import minutes
from grants.views.common import add_rule_errors
from grants.views.paper import PdfMixin, document_filename
from grants.views.staff.access import StaffRequiredMixin

VIEW_PERMISSION = "grants.view_committee"


def may_see_committees(user) -> bool:
    """Staff who hold the view permission, or sit on a committee."""
    return user.has_perm(VIEW_PERMISSION) or (
        CommitteeMember.objects.active().filter(user=user).exists()
    )


def is_secretary(user, committee) -> bool:
    return (
        CommitteeMember.objects.active()
        .filter(committee=committee, user=user, role=CommitteeMember.Role.SECRETARY)
        .exists()
    )


class CommitteeAccessMixin(StaffRequiredMixin):
    def test_func(self):
        return super().test_func() and may_see_committees(self.request.user)


class SecretaryFormMixin:
    """POST only: check the secretary, validate, call the service, redirect back.

    Subclasses give ``form_for(target, data)``, ``perform(target, data)`` (the
    service call, returning the message) and ``form_key(target)``, the key the
    page's context keeps the form under.
    """

    http_method_names = ["post"]

    def target(self):
        return self.object

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.secretary:
            raise PermissionDenied
        target = self.target()
        form = self.form_for(target, request.POST)
        if form.is_valid():
            try:
                message = self.perform(target, form.cleaned_data)
            except ValidationError as error:
                add_rule_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(self.get_success_url())
        context = self.get_context_data(bound={self.form_key(target): form})
        return self.render_to_response(context)


# A committee --------------------------------------------------------------------------


class CommitteeDetailView(CommitteeAccessMixin, DetailView):
    template_name = "grants/staff/committee_detail.html"
    context_object_name = "committee"
    queryset = Committee.objects.select_related("approving_committee").prefetch_related(
        "schemes"
    )

    @cached_property
    def secretary(self) -> bool:
        return is_secretary(self.request.user, self.object)

    def get_context_data(self, *, bound=None, **kwargs):
        committee = self.object
        today = timezone.localdate()
        meetings = list(committee.meetings.order_by("held_on", "pk"))
        schedule_form = None
        if self.secretary:
            schedule_form = (bound or {}).get("schedule") or ScheduleMeetingForm()
        return super().get_context_data(
            seats=minutes.committee_seats(committee),
            upcoming=[meeting for meeting in meetings if meeting.held_on >= today],
            past=[meeting for meeting in reversed(meetings) if meeting.held_on < today],
            is_secretary=self.secretary,
            schedule_form=schedule_form,
            **kwargs,
        )


class CommitteeScheduleView(SecretaryFormMixin, CommitteeDetailView):
    def form_for(self, committee, data):
        return ScheduleMeetingForm(data)

    def form_key(self, committee):
        return "schedule"

    def perform(self, committee, data):
        self.meeting = services.schedule_meeting(
            committee, **data, scheduled_by=self.request.user
        )
        return _("Meeting %(number)s of %(committee)s scheduled for %(day)s.") % {
            "number": self.meeting.number,
            "committee": committee,
            "day": format_date(self.meeting.held_on),
        }

    def get_success_url(self):
        return reverse("staff:meeting-detail", args=[self.meeting.pk])


# A meeting ----------------------------------------------------------------------------


class MeetingDetailView(CommitteeAccessMixin, DetailView):
    """The meeting's facts and agenda; the member secretary's forms."""

    template_name = "grants/staff/meeting_detail.html"
    context_object_name = "meeting"

    def get_queryset(self):
        return minutes.record_meetings()

    @cached_property
    def secretary(self) -> bool:
        return is_secretary(self.request.user, self.object.committee)

    def get_success_url(self):
        return reverse("staff:meeting-detail", args=[self.object.pk])

    def get_context_data(self, *, bound=None, **kwargs):
        bound = bound or {}
        record = minutes.meeting_record(self.object)
        # Attendance and recommendations are recorded once the meeting is held;
        # before, the page is the agenda and the members' declarations and scores.
        held = self.object.held_on <= timezone.localdate()
        # A member's own conflicts close an item's scores and outcome here too.
        closed_ids = set(
            AgendaItem.objects.closed_to(self.request.user)
            .filter(meeting=self.object)
            .values_list("pk", flat=True)
        )
        context = {
            "record": record,
            "is_secretary": self.secretary,
            "held": held,
            "closed_ids": closed_ids,
        }
        if self.secretary:
            agenda_open = not any(item.recommendation for item in record.items)
            context["item_form"] = bound.get("item") or (
                AgendaItemForm() if agenda_open else None
            )
            if held or "attendance" in bound:
                context["attendance_form"] = bound.get("attendance") or AttendanceForm(
                    committee=self.object.committee,
                    initial={"attendees": sorted(record.attendee_ids)},
                )
            for item in record.items:
                key = item.item.pk
                if key in closed_ids:
                    continue
                if item.recommendation is None and not (
                    held or ("recommend", key) in bound
                ):
                    continue
                if item.recommendation is None:
                    item.recommend_form = bound.get(("recommend", key)) or (
                        RecommendationForm(prefix=f"item-{key}")
                    )
                elif item.recommendation.decision == Recommendation.Decision.PENDING:
                    item.decide_form = bound.get(("decide", key)) or DecisionForm(
                        prefix=f"decision-{key}"
                    )
        return super().get_context_data(**context, **kwargs)


class MeetingAddItemView(SecretaryFormMixin, MeetingDetailView):
    def form_for(self, meeting, data):
        return AgendaItemForm(data)

    def form_key(self, meeting):
        return "item"

    def perform(self, meeting, data):
        item = services.add_agenda_item(meeting, **data, added_by=self.request.user)
        return _("Item %(position)s added to the agenda: %(project)s.") % {
            "position": item.position,
            "project": item.project.reference,
        }


class MeetingAttendanceView(SecretaryFormMixin, MeetingDetailView):
    def form_for(self, meeting, data):
        return AttendanceForm(data, committee=meeting.committee)

    def form_key(self, meeting):
        return "attendance"

    def perform(self, meeting, data):
        services.record_attendance(
            meeting, attendees=list(data["attendees"]), recorded_by=self.request.user
        )
        return _("Attendance recorded: %(count)s present.") % {
            "count": len(data["attendees"])
        }


class ItemFormMixin(SecretaryFormMixin):
    """A form on one agenda item, shown and answered on its meeting's page."""

    def get_object(self, queryset=None):
        self.item = get_object_or_404(
            AgendaItem.objects.select_related("meeting"), pk=self.kwargs["pk"]
        )
        return get_object_or_404(self.get_queryset(), pk=self.item.meeting_id)

    def target(self):
        return self.item


class ItemRecommendView(ItemFormMixin, MeetingDetailView):
    def form_for(self, item, data):
        return RecommendationForm(data, prefix=f"item-{item.pk}")

    def form_key(self, item):
        return ("recommend", item.pk)

    def perform(self, item, data):
        services.record_recommendation(item, **data, recorded_by=self.request.user)
        return _("The recommendation on item %(position)s is recorded.") % {
            "position": item.position
        }


class ItemDecideView(ItemFormMixin, MeetingDetailView):
    def target(self):
        recommendation = getattr(self.item, "recommendation", None)
        if recommendation is None:
            raise PermissionDenied
        return recommendation

    def form_for(self, recommendation, data):
        return DecisionForm(data, prefix=f"decision-{self.item.pk}")

    def form_key(self, recommendation):
        return ("decide", self.item.pk)

    def perform(self, recommendation, data):
        services.record_decision(recommendation, **data, decided_by=self.request.user)
        return _("The decision on item %(position)s is recorded.") % {
            "position": self.item.position
        }


# Minutes ------------------------------------------------------------------------------


class MeetingMinutesView(CommitteeAccessMixin, DetailView):
    """The minutes of a meeting as a page; the PDF prints the same record."""

    template_name = "grants/staff/meeting_minutes.html"
    context_object_name = "meeting"

    def get_queryset(self):
        return minutes.record_meetings()

    def get_context_data(self, **kwargs):
        record = minutes.meeting_record(self.object)
        return super().get_context_data(
            record=record, illustrative=record.illustrative, **kwargs
        )


class MeetingMinutesPdfView(PdfMixin, MeetingMinutesView):
    template_name = "paper/minutes.html"

    def get_filename(self) -> str:
        meeting = self.object
        return document_filename(
            "minutes", meeting.committee.kind, f"meeting-{meeting.number}"
        )
