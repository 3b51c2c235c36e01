"""Which sizes and backends run, each in a worker process of its own.

``run_all`` starts the workers; ``run_worker`` is what each of them runs.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sweep import postgresql_scratch

from pagebench.cases import measure_size
from pagebench.config import DEFAULT_SIZES, PAGES_SCRIPT, SQLITE_MAX_SIZE
from pagebench.databases import postgresql_server, set_django_environment, setup_django


def plan_runs(args):
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    runs = []
    server = None
    for backend in backends:
        sizes = args.sizes or DEFAULT_SIZES[backend]
        if backend == "sqlite" and args.backend == "both":
            skipped = [size for size in sizes if size > SQLITE_MAX_SIZE]
            if skipped:
                print(
                    f"SQLite: skipping {', '.join(f'{s:,}' for s in skipped)} "
                    "projects (the largest sizes run on PostgreSQL only)."
                )
            sizes = [size for size in sizes if size <= SQLITE_MAX_SIZE]
        if backend == "postgresql":
            server = postgresql_server()
            if server is None:
                continue
        runs += [(backend, size) for size in sizes]
    return runs, server


def run_all(args):
    runs, server = plan_runs(args)
    largest = max(
        (size for backend, size in runs if backend == "postgresql"), default=0
    )
    rows, plans, failures = [], {}, []
    started = time.perf_counter()
    for backend, size in runs:
        print(f"Pages on {backend}, {size:,} projects:", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json") as result:
            command = [
                sys.executable,
                str(PAGES_SCRIPT),
                "--worker",
                "--backend",
                backend,
                "--size",
                str(size),
                "--requests",
                str(args.requests),
                "--seed",
                str(args.seed),
                "--cases",
                ",".join(args.cases),
                "--result",
                result.name,
            ]
            if backend == "postgresql" and size == largest:
                command.append("--explain")
            env = dict(os.environ)
            if backend == "postgresql":
                env["DATABASE_URL"] = server
            else:
                env.pop("DATABASE_URL", None)
            run_started = time.perf_counter()
            finished = subprocess.run(command, env=env, check=False)
            text = Path(result.name).read_text()
        print(f"  ({time.perf_counter() - run_started:,.0f} s)")
        if finished.returncode != 0 or not text:
            failures.append(
                f"{size:,} projects on {backend}: the run stopped "
                f"(exit status {finished.returncode})"
            )
            continue
        output = json.loads(text)
        rows += output["rows"]
        failures += output["failures"]
        if output["plans"]:
            plans = {
                "backend": backend,
                "projects": size,
                "measured_at": output["rows"][0]["measured_at"],
                "queries": output["plans"],
            }
    print(f"Page benchmarks done in {time.perf_counter() - started:,.0f} s.")
    return rows, plans, failures


def run_worker(args):
    """One size on one backend, in this process; write the rows to ``--result``."""
    scratch = Path(tempfile.mkdtemp(prefix="khanij-bench-pages-"))
    # WhiteNoise looks for collected static files there; none are needed.
    (scratch / "static").mkdir()
    set_django_environment(scratch)
    clean_ups = [lambda: shutil.rmtree(scratch, ignore_errors=True)]
    try:
        if args.backend == "postgresql":
            name = f"khanij_bench_pages_{args.size}_{os.getpid()}"
            url, drop = postgresql_scratch(os.environ["DATABASE_URL"], name)
            os.environ["DATABASE_URL"] = url
            clean_ups.insert(0, drop)
        else:
            os.environ.pop("DATABASE_URL", None)
        setup_django()
        rows, plans, failures = measure_size(
            args.size,
            backend=args.backend,
            seed=args.seed,
            requests=args.requests,
            explain_plans=args.explain,
            cases=args.cases,
        )
    finally:
        for clean_up in clean_ups:
            clean_up()
    Path(args.result).write_text(
        json.dumps({"rows": rows, "plans": plans, "failures": failures})
    )
