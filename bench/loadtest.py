"""Load test: 50 grantees submitting reports and 10 staff browsing, for 60 seconds.

Run with ``make loadtest``. It builds a throwaway database (SQLite under
``var/loadtest/`` by default, or the PostgreSQL database named by
``LOADTEST_DATABASE_URL``), loads the demo and a generated portfolio, starts gunicorn
on 127.0.0.1 and drives it with 60 concurrent sessions over loopback only. Every
loop is bounded in time; the script stops by itself.

It passes when no response was a 5xx and the database holds exactly as many new
progress reports as the grantees saw accepted. The result, with the median and
95th percentile response of every page, is written to ``docs/loadtest.md``. The
server and the sessions are ``serving.py``'s, shared with the page benchmark's
concurrency case.
"""

import argparse
import json
import os
import random
import shutil
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from serving import ROOT, Session, Stats, gunicorn, manage, server_environment
from sweep import percentile

PASSWORD = "loadtest-pass-2026"
GRANTEES = 50
STAFF = 10


def environment(var_dir: Path):
    return server_environment(var_dir, os.environ.get("LOADTEST_DATABASE_URL"))


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


def shell_json(env, code):
    output = manage(env, "shell", stdin=code)
    line = next(line for line in output.splitlines() if line.startswith("LOADTEST "))
    return json.loads(line.removeprefix("LOADTEST "))


def grantee_loop(base, grantee, stats, deadline):
    session = Session(base, stats, user_agent="khanij-loadtest")
    if not session.log_in(grantee["username"], PASSWORD):
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
    session = Session(base, stats, user_agent="khanij-loadtest")
    if not session.log_in(username, PASSWORD):
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

    with gunicorn(env, workers=options.workers, log_dir=var_dir) as base:
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
        "planned_seconds": options.seconds,
        "seconds": round(duration, 1),
        "requests": requests,
        "requests_per_second": round(requests / duration, 1),
        "statuses": dict(sorted(stats.statuses.items())),
        "server_errors": server_errors,
        "reports_submitted": stats.submitted,
        "reports_in_database": created,
        "p50_ms": round(percentile(stats.times, 0.5), 1),
        "p95_ms": round(percentile(stats.times, 0.95), 1),
        "pages": stats.by_page(),
        "login_failures": stats.errors,
        "passed": passed,
    }
    write_report(Path(options.output), result)
    print(json.dumps(result, indent=2))
    return 0 if passed else 1


def write_report(path, result):
    sessions = result["sessions"]["grantees"] + result["sessions"]["staff"]
    statuses = ", ".join(f"{code}: {n}" for code, n in result["statuses"].items())
    pages = "\n".join(
        f"| `{row['page']}` | {row['requests']:,} | {row['p50_ms']:,.1f} ms | "
        f"{row['p95_ms']:,.1f} ms | {row['server_errors']} |"
        for row in result["pages"]
    )
    path.write_text(
        f"""# Load test

`make loadtest` (`{Path(__file__).relative_to(ROOT)}`) runs
{result["sessions"]["grantees"]} grantee sessions, each logging in and submitting
progress reports through the portal, and {result["sessions"]["staff"]} staff sessions
browsing the dashboard, tables and project pages, all at once for
{result["planned_seconds"]} seconds against gunicorn
({result["gunicorn_workers"]} workers) on 127.0.0.1, on {result["backend"]}. It passes
when no response is a 5xx and the database holds exactly as many new reports as the
grantees saw accepted. Written by the script; run
`LOADTEST_DATABASE_URL=postgres://... make loadtest` for the production database.

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

## By page

Every request the sessions made, the sign-ins included, grouped by page (ids shown
as `<pk>`); a `POST` is a submitted form. Times are the client's, waiting for a free
worker included: with {sessions} sessions on {result["gunicorn_workers"]} workers,
most of a response's time is waiting.

| page | requests | p50 | p95 | 5xx |
| --- | ---: | ---: | ---: | ---: |
{pages}

The machine that ran it (2 cores) also runs the database and the {sessions} clients,
and on SQLite writers queue one behind another: the times show how the pages compare
under load and that nothing failed, not how fast a quiet production server answers.
""",
        encoding="utf-8",
    )


if __name__ == "__main__":
    sys.exit(main())
