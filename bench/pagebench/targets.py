"""The "Targets" section: each target met, or how far it is and what comes next."""

from pagebench.config import (
    CASES,
    CONCURRENCY_CASE,
    CONCURRENCY_CLIENTS,
    CONCURRENCY_WORKERS,
    TARGETS_SECTION,
)

# The targets, at 100,000 projects on PostgreSQL unless a row says otherwise.
SIZE, BACKEND, SMALL = 100_000, "postgresql", 1_000
DASHBOARD_MS = 60
# The dashboard's p95 at 100,000 projects over its own p95 at 1,000.
DASHBOARD_GROWTH = 1.5
# The page's p50 over its SQL floor's p50.
FLOOR_RATIO = 3
TABLE_MS = 80
PAGE_MS = 40
API_MS = 100
ADMIN_MS = 200
QUERIES = 15
CONCURRENT_PER_SECOND = 40
CONCURRENT_P95_MS = 400
EXPORT_MS, EXPORT_MB = 5_000, 150
SWEEP_MS, SWEEP_MB = 60_000, 300


def ms(value):
    """Write milliseconds for a reader: 12.3 ms, 456 ms, 12.3 s."""
    if value is None:
        return "–"
    if value >= 10_000:
        return f"{value / 1000:,.1f} s"
    return f"{value:,.0f} ms" if value >= 100 else f"{value:,.1f} ms"


def find(rows, case, backend, projects):
    for row in rows:
        if (row.get("case"), row.get("backend"), row.get("projects")) == (
            case,
            backend,
            projects,
        ):
            return row
    return None


def amount(number, unit):
    return ms(number) if unit == "ms" else f"{number:,.0f} {unit}"


def verdict(value, limit, unit="ms"):
    """A ceiling: met when ``value`` is at most ``limit``."""
    if value <= limit:
        return f"met ({amount(limit - value, unit)} to spare)"
    return (
        f"**missed by {amount(value - limit, unit)}** ({value / limit:.1f}x the target)"
    )


def verdict_at_least(value, floor, unit):
    """A floor: met when ``value`` is at least ``floor``."""
    if value >= floor:
        return f"met ({value - floor:,.1f} {unit} to spare)"
    return f"**missed by {floor - value:,.1f} {unit}** ({value / floor:.0%} of it)"


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
        "documents, reminders). It is served from the page cache until the "
        "portfolio changes; next: versions per project instead of one for the "
        "whole portfolio, so that a change elsewhere does not render it again."
    ),
    "portal_home": (
        "about half of it is Django building the SQL of fourteen statements, each "
        "scoped by the member's organisations through a nested subquery, and a "
        "round trip each. It is served from the page cache until the portfolio "
        "changes; next: fewer statements (the returned reports and certificates, "
        "the decisions and the reminders in one), and versions per organisation "
        "so that a change elsewhere does not render it again."
    ),
    "projects_table": (
        "rendering 25 rows through django-tables2 (about 0.8 ms a row, cell by "
        "cell) and the filter form. It is served from the page cache until the "
        "portfolio changes; next: a row template written for this table."
    ),
    "admin_projects": (
        "the admin renders 100 rows a page, a money column each through the "
        "project's formatting, and the filters' choices. Next: profile one "
        "request (cProfile) and cut the rows' formatting."
    ),
}
for _afresh, _cached in (
    ("projects_table_uncached", "projects_table"),
    ("project_page_uncached", "project_page"),
    ("portal_home_uncached", "portal_home"),
):
    PYTHON_NEXT_STEPS[_afresh] = PYTHON_NEXT_STEPS[_cached]
ADMIN_SQL_HINT = (
    "search `ProjectSummary.search_text` (trigram-indexed on PostgreSQL, as the "
    "staff projects table does) instead of matching words across joined tables, "
    "`show_full_result_count = False` so that every row is not counted again, and "
    "`list_select_related` for the columns shown (plans below)"
)


def where_time_goes(row):
    """The page's p50 split into its SQL floor and the rest."""
    if "floor_ms" not in row:
        return (
            f"{ms(row['p50_ms'])} p50, with no SQL of its own (the session and "
            "user lookups aside)."
        )
    floor = row["floor_ms"]
    return f"SQL floor {ms(floor)}, the rest {ms(row['p50_ms'] - floor)} (p50)."


