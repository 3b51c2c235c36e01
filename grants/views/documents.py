"""The one way a stored file leaves the server: a download that checks access.

Staff may download any document; anyone else only a document of a project they
may see (``Document.objects.visible_to``); everything else is a 404. The response
is ``grants.uploads.downloads.file_response``, which the API's download sends too.
"""

from django.shortcuts import get_object_or_404
from django.views import View

from grants.models import Document
from grants.uploads.downloads import file_response


class DocumentDownloadView(View):
    """Send a document the user may see as an attachment."""

    http_method_names = ["get", "head"]

    def get_queryset(self):
        if self.request.user.is_staff:
            return Document.objects.all()
        return Document.objects.visible_to(self.request.user)

    def get(self, request, pk):
        return file_response(get_object_or_404(self.get_queryset(), pk=pk))
