"""Response headers the pages need beyond Django's own security middleware.

- ``Cache-Control: no-store`` on everything a signed-in person is sent: pages,
  CSV and XLSX exports, grantees' files. A shared office computer's browser cache,
  or a proxy in between, then keeps no copy of a project's money or a signed UC
  after the person has logged out.
- ``Permissions-Policy`` on every response: the pages use no camera, microphone,
  location, payment or other powerful browser feature, so none may be asked for.

Static files never reach this middleware (WhiteNoise answers them first), so they
keep their long cache lifetimes.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