def page_step(label, row, limit, sql_hint):
    """Say where a page that misses its target spends its time, and what next."""
    p50, p95 = row["p50_ms"], row["p95_ms"]
    floor = row.get("floor_ms", 0)
    text = f"- {label[0].upper()}{label[1:]}, {ms(p95)} p95 against {limit:,} ms: " + (
        where_time_goes(row)
    )
    if floor >= 0.5 * p50:
        text += f" The SQL is most of it: {sql_hint}."
    else:
        text += " Most of it is Python: " + PYTHON_NEXT_STEPS.get(
            row["case"],
            PYTHON_NEXT_STEPS["admin_projects"]
            if row["case"] == "admin_search"
            else "profile one request (cProfile) and cut the view's and the "
            "template's work.",
        )
    if p95 > 1.5 * p50:
        text += (
            f" The p95 is {p95 / p50:.1f}x the p50 ({ms(p50)}, "
            f"{'under' if p50 <= limit else 'over'} the target): a few requests are "
            "much slower than the rest; find what they do that the others do not."
        )
    return text + slowest_text(row)


class Table:
    """The rows of the targets table, the next steps, and what was not measured."""

    def __init__(self):
        self.lines, self.steps, self.absent = [], [], []

    def row(self, target, measured, verdict_text):
        self.lines.append(f"| {target} | {measured} | {verdict_text} |")

    def missing(self, target):
        self.absent.append(target)
        self.row(target, "not measured", "run `make bench`")


def dashboard_targets(table, rows):
    dashboard = find(rows, "dashboard", BACKEND, SIZE)
    afresh = find(rows, "dashboard_uncached", BACKEND, SIZE)
    small = find(rows, "dashboard", BACKEND, SMALL)
    if not dashboard:
        table.missing(f"dashboard p95 at most {DASHBOARD_MS} ms")
    else:
        p95 = dashboard["p95_ms"]
        table.row(
            f"dashboard p95 at most {DASHBOARD_MS} ms",
            ms(p95),
            verdict(p95, DASHBOARD_MS),
        )
        if p95 > DASHBOARD_MS:
            table.steps.append(dashboard_step(dashboard, afresh))
    growth_target = (
        f"dashboard p95 at {SIZE:,} projects at most {DASHBOARD_GROWTH}x its p95 "
        f"at {SMALL:,}"
    )
    if not (dashboard and small):
        table.missing(growth_target)
    else:
        growth = dashboard["p95_ms"] / small["p95_ms"]
        allowed = DASHBOARD_GROWTH * small["p95_ms"]
        table.row(
            growth_target,
            f"{ms(dashboard['p95_ms'])} over {ms(small['p95_ms'])} = {growth:.1f}x",
            f"met ({DASHBOARD_GROWTH - growth:.1f}x to spare)"
            if growth <= DASHBOARD_GROWTH
            else f"**missed by {growth - DASHBOARD_GROWTH:.1f}x**: {ms(allowed)} at "
            f"most, {ms(dashboard['p95_ms'] - allowed)} less",
        )
        if growth > DASHBOARD_GROWTH:
            table.steps.append(growth_step(small, dashboard))
    # The SQL floor says most about the dashboard built afresh: a page from the
    # cache has next to no SQL of its own.
    floored = afresh if afresh and "ratio" in afresh else dashboard
    if floored and "ratio" in floored:
        ratio = floored["ratio"]
        built = " built afresh" if floored["case"] == "dashboard_uncached" else ""
        table.row(
            f"dashboard{built} within {FLOOR_RATIO}x its SQL floor",
            f"{ms(floored['p50_ms'])} over {ms(floored['floor_ms'])} = {ratio:.1f}x "
            "(p50)",
            f"met ({FLOOR_RATIO - ratio:.1f}x to spare)"
            if ratio <= FLOOR_RATIO
            else f"**missed by {ratio - FLOOR_RATIO:.1f}x**: the page would have to "
            f"take {ms(FLOOR_RATIO * floored['floor_ms'])}, "
            f"{ms(floored['p50_ms'] - FLOOR_RATIO * floored['floor_ms'])} less",
        )
        if ratio > FLOOR_RATIO:
            table.steps.append(
                f"- Dashboard{built}, ratio {ratio:.1f}x: "
                f"{ms(floored['p50_ms'] - floored['floor_ms'])} of the page's p50 is "
                "spent outside the database (building objects, charts and the "
                "template). Profile one request and move per-row Python work into "
                "the aggregate queries."
            )
    elif dashboard:
        table.missing(f"dashboard within {FLOOR_RATIO}x its SQL floor")


