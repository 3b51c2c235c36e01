"""Settings of the page benchmark: paths, sizes, cases and statements."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The command every worker process runs (it puts bench/ on the import path).
PAGES_SCRIPT = BASE_DIR / "bench" / "pages.py"
DOCS = BASE_DIR / "docs"
JSON_FILE = DOCS / "benchmarks.json"
MARKDOWN_FILE = DOCS / "benchmarks.md"
SWEEP_SECTION = "## Reminder sweep"
PAGES_SECTION = "## Pages"
CONCURRENCY_SECTION = "## Concurrency"
TARGETS_SECTION = "## Targets"
PLANS_SECTION = "## Query plans"
DEFAULT_POSTGRESQL = "postgres://postgres@127.0.0.1:5432/"
DEFAULT_SIZES = {"sqlite": [1_000, 10_000], "postgresql": [1_000, 10_000, 100_000]}
# SQLite is the embedded default for a small ministry division, not for 100,000.
SQLITE_MAX_SIZE = 10_000
# Pages requested in the benchmark's process, in this order.
CASES = [
    "dashboard",
    "dashboard_uncached",
    "projects_table",
    "projects_sorted",
    "projects_filtered",
    "projects_search",
    "projects_table_uncached",
    "project_page",
    "project_page_uncached",
    "portal_home",
    "portal_home_uncached",
    "admin_projects",
    "admin_search",
    "export_csv",
    "api_projects",
    "api_releases",
]
# Asked with an API token (the programme officer's), not a session.
API_CASES = ("api_projects", "api_releases")
# The API's page: 100 rows, the most a script would ask for at once.
API_PAGE_SIZE = 100
# The dashboard through gunicorn, many sessions at once (PostgreSQL only).
CONCURRENCY_CASE = "dashboard_concurrent"
ALL_CASES = [*CASES, CONCURRENCY_CASE]
# Cases requested as a superuser, in the Django admin.
ADMIN_CASES = ("admin_projects", "admin_search")
# What the admin's search looks for: a word of the generated projects' titles
# ("metals and alloys", a stage), found in thousands of rows at 100,000 projects.
ADMIN_SEARCH = "metals"
CONCURRENCY_WORKERS = 2
CONCURRENCY_CLIENTS = 8
CONCURRENCY_SECONDS = 20
CONCURRENCY_PASSWORD = "bench-concurrency-pass-2026"
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
    # An API request's token, its rate counter and its line in the log.
    "grants_apitoken",
    "khanij_shared_cache",
    "grants_apirequest",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "otp_",
    "axes_",
)
