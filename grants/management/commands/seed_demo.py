import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grants import demo


class Command(BaseCommand):
    help = (
        "Load the illustrative demo portfolio (11 REE projects, Rs 9,33,00,000). "
        "Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            help=(
                "Load the demo for this day (YYYY-MM-DD): its dates move by whole "
                "years so that its story (up to 22 Nov 2026) ends on or before the "
                "day, reloading a demo loaded for another year. Default: keep a "
                "loaded demo as it is, or load a new one for today."
            ),
        )

    def handle(self, *args, as_of, **options):
        try:
            outcome = demo.seed(as_of=as_of, today=timezone.localdate())
        except Exception as error:
            raise CommandError(f"The demo portfolio was not loaded: {error}") from error
        self.stdout.write(self.style.SUCCESS(outcome))
