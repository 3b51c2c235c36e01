"""Writing docs/benchmarks.md and docs/benchmarks.json: pages and query plans."""

import json
import re

from pagebench.config import (
    CASES,
    JSON_FILE,
    MARKDOWN_FILE,
    PAGES_SECTION,
    PLANS_SECTION,
    SWEEP_SECTION,
    TARGETS_SECTION,
)
from pagebench.targets import ms, targets_section


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