def dashboard_step(dashboard, afresh):
    p50, p95 = dashboard["p50_ms"], dashboard["p95_ms"]
    floor = dashboard.get("floor_ms", 0)
    text = f"- Dashboard, {ms(p95)} p95 against {DASHBOARD_MS} ms: " + (
        where_time_goes(dashboard)
    )
    if afresh:
        text += (
            f" Built afresh (page cache emptied before each request) it takes "
            f"{ms(afresh['p50_ms'])} p50, {ms(afresh['p95_ms'])} p95"
        )
        if p50 >= 0.8 * afresh["p50_ms"]:
            text += (
                ": the page cache saves little or nothing. Check that the page is "
                "served from it (its key, and what empties it)."
            )
        else:
            text += (
                f"; the cache takes it to {ms(p50)}, and what is left is the "
                "request's own cost (session, user, permissions, middleware) and "
                "whatever the cached page still reads."
            )
    if floor >= 0.5 * p50:
        text += (
            " The SQL is most of it: read the rollup rows, not rows per project "
            "(plans below)."
        )
    else:
        text += " Most of it is Python: profile one request (cProfile)."
    return text + slowest_text(afresh or dashboard)


def growth_step(small, large):
    text = (
        f"- Dashboard grows with the portfolio: p95 {ms(small['p95_ms'])} at "
        f"{small['projects']:,} projects, {ms(large['p95_ms'])} at "
        f"{large['projects']:,} ({large['p95_ms'] / small['p95_ms']:.1f}x)."
    )
    if "floor_ms" in small and "floor_ms" in large:
        sql = large["floor_ms"] - small["floor_ms"]
        grown = large["p50_ms"] - small["p50_ms"]
        text += (
            f" Its SQL floor went from {ms(small['floor_ms'])} to "
            f"{ms(large['floor_ms'])}, {ms(sql)} of the {ms(grown)} the p50 grew"
        )
        if grown > 0 and sql >= 0.5 * grown:
            text += (
                ": some statement still reads rows in proportion to the portfolio "
                "(projects, summaries, instalments, milestones) rather than a "
                "rollup of fixed size."
            )
        else:
            text += (
                ": the Python work grows; something iterates over rows per "
                "project. Profile one request at each size."
            )
    return text + slowest_text(large)


def table_targets(table, rows):
    hint = (
        "an index matching the sort or filter, a count that does not join what it "
        "does not filter on, or a stored total instead of a per-row subquery "
        "(plans below)"
    )
    checks = [
        ("projects_table", "projects table, first page", TABLE_MS, hint),
        ("projects_sorted", "projects table sorted by released amount", TABLE_MS, hint),
        (
            "projects_filtered",
            "projects table filtered by stage and FY",
            TABLE_MS,
            hint,
        ),
        ("projects_search", "projects table, free-text search", TABLE_MS, hint),
        (
            "projects_table_uncached",
            "projects table, first page built afresh",
            TABLE_MS,
            hint,
        ),
        (
            "project_page",
            "project page",
            PAGE_MS,
            "fewer and cheaper statements, starting with the slowest",
        ),
        (
            "project_page_uncached",
            "project page built afresh",
            PAGE_MS,
            "fewer and cheaper statements, starting with the slowest",
        ),
        (
            "portal_home",
            "portal home (50 projects)",
            PAGE_MS,
            "fewer and cheaper statements, starting with the slowest",
        ),
        (
            "portal_home_uncached",
            "portal home (50 projects) built afresh",
            PAGE_MS,
            "fewer and cheaper statements, starting with the slowest",
        ),
        (
            "api_projects",
            "API, a page of 100 projects",
            API_MS,
            "the rows' related objects in one query each (select_related, "
            "prefetch_related), never one per row",
        ),
        (
            "api_releases",
            "API, 100 of this fiscal year's releases",
            API_MS,
            "an index on the release date, and the conditions prefetched",
        ),
        ("admin_projects", "Django admin, project list", ADMIN_MS, ADMIN_SQL_HINT),
        ("admin_search", "Django admin, project search", ADMIN_MS, ADMIN_SQL_HINT),
    ]
    for case, label, limit, sql_hint in checks:
        target = f"{label} p95 at most {limit} ms"
        row = find(rows, case, BACKEND, SIZE)
        if not row:
            table.missing(target)
            continue
        table.row(
            target,
            f"p50 {ms(row['p50_ms'])}, p95 {ms(row['p95_ms'])}",
            verdict(row["p95_ms"], limit),
        )
        if row["p95_ms"] > limit:
            table.steps.append(page_step(label, row, limit, sql_hint))


