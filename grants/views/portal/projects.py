"""One of the member's projects: money, milestones, certificates, documents."""

from django.utils import timezone
from django.views.generic import DetailView

from grants import services
from grants.models import (
    Document,
    Membership,
    Milestone,
    Project,
    UtilisationCertificate,
)
from grants.reads.money import budget_table
from grants.reads.paperwork import attachment_label, certificate_title
from grants.reads.pipeline import (
    GRANTEE_STAGE_LABELS,
    Stage,
    projects_for_pipeline,
    release_states,
    release_timeline,
)
from grants.reads.schedule import with_days_left
from grants.views.portal.access import PortalObjectMixin


class ProjectDetailView(PortalObjectMixin, DetailView):
    """Everything about one of the member's projects."""

    model = Project
    template_name = "grants/portal/project_detail.html"
    context_object_name = "project"

    def get_queryset(self):
        return projects_for_pipeline(
            super()
            .get_queryset()
            .with_pending_total()
            .with_latest_closing_balance()
            .select_related(
                "organisation", "scheme", "principal_investigator", "programme_officer"
            )
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        project = self.object
        today = timezone.localdate()
        milestones = with_days_left(
            Milestone.objects.visible_to(user)
            .filter(project=project)
            .prefetch_related("reports")
            .order_by("due_on", "pk"),
            today=today,
        )
        certificates = (
            UtilisationCertificate.objects.visible_to(user)
            .filter(project=project)
            .prefetch_related("received_instalments")
            .order_by("-period_end", "-pk")
        )
        documents = (
            Document.objects.visible_to(user)
            .filter(project=project)
            .select_related("report__milestone", "certificate", "uploaded_by")
            .order_by("-uploaded_at", "-pk")
        )
        for certificate in certificates:
            certificate.title = certificate_title(certificate)
        for document in documents:
            document.attached_to = attachment_label(document)
        states = release_states(project, on=today)
        for release_state in states:
            release_state.portal_label = GRANTEE_STAGE_LABELS[release_state.stage]
        state = next((s for s in states if s.stage != Stage.RELEASED), None)
        roles = services.member_roles(user, project)
        return super().get_context_data(
            today=today,
            milestones=milestones,
            certificates=certificates,
            documents=documents,
            budget=budget_table(list(project.budget_lines.all())),
            release_states=states,
            extensions=project.extensions.order_by("-requested_on"),
            next_release=state,
            timeline=release_timeline(state) if state else [],
            role_labels=sorted(Membership.Role(role).label for role in roles),
            may_submit_reports=bool(roles & services.REPORT_SUBMITTER_ROLES),
            may_submit_certificates=bool(roles & services.CERTIFICATE_SUBMITTER_ROLES),
            open_statuses=Milestone.OPEN_STATUSES,
            **kwargs,
        )
