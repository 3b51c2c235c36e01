"""The grantee portal: a member's own organisation's projects, nothing else.

Access is stated once: every queryset goes through ``visible_to(request.user)``, so
another organisation's object is a 404, never a 403 that confirms it exists.
``PortalObjectMixin`` finds a view's object that way before the request method is
even looked at, so GET and POST answer alike. What a member may submit follows
their role (``services.REPORT_SUBMITTER_ROLES``, ``CERTIFICATE_SUBMITTER_ROLES``).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from grants import services
from grants.formatting import fiscal_year_bounds, fiscal_year_of
from grants.forms.portal import (
    FIGURE_FIELDS,
    CertificatePeriodForm,
    DocumentUploadForm,
    ProgressReportForm,
    UtilisationCertificateForm,
)
from grants.models import (
    BudgetLine,
    Document,
    Instalment,
    Membership,
    Milestone,
    ProgressReport,
    Project,
    Reminder,
    User,
    UtilisationCertificate,
    count_of,
)
from grants.pipeline import (
    Stage,
    next_release_state,
    projects_for_pipeline,
    release_states,
)

# How far ahead the home page lists what is due; later items are on project pages.
DUE_HORIZON_DAYS = 183
RECENT_DECISIONS = 10
RECENT_REMINDERS = 10

# The release pipeline in a grantee's words.
STAGE_LABELS = {
    **Stage.LABELS,
    Stage.AWAITING_DOCUMENTS: "What the ministry still needs from you",
    Stage.UNDER_REVIEW: "Under the ministry's review",
}


def add_rule_errors(form, error: services.GrantRuleError):
    """Show a service's refusal on the form: field by field where it can."""
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


# Access -----------------------------------------------------------------------------


