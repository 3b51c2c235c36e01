"""What an uploaded file is, decided by its content: allowed types and refusals."""

import io
import struct
import zipfile
import zlib

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grants import uploads

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def png_bytes() -> bytes:
    """A valid 1 x 1 grey PNG."""

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """The start and end of a JPEG (JFIF) file, as the checks read them."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + (
        b"\x00" * 64 + b"\xff\xd9"
    )


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Statement of expenditure"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ooxml_bytes(main_part: str, content_type: str, *, extra=()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main_part}" ContentType="{content_type}"/>'
            "</Types>",
        )
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr(main_part, "<document/>")
        for name, data in extra:
            package.writestr(name, data)
    return buffer.getvalue()


WORD_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)


def docx_bytes(**kwargs) -> bytes:
    return ooxml_bytes("word/document.xml", WORD_MAIN, **kwargs)


def zip_bytes(**files) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(name="report.pdf", data=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refusal(uploaded_file, **kwargs) -> str:
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_upload(uploaded_file, **kwargs)
    return " ".join(refused.value.messages)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("report.pdf", PDF_BYTES, uploads.PDF),
        ("photo.png", png_bytes(), uploads.PNG),
        ("scan.jpeg", jpeg_bytes(), uploads.JPEG),
        ("expenditure.xlsx", xlsx_bytes(), uploads.XLSX),
        ("narrative.docx", docx_bytes(), uploads.DOCX),
    ],
)
def test_each_allowed_type_is_recognised_by_its_content(name, data, expected):
    checked = uploads.check_upload(upload(name, data))

    assert checked.file_type == expected
    assert checked.size == len(data)


def test_a_file_is_named_by_its_content_not_by_the_name_it_came_with():
    checked = uploads.check_upload(upload("scan.docx", PDF_BYTES))

    assert checked.file_type == uploads.PDF
    assert checked.name == "scan.pdf"


def test_the_file_is_left_at_its_start_for_storing():
    uploaded_file = upload()
    uploads.check_upload(uploaded_file)

    assert uploaded_file.read() == PDF_BYTES


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "a Windows program"),
        ("report.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "a Linux program"),
        ("report.pdf", b"#!/bin/sh\nrm -rf /\n", "a script"),
        (
            "statement.pdf",
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
            "an HTML page",
        ),
        (
            "chart.png",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>",
            "an SVG image",
        ),
        ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".doc"),
        ("notes.pdf", b"just some text", "not one of the allowed types"),
        ("archive.docx", zip_bytes(**{"a.txt": "hello"}), "not a Word or Excel"),
    ],
)
def test_a_forbidden_file_disguised_by_its_extension_is_refused_saying_what_it_is(
    name, data, said
):
    message = refusal(upload(name, data))

    assert said in message
    assert name in message


def test_an_empty_file_is_refused():
    assert "is empty" in refusal(upload("empty.pdf", b""))


def test_a_file_over_the_size_limit_is_refused_with_both_sizes(settings):
    settings.UPLOAD_MAX_BYTES = 1000

    message = refusal(upload("big.pdf", PDF_BYTES + b"%" * 2000 + b"\n%%EOF\n"))

    assert "largest file accepted is 1000\u00a0bytes" in message
    assert "“big.pdf” is 2.1\u00a0KB" in message


def test_the_size_limit_is_a_setting(settings):
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024

    assert uploads.check_upload(upload()).file_type == uploads.PDF


def test_a_pdf_that_is_also_a_zip_archive_is_refused():
    polyglot = PDF_BYTES + zip_bytes(**{"payload.exe": "MZ"})

    assert "also a ZIP archive" in refusal(upload("report.pdf", polyglot))


def test_a_pdf_with_data_after_its_end_is_refused():
    message = refusal(upload("report.pdf", PDF_BYTES + b"trailing payload " * 10))

    assert "end-of-file marker" in message


@pytest.mark.parametrize(
    "name",
    [b"/JavaScript", b"/JS", b"/J#61vaScript", b"/Launch", b"/EmbeddedFile"],
)
def test_a_pdf_with_active_content_is_refused(name):
    data = b"%PDF-1.7\n1 0 obj << /OpenAction << /S " + name + b" >> >>\n%%EOF\n"

    assert "is a PDF that contains" in refusal(upload("report.pdf", data))


def test_a_pdf_with_html_in_its_first_bytes_is_refused():
    data = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"

    assert "web page or script code" in refusal(upload("report.pdf", data))


def test_an_image_with_a_page_of_html_after_its_end_is_refused():
    data = png_bytes() + b"<script>alert(document.cookie)</script>"

    assert "web page or script code" in refusal(upload("photo.png", data))


def test_an_image_with_data_after_its_end_is_refused():
    assert "other data follows" in refusal(upload("photo.png", png_bytes() + b"x"))
    assert "other data follows" in refusal(upload("scan.jpg", jpeg_bytes() + b"abc"))


def test_a_zip_bomb_is_refused_by_its_compression_ratio():
    bomb = ooxml_bytes(
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        extra=[("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))],
    )

    assert "zip bomb" in refusal(upload("budget.xlsx", bomb))


def test_a_zip_bomb_is_refused_by_its_total_unpacked_size(monkeypatch):
    monkeypatch.setattr(uploads, "ZIP_MAX_UNCOMPRESSED_BYTES", 1000)
    data = docx_bytes(extra=[("word/media/a.xml", "x" * 2000)])

    assert "would unpack to" in refusal(upload("report.docx", data))


def test_a_word_file_with_macros_is_refused():
    data = docx_bytes(extra=[("word/vbaProject.bin", b"\x00" * 10)])

    assert "macros" in refusal(upload("report.docx", data))


def test_a_macro_enabled_workbook_is_refused():
    data = ooxml_bytes(
        "xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    )

    assert "macros" in refusal(upload("budget.xlsx", data))


def test_a_word_file_carrying_a_program_is_refused():
    data = docx_bytes(extra=[("word/embeddings/setup.exe", b"MZ")])

    assert "program or script" in refusal(upload("report.docx", data))


def test_a_zip_whose_main_part_is_missing_is_refused():
    data = zip_bytes(
        **{
            "[Content_Types].xml": f'<Types><Override PartName="/word/document.xml" '
            f'ContentType="{WORD_MAIN}"/></Types>'
        }
    )

    assert "not a Word (.docx) or Excel" in refusal(upload("report.docx", data))


def test_only_the_types_asked_for_are_accepted():
    message = refusal(upload("scan.jpg", jpeg_bytes()), allowed=(uploads.PDF,))

    assert "is a JPEG image; only PDF files are accepted here" in message


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\pi\\Desktop\\UC 2025-26.pdf", "UC 2025-26.pdf"),
        ("report\x00\x1b[31m.pdf", "report_31m.pdf"),
        ("invoice\u202etxt.exe", "invoicetxt.pdf"),  # right-to-left override removed
        ("....pdf", "document.pdf"),
        ("a..b....c.pdf", "a.b.c.pdf"),
        ("", "document.pdf"),
        ("CON.pdf", "CON_file.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),  # "/" ends a folder
        ("<b>Report", "b_Report.pdf"),
        ("Rapport d'étape (final).docx", "Rapport d_étape (final).pdf"),
        ("x" * 300 + ".pdf", "x" * 100 + ".pdf"),
    ],
)
def test_file_names_are_sanitised_to_a_safe_base_name(given, safe):
    assert uploads.sanitise_filename(given, extension="pdf") == safe
