"""Real-browser tests: Playwright driving Debian's Chromium against the live server.

Run them with ``make test-browser`` (``make test`` leaves them out). Nothing is
downloaded at test time: the browser is the system's ``/usr/bin/chromium``
(``apt-get install chromium``, or ``KHANIJ_CHROMIUM`` names another binary) and
axe-core comes from ``node_modules`` (``npm ci``). docs/accessibility.md says what
is checked and how.
"""

import datetime
import json
import os
import re
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from config.celery import app as celery_app
from grants.formatting import INDIA
from tests.conftest import DEMO_DATE
from tests.test_uploads import PDF_BYTES

# Playwright's sync API runs an event loop in the test's thread; Django refuses
# ORM calls while any loop runs unless told the test knows what it is doing.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KHANIJ_CHROMIUM", "/usr/bin/chromium")
AXE_SCRIPT = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = BASE_DIR / "var" / "screenshots"
AXE_REPORT_DIR = BASE_DIR / "var" / "axe"
VIEWPORT = {"width": 1366, "height": 768}
# Keep Chromium off the network: no updates, sync, field trials or QUIC probes.
OFFLINE_FLAGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--disable-quic",
]
# How long an action or an expectation waits for the page: generous, because CI
# shares two cores with the live server and Chromium.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)
# Impacts that fail a page; moderate and minor ones are written to the report.
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: run `make test-browser`, which installs "
            "Debian's chromium package, or set KHANIJ_CHROMIUM."
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": OFFLINE_FLAGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "en-IN"}


@pytest.fixture(autouse=True)
def _demo_day():
    """Pages count overdue items from today: make today the demo date, 10:00 IST.

    The clock keeps ticking, and the live server's thread sees the same time.
    """
    start = datetime.datetime.combine(DEMO_DATE, datetime.time(10, 0), tzinfo=INDIA)
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture
def eager_tasks(monkeypatch):
    """Run Celery tasks in the live server's thread, so e-mails land in the outbox.

    The web request still only queues them after its commit, as in production.
    """
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def demo_site(demo_portfolio, live_server):
    """The demo portfolio served by the live server; returns its base URL."""
    return live_server.url


@pytest.fixture
def open_page(new_context):
    """Return a function that opens a page in a fresh browser context (a person).

    Each page fails its test on any error the browser reports, a blocked script
    or style under the Content-Security-Policy included.
    """
    pages = []

    def _open(**context_args) -> Page:
        page = new_context(**context_args).new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.console_errors = []
        page.on(
            "console",
            lambda message: (
                message.type == "error" and page.console_errors.append(message.text)
            ),
        )
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        pages.append(page)
        return page

    yield _open
    for page in pages:
        assert page.console_errors == [], f"{page.url}: {page.console_errors}"


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Log in through the login form, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    """Save what the 1366x768 viewport shows to var/screenshots/<name>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=path)
    return path


def axe_violations(page: Page, name: str) -> list[dict]:
    """Run axe-core on the page; save every violation, return the blocking ones.

    The page must come from a context made with ``bypass_csp=True``: the site's
    policy allows only its own scripts, so the injected axe-core would be refused.
    """
    page.add_script_tag(path=AXE_SCRIPT)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    violations = [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in results["violations"]
    ]
    AXE_REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (AXE_REPORT_DIR / f"{name}.json").write_text(
        json.dumps(
            {"url": page.url, "axe": results["testEngine"], "violations": violations},
            indent=2,
        ),
        encoding="utf-8",
    )
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def table_rows(table) -> list[dict[str, str]]:
    """Read an HTML table as a person reads it: one dict per row, by column header."""
    return table.evaluate(
        """table => {
            const headers = [...table.querySelectorAll('thead th')]
                .map(th => th.innerText.trim());
            return [...table.querySelectorAll('tbody tr')].map(tr =>
                Object.fromEntries([...tr.cells].map(
                    (cell, i) => [headers[i], cell.innerText.trim()])));
        }"""
    )


def rupees(text: str) -> int:
    """Read an amount as a page shows it ('₹ 1,18,60,000') as whole rupees."""
    return int(re.sub(r"[^\d-]", "", text))


PDF = {
    "name": "progress-report.pdf",
    "mimeType": "application/pdf",
    "buffer": PDF_BYTES,  # a sound one-page PDF: uploads are parsed
}


def pdf(name: str) -> dict:
    """A small PDF for a file input, under the given file name."""
    return {**PDF, "name": name}
