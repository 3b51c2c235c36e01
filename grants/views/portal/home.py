"""The portal's home page: a member's projects, what is due, what came back."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.views.generic import TemplateView

from grants.models import Membership, Milestone, Project, count_of
from grants.reads.paperwork import (
    certificate_title,
    recent_decisions,
    reminders_received,
    returned_certificates,
    returned_reports,
)
from grants.reads.pipeline import (
    GRANTEE_STAGE_LABELS,
    next_release_state,
    projects_for_pipeline,
)
from grants.reads.schedule import with_days_left

# How far ahead the home page lists what is due; later items are on project pages.
DUE_HORIZON_DAYS = 183


class PortalHomeView(TemplateView):
    """A member's projects, what is due soonest, what came back and why."""

    template_name = "grants/portal/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        projects = list(
            projects_for_pipeline(
                Project.objects.visible_to(user)
                .with_pending_total()
                .select_related("organisation", "scheme")
            )
        )
        for project in projects:
            project.next_release = state = next_release_state(project, on=today)
            project.next_release_label = (
                GRANTEE_STAGE_LABELS[state.stage] if state else ""
            )
        certificates = list(returned_certificates(user))
        for certificate in certificates:
            certificate.title = certificate_title(certificate)
        horizon = today + datetime.timedelta(days=DUE_HORIZON_DAYS)
        visible = Milestone.objects.visible_to(user)
        # Only the milestones the page lists are fetched; those due after the
        # horizon are counted by the database in the same query.
        later = visible.filter(status=Milestone.Status.PENDING, due_on__gt=horizon)
        milestones = with_days_left(
            visible.filter(
                Q(status=Milestone.Status.PENDING, due_on__lte=horizon)
                | Q(status__in=[Milestone.Status.RETURNED, Milestone.Status.SUBMITTED])
            )
            .annotate(later_count=count_of(later))
            .select_related("project")
            .order_by("due_on", "pk"),
            today=today,
        )
        return super().get_context_data(
            today=today,
            projects=projects,
            memberships=Membership.objects.active()
            .filter(user=user)
            .select_related("organisation"),
            due=[m for m in milestones if m.status in Milestone.OPEN_STATUSES],
            later=milestones[0].later_count if milestones else later.count(),
            under_review=[
                m for m in milestones if m.status == Milestone.Status.SUBMITTED
            ],
            returned_reports=returned_reports(user),
            returned_certificates=certificates,
            decisions=recent_decisions(user),
            reminders=reminders_received(user),
            **kwargs,
        )
