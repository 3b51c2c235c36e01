"""Settings of the page benchmark: paths, sizes, cases and the command line."""

import argparse
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The command every worker process runs (it puts bench/ on the import path).
PAGES_SCRIPT = BASE_DIR / "bench" / "pages.py"
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
