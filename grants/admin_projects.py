"""How the admin's project pages search, count and show money, at scale.

Kept apart from ``grants/admin.py``, which is at the module length limit; that
module's ``ProjectAdmin`` takes ``ProjectListMixin``.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Count, F, Sum
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from grants import summaries
from grants.filters import search_projects
from grants.models import ProjectSummary
from grants.templatetags.inr import inr


def summary_of(project):
    """The project's summary, or None for a project written without one."""
    try:
        return project.summary
    except ProjectSummary.DoesNotExist:
        return None


class TotalledPaginator(Paginator):
    """Count the projects listed and sum their sanctioned amounts in one query.

    Both read every row the filters and the search leave: a search that finds ten
    thousand projects reads them once instead of twice.
    """

    @cached_property
    def totals(self) -> dict:
        return self.object_list.order_by().aggregate(
            count=Count("pk"), sanctioned=Sum("sanctioned_amount")
        )

    @cached_property
    def count(self):
        return self.totals["count"]


class ProjectListMixin:
    """Search the projects as the staff projects table does; read their summaries.

    Django's own search ORs ``icontains`` over the reference, title, organisation
    and principal investigator for each word, joining three tables and reading
    every row. The staff table's search reads one capitalised column of the
    project's summary instead, which PostgreSQL serves from a trigram index
    (``grants.filters.search_projects``): every field the admin searched before
    is in it, the sanction order number included.

    Released and pending are the summary's figures, as on the staff table: the
    list selects each row's summary with it (``list_select_related``), so a page
    sums no instalments and sorting by them reads one joined column. The pages
    bring the summaries up to date first.
    """

    # The number of projects before the search, shown beside the number found,
    # would be one more count of every project.
    show_full_result_count = False
    paginator = TotalledPaginator

    def changelist_view(self, request, extra_context=None):
        summaries.bring_up_to_date()
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        summaries.bring_up_to_date()
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("Released"), ordering="summary__released")
    def released_display(self, obj):
        summary = summary_of(obj)
        return inr(summary.released if summary else None)

    @admin.display(
        description=_("Pending"),
        ordering=F("sanctioned_amount") - F("summary__released"),
    )
    def pending_display(self, obj):
        summary = summary_of(obj)
        return inr(obj.sanctioned_amount - summary.released if summary else None)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        # One row per project: the summary is one row and the element test an
        # EXISTS, so nothing is repeated.
        return search_projects(queryset, term), False
