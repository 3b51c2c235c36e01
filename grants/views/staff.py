"""The staff workspace: pages for programme and finance officers.

Access is stated once: every view here starts with ``StaffRequiredMixin``. Actions
also name the permission they need (``grants.release_instalment`` and so on), so a
programme officer cannot record a release: the roles are groups holding those
permissions (migration ``0003_staff_roles``).
"""

import uuid
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch
from django.forms import DateField
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from grants import (
    charts,
    dashboard,
    exports,
    filters,
    pipeline,
    services,
    summaries,
    tables,
)
from grants.formatting import format_inr
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


class StaffRequiredMixin(UserPassesTestMixin):
    """Let in ministry staff only; a grantee gets 403, anonymous users the login."""

    def test_func(self):
        return self.request.user.is_staff


# Dashboard ----------------------------------------------------------------------------


class DashboardView(StaffRequiredMixin, TemplateView):
    """The portfolio at a glance: figures, breakdowns, TRL and work queues."""

    template_name = "grants/staff/dashboard.html"

    def get_context_data(self, **kwargs):
        board = dashboard.build(on=timezone.localdate())
        charted = [
            (
                breakdown,
                charts.bar_chart(
                    [
                        charts.Bar(label, figures.sanctioned, figures.released)
                        for label, figures in breakdown.rows
                    ],
                    title="Sanctioned and released, "
                    + breakdown.dimension.title.lower(),
                    value_name="Sanctioned",
                    part_name="Released",
                ),
            )
            for breakdown in board.breakdowns
        ]
        released_chart = charts.bar_chart(
            [charts.Bar(year, amount) for year, amount in board.released_by_year],
            title="Released by fiscal year of release",
        )
        trl_chart = charts.bar_chart(
            [charts.Bar(f"TRL {row.level}", row.now) for row in board.trl],
            title="Projects by TRL now",
            money=False,
        )
        return super().get_context_data(
            board=board,
            charted=charted,
            released_chart=released_chart,
            trl_chart=trl_chart,
            **kwargs,
        )


# Tables -------------------------------------------------------------------------------


class StaffTableView(StaffRequiredMixin, SingleTableMixin, FilterView):
    """A filtered, sorted, paginated table with CSV and XLSX exports.

    ``?_export=csv`` or ``?_export=xlsx`` streams every filtered row in the
    table's order instead of the page.
    """

    template_name = "grants/staff/table_page.html"
    paginate_by = 25
    title = ""
    intro = ""
    export_name = "export"

    row_count = None

    def paginate_queryset(self, queryset, page_size):
        paginated = super().paginate_queryset(queryset, page_size)
        self.row_count = paginated[0].count
        return paginated

    def get_table(self, **kwargs):
        """Build the table, handing it the row count the view's paginator made.

        django-tables2 would otherwise count the rows a second time for its own
        paginator (django-tables2#669, #910).
        """
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        if self.row_count is not None:
            table.data._length = self.row_count
        return RequestConfig(
            self.request, paginate=self.get_table_pagination(table)
        ).configure(table)

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("_export")
        if export_format in exports.FORMATS:
            return self.export(export_format)
        return super().get(request, *args, **kwargs)

    def filtered_queryset(self):
        filterset = self.get_filterset(self.get_filterset_class())
        if not filterset.is_bound or filterset.is_valid():
            return filterset.qs
        return filterset.queryset.none()

    def export(self, export_format):
        table = self.get_table_class()(
            self.filtered_queryset(), **self.get_table_kwargs()
        )
        # Sorts the queryset as the page would; counts and fetches nothing.
        RequestConfig(self.request, paginate=False).configure(table)
        filename = f"{self.export_name}-{timezone.localdate():%Y-%m-%d}"
        return exports.export_response(
            export_format, table.data.data, table.export_columns, filename=filename
        )

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        for key in ("_export", "page"):
            query.pop(key, None)
        return super().get_context_data(
            title=self.title,
            intro=self.intro,
            query=query.urlencode(),
            **kwargs,
        )


class ProjectListView(StaffTableView):
    table_class = tables.ProjectTable
    filterset_class = filters.ProjectFilter
    title = "Projects"
    export_name = "projects"

    def get_queryset(self):
        summaries.bring_up_to_date()
        return tables.project_rows()


class MilestoneListView(StaffTableView):
    table_class = tables.MilestoneTable
    filterset_class = filters.MilestoneFilter
    title = "Milestones"
    intro = "Reports, certificates, deliverables and meetings the grantees owe."
    export_name = "milestones"

    def get_queryset(self):
        return tables.milestone_rows(on=timezone.localdate())