class PortalObjectMixin:
    """Find the URL's object among those the user may see, or answer 404.

    The lookup runs in ``dispatch``, before the method is dispatched, so a GET and
    a POST to another organisation's object are both a 404.
    """

    model = None
    pk_url_kwarg = "pk"

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(
            self.get_queryset(), pk=kwargs[self.pk_url_kwarg]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return self.object


class RoleRequiredMixin:
    """Refuse, with a page that says why, a member whose role may not do this."""

    allowed_roles: frozenset = frozenset()

    def get_project(self) -> Project:
        raise NotImplementedError

    def refusal(self, project) -> str:
        raise NotImplementedError

    @cached_property
    def roles(self) -> set[str]:
        return services.member_roles(self.request.user, self.get_project())

    def dispatch(self, request, *args, **kwargs):
        # PortalObjectMixin comes first in the bases, so the object is found (or
        # the request is a 404) before the role is looked at.
        if not self.roles & self.allowed_roles:
            return refused(
                request, self.refusal(self.get_project()), self.get_project()
            )
        return super().dispatch(request, *args, **kwargs)


def refused(request, message: str, project: Project):
    """Answer 403 with a page that says who may do this instead."""
    return TemplateResponse(
        request,
        "grants/portal/refused.html",
        {"message": message, "project": project},
        status=403,
    )


# Home -------------------------------------------------------------------------------


@dataclass
class Decision:
    """An accepted or returned report or certificate, for the home page."""

    decided_on: datetime.date
    what: str
    project: Project
    status: str
    status_label: str
    comment: str
    url: str


def _days_label(days: int) -> str:
    if days == 0:
        return "due today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def _with_days(milestones, *, today):
    for milestone in milestones:
        milestone.days_left = milestone.days_until_due(on=today)
        milestone.days_label = _days_label(milestone.days_left)
    return milestones


def returned_certificates(user):
    """Return the user's returned certificates that no later one has replaced."""
    later = UtilisationCertificate.objects.filter(
        project=OuterRef("project"),
        kind=OuterRef("kind"),
        fiscal_year=OuterRef("fiscal_year"),
        pk__gt=OuterRef("pk"),
    )
    milestone = Milestone.objects.filter(certificate=OuterRef("pk")).values("pk")[:1]
    return (
        UtilisationCertificate.objects.visible_to(user)
        .filter(status=UtilisationCertificate.Status.RETURNED)
        .exclude(Exists(later))
        .annotate(milestone_pk=Subquery(milestone))
        .select_related("project")
        .order_by("decided_on", "pk")
    )


def returned_reports(user):
    """Return the latest returned version of each report awaiting resubmission."""
    reports = (
        ProgressReport.objects.visible_to(user)
        .filter(
            status=ProgressReport.Status.RETURNED,
            milestone__status=Milestone.Status.RETURNED,
        )
        .select_related("milestone__project")
        .order_by("milestone__due_on", "milestone_id", "-version")
    )
    latest = {}
    for report in reports:
        latest.setdefault(report.milestone_id, report)
    return list(latest.values())


def recent_decisions(user, *, limit=RECENT_DECISIONS) -> list[Decision]:
    decided = ~Q(status="submitted") & Q(decided_on__isnull=False)
    reports = (
        ProgressReport.objects.visible_to(user)
        .filter(decided)
        .select_related("milestone__project")
        .order_by("-decided_on", "-pk")[:limit]
    )
    certificates = (
        UtilisationCertificate.objects.visible_to(user)
        .filter(decided)
        .select_related("project")
        .order_by("-decided_on", "-pk")[:limit]
    )
    decisions = [
        Decision(
            decided_on=report.decided_on,
            what=f"{report.milestone.title}, version {report.version}",
            project=report.milestone.project,
            status=report.status,
            status_label=report.get_status_display(),
            comment=report.review_comment,
            url=reverse("portal:report-detail", args=[report.pk]),
        )
        for report in reports
    ] + [
        Decision(
            decided_on=certificate.decided_on,
            what=certificate_title(certificate),
            project=certificate.project,
            status=certificate.status,
            status_label=certificate.get_status_display(),
            comment=certificate.return_reason,
            url=reverse("portal:certificate-detail", args=[certificate.pk]),
        )
        for certificate in certificates
    ]
    decisions.sort(key=lambda decision: decision.decided_on, reverse=True)
    return decisions[:limit]


def certificate_title(certificate: UtilisationCertificate) -> str:
    """Name a certificate without reading its project."""
    if certificate.kind == UtilisationCertificate.Kind.PROVISIONAL:
        return f"Provisional UC as on {certificate.period_end:%d %b %Y}"
    return f"{certificate.get_kind_display().capitalize()} UC {certificate.fiscal_year}"


def attachment_label(document: Document) -> str:
    """Say what a document is kept against, without reading more rows."""
    if document.report_id:
        report = document.report
        return f"Report: {report.milestone.title}, version {report.version}"
    if document.certificate_id:
        return f"Certificate: {certificate_title(document.certificate)}"
    return "Project"


def reminders_received(user, *, limit=RECENT_REMINDERS):
    """Return the reminders sent to the user about milestones they may see."""
    to_user = Q(recipient=user)
    if user.email:
        to_user |= Q(recipient_email__iexact=user.email)
    return (
        Reminder.objects.filter(milestone__in=Milestone.objects.visible_to(user))
        .filter(to_user, status=Reminder.Status.SENT)
        .select_related("milestone__project", "rule")
        .order_by("-sent_at", "-pk")[:limit]
    )


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
            project.next_release_label = STAGE_LABELS[state.stage] if state else ""
        certificates = list(returned_certificates(user))
        for certificate in certificates:
            certificate.title = certificate_title(certificate)
        horizon = today + datetime.timedelta(days=DUE_HORIZON_DAYS)
        visible = Milestone.objects.visible_to(user)
        # Only the milestones the page lists are fetched; those due after the
        # horizon are counted by the database in the same query.
        later = visible.filter(status=Milestone.Status.PENDING, due_on__gt=horizon)
        milestones = _with_days(
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


# Project ----------------------------------------------------------------------------


@dataclass
class TimelineStep:
    stage: str
    label: str
    state: str  # "done", "current" or "todo"
    on: datetime.date | None = None
    notes: tuple[str, ...] = ()


def release_timeline(state, *, today) -> list[TimelineStep]:
    """Lay out one instalment's way to release, step by step, with dates."""
    instalment = state.instalment
    current = Stage.ORDER.index(state.stage)
    steps = []
    for index, stage in enumerate(Stage.ORDER):
        step = TimelineStep(
            stage=stage,
            label=STAGE_LABELS[stage],
            state="done"
            if index < current
            else "current"
            if index == current
            else "todo",
        )
        if stage == Stage.PLANNED:
            step.on = instalment.planned_on
        elif stage == Stage.RECOMMENDED:
            step.on = instalment.recommended_on
        elif stage == Stage.RELEASED:
            step.on = instalment.released_on
        if index == current and stage != Stage.PLANNED:
            step.on = step.on or state.since
        waiting = state.stage in (Stage.PLANNED, Stage.AWAITING_DOCUMENTS)
        if stage == Stage.AWAITING_DOCUMENTS and waiting and state.blockers:
            # Before the planned date the same list reads as what is still needed.
            step.notes = tuple(state.blockers)
        if stage == Stage.UNDER_REVIEW and state.stage == Stage.UNDER_REVIEW:
            step.notes = tuple(state.blockers)
        steps.append(step)
    return steps


def budget_table(lines):
    """Pivot budget lines into rows by head and columns by project year."""
    years = sorted({line.project_year for line in lines})
    amounts = defaultdict(dict)
    for line in lines:
        amounts[line.head][line.project_year] = line.amount
    rows = []
    for head in BudgetLine.Head:
        if head.value not in amounts:
            continue
        cells = [amounts[head.value].get(year) for year in years]
        rows.append(
            {
                "head": head.label,
                "component": head.gfr_component.label,
                "cells": cells,
                "total": sum(cell or 0 for cell in cells),
            }
        )
    totals = [
        sum(line.amount for line in lines if line.project_year == y) for y in years
    ]
    return {
        "years": years,
        "rows": rows,
        "totals": totals,
        "grand_total": sum(totals),
    }


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
        milestones = _with_days(
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
            release_state.portal_label = STAGE_LABELS[release_state.stage]
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
            timeline=release_timeline(state, today=today) if state else [],
            role_labels=sorted(Membership.Role(role).label for role in roles),
            may_submit_reports=bool(roles & services.REPORT_SUBMITTER_ROLES),
            may_submit_certificates=bool(roles & services.CERTIFICATE_SUBMITTER_ROLES),
            open_statuses=Milestone.OPEN_STATUSES,
            **kwargs,
        )


# Progress reports -------------------------------------------------------------------


class ProgressReportSubmitView(PortalObjectMixin, RoleRequiredMixin, FormView):
    """Submit a progress report against a milestone, or resubmit a returned one."""

    model = Milestone
    form_class = ProgressReportForm
    template_name = "grants/portal/report_form.html"
    allowed_roles = services.REPORT_SUBMITTER_ROLES

    def get_queryset(self):
        return super().get_queryset().select_related("project__organisation")

    def get_project(self):
        return self.object.project

    def refusal(self, project):
        return services.refusal_for_reports(project)

    def get(self, request, *args, **kwargs):
        if response := self.redirect_if_not_open():
            return response
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if response := self.redirect_if_not_open():
            return response
        return super().post(request, *args, **kwargs)

    def redirect_if_not_open(self):
        milestone = self.object
        if milestone.kind == Milestone.Kind.UTILISATION_CERTIFICATE:
            return redirect("portal:milestone-certificate-submit", pk=milestone.pk)
        if milestone.status not in Milestone.OPEN_STATUSES:
            messages.info(
                self.request,
                f"“{milestone.title}” is {milestone.get_status_display()}: there "
                f"is nothing to submit for it now.",
            )
            return redirect("portal:project-detail", pk=milestone.project_id)
        return None

    @cached_property
    def previous_versions(self):
        return list(
            ProgressReport.objects.visible_to(self.request.user)
            .filter(milestone=self.object)
            .order_by("-version")
        )

    def get_initial(self):
        milestone = self.object
        latest = self.previous_versions[0] if self.previous_versions else None
        if latest is not None:
            return {
                field: getattr(latest, field)
                for field in ProgressReportForm.Meta.fields
            }
        return {
            "period_start": milestone.period_start,
            "period_end": milestone.period_end,
            "trl_now": milestone.project.trl_now,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            milestone=self.object,
            project=self.object.project,
            previous_versions=self.previous_versions,
            files_sent=bool(self.request.FILES),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            report = services.submit_report_with_attachments(
                self.object,
                attachments=form.cleaned_data["attachments"],
                submitted_on=timezone.localdate(),
                submitted_by=self.request.user,
                **form.report_fields(),
            )
        except services.GrantRuleError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Version {report.version} of the report for “{self.object.title}” was "
            f"submitted. The ministry reviews it next.",
        )
        return redirect("portal:report-detail", pk=report.pk)


class ProgressReportDetailView(PortalObjectMixin, DetailView):
    """One version of a report, the ministry's comment and the other versions."""

    model = ProgressReport
    template_name = "grants/portal/report_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("milestone__project", "submitted_by", "decided_by")
        )

    def get_context_data(self, **kwargs):
        report = self.object
        user = self.request.user
        return super().get_context_data(
            milestone=report.milestone,
            project=report.milestone.project,
            versions=ProgressReport.objects.visible_to(user)
            .filter(milestone=report.milestone_id)
            .order_by("-version"),
            documents=Document.objects.visible_to(user)
            .filter(report=report)
            .order_by("uploaded_at", "pk"),
            may_resubmit=(
                report.milestone.status in Milestone.OPEN_STATUSES
                and report.status == ProgressReport.Status.RETURNED
                and bool(
                    services.member_roles(user, report.milestone.project)
                    & services.REPORT_SUBMITTER_ROLES
                )
            ),
            **kwargs,
        )


# Utilisation certificates -----------------------------------------------------------


def previous_certificate(certificates, *, before: datetime.date):
    """The certificate whose closing balance opens the next period.

    The latest annual or final certificate ending before ``before`` that was not
    returned; of two for the same period, the accepted one.
    """
    candidates = [
        certificate
        for certificate in certificates
        if certificate.kind != UtilisationCertificate.Kind.PROVISIONAL
        and certificate.status != UtilisationCertificate.Status.RETURNED
        and certificate.period_end < before
    ]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda c: (
            c.period_end,
            c.status == UtilisationCertificate.Status.ACCEPTED,
            c.pk,
        ),
    )


