"""Writing docs/benchmarks.md and docs/benchmarks.json: pages and query plans."""

import json
import re

from pagebench.config import (
    ADMIN_SEARCH,
    API_CASES,
    CASES,
    CONCURRENCY_CASE,
    CONCURRENCY_CLIENTS,
    CONCURRENCY_SECONDS,
    CONCURRENCY_SECTION,
    CONCURRENCY_WORKERS,
    JSON_FILE,
    MARKDOWN_FILE,
    PAGES_SECTION,
    PLANS_SECTION,
    SWEEP_SECTION,
    TARGETS_SECTION,
)
from pagebench.targets import (
    CONCURRENT_P95_MS,
    CONCURRENT_PER_SECOND,
    DASHBOARD_GROWTH,
    SIZE,
    SMALL,
    find,
    ms,
    targets_section,
)


def merge_rows(new_rows):
    rows = json.loads(JSON_FILE.read_text()) if JSON_FILE.exists() else []
    keys = {(row["case"], row["projects"], row["backend"]) for row in new_rows}
    rows = [
        row
        for row in rows
        if (row.get("case"), row.get("projects"), row.get("backend")) not in keys
    ]
    rows += new_rows
    order = {
        case: index for index, case in enumerate([*CASES, CONCURRENCY_CASE, "sweep"])
    }
    rows.sort(
        key=lambda row: (
            order.get(row.get("case"), len(order)),
            row.get("backend", ""),
            row.get("projects", 0),
        )
    )
    return rows


def replace_section(text, heading, section, before=SWEEP_SECTION):
    """Put ``section`` in place of the one under ``heading``.

    A section not there yet goes before the one headed ``before`` (the sweep's by
    default; None for none), or at the end.
    """
    section = section.rstrip("\n") + "\n"

    def position(title):
        found = re.search(rf"^{re.escape(title)}$", text, re.M)
        return found.start() if found else -1

    start = position(heading)
    if start != -1:
        following = text.find("\n## ", start + len(heading))
        after = text[following + 1 :] if following != -1 else ""
        return text[:start] + section + ("\n" + after if after else "")
    following = position(before) if before else -1
    if following != -1:
        return text[:following] + section + "\n" + text[following:]
    return text.rstrip("\n") + "\n\n" + section


