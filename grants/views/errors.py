import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)


def server_error(request):
    """Answer 503 when the database is down, 500 for anything else; never a traceback.

    Django calls this while the exception is being handled, wherever it was raised
    (a view, a template or a middleware reading the session or the user), so
    ``sys.exc_info()`` says what went wrong. The pages need no database.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        logger.error("database unavailable: %s", error)
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponse(loader.render_to_string("500.html"), status=500)
