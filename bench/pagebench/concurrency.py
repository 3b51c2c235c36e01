"""The dashboard through gunicorn: many staff sessions at once.

The in-process cases time one request at a time; this one asks what two gunicorn
workers (sync, as in production) serve when eight staff sessions keep asking for
the dashboard: requests a second, the response times the clients see (waiting for
a free worker included) and any error. The server, the sign-in and the timing are
``serving.py``'s, shared with ``bench/loadtest.py``.
"""

import os
import threading
import time
from collections import Counter
from pathlib import Path

from serving import Session, Stats, gunicorn, manage, server_environment
from sweep import percentile

from pagebench.config import (
    CONCURRENCY_CASE,
    CONCURRENCY_CLIENTS,
    CONCURRENCY_PASSWORD,
    CONCURRENCY_SECONDS,
    CONCURRENCY_WORKERS,
)

DASHBOARD = "/staff/"
USER_AGENT = "khanij-bench-concurrency"


def measure_concurrency(size, *, backend, seed):
    """Serve this worker's throwaway database with gunicorn; hammer the dashboard.

    Runs in the page benchmark's worker, after the in-process cases, on the same
    database; returns the row for ``benchmarks.json``.
    """
    var_dir = Path(os.environ["KHANIJ_VAR_DIR"])
    env = server_environment(var_dir, os.environ["DATABASE_URL"])
    usernames = staff_sessions(CONCURRENCY_CLIENTS, seed=seed)
    # The manifest storage of a production-like process needs collected files.
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    with gunicorn(env, workers=CONCURRENCY_WORKERS, log_dir=var_dir) as base:
        stats = Stats()
        sessions = sign_in(
            base, stats, [(name, CONCURRENCY_PASSWORD) for name in usernames]
        )
        result = hammer(sessions, stats, seconds=CONCURRENCY_SECONDS)
    return {
        "case": CONCURRENCY_CASE,
        "projects": size,
        "backend": backend,
        "workers": CONCURRENCY_WORKERS,
        **result,
    }


def staff_sessions(count, *, seed):
    """Give ``count`` generated programme officers a password; return their names.

    Each is in the Programme officer group, as the officer of the in-process cases.
    """
    from django.contrib.auth.models import Group

    from grants.models import User

    officers = list(
        User.objects.filter(username__startswith=f"gen{seed}-po-", is_staff=True)
        .order_by("pk")
        .only("pk", "username")[:count]
    )
    if len(officers) < count:
        raise RuntimeError(
            f"{len(officers)} generated programme officers, {count} needed."
        )
    group = Group.objects.get(name="Programme officer")
    for officer in officers:
        officer.set_password(CONCURRENCY_PASSWORD)
        officer.save(update_fields=["password"])
        officer.groups.add(group)
    return [officer.username for officer in officers]


def sign_in(base, stats, credentials):
    """Return a session for each (user name, password), signed in by the form.

    The sign-ins are not counted in ``stats``.
    """
    sessions = []
    for username, password in credentials:
        session = Session(base, stats, user_agent=USER_AGENT)
        if not session.log_in(username, password, counted=False):
            raise RuntimeError(f"{username} could not sign in at {base}.")
        sessions.append(session)
    return sessions


def hammer(sessions, stats, *, seconds, path=DASHBOARD):
    """Request ``path`` from every session at once for ``seconds``; the figures.

    One thread a session, each asking again as soon as it has its answer, after
    one warm-up request each (not counted). Any answer but a 200 is an error (a
    302 would be a lost session).
    """
    for session in sessions:
        status, _ = session.request(path, counted=False)
        if status != 200:
            raise RuntimeError(f"{path} answered {status} to a signed-in session.")
    start = threading.Barrier(len(sessions) + 1)
    deadline = []

    def keep_asking(session):
        start.wait()
        while time.monotonic() < deadline[0]:
            session.request(path)

    threads = [
        threading.Thread(target=keep_asking, args=(session,)) for session in sessions
    ]
    for thread in threads:
        thread.start()
    deadline.append(time.monotonic() + seconds)
    started = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    duration = time.monotonic() - started
    requests = sum(stats.statuses.values())
    statuses = Counter(stats.statuses)
    return {
        "url": path,
        "clients": len(sessions),
        "seconds": round(duration, 1),
        "requests": requests,
        "requests_per_second": round(requests / duration, 1),
        "p50_ms": round(percentile(stats.times, 0.5), 1),
        "p95_ms": round(percentile(stats.times, 0.95), 1),
        "max_ms": round(max(stats.times), 1),
        "errors": requests - statuses[200],
        "statuses": {str(code): n for code, n in sorted(statuses.items())},
    }
