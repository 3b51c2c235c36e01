"""Load test: 50 grantees submitting reports and 10 staff browsing, for 60 seconds.

Run with ``make loadtest``. It builds a throwaway database (SQLite under
``var/loadtest/`` by default, or the PostgreSQL database named by
``LOADTEST_DATABASE_URL``), loads the demo and a generated portfolio, starts gunicorn
on 127.0.0.1 and drives it with 60 concurrent sessions over loopback only. Every
loop is bounded in time; the script stops by itself.

It passes when no response was a 5xx and the database holds exactly as many new
progress reports as the grantees saw accepted. The result is written to
``docs/loadtest.md``.
"""

import argparse
import http.cookiejar
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "loadtest-pass-2026"
GRANTEES = 50
STAFF = 10


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(var_dir: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL"}
    }
    env.update(
        KHANIJ_VAR_DIR=str(var_dir),
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SESSION_COOKIE_SECURE="0",
        DJANGO_CSRF_COOKIE_SECURE="0",
        DJANGO_SECURE_HSTS_SECONDS="0",
        KHANIJ_STAFF_2FA_REQUIRED="0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    if os.environ.get("LOADTEST_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["LOADTEST_DATABASE_URL"]
    return env


SETUP = """
from django.contrib.auth.models import Group
from grants.models import Membership, Milestone, Project, User
from grants.generator import generate_portfolio
from django.utils import timezone
import json

generate_portfolio(projects={grantees} * 5, seed=4242, today=timezone.localdate())
grantees = []
for membership in Membership.objects.filter(
    user__username__startswith="gen4242-pi-"
).select_related("user").order_by("user__username")[:{grantees}]:
    user = membership.user
    user.set_password("{password}")
    user.save(update_fields=["password"])
    milestones = list(
        Milestone.objects.filter(
            project__organisation=membership.organisation,
            status="pending",
            kind="progress_report",
        ).values_list("pk", flat=True)
    )
    grantees.append({{"username": user.username, "milestones": milestones}})
officer = Group.objects.get(name="Programme officer")
staff = []
for n in range({staff}):
    user, _ = User.objects.get_or_create(
        username=f"loadtest-staff-{{n}}",
        defaults={{
            "email": f"loadtest-staff-{{n}}@loadtest.example",
            "is_staff": True,
        }},
    )
    user.set_password("{password}")
    user.save()
    user.groups.add(officer)
    staff.append(user.username)
projects = list(Project.objects.values_list("pk", flat=True)[:500])
plan = {{"grantees": grantees, "staff": staff, "projects": projects}}
print("LOADTEST", json.dumps(plan))
"""

COUNT = """
from grants.models import ProgressReport
print("LOADTEST", ProgressReport.objects.filter(
    submitted_by__username__startswith="gen4242-pi-"
).count())
"""


def manage(env, *args, stdin=None):
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


def shell_json(env, code):
    output = manage(env, "shell", stdin=code)
    line = next(line for line in output.splitlines() if line.startswith("LOADTEST "))
    return json.loads(line.removeprefix("LOADTEST "))


class Session:
    """One browser: a cookie jar, CSRF handling and counted responses."""

    def __init__(self, base, stats):
        self.base = base
        self.stats = stats
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path, data=None):
        body = None
        headers = {"User-Agent": "khanij-loadtest"}
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
        self.stats.record(status, elapsed)
        return status, text

    def log_in(self, username):
        self.request("/accounts/login/")
        status, _ = self.request(
            "/accounts/login/", {"username": username, "password": PASSWORD}
        )
        return status == 302


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, request, response, code, message, headers):
        return response

    http_error_301 = http_error_303 = http_error_307 = http_error_302


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.times = []
        self.submitted = 0
        self.errors = []

    def record(self, status, elapsed):
        with self.lock:
            self.statuses[status] += 1
            self.times.append(elapsed)

    def submitted_one(self):
        with self.lock:
            self.submitted += 1


def grantee_loop(base, grantee, stats, deadline):
    session = Session(base, stats)
    if not session.log_in(grantee["username"]):
        stats.errors.append(f"{grantee['username']} could not log in")
        return
    milestones = list(grantee["milestones"])
    while time.monotonic() < deadline:
        session.request("/portal/")
        if not milestones:
            time.sleep(0.2)
            continue
        milestone = milestones.pop(0)
        path = f"/portal/milestones/{milestone}/report/"
        status, _ = session.request(path)
        if status != 200:
            continue
        status, _ = session.request(
            path,
            {
                "period_start": "2026-04-01",
                "period_end": "2026-09-30",
                "narrative": "Pilot runs at 5 kg per batch; recovery 86% (load test).",
                "trl_now": "4",
                "publications": "1",
                "patents_filed": "0",
                "prototypes": "0",
                "technologies_transferred": "0",
                "people_trained": "2",
            },
        )
        if status == 302:
            stats.submitted_one()