def _last_day_of_previous_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1) - datetime.timedelta(days=1)


class CertificateSubmitMixin(RoleRequiredMixin):
    """Submit a utilisation certificate in the columns of Form GFR 12-A.

    The form is pre-filled with what the system knows: the previous certificate's
    closing balance opens the period, and the releases in the period make the
    grant received. ``?kind=&period_start=&period_end=`` recomputes them for
    another period.
    """

    form_class = UtilisationCertificateForm
    template_name = "grants/portal/certificate_form.html"
    allowed_roles = services.CERTIFICATE_SUBMITTER_ROLES
    milestone = None

    def refusal(self, project):
        return services.refusal_for_certificates(project)

    @cached_property
    def certificates(self):
        return list(
            UtilisationCertificate.objects.visible_to(self.request.user)
            .filter(project=self.get_project())
            .prefetch_related("received_instalments")
            .order_by("period_end", "pk")
        )

    @cached_property
    def releases(self):
        return (
            Instalment.objects.released()
            .filter(project=self.get_project())
            .order_by("sequence")
        )

    @cached_property
    def returned(self):
        """The returned certificate this submission replaces, if any."""
        milestone = self.milestone
        if milestone is None or milestone.status != Milestone.Status.RETURNED:
            return None
        return next(
            (c for c in self.certificates if c.pk == milestone.certificate_id), None
        )

    def period(self):
        """Return (kind, start, end) for the pre-fill: asked for, or guessed."""
        project = self.get_project()
        kind = UtilisationCertificate.Kind.ANNUAL
        start = end = None
        if self.returned is not None:
            kind = self.returned.kind
            start, end = self.returned.period_start, self.returned.period_end
        elif self.milestone is not None and self.milestone.period_start:
            start, end = self.milestone.period_start, self.milestone.period_end
        else:
            if self.milestone is not None:
                kind = UtilisationCertificate.Kind.FINAL
            today = timezone.localdate()
            previous = previous_certificate(self.certificates, before=today)
            if previous is not None:
                start = previous.period_end + datetime.timedelta(days=1)
            else:
                # Money can arrive before the project starts (a March release).
                first_release = min(
                    (i.released_on for i in self.releases), default=project.start_on
                )
                start = min(project.start_on, first_release)
            if kind == UtilisationCertificate.Kind.ANNUAL:
                start, end = fiscal_year_bounds(fiscal_year_of(start))
            else:
                end = max(start, _last_day_of_previous_month(today))
        asked = CertificatePeriodForm(data=self.request.GET)
        asked.is_valid()
        kind = asked.cleaned_data.get("kind") or kind
        start = asked.cleaned_data.get("period_start") or start
        end = asked.cleaned_data.get("period_end") or end
        if kind == UtilisationCertificate.Kind.PROVISIONAL and "period_start" not in (
            self.request.GET
        ):
            start = project.start_on
        return kind, start, end

    def get_initial(self):
        kind, start, end = self.period()
        previous = previous_certificate(self.certificates, before=start)
        if kind == UtilisationCertificate.Kind.PROVISIONAL:
            in_period = [i for i in self.releases if i.released_on <= end]
            opening = 0
        else:
            in_period = [i for i in self.releases if start <= i.released_on <= end]
            opening = previous.closing_balance if previous else 0
        initial = {
            "kind": kind,
            "period_start": start,
            "period_end": end,
            "opening_balance": opening,
            "interest_earned": 0,
            "interest_remitted": 0,
            "received_instalments": [i.pk for i in in_period],
            "grant_received": sum(i.amount for i in in_period),
        }
        if self.returned is not None:
            for name in FIGURE_FIELDS:
                initial[name] = getattr(self.returned, name)
            initial["targets_achieved"] = self.returned.targets_achieved
            initial["opening_balance"] = opening
            if received := list(self.returned.received_instalments.all()):
                initial["received_instalments"] = [i.pk for i in received]
        self.prefill = {
            "previous": previous,
            "releases": in_period,
            "kind": kind,
            "start": start,
            "end": end,
        }
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "releases": self.releases}

    def get_context_data(self, **kwargs):
        if not hasattr(self, "prefill"):
            self.get_initial()
        return super().get_context_data(
            project=self.get_project(),
            milestone=self.milestone,
            returned=self.returned,
            prefill=self.prefill,
            kinds=UtilisationCertificate.Kind.choices,
            files_sent=bool(self.request.FILES),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            certificate = services.submit_certificate_with_signed_copy(
                self.get_project(),
                kind=data["kind"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                figures=form.figures(),
                received_instalments=list(data["received_instalments"]),
                signed_copy=data["signed_copy"],
                submitted_on=timezone.localdate(),
                submitted_by=self.request.user,
                milestone=self.milestone,
                targets_achieved=data["targets_achieved"],
            )
        except services.GrantRuleError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"The {certificate_title(certificate)} was submitted with its signed "
            f"copy. The ministry's finance officer reviews it next.",
        )
        return redirect("portal:certificate-detail", pk=certificate.pk)


class ProjectCertificateSubmitView(PortalObjectMixin, CertificateSubmitMixin, FormView):
    """Submit a certificate for a project, e.g. a provisional one."""

    model = Project

    def get_queryset(self):
        return super().get_queryset().select_related("organisation")

    def get_project(self):
        return self.object


class MilestoneCertificateSubmitView(
    PortalObjectMixin, CertificateSubmitMixin, FormView
):
    """Submit the certificate a milestone asks for, or resubmit a returned one."""

    model = Milestone

    def get_queryset(self):
        return super().get_queryset().select_related("project__organisation")

    def get_project(self):
        return self.object.project

    @property
    def milestone(self):
        return self.object

    def get(self, request, *args, **kwargs):
        if response := self.redirect_if_not_open():
            return response
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if response := self.redirect_if_not_open():
            return response
        return super().post(request, *args, **kwargs)

    def redirect_if_not_open(self):
        milestone = self.object
        if milestone.kind != Milestone.Kind.UTILISATION_CERTIFICATE:
            return redirect("portal:report-submit", pk=milestone.pk)
        if milestone.status not in Milestone.OPEN_STATUSES:
            messages.info(
                self.request,
                f"“{milestone.title}” is {milestone.get_status_display()}: there "
                f"is nothing to submit for it now.",
            )
            return redirect("portal:project-detail", pk=milestone.project_id)
        return None


class UtilisationCertificateDetailView(PortalObjectMixin, DetailView):
    """One certificate in the GFR 12-A layout, with the ministry's decision."""

    model = UtilisationCertificate
    template_name = "grants/portal/certificate_detail.html"
    context_object_name = "certificate"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("project__organisation", "submitted_by", "decided_by")
            .prefetch_related("received_instalments")
        )

    def get_context_data(self, **kwargs):
        certificate = self.object
        user = self.request.user
        milestone = (
            Milestone.objects.visible_to(user).filter(certificate=certificate).first()
        )
        roles = services.member_roles(user, certificate.project)
        return super().get_context_data(
            project=certificate.project,
            title=certificate_title(certificate),
            milestone=milestone,
            documents=Document.objects.visible_to(user)
            .filter(certificate=certificate)
            .order_by("uploaded_at", "pk"),
            may_resubmit=(
                certificate.status == UtilisationCertificate.Status.RETURNED
                and milestone is not None
                and milestone.status == Milestone.Status.RETURNED
                and bool(roles & services.CERTIFICATE_SUBMITTER_ROLES)
            ),
            **kwargs,
        )


