"""The OpenAPI document and its two readers, Swagger UI and ReDoc, from our files.

Both readers come from drf-spectacular-sidecar's static files, never a CDN. The
site's policy allows no inline script, so Swagger UI's start-up script is fetched
from its own address (the split view), and ReDoc is started by a static script.
Both draw their pages with inline styles (and ReDoc searches in a worker), so
these two pages, which show no data, allow those; scripts stay this site's own.
ReDoc's bundle is served by ``redoc_script``, so that its logo is the site's.
"""

import functools

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse
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

    def _redoc_standalone(self):
        return reverse("api:redoc-script")


# ReDoc's bundle draws the Redocly logo from the company's CDN, whatever its
# options say; the site loads nothing from elsewhere, so the bundle is served
# with the logo pointed at the site's own emblem.
REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@functools.cache
def redoc_bundle(logo: str) -> bytes:
    with open(finders.find(REDOC_BUNDLE), "rb") as bundle:
        return bundle.read().replace(REDOC_LOGO.encode(), logo.encode())


@login_not_required
def redoc_script(request):
    """ReDoc's bundle, from the sidecar's copy, with no address outside the site."""
    response = HttpResponse(
        redoc_bundle(static("img/favicon.svg")),
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
