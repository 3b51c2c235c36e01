"""A utilisation certificate printed as Form GFR 12-A, for the ministry's file.

The staff copy carries the ministry's decision under the signatures: who accepted
the certificate and when, or, before that, that it is not accepted yet.
"""

from django.views.generic import DetailView

from grants.models import UtilisationCertificate
from grants.reads.certificate_form import (
    filename_parts,
    gfr_12a,
    with_form_relations,
)
from grants.views.paper import PdfMixin, document_filename
from grants.views.staff.access import StaffRequiredMixin


class CertificateGfr12aView(StaffRequiredMixin, PdfMixin, DetailView):
    template_name = "paper/gfr_12a.html"
    for_staff = True

    def get_queryset(self):
        return with_form_relations(UtilisationCertificate.objects.all())

    def get_filename(self):
        return document_filename(*filename_parts(self.object))

    def get_context_data(self, **kwargs):
        form = gfr_12a(self.object)
        return {
            "form": form,
            "for_staff": self.for_staff,
            "illustrative": form.illustrative,
        }
