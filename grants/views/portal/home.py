"""The portal's home page: a member's projects, what is due, what came back."""

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import ListView, TemplateView

from grants import page_cache, summaries
from grants.models import Membership, Milestone, Project
from grants.reads.paperwork import (
    certificate_title,
    recent_decisions,
    reminders_received,
    returned_certificates,
    returned_reports,
)
from grants.reads.pipeline import GRANTEE_STAGE_LABELS, with_summary_figures
from grants.reads.schedule import (
    DUE_COLUMNS,
    due_counts,
    due_milestones,
    with_days_left,
)

# The home page lists this many of what is due, the most urgent first, and links
# to the full list: a large grantee has hundreds, which nobody reads on one page.
DUE_LISTED = 20
# Labels by value: ``get_status_display`` translates every choice on each call,
# which fifty rows of projects feel.
PROJECT_STATUSES = dict(Project.Status.choices)
MILESTONE_STATUSES = dict(Milestone.Status.choices)
PROJECT_COLUMNS = ("reference", "title", "title_hi", "status", "sanctioned_amount")


def projects_with_figures(user, *, on):
    """The member's projects with their summaries' figures, exact for ``on``.

    The summaries that do not hold for ``on`` (usually none; a summary missing
    against all odds too) are found in the same query, refreshed and read again,
    so a page never waits for another organisation's changes.
    """
    visible = with_summary_figures(
        # The columns the table shows: a project row has thirty.
        Project.objects.visible_to(user).only(*PROJECT_COLUMNS)
    )
    stale = summaries.out_of_date(on=on).filter(project=OuterRef("pk"))
    projects = list(visible.annotate(summary_stale=Exists(stale)))
    if project_ids := [
        project.pk
        for project in projects
        if project.summary_stale or project.next_stage is None
    ]:
        summaries.refresh(project_ids, on=on)
        projects = list(visible)
    for project in projects:
        project.status_label = PROJECT_STATUSES.get(project.status, project.status)
        project.next_release_label = GRANTEE_STAGE_LABELS.get(project.next_stage, "")
    return projects


def due_rows(milestones, *, today):
    """The milestones with their days left and status label, for ``due_table.html``."""
    milestones = with_days_left(milestones, today=today)
    for milestone in milestones:
        milestone.status_label = MILESTONE_STATUSES.get(
            milestone.status, milestone.status
        )
    return milestones


class PortalHomeView(TemplateView):
    """A member's projects, what is due soonest, what came back and why."""

    template_name = "grants/portal/home.html"

    def get_context_data(self, **kwargs):
        # Everything on it is the member's own: cached per member, until the
        # portfolio changes (a submission, a decision, a release...).
        body = page_cache.rendered(
            "portal-home",
            self.request.user.pk,
            template="grants/portal/home_body.html",
            context=self.body_context,
            request=self.request,
        )
        return super().get_context_data(home_body=body, **kwargs)

    def body_context(self) -> dict:
        user = self.request.user
        today = timezone.localdate()
        projects = projects_with_figures(user, on=today)
        certificates = list(returned_certificates(user))
        for certificate in certificates:
            certificate.title = certificate_title(certificate)
        due = due_milestones(user, on=today)[:DUE_LISTED]
        counts = due_counts(user, on=today)
        return {
            "today": today,
            "projects": projects,
            "memberships": Membership.objects.active()
            .filter(user=user)
            .select_related("organisation"),
            "due": due_rows(due, today=today),
            "due_count": counts["due"],
            "later": counts["later"],
            "under_review": Milestone.objects.visible_to(user)
            .filter(status=Milestone.Status.SUBMITTED)
            .select_related("project")
            .only(*DUE_COLUMNS, "submitted_on")
            .order_by("due_on", "pk"),
            "returned_reports": returned_reports(user),
            "returned_certificates": certificates,
            "decisions": recent_decisions(user),
            "reminders": reminders_received(user),
        }


class DueListView(ListView):
    """Everything a member has due, overdue first, a page at a time."""

    template_name = "grants/portal/due.html"
    context_object_name = "due"
    paginate_by = 50

    @cached_property
    def today(self):
        return timezone.localdate()

    def get_queryset(self):
        return due_milestones(self.request.user, on=self.today)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(today=self.today, **kwargs)
        context["due"] = due_rows(context["due"], today=self.today)
        return context