# Documents --------------------------------------------------------------------------


class DocumentUploadView(PortalObjectMixin, FormView):
    """Upload a file against a project, or one of its reports or certificates.

    Reports and certificates take files while they are under review; after the
    ministry's decision, files go against the project.
    """

    model = Project
    form_class = DocumentUploadForm
    template_name = "grants/portal/document_form.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organisation")

    @cached_property
    def roles(self):
        return services.member_roles(self.request.user, self.object)

    @cached_property
    def targets(self) -> dict[str, object]:
        user = self.request.user
        targets = {"project": None}
        if self.roles & services.REPORT_SUBMITTER_ROLES:
            for report in (
                ProgressReport.objects.visible_to(user)
                .filter(
                    milestone__project=self.object,
                    status=ProgressReport.Status.SUBMITTED,
                )
                .select_related("milestone")
            ):
                targets[f"report-{report.pk}"] = report
        if self.roles & services.CERTIFICATE_SUBMITTER_ROLES:
            for certificate in UtilisationCertificate.objects.visible_to(user).filter(
                project=self.object, status=UtilisationCertificate.Status.SUBMITTED
            ):
                targets[f"certificate-{certificate.pk}"] = certificate
        return targets

    def target_label(self, key, target):
        if target is None:
            return f"The project {self.object.reference}"
        if isinstance(target, ProgressReport):
            return f"Report: {target.milestone.title}, version {target.version}"
        return f"Certificate: {certificate_title(target)}"

    def get_form_kwargs(self):
        choices = [(key, self.target_label(key, t)) for key, t in self.targets.items()]
        return {**super().get_form_kwargs(), "targets": choices}

    def get_initial(self):
        return {"attach_to": self.request.GET.get("attach_to", "project")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            project=self.object, files_sent=bool(self.request.FILES), **kwargs
        )

    def form_valid(self, form):
        target = self.targets[form.cleaned_data["attach_to"]]
        try:
            services.store_document(
                self.object,
                uploaded_file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                uploaded_by=self.request.user,
                report=target if isinstance(target, ProgressReport) else None,
                certificate=(
                    target if isinstance(target, UtilisationCertificate) else None
                ),
                description=form.cleaned_data["description"],
            )
        except services.GrantRuleError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The file was uploaded.")
        return redirect(
            reverse("portal:project-detail", args=[self.object.pk]) + "#documents"
        )