def query_targets(table, rows):
    page_cases = [case for case in CASES if case != "export_csv"]
    by_size = {}
    for row in rows:
        if row.get("backend") == BACKEND and row.get("case") in page_cases:
            by_size.setdefault(row["case"], {})[row["projects"]] = row["queries"]
    target = f"SQL queries per page constant in size and at most {QUERIES}"
    if not by_size:
        table.missing(target)
        return
    worst = max(max(counts.values()) for counts in by_size.values())
    growing = [
        case for case, counts in by_size.items() if len(set(counts.values())) > 1
    ]
    detail = "; ".join(
        f"{case} " + " / ".join(f"{counts[n]}" for n in sorted(counts))
        for case, counts in sorted(by_size.items(), key=lambda i: CASES.index(i[0]))
    )
    sizes = sorted({n for counts in by_size.values() for n in counts})
    problems = []
    if worst > QUERIES:
        problems.append(f"{worst} queries at most, {worst - QUERIES} over")
    if growing:
        problems.append(f"{', '.join(growing)} change with size")
    table.row(
        target,
        f"at {' / '.join(f'{n:,}' for n in sizes)} projects: {detail}",
        "**missed**: " + ", ".join(problems) if problems else "met",
    )
    if worst > QUERIES:
        over = [
            f"{case} ({max(counts.values())})"
            for case, counts in by_size.items()
            if max(counts.values()) > QUERIES
        ]
        table.steps.append(
            f"- Queries over {QUERIES}: {', '.join(over)}. Fold lookups into the "
            "main query (`select_related`, annotations) or prefetch them together."
        )
    if growing:
        table.steps.append(
            f"- Query counts change with size on {', '.join(growing)}: a query "
            "per row somewhere; find it with the captured SQL of the larger run."
        )


def concurrency_targets(table, rows):
    row = find(rows, CONCURRENCY_CASE, BACKEND, SIZE)
    label = (
        f"dashboard through gunicorn, {CONCURRENCY_WORKERS} workers, "
        f"{CONCURRENCY_CLIENTS} staff sessions at once:"
    )
    targets = (
        f"{label} at least {CONCURRENT_PER_SECOND} requests/s",
        f"{label} p95 at most {CONCURRENT_P95_MS} ms",
        f"{label} no errors",
    )
    if not row:
        for target in targets:
            table.missing(target)
        return
    per_second, p95, errors = row["requests_per_second"], row["p95_ms"], row["errors"]
    table.row(
        targets[0],
        f"{per_second:,.1f} requests/s ({row['requests']:,} in {row['seconds']:.0f} s)",
        verdict_at_least(per_second, CONCURRENT_PER_SECOND, "requests/s"),
    )
    table.row(
        targets[1],
        f"p50 {ms(row['p50_ms'])}, p95 {ms(p95)}",
        verdict(p95, CONCURRENT_P95_MS),
    )
    table.row(
        targets[2],
        f"{errors:,} of {row['requests']:,}",
        "met" if errors == 0 else f"**missed**: {errors:,} errors",
    )
    if per_second < CONCURRENT_PER_SECOND or p95 > CONCURRENT_P95_MS or errors:
        table.steps.append(
            concurrency_step(row, find(rows, "dashboard", BACKEND, SIZE))
        )


def concurrency_step(row, alone):
    workers, clients = row["workers"], row["clients"]
    per_second = row["requests_per_second"]
    service = workers / per_second * 1000 if per_second else None
    text = (
        f"- Dashboard through gunicorn, {per_second:,.1f} requests/s and "
        f"{ms(row['p95_ms'])} p95 with {clients} sessions on {workers} workers: "
        f"each worker spent about {ms(service)} a request"
    )
    if alone:
        text += (
            f", against {ms(alone['p50_ms'])} p50 for one request alone in the "
            "benchmark's process (under load the workers, PostgreSQL and the "
            "clients share the 2 cores)"
        )
    text += (
        f". {CONCURRENT_PER_SECOND} requests/s on {workers} workers needs about "
        f"{ms(workers / CONCURRENT_PER_SECOND * 1000)} a request; with "
        f"{clients} sessions each waits for about {clients / workers - 1:.0f} others, "
        f"so a p95 of {CONCURRENT_P95_MS} ms needs about "
        f"{ms(CONCURRENT_P95_MS / (clients / workers))}. The cheaper the cached "
        "dashboard, the more of both."
    )
    if row["errors"]:
        statuses = ", ".join(
            f"{code}: {n}" for code, n in row.get("statuses", {}).items()
        )
        text += (
            f" Errors ({statuses}): a 5xx or 599 is in gunicorn's error log (a "
            "worker timeout, or the database refusing connections); a 302 is a "
            "lost session."
        )
    return text


