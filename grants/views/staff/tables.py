"""The staff tables: filtered, sorted, paginated lists with CSV and XLSX exports."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from grants import committee_tables, exports, filters, page_cache, summaries, tables
from grants.paper.render import render_pdf
from grants.reads import registers_assets, rows
from grants.views.paper import document_filename, pdf_response
from grants.views.staff.access import StaffRequiredMixin
from grants.views.staff.committees import may_see_committees


class StaffTableView(StaffRequiredMixin, SingleTableMixin, FilterView):
    """A filtered, sorted, paginated table with CSV and XLSX exports.

    ``?_export=csv`` or ``?_export=xlsx`` streams every filtered row in the
    table's order instead of the page.
    """

    # The page around the body; the body (filters, table, pages) is rendered from
    # ``body_template_name`` once per address and change to the portfolio.
    page_template_name = "grants/staff/table_page.html"
    template_name = "grants/staff/includes/table_body.html"
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
        # No table shows anything of the user's own (the staff see every row and
        # the same links), so the body is cached by address alone.
        body = page_cache.fragment(
            "table",
            request.path,
            sorted(request.GET.lists()),
            render=lambda: self.render_body(request, *args, **kwargs),
        )
        return render(
            request,
            self.page_template_name,
            {"title": self.title, "table_body": mark_safe(body)},  # noqa: S308 - our own template's output
        )

    def render_body(self, request, *args, **kwargs) -> str:
        return super().get(request, *args, **kwargs).render().content.decode()

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
    title = _("Projects")
    export_name = "projects"

    def get_queryset(self):
        summaries.bring_up_to_date()
        return rows.project_rows()


class MilestoneListView(StaffTableView):
    table_class = tables.MilestoneTable
    filterset_class = filters.MilestoneFilter
    title = _("Milestones")
    intro = _("Reports, certificates, deliverables and meetings the grantees owe.")
    export_name = "milestones"

    def get_queryset(self):
        return rows.milestone_rows(on=timezone.localdate())


class InstalmentListView(StaffTableView):
    table_class = tables.InstalmentTable
    filterset_class = filters.InstalmentFilter
    title = _("Instalments")
    intro = _(
        "Planned and released tranches. The project page shows what blocks the "
        "next release of each project."
    )
    export_name = "instalments"

    def get_queryset(self):
        return rows.instalment_rows(on=timezone.localdate())


class CertificateListView(StaffTableView):
    table_class = tables.CertificateTable
    filterset_class = filters.CertificateFilter
    title = _("Utilisation certificates")
    intro = _(
        "Form GFR 12-A certificates: annual, provisional (as on a date) and final."
    )
    export_name = "utilisation-certificates"

    def get_queryset(self):
        return rows.certificate_rows()


class OrganisationListView(StaffTableView):
    table_class = tables.OrganisationTable
    filterset_class = filters.OrganisationFilter
    title = _("Organisations")
    intro = _("Grantees and the money sanctioned to them; a name opens its projects.")
    export_name = "organisations"

    def get_queryset(self):
        return rows.organisation_rows()


class ReminderListView(StaffTableView):
    table_class = tables.ReminderTable
    filterset_class = filters.ReminderFilter
    title = _("Reminders")
    intro = _("Every reminder and escalation e-mail, with its delivery status.")
    export_name = "reminders"

    def get_queryset(self):
        return rows.reminder_rows()


class AssetRegisterView(StaffTableView):
    """Form GFR-22 across the portfolio: every asset bought from a grant."""

    table_class = tables.AssetTable
    filterset_class = filters.AssetFilter
    title = _("Register of fixed assets (Form GFR-22)")
    intro = _(
        "Assets bought wholly or mainly from the grants (GFR 230(9)); none is "
        "disposed of without the ministry's prior approval. A disposal asked for "
        "opens its decision."
    )
    export_name = "register-of-fixed-assets"
    # Form GFR 22 on paper runs in the request; more rows than this are filtered
    # first or exported as a spreadsheet.
    pdf_row_limit = 2000

    def get_queryset(self):
        return rows.asset_rows()

    def get(self, request, *args, **kwargs):
        if request.GET.get("_export") == "pdf":
            return self.export_pdf()
        return super().get(request, *args, **kwargs)

    def export_pdf(self):
        """Form GFR 22 of the filtered rows, grouped by project, as PDF."""
        assets = self.filtered_queryset()
        if assets.count() > self.pdf_row_limit:
            messages.warning(
                self.request,
                gettext(
                    "More than %(count)s assets: filter by project or organisation "
                    "for the PDF, or export them as Excel."
                )
                % {"count": self.pdf_row_limit},
            )
            query = self.request.GET.copy()
            query.pop("_export")
            return redirect(f"{self.request.path}?{query.urlencode()}")
        register = registers_assets.asset_register(assets)
        references = [group.project.reference for group in register.groups]
        pdf = render_pdf(
            "paper/asset_register.html",
            {
                "register": register,
                "today": timezone.localdate(),
                "illustrative": register.illustrative,
            },
            request=self.request,
        )
        single = references[0] if len(references) == 1 else ""
        filename = document_filename(
            self.export_name, single or f"{timezone.localdate():%Y-%m-%d}"
        )
        return pdf_response(pdf, filename)

    def get_context_data(self, **kwargs):
        return super().get_context_data(pdf_export=_("PDF (Form GFR-22)"), **kwargs)


class CommitteeListView(StaffTableView):
    """The standing committees: who chairs and serves them, and when they meet."""

    table_class = committee_tables.CommitteeTable
    filterset_class = filters.CommitteeFilter
    title = _("Committees")
    intro = _(
        "The committees that review the portfolio. A name opens its members and "
        "meetings."
    )
    export_name = "committees"

    def test_func(self):
        return super().test_func() and may_see_committees(self.request.user)

    def get_queryset(self):
        return rows.committee_rows(on=timezone.localdate())
