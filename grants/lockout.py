"""Who a run of wrong passwords locks out (django-axes, ``AXES_HANDLER``).

Two locks, neither of which a stranger can turn on a user somewhere else:

- a user name *from one address*: ``AXES_FAILURE_LIMIT`` wrong passwords for it from
  that address (axes' own count, ``AXES_LOCKOUT_PARAMETERS``). The same user name
  from any other address still logs in;
- an address that tried many user names: ``KHANIJ_LOCKOUT_ADDRESS_NAME_LIMIT``
  different user names with wrong passwords from it, none of them followed by a
  right one. That is someone guessing through a list of names; the whole address
  waits.

Both last ``AXES_COOLOFF_TIME``. Axes compares one limit with the largest count of
its parameter combinations, so an address-wide combination would lock an address
after as few failures as one user name. Counting the names instead keeps a ministry
office behind one address usable: one person who keeps mistyping locks only their
own name, and a right password clears that name's failures (``AXES_RESET_ON_SUCCESS``)
so it stops counting against the address.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings


def names_failing_from(request) -> int:
    """How many user names had wrong passwords from this request's address lately."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.values("username").distinct().count()


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus the lock on an address that tries many names."""

    def get_failures(self, request, credentials=None) -> int:
        # Axes locks when this reaches the failure limit, both before checking a
        # password (is_locked) and after recording a wrong one (user_login_failed).
        failures = super().get_failures(request, credentials)
        if names_failing_from(request) >= settings.KHANIJ_LOCKOUT_ADDRESS_NAME_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures
