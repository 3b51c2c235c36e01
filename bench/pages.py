"""Benchmark the staff and portal pages on generated portfolios.

    .venv/bin/python bench/pages.py [--sizes 1000,10000,100000]
        [--backend sqlite|postgresql|both] [--requests 20] [--cases dashboard,...]
        [--seed 1] [--no-write]

By default it measures SQLite at 1,000 and 10,000 projects and PostgreSQL at 1,000,
10,000 and 100,000. PostgreSQL is the server in DATABASE_URL when that is set, else
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/); when it does not
answer, PostgreSQL is skipped with a note.

Each size gets a throwaway database (a temporary SQLite file, or a new PostgreSQL
database named khanij_bench_pages_..., dropped afterwards): migrate,
``generate_portfolio --seed 1``, then VACUUM ANALYZE on PostgreSQL. One organisation is
given 50 projects, so that its principal investigator can open a portal home of
that size. Every page is requested in-process through the Django test client with
DEBUG off: 2 warm-up requests, then ``--requests`` timed ones. Besides:

- queries are counted in an untimed pass after the warm-up (CaptureQueriesContext);
- the SQL floor: the page's own SELECT statements, captured in that pass with their
  parameters, are run again straight on the database (all rows fetched), one run
  after each timed request;
- the CSV export's peak memory is measured in a fresh process (peak resident set);
- on PostgreSQL at the largest size, ``EXPLAIN (ANALYZE, BUFFERS)`` of the
  dashboard's queries, the projects table's and the reminder sweep's candidate
  query.

Results go to docs/benchmarks.json (rows merged by case, projects and backend) and
to the "Pages", "Targets" and "Query plans" sections of docs/benchmarks.md; the
"Reminder sweep" section belongs to bench/sweep.py and is left as it is.
``--render-only`` rewrites "Pages" and "Targets" from docs/benchmarks.json without
measuring (after bench/sweep.py, say, whose figures "Targets" reads).
"""

import argparse
import contextlib
import datetime
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from sweep import percentile

BASE_DIR = Path(__file__).resolve().parent.parent
DOCS = BASE_DIR / "docs"
JSON_FILE = DOCS / "benchmarks.json"
MARKDOWN_FILE = DOCS / "benchmarks.md"
SWEEP_SECTION = "## Reminder sweep"
PAGES_SECTION = "## Pages"
TARGETS_SECTION = "## Targets"
PLANS_SECTION = "## Query plans"
DEFAULT_POSTGRESQL = "postgres://postgres@127.0.0.1:5432/"
DEFAULT_SIZES = {"sqlite": [1_000, 10_000], "postgresql": [1_000, 10_000, 100_000]}
# SQLite is the embedded default for a small ministry division, not for 100,000.
SQLITE_MAX_SIZE = 10_000
CASES = [
    "dashboard",
    "projects_table",
    "projects_sorted",
    "projects_filtered",
    "projects_search",
    "project_page",
    "portal_home",
    "export_csv",
]
# Statements that open and close a transaction: counted apart from queries.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
PORTAL_PROJECTS = 50
EXPORT_ROWS = 10_000
PROJECT_PAGES = 5
WARM_UP = 2
# Statements every signed-in request runs whatever the page: the session, the
# user, the permissions. They are counted in "queries" but are not the page's
# own SQL, so the floor leaves them out.
FRAMEWORK_TABLES = (
    "django_session",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "otp_",
    "axes_",
)

