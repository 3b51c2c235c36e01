"""Signing in with an API token: ``Authorization: Token khanij_…``.

knox finds the token by its first characters and compares the SHA-512 digest of
what was sent with the one stored; an expired token is deleted and refused.
A revoked token is gone from the table, so it is refused on the very next request.
"""

from knox.auth import TokenAuthentication as KnoxTokenAuthentication

from grants import services


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None:
            services.token_used(found[1])
        return found
