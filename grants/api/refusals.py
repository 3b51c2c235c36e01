"""Refused sign-ins per address: a client that keeps sending a wrong token waits.

A token's secret cannot be guessed (224 random bits), but each refused request
still costs a lookup and a line in the log. An address whose requests are
refused ``KHANIJ_API_REFUSALS_PER_MINUTE`` times in a minute is answered 429 for
the rest of the minute, before anything is looked up. Counted in the shared
cache, so every web process counts alike; requests with a good token never count.
"""

import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import caches
from rest_framework.exceptions import Throttled

WINDOW = 60


def _key(request) -> str:
    address = get_client_ip_address(request._request) or "unknown"
    return f"api-refusals:{address}:{int(time.time() // WINDOW)}"


def count(request) -> None:
    """Count one refused sign-in from the request's address."""
    cache, key = caches["shared"], _key(request)
    if not cache.add(key, 1, WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, WINDOW)


def check(request) -> None:
    """Answer 429 when the address has been refused too often this minute."""
    if (
        caches["shared"].get(_key(request), 0)
        >= settings.KHANIJ_API_REFUSALS_PER_MINUTE
    ):
        raise Throttled(wait=WINDOW - int(time.time() % WINDOW))
