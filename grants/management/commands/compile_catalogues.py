"""Compile the translation catalogues (.po to .mo) with polib.

Django's own compilemessages needs GNU gettext's msgfmt; this needs nothing beyond
the Python packages, so `make run`, CI and a production build compile the same way
on any machine. Fuzzy entries are left out, as msgfmt leaves them out.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogues() -> list[Path]:
    return sorted(
        po
        for directory in settings.LOCALE_PATHS
        for po in Path(directory).glob("*/LC_MESSAGES/*.po")
    )


def compile_catalogue(po_path: Path) -> Path:
    mo_path = po_path.with_suffix(".mo")
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    return mo_path


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo files (no gettext needed)."

    def handle(self, *args, **options):
        for po_path in catalogues():
            mo_path = compile_catalogue(po_path)
            self.stdout.write(f"compiled {mo_path.relative_to(settings.BASE_DIR)}")
