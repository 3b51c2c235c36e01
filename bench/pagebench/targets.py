"""The "Targets" section: each target met, or how far it is and what comes next."""

from pagebench.config import CASES, TARGETS_SECTION


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
