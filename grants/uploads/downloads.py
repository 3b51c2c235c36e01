"""How a stored file leaves the server, whichever door it is asked for at.

Always an attachment under a name the server chose, with the stored content type
and ``nosniff``, so a browser never renders it as a page of this site. Whoever
calls ``file_response`` has checked that the user may see the document (the
download view and the API, both through ``visible_to``).
"""

import logging

from django.http import FileResponse, Http404
from django.utils.translation import gettext

from grants.models import Document
from grants.uploads import ALLOWED_TYPES, sanitise_filename

logger = logging.getLogger(__name__)

EXTENSIONS = {
    file_type.content_type: file_type.extension for file_type in ALLOWED_TYPES
}


def download_name(document: Document) -> str:
    """The name the file is saved under: its sanitised name, its type's extension."""
    extension = EXTENSIONS.get(document.content_type, "bin")
    return sanitise_filename(document.original_name, extension=extension)


def file_response(document: Document) -> FileResponse:
    """The document's file as an attachment; the caller has checked access."""
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
