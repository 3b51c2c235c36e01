"""Signing in with an API token: ``Authorization: Token khanij_…``.

knox finds the token by its first characters and compares the SHA-512 digest of
what was sent with the one stored; an expired token is deleted and refused.
A revoked token is gone from the table, so it is refused on the very next request.
A staff user's token must have been made after the second factor: a token a
grantee made, before they joined the ministry's staff, does not become a key to
the whole portfolio.
"""

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from grants import services


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None:
            return None
        user, token = found
        if user.is_staff and not token.second_factor:
            raise AuthenticationFailed(
                _(
                    "This token was made without the second factor, before its user "
                    "joined the ministry's staff: make a new one on the account page."
                ),
                code="second_factor",
            )
        services.token_used(token)
        return found
