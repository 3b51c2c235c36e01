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
that size, and a superuser is made for the Django admin's cases. Every page is
requested in-process through the Django test client with DEBUG off: 2 warm-up
requests, then ``--requests`` timed ones (``dashboard_uncached`` empties the page
cache before each, untimed). Besides:

- queries are counted in an untimed pass after the warm-up (CaptureQueriesContext);
- the SQL floor: the page's own SELECT statements, captured in that pass with their
  parameters, are run again straight on the database (all rows fetched), one run
  after each timed request;
- the CSV export's peak memory is measured in a fresh process (peak resident set);
- on PostgreSQL at the largest size, ``EXPLAIN (ANALYZE, BUFFERS)`` of the
  dashboard's queries (built afresh), the projects table's, the admin search's and
  the reminder sweep's candidate query;
- on PostgreSQL, ``dashboard_concurrent``: the same database served by gunicorn
  (2 workers, DEBUG off), 8 staff sessions asking for the dashboard at once for
  20 s (``pagebench/concurrency.py``; ``bench/concurrency.py`` runs it against a
  database that already exists).

Results go to docs/benchmarks.json (rows merged by case, projects and backend) and
to the "Pages", "Concurrency", "Targets" and "Query plans" sections of
docs/benchmarks.md; the "Reminder sweep" section belongs to bench/sweep.py and is
left as it is. ``--render-only`` rewrites "Pages", "Concurrency" and "Targets" from
docs/benchmarks.json without measuring (after bench/sweep.py, say, whose figures
"Targets" reads).
"""

import argparse
import sys

from pagebench.cases import run_export_memory
from pagebench.config import ALL_CASES, BASE_DIR, JSON_FILE, MARKDOWN_FILE
from pagebench.report import write_results
from pagebench.runs import run_all, run_worker

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
        default=ALL_CASES,
        help=f"comma-separated cases to measure; default all: {','.join(ALL_CASES)}",
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


def main():
    args = parse_arguments()
    if args.export_memory:
        run_export_memory(args.export_memory, args.user)
        return
    if args.requests < 1:
        raise SystemExit("--requests must be at least 1.")
    unknown = set(args.cases) - set(ALL_CASES)
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
