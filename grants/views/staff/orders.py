"""The ministry's orders as PDFs: a project's sanction order, an instalment's release.

Both are written in the reader's language, with Hindi and English headings.
An instalment not yet released has no release order: its address is a 404.
"""

from django.views.generic import DetailView

from grants.reads import orders
from grants.views.paper import PdfMixin, document_filename
from grants.views.staff.access import StaffRequiredMixin


class SanctionOrderView(StaffRequiredMixin, PdfMixin, DetailView):
    template_name = "paper/sanction_order.html"

    def get_queryset(self):
        return orders.projects_for_sanction_order()

    def get_filename(self):
        return document_filename("sanction-order", self.object.reference)

    def get_context_data(self, **kwargs):
        order = orders.sanction_order(self.object)
        return {"order": order, "illustrative": order.illustrative}


class ReleaseOrderView(StaffRequiredMixin, PdfMixin, DetailView):
    template_name = "paper/release_order.html"

    def get_queryset(self):
        return orders.instalments_for_release_order()

    def get_filename(self):
        order = self.object
        return document_filename(
            "release-order", order.release_order_number or order.pk
        )

    def get_context_data(self, **kwargs):
        order = orders.release_order(self.object)
        return {"order": order, "illustrative": order.illustrative}
