"""The demo's signed copies: a one-page PDF that says what it stands for."""

import datetime

from django.core.files.base import ContentFile

from grants.formatting import INDIA
from grants.models import Document


def one_page_pdf(lines: list[str]) -> bytes:
    """A minimal, valid one-page PDF (A4) with lines of Helvetica text."""

    def escaped(text: str) -> str:
        plain = text.encode("latin-1", "replace").decode("latin-1")
        return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = (
        "BT /F1 12 Tf 72 770 Td 16 TL "
        + " ".join(f"({escaped(line)}) '" for line in lines)
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream"
        % (len(text.encode("latin-1")), text.encode("latin-1")),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def attach_signed_copy(certificate, *, uploaded_by) -> Document:
    """Keep an illustrative signed copy against a demo certificate."""
    project = certificate.project
    content = one_page_pdf(
        [
            "Illustrative demo data - not Ministry of Mines records.",
            "",
            f"Form GFR 12-A: {certificate}",
            f"Period {certificate.period_start:%d %b %Y} to "
            f"{certificate.period_end:%d %b %Y}",
            f"Grantee: {project.organisation.name}",
            "Signed by the head of the organisation and its finance officer.",
        ]
    )
    name = f"signed-uc-{project.reference}-{certificate.pk}.pdf".lower()
    document = Document(
        project=project,
        certificate=certificate,
        kind=Document.Kind.SIGNED_UC,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        description="Signed copy of the certificate (illustrative)",
        uploaded_by=uploaded_by,
    )
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    # Uploaded with the certificate, on the day it was submitted.
    uploaded_at = datetime.datetime.combine(
        certificate.submitted_on, datetime.time(10), tzinfo=INDIA
    )
    Document.objects.filter(pk=document.pk).update(uploaded_at=uploaded_at)
    return document