def staff_loop(base, username, projects, stats, deadline):
    session = Session(base, stats)
    if not session.log_in(username):
        stats.errors.append(f"{username} could not log in")
        return
    rng = random.Random(username)
    pages = [
        "/staff/",
        "/staff/projects/",
        "/staff/milestones/",
        "/staff/certificates/",
    ]
    while time.monotonic() < deadline:
        session.request(rng.choice(pages))
        session.request(f"/staff/projects/{rng.choice(projects)}/")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--output", default=str(ROOT / "docs" / "loadtest.md"))
    options = parser.parse_args()

    var_dir = ROOT / "var" / "loadtest"
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    env = environment(var_dir)
    backend = "postgresql" if "DATABASE_URL" in env else "sqlite"
    if backend == "postgresql":
        manage(env, "flush", "--noinput")
    print(f"Preparing a {backend} database in {var_dir} ...", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "seed_demo")
    plan = shell_json(
        env, SETUP.format(grantees=GRANTEES, staff=STAFF, password=PASSWORD)
    )
    before = shell_json(env, COUNT)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            GUNICORN,
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(options.workers),
            "--timeout",
            "60",
            "--access-logfile",
            str(var_dir / "access.log"),
            "--error-logfile",
            str(var_dir / "error.log"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:  # not listening yet, or still starting
                time.sleep(0.2)
        stats = Stats()
        deadline = time.monotonic() + options.seconds
        threads = [
            threading.Thread(target=grantee_loop, args=(base, g, stats, deadline))
            for g in plan["grantees"]
        ] + [
            threading.Thread(
                target=staff_loop, args=(base, s, plan["projects"], stats, deadline)
            )
            for s in plan["staff"]
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=options.seconds + 120)
        duration = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    after = shell_json(env, COUNT)
    created = after - before
    server_errors = sum(n for status, n in stats.statuses.items() if status >= 500)
    requests = sum(stats.statuses.values())
    passed = server_errors == 0 and created == stats.submitted and not stats.errors
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": backend,
        "gunicorn_workers": options.workers,
        "sessions": {"grantees": len(plan["grantees"]), "staff": len(plan["staff"])},
        "seconds": round(duration, 1),
        "requests": requests,
        "requests_per_second": round(requests / duration, 1),
        "statuses": dict(sorted(stats.statuses.items())),
        "server_errors": server_errors,
        "reports_submitted": stats.submitted,
        "reports_in_database": created,
        "p50_ms": round(percentile(stats.times, 0.5), 1),
        "p95_ms": round(percentile(stats.times, 0.95), 1),
        "login_failures": stats.errors,
        "passed": passed,
    }
    write_report(Path(options.output), result)
    print(json.dumps(result, indent=2))
    return 0 if passed else 1


def write_report(path, result):
    statuses = ", ".join(f"{code}: {n}" for code, n in result["statuses"].items())
    path.write_text(
        f"""# Load test

`make loadtest` (`{Path(__file__).relative_to(ROOT)}`) runs
{result["sessions"]["grantees"]} grantee sessions, each logging in and submitting
progress reports through the portal, and {result["sessions"]["staff"]} staff sessions
browsing the dashboard, tables and project pages, all at once for about 60 seconds
against gunicorn ({result["gunicorn_workers"]} workers) on 127.0.0.1, on
{result["backend"]}. It passes when no response is a 5xx and the database holds exactly
as many new reports as the grantees saw accepted.

## Last result

| measure | value |
| --- | --- |
| measured at | {result["measured_at"]} |
| database | {result["backend"]} |
| duration | {result["seconds"]} s |
| requests | {result["requests"]} ({result["requests_per_second"]} per second) |
| responses by status | {statuses} |
| 5xx responses | {result["server_errors"]} |
| reports accepted by the portal | {result["reports_submitted"]} |
| new reports in the database | {result["reports_in_database"]} |
| median response | {result["p50_ms"]} ms |
| 95th percentile response | {result["p95_ms"]} ms |
| passed | {"yes" if result["passed"] else "no"} |
""",
        encoding="utf-8",
    )


if __name__ == "__main__":
    sys.exit(main())
