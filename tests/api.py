"""Calling the API in tests: a user's token, and a client that sends it."""

import datetime

from rest_framework.test import APIClient

from grants.models import ApiToken


def token_for(user, *, name="test script", days=30) -> tuple[ApiToken, str]:
    """A token for ``user``, made as the account page makes one after 2FA."""
    return ApiToken.objects.create(
        user,
        expiry=datetime.timedelta(days=days),
        name=name,
        second_factor=user.is_staff,
    )


def api_client(user=None, *, secret=None, language="en") -> APIClient:
    """A client that signs in with a token of ``user`` (or the secret given)."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if secret is None and user is not None:
        _token, secret = token_for(user)
    if secret is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client
