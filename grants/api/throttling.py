"""How often a token may call the API: ``KHANIJ_API_RATE`` per token (600/minute).

Counted in the shared cache (a table every web process sees), so the limit is
one limit however many processes serve the API. An answer over the limit is 429
with ``Retry-After``.
"""

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def __init__(self):
        self.cache = caches["shared"]
        super().__init__()

    def get_rate(self):
        # Read when asked, not when the class was made, so a changed setting holds.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        token = request.auth
        if token is None:
            # Not signed in: the request is refused before anything is read.
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.token_key}