class InstalmentListView(StaffTableView):
    table_class = tables.InstalmentTable
    filterset_class = filters.InstalmentFilter
    title = "Instalments"
    intro = (
        "Planned and released tranches. The project page shows what blocks the "
        "next release of each project."
    )
    export_name = "instalments"

    def get_queryset(self):
        return tables.instalment_rows(on=timezone.localdate())


class CertificateListView(StaffTableView):
    table_class = tables.CertificateTable
    filterset_class = filters.CertificateFilter
    title = "Utilisation certificates"
    intro = "Form GFR 12-A certificates: annual, provisional (as on a date) and final."
    export_name = "utilisation-certificates"

    def get_queryset(self):
        return tables.certificate_rows()


class OrganisationListView(StaffTableView):
    table_class = tables.OrganisationTable
    filterset_class = filters.OrganisationFilter
    title = "Organisations"
    intro = "Grantees and the money sanctioned to them; a name opens its projects."
    export_name = "organisations"

    def get_queryset(self):
        return tables.organisation_rows()


class ReminderListView(StaffTableView):
    table_class = tables.ReminderTable
    filterset_class = filters.ReminderFilter
    title = "Reminders"
    intro = "Every reminder and escalation e-mail, with its delivery status."
    export_name = "reminders"

    def get_queryset(self):
        return tables.reminder_rows()


# Project page -------------------------------------------------------------------------

REMINDERS_SHOWN = 50


class ProjectDetailView(StaffRequiredMixin, DetailView):
    """Everything about one project on one page, in a constant number of queries."""

    template_name = "grants/staff/project_detail.html"
    context_object_name = "project"

    def get_queryset(self):
        instalments = Instalment.objects.select_related(
            "released_by", "recommended_by", "covering_certificate"
        ).order_by("sequence")
        certificates = UtilisationCertificate.objects.select_related(
            "decided_by", "submitted_by"
        ).order_by("period_end", "pk")
        return (
            dashboard.with_portfolio_figures(Project.objects.all())
            .select_related(
                "organisation", "scheme", "principal_investigator", "programme_officer"
            )
            .prefetch_related(
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
                        "uploaded_by", "report", "certificate"
                    ),
                ),
                Prefetch(
                    "extensions",
                    queryset=Extension.objects.select_related(
                        "requested_by", "decided_by"
                    ),
                ),
            )
        )

    def get_context_data(self, **kwargs):
        project = self.object
        today = timezone.localdate()
        user = self.request.user
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
        can = self.permissions(user)
        for milestone in project.all_milestones:
            milestone.days_overdue = (
                (today - milestone.due_on).days if milestone.is_overdue(on=today) else 0
            )
        return super().get_context_data(
            today=today,
            states=states,
            next_state=next_state,
            milestones=project.all_milestones,
            certificates=certificates,
            reports=reports,
            reminders=reminders,
            reminders_shown=REMINDERS_SHOWN,
            finance=dashboard.project_finance(
                project,
                budget_lines=list(project.budget_lines.all()),
                instalments=instalments,
                certificates=certificates,
            ),
            can=can,
            can_close=can["close_project"]
            and project.status not in pipeline.ENDED_STATUSES
            and (project.status == Project.Status.COMPLETED or project.end_on < today),
            **kwargs,
        )

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
        history, history_total = dashboard.project_history(self.object)
        return super().get_context_data(
            history=history, history_total=history_total, **kwargs
        )


# Actions ------------------------------------------------------------------------------


class ActionView(StaffRequiredMixin, PermissionRequiredMixin, FormView):
    """A POST that calls one service; GET shows the form on a page of its own.

    A ``GrantRuleError`` from the service is shown on the form, with the user's
    input kept, and nothing is written (every service is one transaction).
    """

    template_name = "grants/staff/action_form.html"
    raise_exception = True
    model = None
    title = ""
    button = "Save"
    section = ""

    @cached_property
    def object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_queryset(self):
        return self.model.objects.all()

    @property
    def project(self):
        return self.object.project

    def get_success_url(self):
        url = reverse("staff:project-detail", args=[self.project.pk])
        return f"{url}#{self.section}" if self.section else url

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object,
            project=self.project,
            title=self.title,
            button=self.button,
            back_url=self.get_success_url(),
            **kwargs,
        )

    def perform(self, data):
        """Call the service with the form's data; return the success message."""
        raise NotImplementedError

    def form_valid(self, form):
        try:
            message = self.perform(form.cleaned_data)
        except services.GrantRuleError as error:
            self.show_rule_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(self.get_success_url())

    @staticmethod
    def show_rule_error(form, error):
        if hasattr(error, "error_dict"):
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            form.add_error(None, error.messages)


