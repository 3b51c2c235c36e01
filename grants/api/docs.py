"""The OpenAPI document and its two readers, Swagger UI and ReDoc, from our files.

Both readers come from drf-spectacular-sidecar's static files, never a CDN. The
site's policy allows no inline script, so Swagger UI's start-up script is fetched
from its own address (the split view), and ReDoc is started by a static script.
Both draw their pages with inline styles (and ReDoc searches in a worker), so
these two pages, which show no data, allow those; scripts stay this site's own.
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_page
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

SCHEMA_SECONDS = 60 * 60
READER_POLICY = {"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}


@method_decorator(cache_page(SCHEMA_SECONDS), name="get")
class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document; ``?lang=hi`` for its words in Hindi.

    Built once an hour per language and address, not per request: it is public,
    changes only with the code, and takes a third of a second to build.
    """


@method_decorator(csp_update(READER_POLICY), name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    title = _("Khanij R&D API")


@method_decorator(csp_update(READER_POLICY), name="dispatch")
class RedocView(SpectacularRedocView):
    title = _("Khanij R&D API")
