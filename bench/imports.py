"""Benchmark the import of a portfolio from a workbook: 10,000 projects.

    .venv/bin/python bench/imports.py [--projects 10000] [--seed 1] [--no-write]

It builds a throwaway database (a temporary SQLite file, or with DATABASE_URL set
a new PostgreSQL database khanij_bench_import next to the one named, dropped
afterwards), migrates it and generates a portfolio of ``--projects`` projects
(``generate_portfolio``). The generator writes what a ministry's old files hold,
releases without a covering certificate and certificates accepted on paper among
them, so each such fact is given the reason an importer would write (the
import refuses them without one). The portfolio is exported to the template
(``export``). A second throwaway database, migrated and empty but for the staff
member who imports, receives it, each step in a fresh process so that its peak
memory is its own:

- ``check``: the workbook read and run through the services, rolled back: what
  the worker does before the report;
- ``import``: the same, kept: what the worker does once the user confirms.

Each measures wall time and peak resident memory; the import also counts the
projects it wrote. Results are printed and, unless ``--no-write``, written to the
"Import" section of docs/benchmarks.md.
"""

import argparse
import datetime
import json
import subprocess
import sys
import time
from pathlib import Path

from pagebench.cases import reset_peak, resident_mb
from pagebench.config import BASE_DIR
from pagebench.databases import scratch_environment, setup_django
from pagebench.report import replace_section

sys.path.insert(0, str(BASE_DIR))

