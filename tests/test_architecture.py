"""The layers of ``grants`` import one way only (docs/architecture.md).

Each module's imports are read from its source, those inside functions included,
so a layer cannot reach upwards by importing late.
"""

import ast
from pathlib import Path

import pytest

GRANTS = Path(__file__).resolve().parent.parent / "grants"
MAX_LINES = 600

# The top-level package under ``grants`` that each name belongs to, by layer.
FOUNDATION = {
    "formatting",
    "uploads",
    "reminders",
    "charts",
    "exports",
    "paper",
    "page_cache",
}
MODELS = {"models"}
READS = {"reads", "summaries", "rollup", "imports"}
SERVICES = {"services"}
TASKS = {"tasks"}
# What serves a request or a command: nothing below imports these.
ENTRY = {
    "views",
    "urls",
    "forms",
    "tables",
    "register_tables",
    "committee_tables",
    "filters",
    "admin",
    "demo",
    "generator",
    "management",
    "context_processors",
    "middleware",
    "backends",
    "templatetags",
    "calendar_feed",
    "api",
}

MAY_NOT_IMPORT = {
    "models": READS | SERVICES | TASKS | ENTRY,
    "reads": SERVICES | TASKS | ENTRY,
    "summaries": SERVICES | TASKS | ENTRY,
    "rollup": SERVICES | TASKS | ENTRY,
    "imports": SERVICES | TASKS | ENTRY,
    "services": TASKS | ENTRY,
    "tasks": ENTRY,
}


def modules():
    for path in sorted(GRANTS.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def part_of(path: Path) -> str:
    """The top-level package or module under ``grants`` that a file belongs to."""
    return path.relative_to(GRANTS).parts[0].removesuffix(".py")


def imported_parts(path: Path) -> set[str]:
    """Every top-level part of ``grants`` the file imports, wherever it does."""
    parts = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "grants":
                parts |= {alias.name for alias in node.names}
            elif node.module.startswith("grants."):
                parts.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("grants."):
                    parts.add(alias.name.split(".")[1])
    return parts


@pytest.mark.parametrize(
    "path", list(modules()), ids=lambda p: str(p.relative_to(GRANTS))
)
def test_a_module_imports_only_from_the_layers_below_it(path):
    part = part_of(path)
    forbidden = MAY_NOT_IMPORT.get(part, set())
    wrong = (imported_parts(path) - {part}) & forbidden
    assert not wrong, f"grants/{path.relative_to(GRANTS)} imports {sorted(wrong)}"


def test_foundation_modules_import_nothing_above_the_models():
    for path in modules():
        if part_of(path) in FOUNDATION:
            above = imported_parts(path) & (READS | SERVICES | TASKS | ENTRY)
            assert not above, f"grants/{path.relative_to(GRANTS)} imports {above}"


def test_only_the_url_modules_import_views():
    for path in modules():
        if part_of(path) not in {"urls", "views"}:
            assert "views" not in imported_parts(path), path


def test_no_module_is_longer_than_the_limit():
    long = {
        str(path.relative_to(GRANTS)): lines
        for path in modules()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules by subject: {long}"
