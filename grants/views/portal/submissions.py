"""What a grantee submits: progress reports and utilisation certificates.

A submission goes through the same services as everywhere else, so the same GFR
rules hold; a refusal is shown on the form with the member's input kept.
"""

import datetime

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView

from grants import services
from grants.formatting import fiscal_year_bounds, fiscal_year_of
from grants.forms.portal import (
    FIGURE_FIELDS,
    CertificatePeriodForm,
    ProgressReportForm,
    UtilisationCertificateForm,
)
from grants.models import (
    Document,
    Instalment,
    Milestone,
    ProgressReport,
    Project,
    UtilisationCertificate,
)
from grants.paper.render import render_pdf
from grants.reads.certificate_chain import chain_position, last_day_covered
from grants.reads.certificate_form import filename_parts, gfr_12a
from grants.reads.paperwork import certificate_title, previous_certificate
from grants.views.common import add_rule_errors
from grants.views.paper import document_filename, pdf_response
from grants.views.portal.access import (
    OpenMilestoneMixin,
    PortalObjectMixin,
    RoleRequiredMixin,
)

# Progress reports -------------------------------------------------------------------


class ProgressReportSubmitView(
    PortalObjectMixin, RoleRequiredMixin, OpenMilestoneMixin, FormView
):
    """Submit a progress report against a milestone, or resubmit a returned one."""

    model = Milestone
    form_class = ProgressReportForm
    template_name = "grants/portal/report_form.html"
    allowed_roles = services.REPORT_SUBMITTER_ROLES
    other_form = "portal:milestone-certificate-submit"

    def get_queryset(self):
        return super().get_queryset().select_related("project__organisation")

    def get_project(self):
        return self.object.project

    def refusal(self, project):
        return services.refusal_for_reports(project)

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

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.object.project}

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
            _(
                "Version %(version)s of the report for “%(title)s” was submitted. "
                "The ministry reviews it next."
            )
            % {"version": report.version, "title": self.object.title},
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
                end = max(start, min(end, last_day_covered(project)))
        if self.returned is None and kind != UtilisationCertificate.Kind.PROVISIONAL:
            start = self.following_on(start, end)
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

    def following_on(self, start, end):
        """Move a start that overlaps the previous certificate to the day after it."""
        position = chain_position(
            self.get_project(), self.certificates, self.releases, before=end
        )
        if position.previous is not None and start <= position.previous.period_end:
            return min(position.latest, end)
        return start

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
            initial["gap_reason"] = self.returned.gap_reason
            initial["opening_balance"] = opening
            if received := list(self.returned.received_instalments.all()):
                initial["received_instalments"] = [i.pk for i in received]
        position = chain_position(
            self.get_project(), self.certificates, self.releases, before=start
        )
        self.prefill = {
            "previous": previous,
            "releases": in_period,
            "kind": kind,
            "start": start,
            "end": end,
            # A gap after the previous certificate needs a reason: show its field.
            "gap": kind != UtilisationCertificate.Kind.PROVISIONAL
            and start > position.latest,
        }
        return initial

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "releases": self.releases,
            "project": self.get_project(),
        }

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

    def post(self, request, *args, **kwargs):
        if "print" in request.POST:
            return self.print_to_sign()
        return super().post(request, *args, **kwargs)

    def print_to_sign(self):
        """Form GFR 12-A filled with the figures typed, saved nowhere, to be signed.

        The signed scan is what the submission needs, so the form must be printed
        before anything is submitted: the figures are checked as on submission,
        but the signed copy is not asked for, and nothing is stored. The PDF is an
        attachment, so the browser keeps the filled form on screen.
        """
        form = self.get_form()
        form.fields["signed_copy"].required = False
        if not form.is_valid():
            return self.form_invalid(form)
        data = form.cleaned_data
        certificate = UtilisationCertificate(
            project=self.get_project(),
            kind=data["kind"],
            fiscal_year=fiscal_year_of(data["period_end"]),
            period_start=data["period_start"],
            period_end=data["period_end"],
            targets_achieved=data["targets_achieved"],
            **{name: data[name] for name in FIGURE_FIELDS},
        )
        sheet = gfr_12a(certificate, list(data["received_instalments"]))
        pdf = render_pdf(
            "paper/gfr_12a.html",
            {"form": sheet, "for_staff": False, "illustrative": sheet.illustrative},
            request=self.request,
        )
        filename = document_filename(*filename_parts(certificate), "to-sign")
        return pdf_response(pdf, filename, attachment=True)

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
                gap_reason=data["gap_reason"],
            )
        except services.GrantRuleError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "The %(certificate)s was submitted with its signed copy. The "
                "ministry's finance officer reviews it next."
            )
            % {"certificate": certificate_title(certificate)},
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
    PortalObjectMixin, CertificateSubmitMixin, OpenMilestoneMixin, FormView
):
    """Submit the certificate a milestone asks for, or resubmit a returned one."""

    model = Milestone
    takes_certificate = True
    other_form = "portal:report-submit"

    def get_queryset(self):
        return super().get_queryset().select_related("project__organisation")

    def get_project(self):
        return self.object.project

    @property
    def milestone(self):
        return self.object


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
            # A signed copy joins a certificate while the ministry reviews it.
            may_upload_signed_copy=(
                certificate.status == UtilisationCertificate.Status.SUBMITTED
                and bool(roles & services.CERTIFICATE_SUBMITTER_ROLES)
            ),
            **kwargs,
        )
