"""Measuring the cases: timed requests, query counts, SQL floors, export memory."""

import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time

from sweep import percentile

from pagebench.concurrency import measure_concurrency
from pagebench.config import (
    ADMIN_CASES,
    API_CASES,
    CASES,
    CONCURRENCY_CASE,
    EXPORT_ROWS,
    PAGES_SCRIPT,
    TRANSACTION_CONTROL,
    WARM_UP,
)
from pagebench.databases import setup_django
from pagebench.floors import (
    describe,
    explain,
    is_page_sql,
    run_statements,
    sweep_candidate_statement,
)
from pagebench.portfolio import choose_urls, prepare_portfolio


class Recorder:
    """Keep every statement a request runs, with its parameters."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


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


def warm_up(client, urls, prepare):
    """Request the pages before anything is counted or timed."""
    for index in range(max(WARM_UP, len(urls))):
        prepare()
        fetch(client, urls[index % len(urls)])


def clear_page_cache():
    """Empty the cache of rendered pages, so that the next request builds afresh.

    What the first view after a change costs. ``grants.page_cache.clear()`` when the
    app has it, else the "pages" cache alias; without either there is nothing to
    empty, and the page is built afresh every time anyway.
    """
    from django.conf import settings

    try:
        from grants import page_cache
    except ImportError:
        page_cache = None
    if page_cache is not None and callable(getattr(page_cache, "clear", None)):
        page_cache.clear()
    elif "pages" in settings.CACHES:
        from django.core.cache import caches

        caches["pages"].clear()


def nothing():
    """Prepare nothing before a request."""


# What is done before each request of a case, untimed and outside the query count.
# The cached pages built afresh: what the first view after a change costs.
UNCACHED = {
    "dashboard_uncached": "dashboard",
    "projects_table_uncached": "projects_table",
    "project_page_uncached": "project_page",
    "portal_home_uncached": "portal_home",
}
BEFORE_REQUEST = dict.fromkeys(UNCACHED, clear_page_cache)
# The cases whose statements get a query plan (EXPLAIN) at the largest size.
PLANNED = (
    "dashboard",
    "dashboard_uncached",
    "projects_table",
    "projects_table_uncached",
    "admin_search",
)


def capture(client, urls, prepare):
    """Run each URL once, untimed; return (queries per URL, page statements)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user_table = get_user_model()._meta.db_table
    counts, statements = [], []
    for url in urls:
        recorder = Recorder()
        prepare()
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


def time_case(client, urls, statements, requests, prepare):
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
        prepare()
        started = time.perf_counter()
        fetch(client, urls[index % len(urls)])
        pages.append((time.perf_counter() - started) * 1000)
        if floors:
            which = index % len(urls)
            totals.append(
                run_statements(statements[which], first if which == 0 else None)
            )
    return pages, totals, [statistics.median(times) for times in first.values()]


def export_memory(url, user_id, *, var_dir):
    """Measure one export in a fresh process; return its memory figures."""
    command = [
        sys.executable,
        str(PAGES_SCRIPT),
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

    officer, grantee, superuser = prepare_portfolio(size, seed=seed, backend=backend)
    urls, rows_matched = choose_urls(size, superuser)
    staff, portal, admin = Client(), Client(), Client()
    staff.force_login(officer)
    portal.force_login(grantee)
    admin.force_login(superuser)
    api = api_client(officer)
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
        client = staff
        if case == "portal_home":
            client = portal
        elif case in ADMIN_CASES:
            client = admin
        elif case in API_CASES:
            client = api
        try:
            row, statements = measure_case(case, client, **context)
            if explain_plans and case in PLANNED and statements:
                plans[case] = explain(statements)
        except Exception as error:  # noqa: BLE001 - reported, then the next case
            connection.close()
            failures.append(f"{case} at {size:,} projects on {backend}: {error}")
            print(f"  {case}: FAILED: {error}", flush=True)
            continue
        results.append(row)
        print("  " + summary_line(row), flush=True)
    # A cached page's plans say little once the afresh one's are there.
    for afresh, cached in UNCACHED.items():
        if afresh in plans:
            plans.pop(cached, None)
    if CONCURRENCY_CASE in cases and backend == "postgresql":
        try:
            row = measure_concurrency(size, backend=backend, seed=seed)
        except Exception as error:  # noqa: BLE001 - reported with the others
            failures.append(f"{CONCURRENCY_CASE} at {size:,} projects: {error}")
            print(f"  {CONCURRENCY_CASE}: FAILED: {error}", flush=True)
        else:
            row["measured_at"] = context["measured_at"]
            results.append(row)
            print("  " + concurrency_line(row), flush=True)
    if explain_plans:
        try:
            plans["sweep"] = explain([sweep_candidate_statement()])
        except Exception as error:  # noqa: BLE001 - the pages' figures still count
            failures.append(f"plan of the sweep's candidate query: {error}")
            print(f"  no plan for the sweep's candidate query: {error}")
    return results, plans, failures


def api_client(user):
    """A client that signs in with a new API token of ``user``, as a script would."""
    from django.test import Client

    try:
        from grants.models import ApiToken
    except ImportError:  # a checkout from before the API
        return Client()
    _token, secret = ApiToken.objects.create(
        user, expiry=None, name="page benchmark", second_factor=True
    )
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def measure_case(
    case, client, *, size, backend, requests, urls, rows_matched, officer, measured_at
):
    """Measure one case; return its row and the first URL's page statements."""
    prepare = BEFORE_REQUEST.get(case, nothing)
    warm_up(client, urls[case], prepare)
    counts, statements = capture(client, urls[case], prepare)
    floors = case != "export_csv" and all(statements)
    times, totals, per_statement = time_case(
        client, urls[case], statements if floors else None, requests, prepare
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
        # A page read from the cache may run no SQL of its own worth a tenth of
        # a millisecond: it has no ratio then.
        if row["floor_ms"] > 0:
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
        f"{row['case']:<20} {row['projects']:>7,} p50 {row['p50_ms']:>8,.1f} ms  "
        f"p95 {row['p95_ms']:>8,.1f} ms  {row['queries']:>3} queries"
    )
    if "floor_ms" in row:
        text += f"  floor {row['floor_ms']:,.1f} ms"
        if "ratio" in row:
            text += f" ({row['ratio']:.1f}x)"
    if "peak_mb" in row:
        text += f"  peak {row['peak_mb']:,.0f} MB (+{row['growth_mb']:,.0f})"
    if "rows" in row:
        text += f"  {row['rows']:,} rows"
    return text


def concurrency_line(row):
    return (
        f"{row['case']:<20} {row['projects']:>7,} {row['requests_per_second']:,.1f} "
        f"req/s  p50 {row['p50_ms']:,.1f} ms  p95 {row['p95_ms']:,.1f} ms  "
        f"{row['errors']} errors ({row['clients']} sessions, {row['workers']} "
        f"workers, {row['seconds']:.0f} s)"
    )
