"""The Register of Grants (Form GFR 21): the page, its exports, its PDF and its jobs.

``?_export=csv`` and ``?_export=xlsx`` stream the filtered rows as every staff
table does. ``?_export=pdf`` writes the register on paper: in the request for up
to ``settings.KHANIJ_REGISTER_INLINE_ROWS`` rows; above that it records a job for
the worker and sends the officer to the job's page, which refreshes itself every
few seconds until the file is ready to download.
"""

import io

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView
from django_tables2 import RequestConfig

from grants import exports, filters, services
from grants.models import RegisterExport, Scheme
from grants.reads import registers
from grants.register_tables import GrantRegisterTable
from grants.views.paper import document_filename, pdf_response
from grants.views.staff.access import StaffRequiredMixin
from grants.views.staff.tables import StaffTableView

# Seconds between refreshes of a job's page while the worker builds the file.
REFRESH_SECONDS = 3


class GrantRegisterView(StaffTableView):
    table_class = GrantRegisterTable
    filterset_class = filters.GrantRegisterFilter
    title = _("Register of grants (Form GFR 21)")
    intro = _(
        "One entry per sanction, in the thirteen columns of Form GFR 21 (GFR 2017, "
        "rule 234), numbered in order of sanction. The PDF is the register on "
        "paper; a long one is built in the background."
    )
    export_name = "register-of-grants"

    def get_queryset(self):
        return registers.grant_register_rows(on=timezone.localdate())

    def get_table_kwargs(self):
        return {"on": timezone.localdate()}

    def get(self, request, *args, **kwargs):
        if request.GET.get("_export") == "pdf":
            return self.export_pdf()
        return super().get(request, *args, **kwargs)

    def export(self, export_format):
        table = self.get_table_class()(
            self.filtered_queryset(), **self.get_table_kwargs()
        )
        # Sorts the queryset as the page would; counts and fetches nothing.
        RequestConfig(self.request, paginate=False).configure(table)
        rows = registers.EntryValues(table.data.data, on=timezone.localdate())
        filename = f"{self.export_name}-{timezone.localdate():%Y-%m-%d}"
        return exports.export_response(
            export_format, rows, table.export_columns, filename=filename
        )

    def export_pdf(self):
        filterset = self.get_filterset(self.get_filterset_class())
        if filterset.is_bound and not filterset.is_valid():
            # The page says what is wrong with the filter; no paper for it.
            query = self.request.GET.copy()
            query.pop("_export", None)
            return redirect(f"{self.request.path}?{query.urlencode()}")
        parameters = filterset.register_parameters()
        count = filterset.qs.count()
        if count > settings.KHANIJ_REGISTER_INLINE_ROWS:
            job = services.request_register_export(
                self.request.user, parameters, get_language(), rows_total=count
            )
            return redirect("staff:register-job", pk=job.pk)
        output = io.BytesIO()
        services.write_grant_register(output, parameters, on=timezone.localdate())
        suffix = parameters["fiscal_year"] or f"{timezone.localdate():%Y-%m-%d}"
        return pdf_response(
            output.getvalue(), document_filename(self.export_name, suffix)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(pdf_export=_("PDF (Form GFR 21)"), **kwargs)


class RegisterJobView(StaffRequiredMixin, DetailView):
    """How far the worker has got with a register, and its file once ready."""

    model = RegisterExport
    template_name = "grants/staff/register_job.html"
    context_object_name = "job"

    def get_queryset(self):
        return RegisterExport.objects.select_related("requested_by")

    def get_context_data(self, **kwargs):
        job = self.object
        scheme = None
        if job.parameters.get("scheme"):
            scheme = Scheme.objects.filter(pk=job.parameters["scheme"]).first()
        return super().get_context_data(
            title=job.get_kind_display(),
            refresh_seconds=REFRESH_SECONDS if job.is_pending else None,
            fiscal_year=job.parameters.get("fiscal_year") or "",
            scheme=scheme,
            **kwargs,
        )


class RegisterJobDownloadView(StaffRequiredMixin, View):
    """Send a ready register's file as an attachment; anything else is a 404."""

    http_method_names = ["get", "head"]

    def get(self, request, pk):
        job = get_object_or_404(RegisterExport, pk=pk)
        if not job.is_ready or not job.file:
            raise Http404
        try:
            stream = job.file.open("rb")
        except (FileNotFoundError, ValueError) as error:
            raise Http404 from error
        response = FileResponse(
            stream,
            as_attachment=True,
            filename=job.file.name.rsplit("/", 1)[-1],
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
