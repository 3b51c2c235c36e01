"""Hammer the dashboard through gunicorn on a database that already exists.

    .venv/bin/python bench/concurrency.py --users NAME[,NAME...] [--password P]
        [--database-url postgres://...] [--clients 8] [--workers 2] [--seconds 20]

A trial of the page benchmark's ``dashboard_concurrent`` case (which ``make bench``
runs on its own throwaway databases) against a database of your choosing, such as
a copy of production data: gunicorn with ``--workers`` sync workers on 127.0.0.1,
DEBUG off, ``--clients`` staff sessions (the users taken in turn when there are
fewer users than clients), each asking for ``/staff/`` again as soon as it is
answered, for ``--seconds``.

With ``--password`` the sessions sign in through the login form. Without it they
are made directly in the session store, as ``Client.force_login`` does in the tests
(no password is checked or set, the last login is left alone), and deleted at the
end. Either way the users and the portfolio are only read; the sessions, and
whatever the app itself writes on a request, are the only writes. Prints the
figures; writes nothing under docs/.
"""

import argparse
import itertools
import json
import os
import shutil
import tempfile
from pathlib import Path

from pagebench.concurrency import DASHBOARD, USER_AGENT, hammer, sign_in
from pagebench.config import (
    CONCURRENCY_CLIENTS,
    CONCURRENCY_SECONDS,
    CONCURRENCY_WORKERS,
)
from serving import Session, Stats, gunicorn, manage, server_environment

MAKE_SESSIONS = """
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from grants.models import User

store = import_module(settings.SESSION_ENGINE).SessionStore
keys = []
for username in {usernames!r}:
    user = User.objects.get(username=username, is_active=True, is_staff=True)
    session = store()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "grants.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    keys.append(session.session_key)
print("BENCH", json.dumps([settings.SESSION_COOKIE_NAME, keys]))
"""

DELETE_SESSIONS = """
from importlib import import_module
from django.conf import settings

store = import_module(settings.SESSION_ENGINE).SessionStore
for key in {keys!r}:
    store(key).delete()
"""


def made_sessions(env, base, stats, usernames):
    """Sessions made directly in the store; return them and their keys."""
    output = manage(env, "shell", stdin=MAKE_SESSIONS.format(usernames=usernames))
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    cookie, keys = json.loads(line.removeprefix("BENCH "))
    sessions = []
    for key in keys:
        session = Session(base, stats, user_agent=USER_AGENT)
        session.set_cookie(cookie, key)
        sessions.append(session)
    return sessions, keys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="the database to serve; default DATABASE_URL, else the embedded one",
    )
    parser.add_argument(
        "--users",
        required=True,
        type=lambda text: text.split(","),
        help="comma-separated user names of staff",
    )
    parser.add_argument(
        "--password",
        help="their password, to sign in through the form; without it the "
        "sessions are made directly in the session store",
    )
    parser.add_argument("--clients", type=int, default=CONCURRENCY_CLIENTS)
    parser.add_argument("--workers", type=int, default=CONCURRENCY_WORKERS)
    parser.add_argument("--seconds", type=int, default=CONCURRENCY_SECONDS)
    parser.add_argument("--path", default=DASHBOARD, help="the page to request")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="khanij-bench-concurrency-"))
    env = server_environment(var_dir, args.database_url)
    usernames = list(itertools.islice(itertools.cycle(args.users), args.clients))
    keys = []
    try:
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        with gunicorn(env, workers=args.workers, log_dir=var_dir) as base:
            stats = Stats()
            if args.password:
                sessions = sign_in(
                    base, stats, [(name, args.password) for name in usernames]
                )
            else:
                sessions, keys = made_sessions(env, base, stats, usernames)
            result = hammer(sessions, stats, seconds=args.seconds, path=args.path)
    finally:
        if keys:
            manage(env, "shell", stdin=DELETE_SESSIONS.format(keys=keys))
        shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps({"workers": args.workers, **result}, indent=2))
    print(
        f"{result['requests_per_second']:,.1f} requests/s, p50 "
        f"{result['p50_ms']:,.1f} ms, p95 {result['p95_ms']:,.1f} ms, "
        f"{result['errors']} errors ({result['clients']} sessions, {args.workers} "
        f"workers, {result['seconds']:.0f} s)"
    )


if __name__ == "__main__":
    main()
