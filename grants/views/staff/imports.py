"""The import of a portfolio: the template, the upload, the report, the confirm.

Only staff holding ``grants.import_portfolio`` (the ministry admin and finance)
see these pages. An upload is checked at the door (``WorkbookUploadForm``), kept,
and read by the worker; its page refreshes itself while the worker reads, then
shows the report: errors and warnings by sheet, row and column, what is new and
what changes field by field. Only a report without errors can be confirmed.
"""

import tempfile

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView

from grants import services
from grants.forms.imports import WorkbookUploadForm
from grants.imports.report import Report
from grants.imports.template import write_template
from grants.models import PortfolioImport
from grants.services.import_jobs import progress
from grants.views.staff.access import StaffRequiredMixin

PERMISSION = "grants.import_portfolio"
# Seconds between refreshes of an import's page while the worker reads it.
REFRESH_SECONDS = 3
RECENT = 20
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportAccessMixin(StaffRequiredMixin, PermissionRequiredMixin):
    permission_required = PERMISSION
    raise_exception = True


class ImportView(ImportAccessMixin, FormView):
    """Upload a workbook; the imports made so far, newest first."""

    template_name = "grants/staff/import.html"
    form_class = WorkbookUploadForm

    def get_context_data(self, **kwargs):
        recent = PortfolioImport.objects.select_related("uploaded_by")[:RECENT]
        return super().get_context_data(
            title=_("Import a portfolio"), imports=recent, **kwargs
        )

    def form_valid(self, form):
        job = services.start_import(
            form.cleaned_data["workbook"],
            by=self.request.user,
            language=get_language(),
        )
        return redirect("staff:import-detail", pk=job.pk)


class TemplateDownloadView(ImportAccessMixin, View):
    """The template workbook, written in the page's language."""

    http_method_names = ["get", "head"]

    def get(self, request):
        # FileResponse closes the file once sent, and the file goes with it.
        output = tempfile.TemporaryFile()  # noqa: SIM115
        write_template(output)
        output.seek(0)
        response = FileResponse(
            output,
            as_attachment=True,
            filename=f"portfolio-import-template-{get_language()}.xlsx",
            content_type=XLSX_TYPE,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ImportDetailView(ImportAccessMixin, DetailView):
    """How far the worker has got with a workbook, then its report."""

    model = PortfolioImport
    template_name = "grants/staff/import_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        return PortfolioImport.objects.select_related("uploaded_by", "confirmed_by")

    def get_context_data(self, **kwargs):
        job = self.object
        report = Report.from_json(job.report)
        done, total = progress(job)
        return super().get_context_data(
            title=_("Import of %(name)s") % {"name": job.original_name},
            refresh_seconds=REFRESH_SECONDS if job.is_pending else None,
            report=report,
            done=done,
            total=total,
            percent=100 * done // total if total else 0,
            can_confirm=(
                job.status == PortfolioImport.Status.CHECKED
                and not report.has_errors
                and not report.changes_nothing
            ),
            **kwargs,
        )


class ImportConfirmView(ImportAccessMixin, View):
    """Import a checked workbook: the worker writes it, all or nothing."""

    http_method_names = ["post"]

    def post(self, request, pk):
        job = get_object_or_404(PortfolioImport, pk=pk)
        try:
            services.confirm_import(job, by=request.user)
        except services.GrantRuleError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("staff:import-detail", pk=job.pk)
