import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grants.generator import generate_portfolio


class Command(BaseCommand):
    help = (
        "Insert a synthetic, illustrative portfolio of N projects (with budget lines, "
        "instalments, UCs, milestones, reports and reminders) for benchmarks. "
        "Deterministic for a given seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, projects, seed, **options):
        if projects < 1:
            raise CommandError("--projects must be at least 1.")
        started = time.monotonic()
        try:
            counts = generate_portfolio(
                projects=projects, seed=seed, today=timezone.localdate()
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        rows = ", ".join(f"{count:,} {name}" for name, count in vars(counts).items())
        self.stdout.write(self.style.SUCCESS(f"Generated {rows} in {elapsed:.1f} s."))
