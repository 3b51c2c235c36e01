"""The one way a stored file leaves the server: a download that checks access.

Staff may download any document; anyone else only a document of a project they
may see (``Document.objects.visible_to``); everything else is a 404. The file is
always an attachment under a name the server chose, with the stored content type
and ``nosniff``, so a browser never renders it as a page of this site.
"""

import logging

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views import View

from grants import uploads
from grants.models import Document

logger = logging.getLogger(__name__)

EXTENSIONS = {
    file_type.content_type: file_type.extension for file_type in uploads.ALLOWED_TYPES
}


def download_name(document: Document) -> str:
    """The name the file is saved under: its sanitised name, its type's extension."""
    extension = EXTENSIONS.get(document.content_type, "bin")
    return uploads.sanitise_filename(document.original_name, extension=extension)


class DocumentDownloadView(View):
    """Send a document the user may see as an attachment."""

    http_method_names = ["get", "head"]

    def get_queryset(self):
        if self.request.user.is_staff:
            return Document.objects.all()
        return Document.objects.visible_to(self.request.user)

    def get(self, request, pk):
        document = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            stream = document.file.open("rb")
        except (FileNotFoundError, ValueError) as error:
            logger.error("document %s has no stored file: %s", document.pk, error)
            raise Http404(gettext("The file is missing.")) from error
        # Anything not uploaded through the portal's checks (e.g. by an admin)
        # goes out as opaque bytes.
        content_type = (
            document.content_type
            if document.content_type in EXTENSIONS
            else "application/octet-stream"
        )
        response = FileResponse(
            stream,
            as_attachment=True,
            filename=download_name(document),
            content_type=content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