def export_and_sweep_targets(table, rows):
    export = find(rows, "export_csv", BACKEND, SIZE) or find(
        rows, "export_csv", BACKEND, 10_000
    )
    if export:
        where = f"{export['rows']:,} rows of {export['projects']:,} projects"
        table.row(
            "CSV export of 10,000 rows under 5 s",
            f"{where}: {ms(export['p95_ms'])}",
            verdict(export["p95_ms"], EXPORT_MS),
        )
        table.row(
            f"CSV export streams, under {EXPORT_MB} MB peak",
            f"{export['peak_mb']:,.0f} MB "
            f"(+{export.get('growth_mb', 0):,.0f} during the export)"
            + (
                f"; all {export['all_rows']:,} rows: "
                f"{export['all_rows_peak_mb']:,.0f} MB "
                f"(+{export['all_rows_growth_mb']:,.0f})"
                if "all_rows_peak_mb" in export
                else ""
            ),
            verdict(export["peak_mb"], EXPORT_MB, "MB"),
        )
        if export["p95_ms"] > EXPORT_MS:
            table.steps.append(
                f"- Export, {ms(export['p95_ms'])} for {export['rows']:,} rows: "
                f"{export['rows'] / export['p50_ms'] * 1000:,.0f} rows/s; read the "
                "totals in the export query without per-row subqueries."
            )
        if export["peak_mb"] > EXPORT_MB:
            table.steps.append(
                f"- Export memory {export['peak_mb']:,.0f} MB: check the rows are "
                "read with a server-side cursor in chunks and written as they come."
            )
    else:
        table.missing(f"CSV export of 10,000 rows under 5 s and {EXPORT_MB} MB")

    sweeps = [r for r in rows if r.get("case") == "sweep"]
    for sweep in sorted(sweeps, key=lambda r: r.get("backend") != "postgresql"):
        label = (
            f"reminder sweep over {sweep.get('milestones', 0):,} milestones "
            f"({sweep['backend']}, {sweep.get('broker', '')}, measured "
            f"{sweep['measured_at'][:10]})"
        )
        slowest = max(sweep["p95_ms"], sweep.get("first_run_ms", 0))
        table.row(
            f"{label} under 60 s",
            f"p95 {ms(sweep['p95_ms'])} a day; first (catch-up) sweep "
            f"{sweep.get('first_run_ms', 0) / 1000:,.1f} s",
            verdict(slowest, SWEEP_MS),
        )
        table.row(
            f"{label} under {SWEEP_MB} MB",
            f"{sweep['peak_mb']:,.0f} MB",
            verdict(sweep["peak_mb"], SWEEP_MB, "MB"),
        )
        if slowest > SWEEP_MS:
            table.steps.append(
                "- Sweep over 60 s: see the candidate query's plan below."
            )
    if not sweeps:
        table.missing(f"reminder sweep under 60 s and {SWEEP_MB} MB")


def targets_section(rows):
    table = Table()
    dashboard_targets(table, rows)
    table_targets(table, rows)
    query_targets(table, rows)
    concurrency_targets(table, rows)
    export_and_sweep_targets(table, rows)
    lines = [
        TARGETS_SECTION,
        "",
        f"The targets against the figures at {SIZE:,} projects on PostgreSQL (the "
        "sweep: its own 1,000,000-milestone portfolio; the query counts: every "
        "size). p95 is the figure compared unless the target names another. "
        "Written by `bench/pages.py` from `benchmarks.json`.",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
        *table.lines,
        "",
    ]
    if table.steps:
        lines += ["Next steps for the targets missed:", "", *table.steps, ""]
    else:
        lines += ["Every target measured is met.", ""]
    if table.absent:
        lines += [f"Not measured yet: {len(table.absent)} of the targets above.", ""]
    return "\n".join(lines)
