"""The app served by gunicorn on 127.0.0.1, and browsers that sign in to it.

Shared by ``bench/loadtest.py`` (50 grantees and 10 staff) and the page
benchmark's concurrency case (``pagebench/concurrency.py``): the production-like
environment (DEBUG off, plain HTTP, no second factor), the server's start and stop,
a session with its cookies and CSRF token, and response times counted per page.
"""

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from sweep import percentile

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(var_dir, database_url=None):
    """The environment of a production-like process on ``var_dir``.

    DEBUG off and plain HTTP on loopback; the second factor is off, as in the
    tests, so that a password signs staff in. The embedded database unless
    ``database_url`` is given; never the caller's broker or mail server.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL"}
    }
    env.update(
        KHANIJ_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SESSION_COOKIE_SECURE="0",
        DJANGO_CSRF_COOKIE_SECURE="0",
        DJANGO_SECURE_HSTS_SECONDS="0",
        KHANIJ_STAFF_2FA_REQUIRED="0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def manage(env, *args, stdin=None):
    """Run ``manage.py`` with ``env``; return what it printed."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@contextlib.contextmanager
def gunicorn(env, *, workers, log_dir, timeout=60):
    """Serve the app with ``workers`` sync workers; yield its base URL.

    The static files must have been collected for ``env`` (the manifest storage
    needs them). The server is stopped, its process group and all, on the way out.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_dir = Path(log_dir)
    server = subprocess.Popen(
        [
            GUNICORN,
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
            "--access-logfile",
            str(log_dir / "access.log"),
            "--error-logfile",
            str(log_dir / "error.log"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_listening(base, server, log_dir / "error.log")
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def wait_until_listening(base, server, error_log, seconds=60):
    """Return once the server answers /healthz at all (a 503 counts: it is up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:  # not listening yet, or its workers still starting
            time.sleep(0.2)
    log = error_log.read_text()[-2000:] if error_log.exists() else ""
    raise RuntimeError(f"gunicorn did not start on {base}.\n{log}")


class Stats:
    """Every response's status and time, by page, from many threads at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.times = []
        self.pages = {}
        self.submitted = 0
        self.errors = []

    def record(self, status, elapsed, page):
        with self.lock:
            self.statuses[status] += 1
            self.times.append(elapsed)
            self.pages.setdefault(page, []).append((status, elapsed))

    def submitted_one(self):
        with self.lock:
            self.submitted += 1

    def by_page(self):
        """Return [{page, requests, p50_ms, p95_ms, errors}], most requested first."""
        rows = []
        for page, results in self.pages.items():
            times = [elapsed for _, elapsed in results]
            rows.append(
                {
                    "page": page,
                    "requests": len(results),
                    "p50_ms": round(percentile(times, 0.5), 1),
                    "p95_ms": round(percentile(times, 0.95), 1),
                    "server_errors": sum(1 for status, _ in results if status >= 500),
                }
            )
        return sorted(rows, key=lambda row: (-row["requests"], row["page"]))


def page_of(method, path):
    """Name the page a request is for: ids become <pk>, the query is left off."""
    path = re.sub(r"/\d+(?=/)", "/<pk>", urllib.parse.urlsplit(path).path)
    return f"{method} {path}"


class Session:
    """One browser: a cookie jar, the CSRF token, and every response counted."""

    def __init__(self, base, stats, *, user_agent="khanij-bench"):
        self.base = base
        self.stats = stats
        self.user_agent = user_agent
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def set_cookie(self, name, value):
        """Hold a cookie for the server, as if it had set it (a session key, say)."""
        host = urllib.parse.urlsplit(self.base).hostname
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                version=0,
                name=name,
                value=value,
                port=None,
                port_specified=False,
                domain=host,
                domain_specified=False,
                domain_initial_dot=False,
                path="/",
                path_specified=True,
                secure=False,
                expires=None,
                discard=True,
                comment=None,
                comment_url=None,
                rest={},
            )
        )

    def request(self, path, data=None, *, counted=True):
        """GET ``path``, or POST ``data`` to it; return (status, body).

        A connection that fails or times out counts as status 599.
        """
        body = None
        headers = {"User-Agent": self.user_agent}
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.csrf()}
            body = urllib.parse.urlencode(data).encode()
            headers["Referer"] = self.base + path
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            status, text = 599, str(error)
        elapsed = (time.monotonic() - started) * 1000
        if counted:
            self.stats.record(
                status, elapsed, page_of("GET" if data is None else "POST", path)
            )
        return status, text

    def log_in(self, username, password, *, counted=True):
        """Sign in through the login form; return whether it was accepted."""
        self.request("/accounts/login/", counted=counted)
        status, _ = self.request(
            "/accounts/login/",
            {"username": username, "password": password},
            counted=counted,
        )
        return status == 302


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand back a redirect as it is: its status is what is counted."""

    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, request, response, code, message, headers):
        return response

    http_error_301 = http_error_303 = http_error_307 = http_error_302