class ReportAcceptView(ActionView):
    model = ProgressReport
    form_class = forms.DecideForm
    permission_required = "grants.decide_report"
    title = "Accept a progress report"
    button = "Accept the report"
    section = "reports"
    template_name = "grants/staff/review_action.html"

    def get_queryset(self):
        return ProgressReport.objects.select_related("milestone__project")

    @property
    def project(self):
        return self.object.milestone.project

    def perform(self, data):
        services.accept_progress_report(
            self.object,
            decided_on=data["decided_on"],
            decided_by=self.request.user,
            comment=data["comment"],
        )
        return f"{self.object} accepted."


class ReportReturnView(ReportAcceptView):
    form_class = forms.ReturnForm
    title = "Return a progress report"
    button = "Return it to the grantee"

    def perform(self, data):
        services.return_progress_report(
            self.object,
            reason=data["reason"],
            decided_on=data["decided_on"],
            decided_by=self.request.user,
        )
        return f"{self.object} returned to the grantee with the reason given."


class CertificateAcceptView(ActionView):
    model = UtilisationCertificate
    form_class = forms.DecideForm
    permission_required = "grants.decide_certificate"
    title = "Accept a utilisation certificate"
    button = "Accept the certificate"
    section = "certificates"
    template_name = "grants/staff/review_action.html"

    def get_queryset(self):
        return UtilisationCertificate.objects.select_related("project")

    def perform(self, data):
        services.accept_certificate(
            self.object, decided_on=data["decided_on"], decided_by=self.request.user
        )
        return f"{self.object} accepted."


class CertificateReturnView(CertificateAcceptView):
    form_class = forms.ReturnForm
    title = "Return a utilisation certificate"
    button = "Return it to the grantee"

    def perform(self, data):
        services.return_certificate(
            self.object,
            reason=data["reason"],
            decided_on=data["decided_on"],
            decided_by=self.request.user,
        )
        return f"{self.object} returned to the grantee with the reason given."


