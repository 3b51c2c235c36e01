"""A member's private calendar feed of milestones, and the page that manages it."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from grants import services
from grants.calendar_feed import milestones_calendar
from grants.models import Milestone, User


class CalendarView(TemplateView):
    """The member's private calendar feed address: create, regenerate or revoke it."""

    template_name = "grants/portal/calendar.html"

    def get_context_data(self, **kwargs):
        token = self.request.user.calendar_token
        feed_url = None
        if token:
            feed_url = self.request.build_absolute_uri(
                reverse("portal:calendar-feed", args=[token])
            )
        return super().get_context_data(feed_url=feed_url, **kwargs)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action in ("create", "regenerate"):
            services.regenerate_calendar_token(request.user)
            messages.success(
                request,
                _("Your calendar address was regenerated: the old one no longer works.")
                if action == "regenerate"
                else _("Your private calendar address is ready."),
            )
        elif action == "revoke":
            services.revoke_calendar_token(request.user)
            messages.success(
                request,
                _("Your calendar feed is switched off: its address stopped working."),
            )
        return redirect("portal:calendar")


class CalendarFeedView(View):
    """A member's milestones as an iCalendar feed, found only by its secret token.

    It needs no login (calendar applications cannot log in): the token in the
    address is the credential, and an unknown or revoked token is a 404.
    """

    def dispatch(self, request, *args, **kwargs):
        token = kwargs["token"]
        self.owner = get_object_or_404(
            User.objects.filter(is_active=True, calendar_token__isnull=False),
            calendar_token=token,
        )
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        milestones = (
            Milestone.objects.visible_to(self.owner)
            .select_related("project")
            .order_by("due_on", "pk")
        )
        body = milestones_calendar(
            milestones,
            url_for=lambda m: request.build_absolute_uri(
                reverse("portal:project-detail", args=[m.project_id])
            ),
            now=timezone.now(),
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="khanij-milestones.ics"'
        response["Cache-Control"] = "private, max-age=0, no-cache"
        response["X-Robots-Tag"] = "noindex"
        response["Referrer-Policy"] = "no-referrer"
        return response
