"""Benchmark the documents: each order and form, and the Register of Grants.

    .venv/bin/python bench/documents.py [--projects 10000] [--part-size N]
        [--language en|hi] [--seed 1] [--cases single,pdf,xlsx] [--no-write]

It builds a throwaway database (a temporary SQLite file, or with DATABASE_URL set
a new PostgreSQL database khanij_bench_documents next to the one named, dropped
afterwards), migrates it and loads a generated portfolio of ``--projects``
projects with ``generate_portfolio`` (rows go in with ``bulk_create``). Then,
each in a fresh process so that its peak memory is its own:

- ``pdf``: Form GFR 21 of every project, built by the worker's task function
  (``grants.tasks.build_register_export``, called directly) from a recorded
  ``RegisterExport``, rendered ``--part-size`` rows at a time and joined;
- ``xlsx``: the same register as the page's ``?_export=xlsx``, read to the end;
- ``single``: each document a user opens from a page (sanction order, release
  order, Form GFR 12-A, project brief, one project's GFR 22), requested through
  the Django test client as staff, in English and in Hindi: 2 warm-up requests,
  then ``REPEATS`` timed ones; the median and the slowest are reported.

Each process first makes a document of no rows (fonts, templates and code
loaded), then measures: wall time, the peak resident set during the build (and
its growth over the process before it), the file's size and, for the PDF, its
pages. Results are printed and, unless ``--no-write``, written to the
"Documents" section of docs/benchmarks.md.
"""

import argparse
import datetime
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pagebench.cases import consume, reset_peak, resident_mb
from pagebench.config import BASE_DIR
from pagebench.databases import scratch_environment, setup_django
from pagebench.report import replace_section

sys.path.insert(0, str(BASE_DIR))

CASES = ("single", "pdf", "xlsx")
REPEATS = 10
MARKDOWN = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
NO_ROWS = "1900-01"  # a fiscal year no project is sanctioned in


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument(
        "--part-size", type=int, help="rows per rendered part (default: the app's)"
    )
    parser.add_argument("--language", choices=["en", "hi"], default="en")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--cases",
        type=lambda text: text.split(","),
        default=list(CASES),
        help="comma-separated: single, pdf, xlsx",
    )
    # The fresh process that measures one case.
    parser.add_argument("--measure", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--user", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def prepare(projects, *, seed):
    """Migrate, generate the portfolio; return the staff user who asks."""
    from django.core.management import call_command
    from django.utils import timezone

    from grants.generator import generate_portfolio
    from grants.models import User

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate_portfolio(projects=projects, seed=seed, today=timezone.localdate())
    print(
        f"  generated {projects:,} projects in {time.perf_counter() - started:,.0f} s"
    )
    user, _ = User.objects.get_or_create(
        username="bench-register",
        defaults={"email": "bench-register@bench.example", "is_staff": True},
    )
    return user


# The fresh process ------------------------------------------------------------------


def measure_pdf(user_id, *, language, part_size):
    import pikepdf
    from django.utils import timezone, translation

    from grants import tasks
    from grants.models import RegisterExport
    from grants.services import registers

    if part_size:
        registers.PART_SIZE = part_size
    with translation.override(language), tempfile.TemporaryFile() as empty:
        registers.write_grant_register(
            empty, {"fiscal_year": NO_ROWS}, on=timezone.localdate()
        )
    job = RegisterExport.objects.create(
        kind=RegisterExport.Kind.GRANTS_PDF,
        parameters={},
        language=language,
        requested_by_id=user_id,
    )
    reset_peak()
    before, _ = resident_mb()
    started = time.perf_counter()
    status = tasks.build_register_export(job.pk)
    elapsed = time.perf_counter() - started
    _, peak = resident_mb()
    job.refresh_from_db()
    if status != RegisterExport.Status.READY:
        raise SystemExit(f"The register was not built: {job.error}")
    with job.file.open("rb") as built, pikepdf.open(built) as pdf:
        pages = len(pdf.pages)
    return {
        "rows": job.rows_done,
        "seconds": round(elapsed, 1),
        "peak_mb": round(peak, 1),
        "growth_mb": round(peak - before, 1),
        "bytes": job.file.size,
        "pages": pages,
        "part_size": registers.PART_SIZE,
    }


def measure_xlsx(user_id, *, language):
    from django.test import Client

    from grants.models import Project, User

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(pk=user_id))
    url = "/staff/registers/grants/?_export=xlsx"
    consume(client.get(f"{url}&fiscal_year={NO_ROWS}"))
    reset_peak()
    before, _ = resident_mb()
    started = time.perf_counter()
    response = client.get(url)
    size = consume(response)
    elapsed = time.perf_counter() - started
    _, peak = resident_mb()
    if response.status_code != 200:
        raise SystemExit(f"The export answered {response.status_code}.")
    return {
        "rows": Project.objects.count(),
        "seconds": round(elapsed, 1),
        "peak_mb": round(peak, 1),
        "growth_mb": round(peak - before, 1),
        "bytes": size,
    }


