"""At most so many of something in a time window, counted alike by every process.

The counts live in the ``shared`` cache (a database table, see ``CACHES`` in the
settings), which every web process and the worker see.
"""

import hashlib

from django.core.cache import caches

CACHE = "shared"


def take_slot(scope: str, subject: str, *, limit: int, seconds: int) -> bool:
    """Take one of ``subject``'s ``limit`` slots for ``seconds``; False if none is free.

    Each slot is a cache key that is only added when it is not there already, and
    lives ``seconds``: at most ``limit`` are taken in any ``seconds``, and two
    processes at once cannot both take the same one (no read-then-write race).
    """
    # Hashed: an e-mail address or client address may hold what keys may not.
    digest = hashlib.sha256(subject.encode()).hexdigest()
    cache = caches[CACHE]
    return any(
        cache.add(f"throttle:{scope}:{digest}:{slot}", True, timeout=seconds)
        for slot in range(limit)
    )