def pages_section(rows):
    lines = [
        PAGES_SECTION,
        "",
        "The staff dashboard (served from its page cache, and built afresh), the "
        "projects table, a project page, a grantee's portal home, the Django "
        "admin's project list and search, and the CSV export, measured by `make "
        "bench` (`bench/pages.py`) on generated portfolios. The dashboard under "
        "concurrent load and the reminder sweep have sections of their own below. "
        "Re-run parts with `.venv/bin/python bench/pages.py --backend postgresql "
        "--sizes 100000 --cases dashboard` (`--requests N`, `--no-write` to print "
        "only); `--render-only` rewrites this section and the targets from "
        "`benchmarks.json`.",
        "",
        "*Floor* is the page's own SQL run straight on the database; *ratio* is page "
        "p50 over floor p50, the figure to steer by: the page's time divided by the "
        "time its database work needs.",
        "",
        *dashboard_by_size(rows),
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
        elif row["case"] == "project_page_uncached":
            shown = (
                f"`/staff/projects/<pk>/`, {len(urls)} ongoing projects in turn, the "
                "page cache emptied before each request"
            )
        elif row["case"].endswith("_uncached"):
            shown = f"`{urls[0]}`, the page cache emptied before each request"
        elif row["case"] in ("admin_projects", "admin_search"):
            shown = f"`{urls[0]}` as a superuser"
        elif row["case"] in API_CASES:
            shown = f"`{urls[0]}` with the programme officer's API token"
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
        "in the Programme officer group, the Django admin as a superuser made for "
        f'the benchmark; the admin\'s search is for "{ADMIN_SEARCH}", a word of '
        "the titles of the projects at the metals and alloys stage.",
        "- The `_uncached` cases empty the page cache (`grants.page_cache.clear()`, "
        "else the `pages` cache) before each request, warm-up and query count "
        "included, outside the timing: what the first view after a change costs. "
        "`dashboard`, `projects_*` and `project_page` are the same pages as they "
        "are served most of the time, from the cache (`docs/architecture.md`, "
        '"Reading a large portfolio cheaply").',
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


def dashboard_by_size(rows):
    """The dashboard's p95 at each size side by side, and how much it grows."""
    cases = ("dashboard", "dashboard_uncached")
    selected = [
        row
        for row in rows
        if row.get("case") in cases and row.get("backend") in ("postgresql", "sqlite")
    ]
    if not selected:
        return []
    sizes = sorted({row["projects"] for row in selected})
    lines = [
        "### Dashboard by portfolio size",
        "",
        f"The dashboard's p95 at each size (p50 in brackets); the last column is its "
        f"p95 at {SIZE:,} projects over its p95 at {SMALL:,} (target: at most "
        f"{DASHBOARD_GROWTH}x on PostgreSQL). *Built afresh* is `dashboard_uncached`: "
        "the page cache emptied before each request.",
        "",
        "| page | database | "
        + " | ".join(f"{size:,}" for size in sizes)
        + f" | {SIZE:,} / {SMALL:,} |",
        "| --- | --- | " + " | ".join("---:" for _ in sizes) + " | ---: |",
    ]
    names = {"dashboard": "dashboard", "dashboard_uncached": "dashboard built afresh"}
    for backend, title in (("postgresql", "PostgreSQL"), ("sqlite", "SQLite")):
        for case in cases:
            found = {size: find(rows, case, backend, size) for size in sizes}
            if not any(found.values()):
                continue
            cells = [
                f"{ms(row['p95_ms'])} ({ms(row['p50_ms'])})" if row else "–"
                for row in found.values()
            ]
            small, large = found.get(SMALL), found.get(SIZE)
            growth = (
                f"{large['p95_ms'] / small['p95_ms']:.1f}x" if small and large else "–"
            )
            lines.append(
                f"| {names[case]} | {title} | {' | '.join(cells)} | {growth} |"
            )
    return [*lines, ""]


def concurrency_section(rows):
    selected = sorted(
        (row for row in rows if row.get("case") == CONCURRENCY_CASE),
        key=lambda row: (row.get("backend", ""), row.get("projects", 0)),
    )
    lines = [
        CONCURRENCY_SECTION,
        "",
        f"The dashboard served by gunicorn ({CONCURRENCY_WORKERS} sync workers, "
        "`DEBUG` off, as in production) on 127.0.0.1, from the page benchmark's "
        f"PostgreSQL database of each size: {CONCURRENCY_CLIENTS} staff sessions "
        "(generated programme officers) sign in through the login form and ask "
        "for `/staff/` once, uncounted; then each asks again as soon as it has its "
        f"answer, for {CONCURRENCY_SECONDS} s (`dashboard_concurrent`, "
        "`bench/pagebench/concurrency.py`; the server and the sessions are "
        "`bench/serving.py`'s, shared with `make loadtest`). Times are the "
        "clients', waiting for a free worker included: with "
        f"{CONCURRENCY_CLIENTS} sessions on {CONCURRENCY_WORKERS} workers, a "
        f"request waits for about {CONCURRENCY_CLIENTS // CONCURRENCY_WORKERS - 1} "
        "others. Any answer but a 200 is an error. The clients, gunicorn and "
        "PostgreSQL share the machine's 2 cores. Target at "
        f"{SIZE:,} projects: at least {CONCURRENT_PER_SECOND} requests a second, "
        f"p95 at most {CONCURRENT_P95_MS} ms, no errors. "
        "`.venv/bin/python bench/concurrency.py --users NAME` runs the same "
        "against a database that already exists (a copy of production, say).",
        "",
    ]
    if not selected:
        return "\n".join([*lines, "Not measured yet: run `make bench`.", ""])
    lines += [
        "| projects | database | workers | sessions | requests/s | p50 | p95 | "
        "slowest | errors | one request alone (p50) | measured |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in selected:
        alone = find(rows, "dashboard", row["backend"], row["projects"])
        errors = f"{row['errors']:,}"
        if row["errors"]:
            errors += (
                " ("
                + ", ".join(
                    f"{code}: {n}"
                    for code, n in row["statuses"].items()
                    if code != "200"
                )
                + ")"
            )
        lines.append(
            f"| {row['projects']:,} | {row['backend']} | {row['workers']} | "
            f"{row['clients']} | {row['requests_per_second']:,.1f} | "
            f"{ms(row['p50_ms'])} | {ms(row['p95_ms'])} | {ms(row['max_ms'])} | "
            f"{errors} | {ms(alone['p50_ms']) if alone else '–'} | "
            f"{row['measured_at'][:10]} |"
        )
    lines += [
        "",
        "*One request alone* is the in-process `dashboard` case's p50 at that size, "
        "for comparison: the server's workers, PostgreSQL and the clients share the "
        "cores, so a request under load takes longer even before it waits.",
        "",
    ]
    return "\n".join(lines)


def plans_section(plans):
    lines = [
        PLANS_SECTION,
        "",
        f"`EXPLAIN (ANALYZE, BUFFERS)` on {plans['backend']} at "
        f"{plans['projects']:,} projects ({plans['measured_at'][:10]}), written by "
        "`bench/pages.py`: every SELECT of the dashboard (built afresh when "
        "`dashboard_uncached` was measured), of the projects table's first page "
        "(built afresh when `projects_table_uncached` was) "
        "and of the Django admin's project search (session and user lookups left "
        "out), and the reminder sweep's candidate query on this portfolio's "
        "milestones. Each plan comes with what the statement reads and computes, "
        "taken from its SQL.",
        "",
    ]
    titles = {
        "dashboard": "### Dashboard (`/staff/`)",
        "dashboard_uncached": "### Dashboard built afresh (`/staff/`, the page cache "
        "emptied)",
        "projects_table": "### Projects table, first page (`/staff/projects/`)",
        "projects_table_uncached": "### Projects table, first page built afresh "
        "(`/staff/projects/`, the page cache emptied)",
        "admin_search": "### Django admin, project search "
        f"(`/admin/grants/project/?q={ADMIN_SEARCH}`)",
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
        (CONCURRENCY_SECTION, concurrency_section(rows)),
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
        # A new section goes before the targets, which read every other.
        before = TARGETS_SECTION if heading == CONCURRENCY_SECTION else SWEEP_SECTION
        text = replace_section(text, heading, section, before)
    MARKDOWN_FILE.write_text(text)