def single_document_urls():
    """One of each document, from the busiest project of the generated portfolio."""
    from django.db.models import Count
    from django.urls import reverse

    from grants.models import Asset, Instalment, Project, UtilisationCertificate

    project = (
        Project.objects.annotate(lines=Count("budget_lines"))
        .filter(instalments__released_on__isnull=False, certificates__isnull=False)
        .order_by("-lines", "pk")
        .first()
    )
    release = Instalment.objects.released().filter(project=project).last()
    certificate = UtilisationCertificate.objects.filter(project=project).last()
    with_assets = Asset.objects.values_list("project", flat=True).first()
    urls = {
        "sanction order": reverse("staff:sanction-order", args=[project.pk]),
        "release order": reverse("staff:release-order", args=[release.pk]),
        "Form GFR 12-A": reverse("staff:certificate-gfr-12a", args=[certificate.pk]),
        "project brief": reverse("staff:project-brief", args=[project.pk]),
    }
    if with_assets:
        urls["GFR 22, one project"] = (
            reverse("staff:asset-register") + f"?project={with_assets}&_export=pdf"
        )
    return urls


def measure_single(user_id):
    import statistics

    from django.test import Client

    from grants.models import User

    results = []
    for name, url in single_document_urls().items():
        for language in ("en", "hi"):
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            user = User.objects.get(pk=user_id)
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
            client.force_login(user)
            for _ in range(2):
                consume(client.get(url))
            times = []
            for _ in range(REPEATS):
                started = time.perf_counter()
                response = client.get(url)
                size = consume(response)
                times.append(time.perf_counter() - started)
                if response["Content-Type"] != "application/pdf":
                    raise SystemExit(f"{url} answered {response.status_code}.")
            results.append(
                {
                    "document": name,
                    "language": language,
                    "median_ms": round(statistics.median(times) * 1000),
                    "max_ms": round(max(times) * 1000),
                    "bytes": size,
                }
            )
    return results


def run_measure(args):
    setup_django()
    if args.measure == "single":
        result = measure_single(args.user)
    elif args.measure == "pdf":
        result = measure_pdf(
            args.user, language=args.language, part_size=args.part_size
        )
    else:
        result = measure_xlsx(args.user, language=args.language)
    print(json.dumps(result))


def measure_in_fresh_process(case, user_id, args):
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--measure",
        case,
        "--user",
        str(user_id),
        "--language",
        args.language,
    ]
    if args.part_size:
        command += ["--part-size", str(args.part_size)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{case} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(case, result):
    if case == "single":
        for row in result:
            print(
                f"  {row['document']} ({row['language']}): median "
                f"{row['median_ms']} ms, slowest {row['max_ms']} ms"
            )
        return
    size_mb = result["bytes"] / 1024 / 1024
    pages = f", {result['pages']:,} pages" if "pages" in result else ""
    parts = f", parts of {result['part_size']} rows" if "part_size" in result else ""
    print(
        f"  {case}: {result['rows']:,} rows in {result['seconds']:,.1f} s; peak memory "
        f"{result['peak_mb']:,.0f} MB (+{result['growth_mb']:,.0f} MB while "
        f"building); {size_mb:,.1f} MB{pages}{parts}"
    )


def main():
    args = parse_arguments()
    if args.measure:
        run_measure(args)
        return
    unknown = set(args.cases) - set(CASES)
    if unknown:
        raise SystemExit(f"Unknown cases: {', '.join(sorted(unknown))}.")
    _scratch, backend, clean_up = scratch_environment("documents")
    results = {}
    try:
        setup_django()
        print(
            f"Documents benchmark on {backend}, {args.projects:,} projects, "
            f"language {args.language}."
        )
        user = prepare(args.projects, seed=args.seed)
        for case in args.cases:
            results[case] = measure_in_fresh_process(case, user.pk, args)
            report(case, results[case])
    finally:
        clean_up()
    summary = {
        "case": "documents",
        "backend": backend,
        "projects": args.projects,
        "language": args.language,
        **results,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(
            timespec="seconds"
        ),
    }
    print(json.dumps(summary))
    if not args.no_write:
        write_markdown(summary)


def write_markdown(summary):
    """Replace the "Documents" section of docs/benchmarks.md with these figures."""
    lines = [
        "## Documents",
        "",
        f"`bench/documents.py` on {summary['backend']}, a generated portfolio of "
        f"{summary['projects']:,} projects, measured {summary['measured_at'][:10]} "
        "(single runs on this machine).",
        "",
    ]
    if "single" in summary:
        lines += [
            f"One document, requested as staff through the test client ({REPEATS} "
            "timed requests after 2 warm-up ones). Target: well under a second.",
            "",
            "| document | language | median | slowest | size |",
            "| --- | --- | ---: | ---: | ---: |",
            *(
                f"| {row['document']} | {row['language']} | {row['median_ms']} ms "
                f"| {row['max_ms']} ms | {row['bytes'] / 1024:,.0f} KiB |"
                for row in summary["single"]
            ),
            "",
        ]
    for case, title in (("pdf", "PDF, built by the task"), ("xlsx", "XLSX export")):
        if case in summary:
            row = summary[case]
            pages = f", {row['pages']:,} pages" if "pages" in row else ""
            lines.append(
                f"- Register of Grants (Form GFR 21), {title}: {row['rows']:,} rows "
                f"in {row['seconds']:,.1f} s, peak memory {row['peak_mb']:,.0f} MB "
                f"(+{row['growth_mb']:,.0f} MB while building), "
                f"{row['bytes'] / 1024 / 1024:,.1f} MB{pages}."
            )
    section = "\n".join(lines)
    text = MARKDOWN.read_text() if MARKDOWN.exists() else ""
    MARKDOWN.write_text(replace_section(text, "## Documents", section, before=None))


if __name__ == "__main__":
    main()