# Calendar ---------------------------------------------------------------------------


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
                "Your calendar address was regenerated: the old one no longer works."
                if action == "regenerate"
                else "Your private calendar address is ready.",
            )
        elif action == "revoke":
            services.revoke_calendar_token(request.user)
            messages.success(
                request,
                "Your calendar feed is switched off: its address stopped working.",
            )
        return redirect("portal:calendar")


def ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545, 3.3.11): backslash, semicolon, comma, newline."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(
        character
        for character in value
        if character in "\n\t" or not (ord(character) < 32 or ord(character) == 127)
    )
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


def ics_line(line: str) -> bytes:
    """Fold a content line at 75 octets (RFC 5545, 3.1), never inside a character."""
    data = line.encode("utf-8")
    parts = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while cut > 0 and data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
        limit = 74  # a continuation line starts with a space
    parts.append(data)
    return b"\r\n ".join(parts) + b"\r\n"


def milestone_event(milestone: Milestone, *, url: str, stamp: str) -> list[str]:
    """Return the content lines of one milestone as an all-day VEVENT."""
    project = milestone.project
    summary = f"{project.reference}: {milestone.title}"
    if milestone.status != Milestone.Status.PENDING:
        summary += f" ({milestone.get_status_display()})"
    description = [
        f"{milestone.get_kind_display().capitalize()} for {project.reference}, "
        f"{project.title}.",
        f"Due {milestone.due_on:%d %b %Y}; status: {milestone.get_status_display()}.",
    ]
    if milestone.deliverable:
        description.append(f"Deliverable: {milestone.deliverable}")
    description.append(f"Portal: {url}")
    return [
        "BEGIN:VEVENT",
        f"UID:milestone-{milestone.pk}@khanij-rd",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{milestone.due_on:%Y%m%d}",
        f"DTEND;VALUE=DATE:{milestone.due_on + datetime.timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{ics_text(summary)}",
        f"DESCRIPTION:{ics_text(chr(10).join(description))}",
        f"URL:{url}",
        "TRANSP:TRANSPARENT",
        "STATUS:CANCELLED"
        if milestone.status == Milestone.Status.WAIVED
        else "STATUS:CONFIRMED",
        "END:VEVENT",
    ]


