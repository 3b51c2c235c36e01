"""Views that answer with a document: the page's object rendered as PDF.

Access is the view's own business, as for any page: staff documents put
``StaffRequiredMixin`` first, portal ones ``PortalObjectMixin`` (another
organisation's certificate is a 404). This mixin only renders.
"""

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import get_language

from grants.paper.render import render_pdf


def pdf_response(pdf: bytes, filename: str, *, attachment: bool = False):
    """A PDF shown in the browser (or saved, with ``attachment``) as ``filename``."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def document_filename(*parts) -> str:
    """'sanction-order', 'DEMO/2023/01' -> 'sanction-order-demo-2023-01-hi.pdf'.

    The language is in the name: a Hindi and an English copy saved side by side
    do not overwrite each other.
    """
    stem = "-".join(slugify(str(part).replace("/", "-")) for part in parts if part)
    return f"{stem}-{(get_language() or 'en')[:2]}.pdf"


class PdfMixin:
    """Render ``template_name`` with the view's context as a PDF.

    Subclasses name the file with ``get_filename()``; the context says
    ``illustrative`` when the document is made from demo records, so the paper
    says so on every page.
    """

    attachment = False

    def get_filename(self) -> str:
        raise NotImplementedError

    def render_to_response(self, context, **response_kwargs):
        pdf = render_pdf(self.template_name, context, request=self.request)
        return pdf_response(pdf, self.get_filename(), attachment=self.attachment)
