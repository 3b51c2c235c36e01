"""Long documents (registers of thousands of rows) rendered in parts, then joined.

WeasyPrint lays a whole document out in memory: one table of ten thousand rows
would hold every page's boxes at once. So a long register is rendered a part at a
time (a few hundred rows, each part a PDF written to a temporary file and its
layout let go), and the parts are joined with pikepdf, which reads them from disk
as it writes the whole. The template is told which part it renders: the first
carries the title, every part the column headings, the last the totals.

A part cannot know how many pages the whole will have, so the page numbers
("12 / 340") are written on the joined document, in the bottom-right margin; the
template's ``@page`` leaves that corner empty (``body.register-part``).
"""

import itertools
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

import pikepdf
from django.template.loader import render_to_string

from grants.paper.render import html_to_pdf

# Helvetica's advance widths (thousandths of the font size) for what a page
# number is made of.
_WIDTHS = {**dict.fromkeys("0123456789", 556), " ": 278, "/": 278}
PAGE_NUMBER_SIZE = 8  # points
PAGE_NUMBER_RIGHT = 28.35  # points from the right edge (10 mm)
PAGE_NUMBER_BASELINE = 17  # points from the bottom edge (6 mm)


def _parts(rows: Iterable, size: int):
    """Yield (rows of a part, is it the last); an empty input is one empty part."""
    iterator = iter(rows)
    part = list(itertools.islice(iterator, size))
    while True:
        following = list(itertools.islice(iterator, size))
        yield part, not following
        if not following:
            return
        part = following


def write_pdf_in_parts(
    template_name: str,
    context: dict,
    rows: Iterable,
    *,
    output: BinaryIO,
    part_size: int = 300,
    totals: tuple[str, ...] = (),
    progress: Callable[[int], None] | None = None,
) -> int:
    """Render ``rows`` with ``template_name`` in parts of ``part_size`` to ``output``.

    Each part's context is ``context`` plus ``rows``, ``first_part``,
    ``last_part`` and, for the last, ``totals``: the sum of each named attribute
    of the rows (``None`` counts as 0). ``progress`` is called with the number of
    rows rendered after each part. Returns the number of pages.
    """
    sums = dict.fromkeys(totals, 0)
    done = 0
    with tempfile.TemporaryDirectory(prefix="khanij-parts-") as folder:
        paths = []
        for index, (part, last) in enumerate(_parts(rows, part_size)):
            for row in part:
                for name in totals:
                    sums[name] += getattr(row, name) or 0
            html = render_to_string(
                template_name,
                {
                    **context,
                    "rows": part,
                    "first_part": index == 0,
                    "last_part": last,
                    "totals": sums if last else None,
                },
            )
            path = Path(folder) / f"part-{index:06d}.pdf"
            path.write_bytes(html_to_pdf(html))
            paths.append(path)
            done += len(part)
            if progress is not None:
                progress(done)
        return join_pdfs(paths, output)


def join_pdfs(paths: list[Path], output: BinaryIO) -> int:
    """Join PDF files into ``output``, numbering the pages; return their number."""
    whole = pikepdf.new()
    sources = []
    try:
        for path in paths:
            source = pikepdf.open(path)
            sources.append(source)
            whole.pages.extend(source.pages)
        first = sources[0]
        for key, value in first.docinfo.items():
            whole.docinfo[key] = value
        if "/Lang" in first.Root:
            whole.Root.Lang = first.Root.Lang
        number_pages(whole)
        whole.save(output)
        return len(whole.pages)
    finally:
        for source in sources:
            source.close()
        whole.close()


def number_pages(pdf: pikepdf.Pdf) -> None:
    """Write "n / total" in the bottom-right margin of every page."""
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    total = len(pdf.pages)
    for number, page in enumerate(pdf.pages, start=1):
        text = f"{number} / {total}"
        width = sum(_WIDTHS[c] for c in text) * PAGE_NUMBER_SIZE / 1000
        left, _bottom, right, _top = (float(v) for v in page.mediabox)
        x = right - left - PAGE_NUMBER_RIGHT - width
        name = page.add_resource(font, pikepdf.Name.Font, prefix="KhPageNo")
        # The page's own drawing is wrapped in q/Q, so whatever state it leaves
        # (WeasyPrint flips the y axis) does not move the number.
        page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
        stamp = (
            f"\nQ\nq 0.267 g BT {name} {PAGE_NUMBER_SIZE} Tf "
            f"{x:.2f} {PAGE_NUMBER_BASELINE} Td ({text}) Tj ET Q\n"
        )
        page.contents_add(pikepdf.Stream(pdf, stamp.encode("ascii")), prepend=False)