def milestones_calendar(milestones, *, url_for, now: datetime.datetime) -> bytes:
    """Write an iCalendar (RFC 5545) feed of milestones as all-day events."""
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Khanij R&D//Grantee portal//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Khanij R&D milestones",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ]
    for milestone in milestones:
        lines += milestone_event(milestone, url=url_for(milestone), stamp=stamp)
    lines.append("END:VCALENDAR")
    return b"".join(ics_line(line) for line in lines)


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


urlpatterns = [
    path("", PortalHomeView.as_view(), name="home"),
    path("projects/<int:pk>/", ProjectDetailView.as_view(), name="project-detail"),
    path(
        "projects/<int:pk>/certificates/new/",
        ProjectCertificateSubmitView.as_view(),
        name="certificate-submit",
    ),
    path(
        "projects/<int:pk>/documents/new/",
        DocumentUploadView.as_view(),
        name="document-upload",
    ),
    path(
        "milestones/<int:pk>/report/",
        ProgressReportSubmitView.as_view(),
        name="report-submit",
    ),
    path(
        "milestones/<int:pk>/certificate/",
        MilestoneCertificateSubmitView.as_view(),
        name="milestone-certificate-submit",
    ),
    path("reports/<int:pk>/", ProgressReportDetailView.as_view(), name="report-detail"),
    path(
        "certificates/<int:pk>/",
        UtilisationCertificateDetailView.as_view(),
        name="certificate-detail",
    ),
    path("calendar/", CalendarView.as_view(), name="calendar"),
    path(
        "calendar/<str:token>.ics",
        login_not_required(CalendarFeedView.as_view()),
        name="calendar-feed",
    ),
]
