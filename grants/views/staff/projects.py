"""One project for staff: its page, its history, and decisions on the whole project.

Closing a project has a module of its own, ``closure``.
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from grants import page_cache
from grants.formatting import format_date
from grants.forms import staff as forms
from grants.models import (
    Document,
    Extension,
    Instalment,
    Milestone,
    ProgressReport,
    Project,
    Reminder,
    UtilisationCertificate,
)
from grants.reads import conditions, money, pipeline
from grants.reads.history import project_history
from grants.views.staff.access import StaffRequiredMixin
from grants.views.staff.actions import ActionView

REMINDERS_SHOWN = 50


class ProjectDetailView(StaffRequiredMixin, DetailView):
    """Everything about one project on one page, in a constant number of queries."""

    template_name = "grants/staff/project_detail.html"
    context_object_name = "project"

    def get_queryset(self):
        # The page's other rows are read only when its body is not in the cache.
        return Project.objects.select_related(
            "organisation", "scheme", "principal_investigator", "programme_officer"
        )

    def get_context_data(self, **kwargs):
        can = self.permissions(self.request.user)
        # The body is the same for every officer with the same permissions: made
        # once per change to the portfolio (and per day and language).
        body = page_cache.rendered(
            "project",
            self.object.pk,
            "".join("1" if allowed else "0" for allowed in can.values()),
            template="grants/staff/includes/project_body.html",
            context=lambda: self.body_context(can),
            request=self.request,
        )
        return super().get_context_data(project_body=body, **kwargs)

    def project_with_rows(self):
        instalments = Instalment.objects.select_related(
            "released_by", "recommended_by", "covering_certificate"
        ).order_by("sequence")
        certificates = UtilisationCertificate.objects.select_related(
            "decided_by", "submitted_by"
        ).order_by("period_end", "pk")
        project = self.object
        prefetch_related_objects(
            [project],
            "elements",
            "budget_lines",
            Prefetch("instalments", queryset=instalments),
            Prefetch("certificates", queryset=certificates),
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("certificate").order_by(
                    "due_on", "pk"
                ),
                to_attr="all_milestones",
            ),
            Prefetch(
                "documents",
                queryset=Document.objects.select_related(
                    "uploaded_by",
                    "report__milestone__project",
                    "certificate__project",
                ),
            ),
            Prefetch(
                "extensions",
                queryset=Extension.objects.select_related("requested_by", "decided_by"),
            ),
            # The conditions' own prefetch, less its audited statements: they
            # are among the project's documents, fetched just above.
            *(
                lookup
                for lookup in conditions.PREFETCH
                if lookup.prefetch_to != "audited_statements"
            ),
        )
        project.audited_statements = [
            document
            for document in project.documents.all()
            if document.kind == Document.Kind.AUDITED_SOE
        ]
        project.released_total = sum(
            instalment.amount
            for instalment in project.instalments.all()
            if instalment.released_on is not None
        )
        project.pending_total = project.sanctioned_amount - project.released_total
        return project

    def body_context(self, can) -> dict:
        project = self.project_with_rows()
        today = timezone.localdate()
        instalments = list(project.instalments.all())
        certificates = list(project.certificates.all())
        # What the pipeline reads, from the milestones fetched once (by due date).
        project.open_milestones = [
            milestone
            for milestone in project.all_milestones
            if milestone.status in Milestone.OPEN_STATUSES
        ]
        states = pipeline.release_states(project, on=today)
        next_state = next(
            (state for state in states if state.stage != pipeline.Stage.RELEASED),
            None,
        )
        reports = list(
            ProgressReport.objects.filter(milestone__project=project)
            .select_related("milestone", "decided_by", "submitted_by")
            .order_by("milestone__due_on", "milestone_id", "version")
        )
        reminders = list(
            Reminder.objects.filter(milestone__project=project)
            .select_related("milestone", "rule")
            .order_by("-created_at")[:REMINDERS_SHOWN]
        )
        for milestone in project.all_milestones:
            milestone.days_overdue = (
                (today - milestone.due_on).days if milestone.is_overdue(on=today) else 0
            )
        return {
            "project": project,
            "today": today,
            "states": states,
            "next_state": next_state,
            "milestones": project.all_milestones,
            "certificates": certificates,
            "reports": reports,
            "reminders": reminders,
            "reminders_shown": REMINDERS_SHOWN,
            "finance": money.project_finance(
                project,
                budget_lines=list(project.budget_lines.all()),
                instalments=instalments,
                certificates=certificates,
            ),
            "can": can,
            "can_close": can["close_project"]
            and project.status not in pipeline.ENDED_STATUSES
            and (project.status == Project.Status.COMPLETED or project.end_on < today),
        }

    @staticmethod
    def permissions(user):
        names = [
            "decide_report",
            "decide_certificate",
            "release_instalment",
            "recommend_instalment",
            "waive_milestone",
            "reschedule_milestone",
            "approve_extension",
            "close_project",
            "change_milestone",
            "mark_condition_met",
        ]
        return {name: user.has_perm(f"grants.{name}") for name in names}


class ProjectHistoryView(StaffRequiredMixin, DetailView):
    """The project page's history tab: who changed what, when and why; read only.

    A page of its own, so the project page does not read seven history tables
    each time it is opened.
    """

    model = Project
    template_name = "grants/staff/project_history.html"
    context_object_name = "project"

    def get_queryset(self):
        return Project.objects.select_related("organisation")

    def get_context_data(self, **kwargs):
        entries, total = project_history(self.object)
        return super().get_context_data(history=entries, history_total=total, **kwargs)


class ExtensionApproveView(ActionView):
    model = Extension
    form_class = forms.ExtensionApprovalForm
    permission_required = "grants.approve_extension"
    service = "approve_extension"
    title = _("Approve an extension")
    button = _("Approve the extension")
    section = "overview"
    success_message = _(
        "Extension approved: %(reference)s now ends on %(date)s; milestones tied "
        "to the end date moved."
    )

    def message_values(self, result):
        return {
            "reference": result.project.reference,
            "date": format_date(result.new_end_on, "d M Y"),
        }

    def get_success_url(self):
        return reverse("staff:extension-detail", args=[self.object.pk])
