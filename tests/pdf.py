"""Read a PDF back the way a person checking it would: its text, fonts and pages.

Text comes from poppler's ``pdftotext`` (``make test`` installs poppler-utils).
The text layer of shaped Devanagari is lossy (a conjunct's glyph maps back to
the first cluster it was drawn for), so Hindi is checked by the fonts embedded
and by glyph coverage, and extracted text is compared for English and digits.
"""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from fontTools.ttLib import TTFont

from grants.paper.render import FONT_FILES

DEVANAGARI = re.compile("[\u0900-\u097f]")


def _run(tool: str, pdf: bytes, *args: str) -> str:
    executable = shutil.which(tool)
    assert executable, f"{tool} is missing: `make test` installs poppler-utils"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        result = subprocess.run(
            [executable, *args, handle.name, "-"]
            if tool == "pdftotext"
            else [executable, *args, handle.name],
            capture_output=True,
            check=True,
            text=True,
        )
    return result.stdout


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    """The text of every page, whitespace runs folded to one space."""
    text = _run("pdftotext", pdf, *(["-layout"] if layout else []))
    return text if layout else " ".join(text.split())


def without_hyphens(text: str) -> str:
    """Text to compare with ``pdf_text``: pdftotext joins a word broken at a hyphen
    at the end of a line and drops the hyphen ("Ninety-" / "One" reads "NinetyOne")."""
    return text.replace("-", "")


def pdf_fonts(pdf: bytes) -> list[str]:
    """The names of the embedded fonts (subset prefixes removed)."""
    lines = _run("pdffonts", pdf).splitlines()[2:]
    return sorted({line.split()[0].split("+")[-1] for line in lines if line.strip()})


def pdf_pages(pdf: bytes) -> int:
    info = _run("pdfinfo", pdf)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def uncovered_characters(text: str) -> set[str]:
    """Characters of ``text`` that no font shipped with the app can draw."""
    covered = set()
    for path in FONT_FILES:
        covered |= set(TTFont(path).getBestCmap())
    return {c for c in text if not c.isspace() and ord(c) not in covered}


def render_first_page_png(pdf: bytes, target: Path, resolution: int = 80) -> Path:
    """Write the first page as PNG (``pdftoppm``) and return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-singlefile",
                "-r",
                str(resolution),
                "-f",
                "1",
                "-l",
                "1",
                handle.name,
                str(target.with_suffix("")),
            ],
            check=True,
        )
    return target.with_suffix(".png")