CASES = ("check", "import")
STEPS = ("setup", *CASES)
MARKDOWN = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
USERNAME = "bench-import"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true")
    # The fresh process that measures one case.
    parser.add_argument("--measure", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--workbook", help=argparse.SUPPRESS)
    return parser.parse_args()


def prepare(projects, *, seed, workbook: Path) -> dict:
    """Generate, export and empty the portfolio; return the export's figures."""
    from django.core.management import call_command
    from django.db.models import F, Q
    from django.utils import timezone

    from grants.generator import generate_portfolio
    from grants.imports.export import write_portfolio
    from grants.models import Instalment, Project, UtilisationCertificate

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate_portfolio(projects=projects, seed=seed, today=timezone.localdate())
    print(
        f"  generated {projects:,} projects in {time.perf_counter() - started:,.0f} s"
    )
    # What an importer writes for the facts of old files the rules refuse today.
    UtilisationCertificate.objects.filter(status="accepted").update(
        signed_copy_elsewhere="Signed copy in the sanction file"
    )
    UtilisationCertificate.objects.filter(gap_reason="").update(
        gap_reason="Period as the grantee's accounts were kept before the import"
    )
    Instalment.objects.filter(released_on__isnull=False, sequence__gt=1).update(
        override_reason="Released on the division's file noting",
        low_utilisation_note="Committed expenditure confirmed by the PI",
    )
    # Generated slips the import would refuse leave their projects out of the
    # workbook: a certificate past the 12 months after the end date, a release
    # or decision dated after today.
    today = timezone.localdate()
    slips = (
        Q(certificates__period_end__gt=F("end_on") + datetime.timedelta(days=365))
        | Q(instalments__released_on__gt=today)
        | Q(certificates__submitted_on__gt=today)
        | Q(certificates__decided_on__gt=today)
        | Q(milestones__submitted_on__gt=today)
        | Q(milestones__decided_on__gt=today)
    )
    late = list(Project.objects.filter(slips).values_list("pk", flat=True))
    Instalment.objects.filter(project__in=late).update(covering_certificate=None)
    Project.objects.filter(pk__in=late).delete()
    reset_peak()
    before, _ = resident_mb()
    started = time.perf_counter()
    with workbook.open("wb") as output:
        write_portfolio(output)
    elapsed = time.perf_counter() - started
    _, peak = resident_mb()
    exported = {
        "seconds": round(elapsed, 1),
        "peak_mb": round(peak, 1),
        "growth_mb": round(peak - before, 1),
        "bytes": workbook.stat().st_size,
        "projects": Project.objects.count(),
    }
    return exported


def set_up_target(workbook: Path):
    """The empty database the workbook goes into: migrated, with the staff.

    Staff accounts are the ministry admin's to make, before an import: the one
    who imports and the programme officers the Projects sheet names.
    """
    from django.core.files import File
    from django.core.management import call_command

    from grants.imports.reading import read_workbook
    from grants.imports.schema import PROJECTS
    from grants.models import User

    call_command("migrate", verbosity=0)
    with workbook.open("rb") as handle:
        contents = read_workbook(File(handle, name=workbook.name))
    officers = {r["programme_officer"] for r in contents.of(PROJECTS)} - {None, ""}
    User.objects.bulk_create(
        User(username=name, email=f"{name}@bench.example", is_staff=True)
        for name in sorted({USERNAME, *officers})
    )
    return {}


# The fresh process ------------------------------------------------------------------


def measure(case, workbook: Path) -> dict:
    from django.core.files import File

    from grants.imports.reading import read_workbook
    from grants.models import Project, User
    from grants.services.imports import import_portfolio

    user = User.objects.get(username=USERNAME)
    reset_peak()
    before, _ = resident_mb()
    started = time.perf_counter()
    with workbook.open("rb") as handle:
        contents = read_workbook(File(handle, name=workbook.name))
    read = time.perf_counter() - started
    report = import_portfolio(contents, by=user, apply=case == "import")
    elapsed = time.perf_counter() - started
    _, peak = resident_mb()
    counts = report.counts
    return {
        "seconds": round(elapsed, 1),
        "read_seconds": round(read, 1),
        "peak_mb": round(peak, 1),
        "growth_mb": round(peak - before, 1),
        "rows": sum(sum(tally.values()) for tally in counts.values()),
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "projects_written": Project.objects.count(),
        "first_errors": [
            f"{p.sheet} row {p.row}, {p.column}: {p.message}" for p in report.errors[:5]
        ],
    }


def measure_in_fresh_process(case, workbook: Path):
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--measure",
        case,
        "--workbook",
        str(workbook),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{case} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(case, result):
    if case == "export":
        print(
            f"  export of {result['projects']:,} projects: {result['seconds']:,.1f} s, "
            f"peak memory {result['peak_mb']:,.0f} MB, "
            f"{result['bytes'] / 1024 / 1024:,.1f} MB"
        )
        return
    print(
        f"  {case}: {result['rows']:,} rows in {result['seconds']:,.1f} s (reading "
        f"{result['read_seconds']:,.1f} s); peak memory {result['peak_mb']:,.0f} MB; "
        f"{result['errors']:,} errors, {result['warnings']:,} warnings; "
        f"{result['projects_written']:,} projects on record after it"
    )
    for error in result["first_errors"]:
        print(f"    {error}")


def main():
    args = parse_arguments()
    if args.measure:
        setup_django()
        if args.measure == "setup":
            result = set_up_target(Path(args.workbook))
        else:
            result = measure(args.measure, Path(args.workbook))
        print(json.dumps(result))
        return
    scratch, backend, clean_up = scratch_environment("import")
    workbook = scratch / "portfolio.xlsx"
    results = {}
    cleanups = [clean_up]
    try:
        setup_django()
        print(f"Import benchmark on {backend}, {args.projects:,} projects.")
        results["export"] = prepare(args.projects, seed=args.seed, workbook=workbook)
        report("export", results["export"])
        # The fresh processes below read the environment of the empty database.
        _target, _backend, clean_target = scratch_environment("import_target")
        cleanups.insert(0, clean_target)
        measure_in_fresh_process("setup", workbook)
        for case in CASES:
            results[case] = measure_in_fresh_process(case, workbook)
            report(case, results[case])
    finally:
        for cleanup in cleanups:
            cleanup()
    if results["import"]["projects_written"] != results["export"]["projects"]:
        raise SystemExit("The import did not write every project: see its errors.")
    summary = {
        "case": "import",
        "backend": backend,
        "projects": args.projects,
        **results,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(
            timespec="seconds"
        ),
    }
    print(json.dumps(summary))
    if not args.no_write:
        write_markdown(summary)


def write_markdown(summary):
    """Replace the "Import" section of docs/benchmarks.md with these figures."""
    export, check, imported = summary["export"], summary["check"], summary["import"]
    lines = [
        "## Import",
        "",
        f"`bench/imports.py` on {summary['backend']}: a generated portfolio of "
        f"{summary['projects']:,} projects ({export['projects']:,} exported: the "
        "generator's slips the import refuses, certificates past the 12 months after "
        "a project's end and dates after today, are left out) exported to the "
        "template, then checked and imported into an empty database, each in a "
        "fresh process; measured "
        f"{summary['measured_at'][:10]} (single runs on this machine).",
        "",
        "| step | rows | time | of which reading | peak memory |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| export to the template | | {export['seconds']:,.1f} s | | "
        f"{export['peak_mb']:,.0f} MB |",
        f"| check (rolled back) | {check['rows']:,} | {check['seconds']:,.1f} s | "
        f"{check['read_seconds']:,.1f} s | {check['peak_mb']:,.0f} MB |",
        f"| import | {imported['rows']:,} | {imported['seconds']:,.1f} s | "
        f"{imported['read_seconds']:,.1f} s | {imported['peak_mb']:,.0f} MB |",
        "",
        f"The workbook: {export['bytes'] / 1024 / 1024:,.1f} MB; "
        f"{imported['warnings']:,} warnings (exceptions brought in with their "
        f"reasons), {imported['errors']:,} errors; "
        f"{imported['projects_written']:,} projects on record after the import.",
    ]
    section = "\n".join(lines)
    text = MARKDOWN.read_text() if MARKDOWN.exists() else ""
    MARKDOWN.write_text(replace_section(text, "## Import", section, before=None))


if __name__ == "__main__":
    main()
