"""A grantee's utilisation certificate as Form GFR 12-A, printed to be signed.

Only the organisation's own certificates: another organisation's is a 404,
whatever the request's method (``PortalObjectMixin``).
"""

from django.views.generic import DetailView

from grants.models import UtilisationCertificate
from grants.reads.certificate_form import (
    filename_parts,
    gfr_12a,
    with_form_relations,
)
from grants.views.paper import PdfMixin, document_filename
from grants.views.portal.access import PortalObjectMixin


class CertificateGfr12aView(PortalObjectMixin, PdfMixin, DetailView):
    model = UtilisationCertificate
    template_name = "paper/gfr_12a.html"

    def get_queryset(self):
        return with_form_relations(super().get_queryset())

    def get_filename(self):
        return document_filename(*filename_parts(self.object))

    def get_context_data(self, **kwargs):
        form = gfr_12a(self.object)
        return {"form": form, "for_staff": False, "illustrative": form.illustrative}