class InstalmentRecommendView(ActionView):
    model = Instalment
    form_class = forms.RecommendForm
    permission_required = "grants.recommend_instalment"
    title = "Recommend an instalment for release"
    button = "Recommend to finance"
    section = "instalments"
    template_name = "grants/staff/instalment_action.html"

    def get_queryset(self):
        return Instalment.objects.select_related("project")

    @cached_property
    def state(self):
        project = pipeline.projects_for_pipeline(
            Project.objects.filter(pk=self.object.project_id)
        ).get()
        states = pipeline.release_states(project, on=timezone.localdate())
        return next(s for s in states if s.instalment.pk == self.object.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(state=self.state, **kwargs)

    def perform(self, data):
        services.recommend_instalment(
            self.object,
            recommended_on=data["recommended_on"],
            recommended_by=self.request.user,
        )
        return f"{self.object} recommended to finance for release."


class InstalmentReleaseView(InstalmentRecommendView):
    """Record a release; the GFR rule and the 75% warning are answered on the form.

    When no accepted UC covers the previous release the page says so and asks for
    the override reason; when the covering UC shows low utilisation it shows the
    figure and asks for the acknowledgement note. Both are then mandatory.
    """

    form_class = forms.ReleaseForm
    permission_required = "grants.release_instalment"
    title = "Record the release of an instalment"
    button = "Record the release"

    def situation(self, released_on):
        """Return (previous release date, covering UC) as the service will see them."""
        project = self.object.project
        previous = project.instalments.released().aggregate(last=Max("released_on"))[
            "last"
        ]
        if previous is None or released_on is None:
            return previous, None
        covering = services.find_covering_certificate(
            project, previous_release_on=previous, release_on=released_on
        )
        return previous, covering

    @cached_property
    def release_on(self):
        """The release date the user asked for (today on a fresh form)."""
        if self.request.method != "POST":
            return timezone.localdate()
        try:
            return DateField().clean(self.request.POST.get("released_on"))
        except ValidationError:
            return None

    @cached_property
    def needs(self):
        previous, covering = self.situation(self.release_on)
        override = previous is not None and covering is None
        low = (
            covering is not None
            and covering.utilisation_percent < services.LOW_UTILISATION_PERCENT
        )
        return {
            "previous": previous,
            "covering": covering,
            "override": override,
            "low_utilisation": low,
        }

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "require_override": self.needs["override"],
            "require_note": self.needs["low_utilisation"],
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(needs=self.needs, **kwargs)

    def perform(self, data):
        instalment = services.release_instalment(
            self.object,
            released_on=data["released_on"],
            release_order_number=data["release_order_number"],
            released_by=self.request.user,
            override_reason=data["override_reason"],
            low_utilisation_note=data["low_utilisation_note"],
        )
        return (
            f"{instalment} released on {instalment.released_on:%d %b %Y}: "
            f"₹\u00a0{format_inr(instalment.amount)}, order "
            f"{instalment.release_order_number}."
        )


class MilestoneWaiveView(ActionView):
    model = Milestone
    form_class = forms.WaiveForm
    permission_required = "grants.waive_milestone"
    title = "Waive a milestone"
    button = "Waive it"
    section = "milestones"

    def get_queryset(self):
        return Milestone.objects.select_related("project")

    def perform(self, data):
        services.waive_milestone(
            self.object,
            reason=data["reason"],
            decided_by=self.request.user,
            decided_on=data["decided_on"],
        )
        return f"{self.object} waived."


class MilestoneRescheduleView(MilestoneWaiveView):
    form_class = forms.RescheduleForm
    permission_required = "grants.reschedule_milestone"
    title = "Move a milestone's due date"
    button = "Move the due date"

    def get_initial(self):
        return {"new_due_on": self.object.due_on}

    def perform(self, data):
        milestone = services.reschedule_milestone(
            self.object,
            new_due_on=data["new_due_on"],
            reason=data["reason"],
            decided_by=self.request.user,
        )
        return f"{milestone} is now due on {milestone.due_on:%d %b %Y}."


class MilestoneRemindView(MilestoneWaiveView):
    """Send the grantee a reminder now; the form's key makes each click count once."""

    form_class = forms.RemindNowForm
    permission_required = "grants.change_milestone"
    title = "Send the grantee a reminder now"
    button = "Send the reminder"

    def get_initial(self):
        return {"request_key": uuid.uuid4().hex}

    def perform(self, data):
        sent = services.send_reminder_now(
            self.object, sent_by=self.request.user, request_key=data["request_key"]
        )
        people = ", ".join(reminder.recipient_email for reminder in sent)
        return f"Reminder about {self.object.title} sent to {people}."


class ExtensionApproveView(ActionView):
    model = Extension
    form_class = forms.ExtensionApprovalForm
    permission_required = "grants.approve_extension"
    title = "Approve an extension"
    button = "Approve the extension"
    section = "overview"

    def get_queryset(self):
        return Extension.objects.select_related("project")

    def perform(self, data):
        extension = services.approve_extension(
            self.object,
            decided_on=data["decided_on"],
            decided_by=self.request.user,
            comment=data["comment"],
        )
        return (
            f"Extension approved: {extension.project.reference} now ends on "
            f"{extension.new_end_on:%d %b %Y}; milestones tied to the end date moved."
        )


class ProjectCloseView(ActionView):
    model = Project
    form_class = forms.CloseProjectForm
    permission_required = "grants.close_project"
    title = "Close a project"
    button = "Close the project"
    section = "overview"

    @property
    def project(self):
        return self.object

    def perform(self, data):
        project = services.close_project(
            self.object, closed_by=self.request.user, **data
        )
        return f"{project.reference} closed on {project.closed_on:%d %b %Y}."


urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("projects/", ProjectListView.as_view(), name="project-list"),
    path("projects/<int:pk>/", ProjectDetailView.as_view(), name="project-detail"),
    path(
        "projects/<int:pk>/history/",
        ProjectHistoryView.as_view(),
        name="project-history",
    ),
    path("projects/<int:pk>/close/", ProjectCloseView.as_view(), name="project-close"),
    path("milestones/", MilestoneListView.as_view(), name="milestone-list"),
    path(
        "milestones/<int:pk>/waive/",
        MilestoneWaiveView.as_view(),
        name="milestone-waive",
    ),
    path(
        "milestones/<int:pk>/remind/",
        MilestoneRemindView.as_view(),
        name="milestone-remind",
    ),
    path(
        "milestones/<int:pk>/reschedule/",
        MilestoneRescheduleView.as_view(),
        name="milestone-reschedule",
    ),
    path("instalments/", InstalmentListView.as_view(), name="instalment-list"),
    path(
        "instalments/<int:pk>/recommend/",
        InstalmentRecommendView.as_view(),
        name="instalment-recommend",
    ),
    path(
        "instalments/<int:pk>/release/",
        InstalmentReleaseView.as_view(),
        name="instalment-release",
    ),
    path("certificates/", CertificateListView.as_view(), name="certificate-list"),
    path(
        "certificates/<int:pk>/accept/",
        CertificateAcceptView.as_view(),
        name="certificate-accept",
    ),
    path(
        "certificates/<int:pk>/return/",
        CertificateReturnView.as_view(),
        name="certificate-return",
    ),
    path("reports/<int:pk>/accept/", ReportAcceptView.as_view(), name="report-accept"),
    path("reports/<int:pk>/return/", ReportReturnView.as_view(), name="report-return"),
    path(
        "extensions/<int:pk>/approve/",
        ExtensionApproveView.as_view(),
        name="extension-approve",
    ),
    path("organisations/", OrganisationListView.as_view(), name="organisation-list"),
    path("reminders/", ReminderListView.as_view(), name="reminder-list"),
]