sys.path.insert(0, str(BASE_DIR))


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(part.replace("_", "")) for part in text.split(",")],
        help="comma-separated portfolio sizes (projects); default 1000,10000 on "
        "SQLite and 1000,10000,100000 on PostgreSQL",
    )
    parser.add_argument(
        "--backend", choices=["sqlite", "postgresql", "both"], default="both"
    )
    parser.add_argument(
        "--requests", type=int, default=20, help="timed requests per case (>= 20)"
    )
    parser.add_argument(
        "--cases",
        type=lambda text: text.split(","),
        default=CASES,
        help=f"comma-separated cases to measure; default all: {','.join(CASES)}",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-write",
        action="store_true",
        help="print the sections instead of writing docs/",
    )
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="rewrite the Pages and Targets sections from docs/benchmarks.json",
    )
    # One size on one backend runs in a process of its own (Django's settings are
    # read once per process); the export's memory in yet another, fresh one.
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--explain", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--export-memory", help=argparse.SUPPRESS)
    parser.add_argument("--user", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


# Databases ------------------------------------------------------------------------


def postgresql_server():
    """Return the URL of the PostgreSQL server to use, or None with a printed note."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_POSTGRESQL
    try:
        import psycopg

        with psycopg.connect(admin_url(url), connect_timeout=3):
            pass
    except Exception as error:  # noqa: BLE001 - any failure means "not there"
        print(
            f"PostgreSQL at {redact(url)} does not answer ({type(error).__name__}: "
            f"{str(error).strip().splitlines()[0] if str(error) else ''}); "
            "skipping the PostgreSQL sizes."
        )
        return None
    return url


def admin_url(url):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


def redact(url):
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def postgresql_scratch(url, name):
    """Create the empty database ``name`` on the server of ``url``; return its URL."""
    import psycopg

    admin = admin_url(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(urlsplit(url)._replace(path=f"/{name}")), drop


def set_django_environment(var_dir):
    """Environment for a production-like process: DEBUG off, plain HTTP."""
    os.environ["KHANIJ_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_SESSION_COOKIE_SECURE"] = "0"
    os.environ["DJANGO_CSRF_COOKIE_SECURE"] = "0"
    os.environ["DJANGO_SECURE_HSTS_SECONDS"] = "0"


def setup_django():
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    override_settings(
        # As the tests do: the second factor and the lockout are tested elsewhere.
        KHANIJ_STAFF_2FA_REQUIRED=False,
        AXES_ENABLED=False,
        SECURE_SSL_REDIRECT=False,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        # The manifest storage needs collectstatic; a static URL costs the same.
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        },
    ).enable()
    if settings.DEBUG:
        raise SystemExit("DEBUG must be off while timing.")
    # Load every view and the project's templates now, so that the code measured
    # is the code of one moment even when files change during a long run.
    from django.template import TemplateSyntaxError, engines
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    engine = engines["django"].engine
    for folder in map(Path, engines["django"].template_dirs):
        if BASE_DIR not in folder.parents:
            continue
        for template in folder.rglob("*"):
            if template.suffix in (".html", ".txt") and template.is_file():
                with contextlib.suppress(TemplateSyntaxError):
                    engine.get_template(str(template.relative_to(folder)))


# The portfolio --------------------------------------------------------------------


def prepare_portfolio(size, *, seed, backend):
    """Migrate, generate, give one organisation 50 projects; return the people."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db.models import Count

    from grants.models import Membership, Project, User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("generate_portfolio", projects=size, seed=seed)

    # The programme officer: a generated one, who holds projects.
    officer = User.objects.get(
        pk=Project.objects.order_by("pk").values_list("programme_officer", flat=True)[0]
    )
    officer.groups.add(Group.objects.get(name="Programme officer"))

    # The grantee: the PI of an organisation with exactly 50 projects.
    counts = (
        Project.objects.values("organisation")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation")
    )
    top = counts[0]
    organisation_id = top["organisation"]
    membership = (
        Membership.objects.filter(
            organisation=organisation_id,
            role=Membership.Role.PRINCIPAL_INVESTIGATOR,
            is_active=True,
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        user = User.objects.create(
            username=f"bench-pi-{organisation_id}",
            email=f"bench-pi-{organisation_id}@bench.example",
        )
        membership = Membership.objects.create(
            user=user,
            organisation_id=organisation_id,
            role=Membership.Role.PRINCIPAL_INVESTIGATOR,
        )
    grantee = membership.user
    own = list(
        Project.objects.filter(organisation=organisation_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    moved_out = own[PORTAL_PROJECTS:]
    moved_in = []
    if len(own) < PORTAL_PROJECTS:
        others = list(
            Project.objects.exclude(organisation=organisation_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        moved_in = random.Random(seed).sample(others, PORTAL_PROJECTS - len(own))
    # One save() each, as the application changes a project, so that whatever it
    # keeps beside the project (history, summaries) follows.
    for project in Project.objects.filter(pk__in=own + moved_in):
        if project.pk in moved_out:
            project.organisation_id = counts[1]["organisation"]
        else:
            project.organisation_id = organisation_id
            project.principal_investigator = grantee
        project.save()
    held = Project.objects.filter(organisation=organisation_id).count()
    if held != PORTAL_PROJECTS:
        raise SystemExit(f"The grantee's organisation holds {held} projects.")
    if backend == "postgresql":
        from django.db import connection

        # What autovacuum gives a live database: fresh statistics, and a visibility
        # map so that counts can read an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    elapsed = time.perf_counter() - started
    print(f"  portfolio of {size:,} projects ready in {elapsed:,.0f} s")
    return officer, grantee


def choose_urls(size):
    """Return {case: [urls]} with filter values that exist in this portfolio."""
    from django.db.models import Count
    from django.urls import reverse

    from grants.filters import ProjectFilter
    from grants.models import Project
    from grants.tables import ProjectTable

    projects_url = reverse("staff:project-list")
    filters = ProjectFilter.base_filters
    for name in ("stage", "fiscal_year", "q"):
        if name not in filters:
            raise SystemExit(f"The projects filter has no {name!r} parameter.")
    released = next(
        (
            name
            for name, column in ProjectTable.base_columns.items()
            if str(column.verbose_name).lower() == "released"
        ),
        "released_total",
    )
    # The commonest stage and fiscal year: a filter with several pages of rows.
    common = (
        Project.objects.values("stage", "fiscal_year")
        .annotate(n=Count("pk"))
        .order_by("-n", "stage", "fiscal_year")[0]
    )
    # A search as a person types it: a word of one organisation's name.
    ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    middle = Project.objects.select_related("organisation").get(pk=ids[len(ids) // 2])
    word = middle.organisation.name.split()[-1]
    # Project pages: ongoing projects spread over the portfolio.
    ongoing = (
        list(
            Project.objects.filter(status=Project.Status.ONGOING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        or ids
    )
    step = max(1, len(ongoing) // PROJECT_PAGES)
    pages = ongoing[step // 2 :: step][:PROJECT_PAGES]

    urls = {
        "dashboard": [reverse("staff:dashboard")],
        "projects_table": [projects_url],
        "projects_sorted": [f"{projects_url}?{urlencode({'sort': f'-{released}'})}"],
        "projects_filtered": [
            f"{projects_url}?"
            + urlencode(
                {"stage": common["stage"], "fiscal_year": common["fiscal_year"]}
            )
        ],
        "projects_search": [f"{projects_url}?{urlencode({'q': word})}"],
        "project_page": [reverse("staff:project-detail", args=[pk]) for pk in pages],
        "portal_home": [reverse("portal:home")],
    }
    rows = {
        "projects_filtered": common["n"],
        "projects_search": ProjectFilter(
            {"q": word}, queryset=Project.objects.all()
        ).qs.count(),
    }
    if size >= EXPORT_ROWS:
        query, rows["export_csv"] = export_filter(size)
        urls["export_csv"] = [
            f"{projects_url}?{urlencode({**query, '_export': 'csv'})}"
        ]
    return urls, rows


def export_filter(size):
    """Return the filter (query parameters) nearest to 10,000 rows, and its rows."""
    from django.db.models import Count

    from grants.models import Project

    if size <= EXPORT_ROWS:
        return {}, size
    options = [
        ({"stage": row["stage"]}, row["n"])
        for row in Project.objects.values("stage").annotate(n=Count("pk"))
    ] + [
        ({"fiscal_year": row["fiscal_year"]}, row["n"])
        for row in Project.objects.values("fiscal_year").annotate(n=Count("pk"))
    ]
    return min(options, key=lambda option: (abs(option[1] - EXPORT_ROWS), str(option)))


# Measuring ------------------------------------------------------------------------


class Recorder:
    """Keep every statement a request runs, with its parameters."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


def is_page_sql(sql, user_table):
    """Whether a statement is the page's own read (not session, user, permissions)."""
    text = sql.lstrip().upper()
    if not (text.startswith("SELECT") or text.startswith("WITH")):
        return False
    if any(f'"{table}' in sql for table in FRAMEWORK_TABLES):
        return False
    if f'"{user_table}_groups"' in sql or f'"{user_table}_user_permissions"' in sql:
        return False
    # The signed-in user, loaded by the authentication middleware.
    own_user = re.compile(
        rf'^SELECT .* FROM "{user_table}" WHERE "{user_table}"\."id" = %s LIMIT 21$',
        re.S,
    )
    return not own_user.match(sql.strip())


def consume(response):
    """Read the whole body, as a client would; return its size in bytes."""
    if response.streaming:
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        return size
    return len(response.content)


def fetch(client, url):
    response = client.get(url)
    size = consume(response)
    if response.status_code != 200:
        raise CaseFailed(
            f"{url} answered {response.status_code} "
            f"{response.get('Location', '')}".rstrip()
        )
    return size


def warm_up(client, urls):
    """Request the pages before anything is counted or timed."""
    for index in range(max(WARM_UP, len(urls))):
        fetch(client, urls[index % len(urls)])


def capture(client, urls):
    """Run each URL once, untimed; return (queries per URL, page statements)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user_table = get_user_model()._meta.db_table
    counts, statements = [], []
    for url in urls:
        recorder = Recorder()
        with (
            CaptureQueriesContext(connection) as queries,
            connection.execute_wrapper(recorder),
        ):
            fetch(client, url)
        counts.append(
            sum(
                1
                for query in queries
                if not query["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)
            )
        )
        statements.append(
            [
                (sql, params)
                for sql, params, many in recorder.statements
                if not many and is_page_sql(sql, user_table)
            ]
        )
    return counts, statements


def run_statements(statements, per_statement=None):
    """Run captured statements on a plain cursor, fetching every row; return ms."""
    from django.db import connection

    total = 0.0
    with connection.cursor() as cursor:
        for number, (sql, params) in enumerate(statements):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            elapsed = (time.perf_counter() - started) * 1000
            total += elapsed
            if per_statement is not None:
                per_statement[number].append(elapsed)
    return total


def time_case(client, urls, statements, requests):
    """Time the pages and, turn about, their SQL floor; return the times in ms.

    Returns (page times, floor times, median per statement of the first URL's
    floor). A page request and a floor run alternate, so both see the same load
    on the machine. The pages are warmed up before (``warm_up``).
    """
    floors = statements is not None
    if floors:
        for index in range(max(WARM_UP, len(urls))):
            run_statements(statements[index % len(urls)])
    pages, totals = [], []
    first = {number: [] for number in range(len(statements[0]))} if floors else {}
    for index in range(requests):
        started = time.perf_counter()
        fetch(client, urls[index % len(urls)])
        pages.append((time.perf_counter() - started) * 1000)
        if floors:
            which = index % len(urls)
            totals.append(
                run_statements(statements[which], first if which == 0 else None)
            )
    return pages, totals, [statistics.median(times) for times in first.values()]


def top_level(sql):
    """Return ``sql`` with every parenthesised part shortened to ``(...)``."""
    out, depth = [], 0
    for char in sql:
        if char == "(":
            if depth == 0:
                out.append("(...)")
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(char)
    return "".join(out)


def describe(sql):
    """Say in a line what a statement reads and returns, from its SQL."""
    outer = top_level(sql)
    tables = re.findall(r'FROM "(\w+)"', outer) or re.findall(r'FROM "(\w+)"', sql)
    joins = list(dict.fromkeys(re.findall(r'JOIN "(\w+)"', outer)))
    names = list(dict.fromkeys(re.findall(r'AS "(\w+)"', outer)))
    names = [name for name in names if name not in ("a", "__count")]
    parts = [f"reads `{tables[0]}`" if tables else "reads a derived table"]
    if joins:
        parts.append("joined to " + ", ".join(f"`{name}`" for name in joins))
    subqueries = sql.count("(SELECT") + sql.count("( SELECT")
    if subqueries:
        parts.append(f"{subqueries} subquer{'y' if subqueries == 1 else 'ies'}")
    if re.match(r'SELECT %s AS "a" FROM', sql.strip()):
        parts.append("checks that a row exists")
    elif re.match(r'SELECT COUNT\(\*\) AS "__count"', sql.strip()):
        parts.append("counts the rows")
    elif names:
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        parts.append(f"computes {shown}")
    if " GROUP BY " in outer:
        parts.append("grouped")
    if re.search(r" UNION( ALL)? ", sql):
        parts.append("a union")
    limit = re.search(r"LIMIT (\d+)\s*(OFFSET \d+)?\s*$", outer.strip())
    if limit and not re.match(r'SELECT %s AS "a" FROM', sql.strip()):
        count = int(limit.group(1))
        parts.append("one row" if count == 1 else f"first {count} rows")
    return "; ".join(parts)


def explain(statements):
    """Return [(purpose, plan text)] of EXPLAIN (ANALYZE, BUFFERS) on each."""
    from django.db import connection

    plans = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            plans.append({"purpose": describe(sql), "plan": plan})
    return plans


def sweep_candidate_statement():
    """Return (sql, params) of the reminder sweep's candidate query for today."""
    from django.db import connection
    from django.utils import timezone

    from grants import reminders
    from grants.models import ReminderRule
    from grants.services.reminders import candidate_milestones

    ladder = reminders.Ladder(ReminderRule.objects.all())
    rows = candidate_milestones(ladder, timezone.localdate()).values_list(
        "pk", "kind", "due_on"
    )
    return rows.query.get_compiler(connection=connection).as_sql()


def export_memory(url, user_id, *, var_dir):
    """Measure one export in a fresh process; return its memory figures."""
    command = [
        sys.executable,
        __file__,
        "--export-memory",
        url,
        "--user",
        str(user_id),
    ]
    env = {**os.environ, "KHANIJ_VAR_DIR": str(var_dir)}
    finished = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise SystemExit(f"The export memory run failed:\n{finished.stderr}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def resident_mb():
    """Return this process's (current, peak) resident set size in MB.

    Read from /proc/self/status (VmRSS, VmHWM): ``ru_maxrss`` would not do here,
    because Linux carries it over from the parent across fork and exec, so a
    child of a large process starts with its parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        return (
            int(fields["VmRSS"].split()[0]) / 1024,
            int(fields["VmHWM"].split()[0]) / 1024,
        )
    except (OSError, KeyError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak


def reset_peak():
    """Start the peak resident set again from the current one (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def run_export_memory(url, user_id):
    """The fresh process: log in, export nothing once, then export ``url``."""
    setup_django()
    from django.test import Client

    from grants.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    # Loads the code an export uses (view, filters, CSV writer) with no rows.
    separator = "&" if "?" in url else "?"
    fetch(client, f"{url}{separator}q=no-such-project-anywhere")
    reset_peak()
    before, _ = resident_mb()
    started = time.perf_counter()
    size = fetch(client, url)
    elapsed_ms = (time.perf_counter() - started) * 1000
    _, peak = resident_mb()
    print(
        json.dumps(
            {
                "peak_mb": round(peak, 1),
                "growth_mb": round(peak - before, 1),
                "bytes": size,
                "ms": round(elapsed_ms, 1),
            }
        )
    )


class CaseFailed(Exception):
    """A page did not answer 200, or answered something else than expected."""


def measure_size(size, *, backend, seed, requests, explain_plans, cases=CASES):
    """Build the portfolio, measure every case; return (rows, plans, failures).

    A case that fails is reported and left out; the others are still measured.
    """
    from django.db import connection
    from django.test import Client

    officer, grantee = prepare_portfolio(size, seed=seed, backend=backend)
    urls, rows_matched = choose_urls(size)
    staff, portal = Client(), Client()
    staff.force_login(officer)
    portal.force_login(grantee)
    context = {
        "size": size,
        "backend": backend,
        "requests": requests,
        "urls": urls,
        "rows_matched": rows_matched,
        "officer": officer,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(
            timespec="seconds"
        ),
    }
    results, plans, failures = [], {}, []
    for case in CASES:
        if case not in urls or case not in cases:
            continue
        client = portal if case == "portal_home" else staff
        try:
            row, statements = measure_case(case, client, **context)
            if explain_plans and case in ("dashboard", "projects_table") and statements:
                plans[case] = explain(statements)
        except Exception as error:  # noqa: BLE001 - reported, then the next case
            connection.close()
            failures.append(f"{case} at {size:,} projects on {backend}: {error}")
            print(f"  {case}: FAILED: {error}", flush=True)
            continue
        results.append(row)
        print("  " + summary_line(row), flush=True)
    if explain_plans:
        try:
            plans["sweep"] = explain([sweep_candidate_statement()])
        except Exception as error:  # noqa: BLE001 - the pages' figures still count
            failures.append(f"plan of the sweep's candidate query: {error}")
            print(f"  no plan for the sweep's candidate query: {error}")
    return results, plans, failures


def measure_case(
    case, client, *, size, backend, requests, urls, rows_matched, officer, measured_at
):
    """Measure one case; return its row and the first URL's page statements."""
    warm_up(client, urls[case])
    counts, statements = capture(client, urls[case])
    floors = case != "export_csv" and all(statements)
    times, totals, per_statement = time_case(
        client, urls[case], statements if floors else None, requests
    )
    row = {
        "case": case,
        "projects": size,
        "backend": backend,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "queries": max(counts),
        "url": urls[case][0] if len(urls[case]) == 1 else urls[case],
        "requests": requests,
    }
    if min(counts) != max(counts):
        row["queries_min"] = min(counts)
    if case in rows_matched:
        row["rows"] = rows_matched[case]
    if case == "export_csv":
        var_dir = os.environ["KHANIJ_VAR_DIR"]
        memory = export_memory(urls[case][0], officer.pk, var_dir=var_dir)
        row["peak_mb"] = memory["peak_mb"]
        row["growth_mb"] = memory["growth_mb"]
        row["bytes"] = memory["bytes"]
        if size > EXPORT_ROWS:
            everything = export_memory(
                f"{urls['projects_table'][0]}?_export=csv", officer.pk, var_dir=var_dir
            )
            row["all_rows"] = size
            row["all_rows_ms"] = everything["ms"]
            row["all_rows_peak_mb"] = everything["peak_mb"]
            row["all_rows_growth_mb"] = everything["growth_mb"]
    elif floors:
        row["floor_ms"] = round(statistics.median(totals), 1)
        row["floor_p95_ms"] = round(percentile(totals, 0.95), 1)
        row["floor_statements"] = len(statements[0])
        row["ratio"] = round(row["p50_ms"] / row["floor_ms"], 1)
        slowest = sorted(
            zip(per_statement, statements[0], strict=True),
            key=lambda pair: -pair[0],
        )[:3]
        row["slowest_sql"] = [
            {"ms": round(elapsed, 1), "purpose": describe(sql)}
            for elapsed, (sql, _) in slowest
        ]
    row["measured_at"] = measured_at
    return row, statements[0] if floors else None


def summary_line(row):
    text = (
        f"{row['case']:<18} {row['projects']:>7,} p50 {row['p50_ms']:>8,.1f} ms  "
        f"p95 {row['p95_ms']:>8,.1f} ms  {row['queries']:>3} queries"
    )
    if "floor_ms" in row:
        text += f"  floor {row['floor_ms']:,.1f} ms ({row['ratio']:.1f}x)"
    if "peak_mb" in row:
        text += f"  peak {row['peak_mb']:,.0f} MB (+{row['growth_mb']:,.0f})"
    if "rows" in row:
        text += f"  {row['rows']:,} rows"
    return text


def run_worker(args):
    """One size on one backend, in this process; write the rows to ``--result``."""
    scratch = Path(tempfile.mkdtemp(prefix="khanij-bench-pages-"))
    # WhiteNoise looks for collected static files there; none are needed.
    (scratch / "static").mkdir()
    set_django_environment(scratch)
    clean_ups = [lambda: shutil.rmtree(scratch, ignore_errors=True)]
    try:
        if args.backend == "postgresql":
            name = f"khanij_bench_pages_{args.size}_{os.getpid()}"
            url, drop = postgresql_scratch(os.environ["DATABASE_URL"], name)
            os.environ["DATABASE_URL"] = url
            clean_ups.insert(0, drop)
        else:
            os.environ.pop("DATABASE_URL", None)
        setup_django()
        rows, plans, failures = measure_size(
            args.size,
            backend=args.backend,
            seed=args.seed,
            requests=args.requests,
            explain_plans=args.explain,
            cases=args.cases,
        )
    finally:
        for clean_up in clean_ups:
            clean_up()
    Path(args.result).write_text(
        json.dumps({"rows": rows, "plans": plans, "failures": failures})
    )


# Orchestration --------------------------------------------------------------------


def plan_runs(args):
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    runs = []
    server = None
    for backend in backends:
        sizes = args.sizes or DEFAULT_SIZES[backend]
        if backend == "sqlite" and args.backend == "both":
            skipped = [size for size in sizes if size > SQLITE_MAX_SIZE]
            if skipped:
                print(
                    f"SQLite: skipping {', '.join(f'{s:,}' for s in skipped)} "
                    "projects (the largest sizes run on PostgreSQL only)."
                )
            sizes = [size for size in sizes if size <= SQLITE_MAX_SIZE]
        if backend == "postgresql":
            server = postgresql_server()
            if server is None:
                continue
        runs += [(backend, size) for size in sizes]
    return runs, server


def run_all(args):
    runs, server = plan_runs(args)
    largest = max(
        (size for backend, size in runs if backend == "postgresql"), default=0
    )
    rows, plans, failures = [], {}, []
    started = time.perf_counter()
    for backend, size in runs:
        print(f"Pages on {backend}, {size:,} projects:", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json") as result:
            command = [
                sys.executable,
                __file__,
                "--worker",
                "--backend",
                backend,
                "--size",
                str(size),
                "--requests",
                str(args.requests),
                "--seed",
                str(args.seed),
                "--cases",
                ",".join(args.cases),
                "--result",
                result.name,
            ]
            if backend == "postgresql" and size == largest:
                command.append("--explain")
            env = dict(os.environ)
            if backend == "postgresql":
                env["DATABASE_URL"] = server
            else:
                env.pop("DATABASE_URL", None)
            run_started = time.perf_counter()
            finished = subprocess.run(command, env=env, check=False)
            text = Path(result.name).read_text()
        print(f"  ({time.perf_counter() - run_started:,.0f} s)")
        if finished.returncode != 0 or not text:
            failures.append(
                f"{size:,} projects on {backend}: the run stopped "
                f"(exit status {finished.returncode})"
            )
            continue
        output = json.loads(text)
        rows += output["rows"]
        failures += output["failures"]
        if output["plans"]:
            plans = {
                "backend": backend,
                "projects": size,
                "measured_at": output["rows"][0]["measured_at"],
                "queries": output["plans"],
            }
    print(f"Page benchmarks done in {time.perf_counter() - started:,.0f} s.")
    return rows, plans, failures


# Reporting ------------------------------------------------------------------------


def merge_rows(new_rows):
    rows = json.loads(JSON_FILE.read_text()) if JSON_FILE.exists() else []
    keys = {(row["case"], row["projects"], row["backend"]) for row in new_rows}
    rows = [
        row
        for row in rows
        if (row.get("case"), row.get("projects"), row.get("backend")) not in keys
    ]
    rows += new_rows
    order = {case: index for index, case in enumerate([*CASES, "sweep"])}
    rows.sort(
        key=lambda row: (
            order.get(row.get("case"), len(order)),
            row.get("backend", ""),
            row.get("projects", 0),
        )
    )
    return rows


def replace_section(text, heading, section):
    """Put ``section`` in place of the one under ``heading`` (or before the sweep's)."""
    section = section.rstrip("\n") + "\n"

    def find(title):
        found = re.search(rf"^{re.escape(title)}$", text, re.M)
        return found.start() if found else -1

    start = find(heading)
    if start != -1:
        following = text.find("\n## ", start + len(heading))
        after = text[following + 1 :] if following != -1 else ""
        return text[:start] + section + ("\n" + after if after else "")
    sweep = find(SWEEP_SECTION)
    if sweep != -1:
        return text[:sweep] + section + "\n" + text[sweep:]
    return text.rstrip("\n") + "\n\n" + section


def ms(value):
    if value is None:
        return "–"
    if value >= 10_000:
        return f"{value / 1000:,.1f} s"
    return f"{value:,.0f} ms" if value >= 100 else f"{value:,.1f} ms"


def pages_section(rows):
    lines = [
        PAGES_SECTION,
        "",
        "The staff dashboard, the projects table, a project page, a grantee's portal "
        "home and the CSV export, measured by `make bench` (`bench/pages.py`) on "
        "generated portfolios. The reminder sweep has a section of its own below. "
        "Re-run parts with `.venv/bin/python bench/pages.py --backend postgresql "
        "--sizes 100000 --cases dashboard` (`--requests N`, `--no-write` to print "
        "only); `--render-only` rewrites this section and the targets from "
        "`benchmarks.json`.",
        "",
        "*Floor* is the page's own SQL run straight on the database; *ratio* is page "
        "p50 over floor p50, the figure to steer by: the page's time divided by the "
        "time its database work needs.",
        "",
    ]
    for backend, title in (("postgresql", "PostgreSQL"), ("sqlite", "SQLite")):
        selected = [
            r for r in rows if r.get("backend") == backend and r.get("case") in CASES
        ]
        if not selected:
            continue
        lines += [
            f"### {title}",
            "",
            "| case | projects | p50 | p95 | queries | floor (p50) | ratio | "
            "peak memory | measured |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for row in selected:
            queries = str(row["queries"])
            if "queries_min" in row:
                queries = f"{row['queries_min']}–{row['queries']}"
            case = row["case"]
            if "rows" in row and case == "export_csv":
                case += f" ({row['rows']:,} rows)"
            ratio = f"{row['ratio']:.1f}x" if "ratio" in row else ""
            peak = (
                f"{row['peak_mb']:,.0f} MB (+{row.get('growth_mb', 0):,.0f})"
                if "peak_mb" in row
                else ""
            )
            lines.append(
                f"| {case} | {row['projects']:,} | {ms(row['p50_ms'])} | "
                f"{ms(row['p95_ms'])} | {queries} | "
                f"{ms(row['floor_ms']) if 'floor_ms' in row else ''} | "
                f"{ratio} | {peak} | "
                f"{row['measured_at'][:10]} |"
            )
        lines.append("")
    lines += [
        "What each case requests (filter values are chosen from the generated data, "
        "which is the same on both backends):",
        "",
        "| case | request | projects | rows matched |",
        "| --- | --- | --- | --- |",
    ]
    requests = {}
    for row in rows:
        if row.get("case") not in CASES or "url" not in row:
            continue
        urls = row["url"] if isinstance(row["url"], list) else [row["url"]]
        if row["case"] == "project_page":
            shown = f"`/staff/projects/<pk>/`, {len(urls)} ongoing projects in turn"
        else:
            shown = f"`{urls[0]}`"
        matched = f"{row['rows']:,}" if "rows" in row else ""
        sizes = requests.setdefault((row["case"], shown, matched), set())
        sizes.add(row["projects"])
    for (case, shown, matched), sizes in sorted(
        requests.items(), key=lambda item: (CASES.index(item[0][0]), min(item[1]))
    ):
        lines.append(
            f"| {case} | {shown} | {', '.join(f'{n:,}' for n in sorted(sizes))} | "
            f"{matched} |"
        )
    lines += [
        "",
        "How it is measured:",
        "",
        "- Each size gets a throwaway database: migrate, `manage.py "
        "generate_portfolio --projects N --seed 1`, then `VACUUM ANALYZE` on "
        "PostgreSQL (what autovacuum keeps a live database at). "
        "One organisation is given exactly 50 projects (moved from others) and its "
        "principal investigator, who has a Membership, is the grantee of "
        "`portal_home`. Staff pages are requested as a generated programme officer "
        "in the Programme officer group.",
        "- Requests go through the Django test client in the benchmark's process, "
        "with the whole middleware stack and `DEBUG` off (the second factor and the "
        "login lockout switched off as in the tests). Response bodies, streamed "
        "ones included, are read to the end. Two warm-up requests (one per project "
        "for the project pages), then 20 timed ones (`--requests`; `requests` in "
        "`benchmarks.json`); p95 is the nearest-rank 95th percentile, the second "
        "slowest of 20.",
        "- *Queries* are counted in a separate, untimed pass after the warm-up, "
        "with `CaptureQueriesContext` (one request per URL; a range when the "
        "project pages differ). They include what every signed-in request costs: "
        "the session and user lookups and the session save. Transaction "
        "control (`BEGIN`, `COMMIT`, savepoints: the session save is a "
        "transaction of its own) is not counted as a query.",
        "- *Floor*: the SELECT statements of that pass, captured with their "
        "parameters through `connection.execute_wrapper`, less the session, user "
        "and permission lookups, are run again on a plain cursor with every row "
        "fetched. Each timed page request is followed by one floor run, so both "
        "see the same load on the machine; the floor is the median run.",
        "- *Peak memory* (export only): the peak resident set size (VmHWM) of a "
        "fresh process that loads Django, logs in, runs one empty export to load "
        "the code, then the measured export; the figure in brackets is the growth "
        "during that export, the rest is Python and Django. (`ru_maxrss` would "
        "report the parent's peak: Linux carries it across fork and exec.) At "
        "100,000 projects the export is filtered to the stage or fiscal year "
        "nearest to 10,000 rows, and an export of every row is measured as well.",
        "- One 2-core machine runs the database, the client and whatever else is "
        "running; compare runs made on a quiet machine.",
        "",
    ]
    large = [
        r
        for r in rows
        if r.get("case") == "export_csv" and r.get("all_rows_peak_mb") is not None
    ]
    for row in large:
        lines.append(
            f"Export of all {row['all_rows']:,} rows on {row['backend']}: "
            f"{row['all_rows_ms'] / 1000:,.1f} s, peak memory "
            f"{row['all_rows_peak_mb']:,.0f} MB (+{row['all_rows_growth_mb']:,.0f} "
            f"during the export), against {row['peak_mb']:,.0f} MB "
            f"(+{row['growth_mb']:,.0f}) for {row['rows']:,} rows."
        )
    if large:
        lines.append("")
    return "\n".join(lines)


def find(rows, case, backend, projects):
    for row in rows:
        if (row.get("case"), row.get("backend"), row.get("projects")) == (
            case,
            backend,
            projects,
        ):
            return row
    return None


def verdict(value, limit, unit="ms"):
    def amount(number):
        return ms(number) if unit == "ms" else f"{number:,.0f} {unit}"

    if value < limit:
        return f"met ({amount(limit - value)} to spare)"
    return f"**missed by {amount(value - limit)}** ({value / limit:.1f}x the target)"


def slowest_text(row):
    slowest = row.get("slowest_sql") or []
    if not slowest:
        return ""
    top = slowest[0]
    return f" The slowest statement ({ms(top['ms'])}) {top['purpose']}."


# What a profile of each page showed, and what would come next.
PYTHON_NEXT_STEPS = {
    "project_page": (
        "a profile shows Django's template engine rendering a dozen sections "
        "(finance by year and head, instalments, every milestone, reports, UCs, "
        "documents, reminders). Next: cache each section's HTML keyed by the "
        "project summary's version (it changes with every save that matters), so "
        "an unchanged project renders from the cache."
    ),
    "portal_home": (
        "a profile shows the template rendering about 170 table rows: the 50 "
        "projects and every item due within six months (the generated portfolio "
        "has many overdue items per grantee). Next: list the first 20 due items "
        "with a count and a link to the rest, and cache the projects table's rows "
        "by the summaries' versions."
    ),
    "projects_table": (
        "rendering 25 rows and the filter form (choice lists of schemes, "
        "elements, states and officers) through django-tables2 and "
        "django-filter. Next: cache the filter form's choices."
    ),
}


def page_step(label, row, limit, sql_hint):
    """Say where a page that misses its target spends its time, and what next."""
    p50, p95 = row["p50_ms"], row["p95_ms"]
    floor = row.get("floor_ms", 0)
    text = (
        f"- {label[0].upper()}{label[1:]}, {ms(p95)} p95 against {limit:,} ms: SQL "
        f"floor {ms(floor)}, the rest {ms(p50 - floor)} (p50)."
    )
    if floor >= 0.5 * p50:
        text += f" The SQL is most of it: {sql_hint}."
    else:
        text += " Most of it is Python: " + PYTHON_NEXT_STEPS.get(
            row["case"],
            "profile one request (cProfile) and cut the view's and the template's "
            "work.",
        )
    if p95 > 1.5 * p50:
        text += (
            f" The p95 is {p95 / p50:.1f}x the p50 ({ms(p50)}, "
            f"{'under' if p50 < limit else 'over'} the target): a few requests are "
            "much slower than the rest; find what they do that the others do not."
        )
    return text + slowest_text(row)


def targets_section(rows):
    size, backend = 100_000, "postgresql"
    lines = [
        TARGETS_SECTION,
        "",
        f"The issue's targets against the figures at {size:,} projects on "
        "PostgreSQL (the sweep: its own 1,000,000-milestone portfolio). p95 is the "
        "figure compared unless the target names another. Written by "
        "`bench/pages.py` from `benchmarks.json`.",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
    ]
    steps, absent = [], []

    def missing(name):
        absent.append(name)
        lines.append(f"| {name} | not measured | run `make bench` |")

    dashboard = find(rows, "dashboard", backend, size)
    if dashboard:
        lines.append(
            f"| dashboard p95 under 300 ms | {ms(dashboard['p95_ms'])} | "
            f"{verdict(dashboard['p95_ms'], 300)} |"
        )
        if dashboard["p95_ms"] >= 300:
            floor = dashboard.get("floor_ms", 0)
            steps.append(
                f"- Dashboard, {ms(dashboard['p95_ms'])} p95: its SQL alone takes "
                f"{ms(floor)} (p50) and the rest of the page "
                f"{ms(dashboard['p50_ms'] - floor)}. "
                + (
                    "The page already reads the per-project summaries "
                    "(`grants/summaries.py`), so what is left is one pass over "
                    "every summary row for the grouped figures and the TRL view, "
                    "one over every released instalment for releases by date, and "
                    "the work-queue counts (plans below). Next step: a rollup "
                    "table, one row per fiscal year, scheme, kind, stage and "
                    "status (about a thousand rows at this size) kept by the "
                    "summary refresh adding each project's old-to-new difference "
                    "in the same transaction, and releases summed per month as "
                    "they are recorded; the dashboard would then read a thousand "
                    "rows instead of a hundred thousand."
                )
                + slowest_text(dashboard)
            )
        if "ratio" in dashboard:
            ratio = dashboard["ratio"]
            lines.append(
                f"| dashboard within 3x its SQL floor | {ms(dashboard['p50_ms'])} "
                f"over {ms(dashboard['floor_ms'])} = {ratio:.1f}x (p50) | "
                + (
                    f"met ({3 - ratio:.1f}x to spare)"
                    if ratio <= 3
                    else f"**missed by {ratio - 3:.1f}x**: the page would have to "
                    f"take {ms(3 * dashboard['floor_ms'])}, "
                    f"{ms(dashboard['p50_ms'] - 3 * dashboard['floor_ms'])} less"
                )
                + " |"
            )
            if ratio > 3:
                steps.append(
                    f"- Dashboard ratio {ratio:.1f}x: "
                    f"{ms(dashboard['p50_ms'] - dashboard['floor_ms'])} of the "
                    "page's p50 is spent outside the database (building objects, "
                    "charts and the template). Profile one request and move "
                    "per-row Python work into the aggregate queries."
                )
    else:
        missing("dashboard p95 under 300 ms, within 3x its SQL floor")

    for case, label in (
        ("projects_table", "projects table, first page"),
        ("projects_sorted", "projects table sorted by released amount"),
        ("projects_filtered", "projects table filtered by stage and FY"),
        ("projects_search", "projects table, free-text search"),
    ):
        row = find(rows, case, backend, size)
        if not row:
            missing(f"{label} p95 under 200 ms")
            continue
        lines.append(
            f"| {label} p95 under 200 ms | {ms(row['p95_ms'])} | "
            f"{verdict(row['p95_ms'], 200)} |"
        )
        if row["p95_ms"] >= 200:
            steps.append(
                page_step(
                    label,
                    row,
                    200,
                    "an index matching the sort or filter, a count that does not "
                    "join what it does not filter on, or a stored total instead "
                    "of a per-row subquery (plans below)",
                )
            )

    for case, label in (
        ("project_page", "project page"),
        ("portal_home", "portal home (50 projects)"),
    ):
        row = find(rows, case, backend, size)
        if not row:
            missing(f"{label} under 50 ms")
            continue
        lines.append(
            f"| {label} under 50 ms | p50 {ms(row['p50_ms'])}, p95 "
            f"{ms(row['p95_ms'])} | {verdict(row['p95_ms'], 50)} |"
        )
        if row["p95_ms"] >= 50:
            steps.append(
                page_step(
                    label,
                    row,
                    50,
                    "fewer and cheaper statements, starting with the slowest",
                )
            )

    page_cases = [case for case in CASES if case != "export_csv"]
    by_size = {}
    for row in rows:
        if row.get("backend") == backend and row.get("case") in page_cases:
            by_size.setdefault(row["case"], {})[row["projects"]] = row["queries"]
    if by_size:
        worst = max(max(counts.values()) for counts in by_size.values())
        growing = [
            case for case, counts in by_size.items() if len(set(counts.values())) > 1
        ]
        detail = "; ".join(
            f"{case} " + " / ".join(f"{counts[n]}" for n in sorted(counts))
            for case, counts in by_size.items()
        )
        sizes = sorted({n for counts in by_size.values() for n in counts})
        lines.append(
            f"| SQL queries per page constant in size and at most 15 | at "
            f"{' / '.join(f'{n:,}' for n in sizes)} projects: {detail} | "
            + (
                "met"
                if worst <= 15 and not growing
                else "**missed**: "
                + ", ".join(
                    filter(
                        None,
                        [
                            f"{worst} queries at most, {worst - 15} over"
                            if worst > 15
                            else "",
                            f"{', '.join(growing)} change with size" if growing else "",
                        ],
                    )
                )
            )
            + " |"
        )
        if worst > 15:
            over = [
                f"{case} ({max(counts.values())})"
                for case, counts in by_size.items()
                if max(counts.values()) > 15
            ]
            steps.append(
                f"- Queries over 15: {', '.join(over)}. Fold lookups into the main "
                "query (`select_related`, annotations) or prefetch them together."
            )
        if growing:
            steps.append(
                f"- Query counts change with size on {', '.join(growing)}: a query "
                "per row somewhere; find it with the captured SQL of the larger run."
            )

    export = find(rows, "export_csv", backend, size) or find(
        rows, "export_csv", backend, 10_000
    )
    if export:
        where = f"{export['rows']:,} rows of {export['projects']:,} projects"
        lines.append(
            f"| CSV export of 10,000 rows under 5 s | {where}: "
            f"{ms(export['p95_ms'])} | {verdict(export['p95_ms'], 5000)} |"
        )
        lines.append(
            f"| CSV export streams, under 150 MB peak | {export['peak_mb']:,.0f} MB "
            f"(+{export.get('growth_mb', 0):,.0f} during the export)"
            + (
                f"; all {export['all_rows']:,} rows: "
                f"{export['all_rows_peak_mb']:,.0f} MB "
                f"(+{export['all_rows_growth_mb']:,.0f})"
                if "all_rows_peak_mb" in export
                else ""
            )
            + f" | {verdict(export['peak_mb'], 150, 'MB')} |"
        )
        if export["p95_ms"] >= 5000:
            steps.append(
                f"- Export, {ms(export['p95_ms'])} for {export['rows']:,} rows: "
                f"{export['rows'] / export['p50_ms'] * 1000:,.0f} rows/s; read the "
                "totals in the export query without per-row subqueries."
            )
        if export["peak_mb"] >= 150:
            steps.append(
                f"- Export memory {export['peak_mb']:,.0f} MB: check the rows are "
                "read with a server-side cursor in chunks and written as they come."
            )
    else:
        missing("CSV export of 10,000 rows under 5 s and 150 MB")

    sweeps = [r for r in rows if r.get("case") == "sweep"]
    for sweep in sorted(sweeps, key=lambda r: r.get("backend") != "postgresql"):
        label = (
            f"reminder sweep over {sweep.get('milestones', 0):,} milestones "
            f"({sweep['backend']}, {sweep.get('broker', '')}, measured "
            f"{sweep['measured_at'][:10]})"
        )
        lines.append(
            f"| {label} under 60 s | p95 {ms(sweep['p95_ms'])} a day; first "
            f"(catch-up) sweep {sweep.get('first_run_ms', 0) / 1000:,.1f} s | "
            f"{verdict(max(sweep['p95_ms'], sweep.get('first_run_ms', 0)), 60_000)}"
            " |"
        )
        lines.append(
            f"| {label} under 300 MB | {sweep['peak_mb']:,.0f} MB | "
            f"{verdict(sweep['peak_mb'], 300, 'MB')} |"
        )
        if max(sweep["p95_ms"], sweep.get("first_run_ms", 0)) >= 60_000:
            steps.append("- Sweep over 60 s: see the candidate query's plan below.")
    if not sweeps:
        missing("reminder sweep under 60 s and 300 MB")

    lines.append("")
    if steps:
        lines += ["Next steps for the targets missed:", "", *steps, ""]
    else:
        lines += ["Every target measured is met.", ""]
    if absent:
        lines += [f"Not measured yet: {len(absent)} of the targets above.", ""]
    return "\n".join(lines)


def plans_section(plans):
    lines = [
        PLANS_SECTION,
        "",
        f"`EXPLAIN (ANALYZE, BUFFERS)` on {plans['backend']} at "
        f"{plans['projects']:,} projects ({plans['measured_at'][:10]}), written by "
        "`bench/pages.py`: every SELECT of the dashboard and of the projects "
        "table's first page (session and user lookups left out), and the reminder "
        "sweep's candidate query on this portfolio's milestones. Each plan comes "
        "with what the statement reads and computes, taken from its SQL.",
        "",
    ]
    titles = {
        "dashboard": "### Dashboard (`/staff/`)",
        "projects_table": "### Projects table, first page (`/staff/projects/`)",
        # Not "## Reminder sweep" inside: bench/sweep.py finds its section by it.
        "sweep": "### The sweep's candidate milestones",
    }
    for key, title in titles.items():
        queries = plans["queries"].get(key)
        if not queries:
            continue
        lines += [title, ""]
        for number, query in enumerate(queries, start=1):
            lines += [
                f"{number}. {query['purpose'][0].upper()}{query['purpose'][1:]}.",
                "",
                "```",
                query["plan"],
                "```",
                "",
            ]
    return "\n".join(lines)


def write_results(new_rows, plans, *, write=True):
    """Merge the rows into the JSON file and rewrite the sections (or print them)."""
    rows = merge_rows(new_rows)
    sections = [
        (PAGES_SECTION, pages_section(rows)),
        (TARGETS_SECTION, targets_section(rows)),
    ]
    if plans:
        sections.append((PLANS_SECTION, plans_section(plans)))
    if not write:
        print("\n".join(section for _, section in sections))
        return
    JSON_FILE.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    text = MARKDOWN_FILE.read_text() if MARKDOWN_FILE.exists() else "# Benchmarks\n"
    for heading, section in sections:
        text = replace_section(text, heading, section)
    MARKDOWN_FILE.write_text(text)


def main():
    args = parse_arguments()
    if args.export_memory:
        run_export_memory(args.export_memory, args.user)
        return
    if args.requests < 1:
        raise SystemExit("--requests must be at least 1.")
    unknown = set(args.cases) - set(CASES)
    if unknown:
        raise SystemExit(f"Unknown cases: {', '.join(sorted(unknown))}.")
    if args.worker:
        run_worker(args)
        return
    if args.render_only:
        write_results([], {}, write=not args.no_write)
        return
    rows, plans, failures = run_all(args)
    if rows:
        write_results(rows, plans, write=not args.no_write)
        if not args.no_write:
            print(
                f"Written to {JSON_FILE.relative_to(BASE_DIR)} and "
                f"{MARKDOWN_FILE.relative_to(BASE_DIR)}."
            )
    else:
        print("Nothing was measured.")
    if failures:
        print("Not measured:\n" + "\n".join(f"  {failure}" for failure in failures))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
