"""Checks on uploaded files: what a file is is decided by its content, not its name.

Grantees upload PDF, Word (.docx), Excel (.xlsx), PNG and JPEG files. A file is
recognised by its first bytes ("magic numbers") and, for Word and Excel, by the
content types its ZIP package declares, read without extracting anything. Files
that are also something else (a PDF that is a ZIP too, an image with a page of
HTML at its end) are refused, as are macros, zip bombs and anything over the
size limit (``settings.UPLOAD_MAX_BYTES``). A refusal says why, in words.

The checks are deliberately conservative and cheap: they do not render or parse
the documents. They are a filter at the door, not a virus scanner.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext


@dataclass(frozen=True)
class FileType:
    """A kind of file grantees may upload."""

    code: str
    label: str
    content_type: str
    extension: str
    description: str


PDF = FileType("pdf", "PDF", "application/pdf", "pdf", gettext_lazy("a PDF document"))
DOCX = FileType(
    "docx",
    "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    gettext_lazy("a Word document"),
)
XLSX = FileType(
    "xlsx",
    "Excel (.xlsx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
    gettext_lazy("an Excel workbook"),
)
PNG = FileType("png", "PNG", "image/png", "png", gettext_lazy("a PNG image"))
JPEG = FileType("jpeg", "JPEG", "image/jpeg", "jpg", gettext_lazy("a JPEG image"))
ALLOWED_TYPES = (PDF, DOCX, XLSX, PNG, JPEG)

# The main part of an Office Open XML package says what the package is.
OOXML = "application/vnd.openxmlformats-officedocument"
OOXML_MAIN_PARTS = {
    f"{OOXML}.wordprocessingml.document.main+xml": DOCX,
    f"{OOXML}.spreadsheetml.sheet.main+xml": XLSX,
}

# A ZIP package is never extracted; these bound what its directory may declare.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
ZIP_MAX_RATIO = 100  # per entry, for entries over ZIP_RATIO_FLOOR bytes
ZIP_RATIO_FLOOR = 1024 * 1024
CONTENT_TYPES_MAX_BYTES = 1024 * 1024

# Bytes that make a browser or a script host treat a file as a page or a program.
ACTIVE_MARKERS = (
    b"<html",
    b"<!doctype",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<svg",
    b"<?php",
    b"<%@",
    b"javascript:",
)
MARKER_WINDOW = 1024

# PDF names that run code or carry other files when the PDF is opened.
PDF_ACTIVE_NAMES = {
    b"JavaScript": "JavaScript",
    b"JS": "JavaScript",
    b"Launch": gettext_lazy("an action that starts a program"),
    b"EmbeddedFile": gettext_lazy("embedded files"),
    b"EmbeddedFiles": gettext_lazy("embedded files"),
    b"RichMedia": gettext_lazy("embedded media"),
}
PDF_DELIMITER = rb"\s/<>\[\]()%{}"
PDF_ACTIVE_NAME = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)(?=[" + PDF_DELIMITER + rb"]|\Z)"
)
# A name with #xx escapes in it, which must be decoded to be recognised.
PDF_ESCAPED_NAME = re.compile(
    rb"/([^"
    + PDF_DELIMITER
    + rb"]{0,127}#[0-9A-Fa-f]{2}[^"
    + PDF_DELIMITER
    + rb"]{0,127})"
)
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

EXECUTABLE_EXTENSIONS = (
    ".exe",
    ".dll",
    ".com",
    ".scr",
    ".msi",
    ".bat",
    ".cmd",
    ".ps1",
    ".vbs",
    ".vbe",
    ".js",
    ".jse",
    ".wsf",
    ".hta",
    ".jar",
    ".sh",
    ".lnk",
)

# Signatures of what is refused, to say what a file really is.
KNOWN_SIGNATURES = (
    (b"MZ", gettext_lazy("a Windows program")),
    (b"\x7fELF", gettext_lazy("a Linux program")),
    (b"\xcf\xfa\xed\xfe", gettext_lazy("a macOS program")),
    (b"\xce\xfa\xed\xfe", gettext_lazy("a macOS program")),
    (b"\xca\xfe\xba\xbe", gettext_lazy("a macOS or Java program")),
    (b"#!", gettext_lazy("a script")),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        gettext_lazy(
            "an old-format Office file (.doc or .xls); save it as .docx, .xlsx or PDF"
        ),
    ),
    (b"Rar!", gettext_lazy("a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", gettext_lazy("a 7-Zip archive")),
    (b"\x1f\x8b", gettext_lazy("a gzip archive")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"II*\x00", gettext_lazy("a TIFF image")),
    (b"MM\x00*", gettext_lazy("a TIFF image")),
    (b"{\\rtf", gettext_lazy("an RTF document")),
)


class UploadRefused(ValidationError):
    """An uploaded file was refused; the message says why."""


@dataclass(frozen=True)
class CheckedUpload:
    """What an accepted file is: its type, a safe name for it and its size."""

    file_type: FileType
    name: str
    size: int


def describe_types(types=ALLOWED_TYPES) -> str:
    """Name file types for a sentence: 'PDF, Word (.docx) or PNG'."""
    labels = [str(file_type.label) for file_type in types]
    if len(labels) == 1:
        return labels[0]
    return _("%(listed)s or %(last)s") % {
        "listed": _(", ").join(labels[:-1]),
        "last": labels[-1],
    }


WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)


def sanitise_filename(name: str, *, extension: str, max_length: int = 100) -> str:
    """Return a safe base name for a file, with the extension its content earned.

    Folders, control and invisible formatting characters (such as the right-to-left
    override that disguises ``gpj.exe`` as ``exe.jpg``), runs of dots and anything
    but letters, digits, spaces and ``()_.,+-`` are removed. The extension the
    user gave is dropped: ``extension`` comes from the content.
    """
    name = unicodedata.normalize("NFKC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for character in name:
        category = unicodedata.category(character)
        if category.startswith("Z"):
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(character)
    name = "".join(kept)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[^\w\s().,+-]", "_", stem)
    stem = re.sub(r"\.{2,}", ".", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" ._-,")
    stem = stem[:max_length].rstrip(" ._-,")
    if not stem:
        stem = "document"
    if WINDOWS_RESERVED.match(stem):
        stem = f"{stem}_file"
    return f"{stem}.{extension}"


def shown_name(name: str, *, max_length: int = 80) -> str:
    """Return a file's name as the user gave it, safe to repeat in a message."""
    name = unicodedata.normalize("NFKC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        character
        for character in name
        if not unicodedata.category(character).startswith("C")
    ).strip()
    if len(name) > max_length:
        name = f"{name[: max_length - 1]}…"
    return name or _("The file")


def _bytes(size: int) -> str:
    """A size in bytes, in full: "20,971,521 bytes"."""
    return ngettext("%(count)s byte", "%(count)s bytes", size) % {"count": f"{size:,}"}


def _refuse(message: str) -> NoReturn:
    raise UploadRefused(message, code="refused")


def _read_at(uploaded_file, offset: int, length: int, *, whence: int = 0) -> bytes:
    uploaded_file.seek(offset, whence)
    return uploaded_file.read(length)


def _what_it_is(head: bytes) -> str:
    """Say in words what a refused file's first bytes make it."""
    for signature, description in KNOWN_SIGNATURES:
        if head.startswith(signature):
            return str(description)
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return _("a WebP image")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        if b"<svg" in text:
            return _("an SVG image")
        if b"<html" in text or b"<!doctype html" in text:
            return _("an HTML page")
        return _("an HTML or XML file")
    if head.startswith(b"PK\x03\x04"):
        return _("a ZIP archive")
    return _("not one of the allowed types")


def _has_active_marker(data: bytes) -> bool:
    lowered = data.lower()
    return any(marker in lowered for marker in ACTIVE_MARKERS)


def _scan_pdf_names(uploaded_file, size: int) -> str | None:
    """Return what active content a PDF declares, or None.

    Names written with ``#xx`` escapes (``/J#61vaScript``) are decoded first.
    Names hidden in compressed object streams are not seen: the check is partial.
    """
    chunk_size, overlap = 1024 * 1024, 256
    offset = 0
    seen = set()
    while offset < size:
        chunk = _read_at(uploaded_file, offset, chunk_size + overlap)
        if match := PDF_ACTIVE_NAME.search(chunk):
            return PDF_ACTIVE_NAMES[match[1]]
        for raw in set(PDF_ESCAPED_NAME.findall(chunk)) - seen:
            seen.add(raw)
            name = PDF_NAME_ESCAPE.sub(lambda escape: bytes([int(escape[1], 16)]), raw)
            if name in PDF_ACTIVE_NAMES:
                return PDF_ACTIVE_NAMES[name]
        offset += chunk_size
    return None


def _check_pdf(uploaded_file, *, size: int, tail: bytes, shown: str):
    if not tail.rstrip(b"\x00\t\n\r\f ").endswith(b"%%EOF"):
        _refuse(
            _(
                "“%(name)s” is not a complete PDF: it does not end with the PDF "
                "end-of-file marker, or other data follows it."
            )
            % {"name": shown}
        )
    if active := _scan_pdf_names(uploaded_file, size):
        _refuse(
            _(
                "“%(name)s” is a PDF that contains %(active)s, which is not "
                "accepted. Print it to a plain PDF and upload that."
            )
            % {"name": shown, "active": active}
        )


def _check_png(tail: bytes, *, shown: str):
    if not tail.endswith(b"\x00\x00\x00\x00IEND\xaeB`\x82"):
        _refuse(
            _(
                "“%(name)s” is not a complete PNG image: other data follows its "
                "end, or it is cut short."
            )
            % {"name": shown}
        )


def _check_jpeg(tail: bytes, *, shown: str):
    if not tail.rstrip(b"\x00\t\n\r ").endswith(b"\xff\xd9"):
        _refuse(
            _(
                "“%(name)s” is not a complete JPEG image: other data follows its "
                "end, or it is cut short."
            )
            % {"name": shown}
        )


def _check_ooxml(uploaded_file, *, shown: str) -> FileType:
    """Identify a Word or Excel package from its directory and content types."""
    uploaded_file.seek(0)
    try:
        package = zipfile.ZipFile(uploaded_file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        _refuse(
            _("“%(name)s” looks like a Word or Excel file but is damaged.")
            % {"name": shown}
        )
    # Closing the archive leaves the uploaded file open for the caller.
    with package:
        return _identify_package(package, shown=shown)


def _identify_package(package: zipfile.ZipFile, *, shown: str) -> FileType:
    entries = package.infolist()
    if entries and entries[0].header_offset != 0:
        _refuse(
            _("“%(name)s” has other data hidden in front of its content.")
            % {"name": shown}
        )
    if len(entries) > ZIP_MAX_ENTRIES:
        _refuse(
            _("“%(name)s” holds too many parts (%(count)s) to be a document.")
            % {"name": shown, "count": len(entries)}
        )
    total = 0
    for entry in entries:
        total += entry.file_size
        large = entry.file_size > ZIP_RATIO_FLOOR
        if large and entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1):
            _refuse(
                _(
                    "“%(name)s” is compressed suspiciously hard (a “zip bomb”): one "
                    "of its parts would unpack to %(size)s."
                )
                % {"name": shown, "size": filesizeformat(entry.file_size)}
            )
        name = entry.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/"):
            _refuse(
                _("“%(name)s” contains a part with a path outside the document.")
                % {"name": shown}
            )
        lowered = name.lower()
        if lowered.endswith(EXECUTABLE_EXTENSIONS):
            _refuse(
                _("“%(name)s” contains a program or script (%(part)s).")
                % {"name": shown, "part": entry.filename}
            )
        if "vbaproject" in lowered:
            _refuse(_macros(shown))
        if "/activex/" in f"/{lowered}":
            _refuse(
                _("“%(name)s” contains ActiveX controls, which are not accepted.")
                % {"name": shown}
            )
    if total > ZIP_MAX_UNCOMPRESSED_BYTES:
        _refuse(
            _(
                "“%(name)s” would unpack to %(size)s, more than the %(limit)s a "
                "document may hold (a “zip bomb”)."
            )
            % {
                "name": shown,
                "size": filesizeformat(total),
                "limit": filesizeformat(ZIP_MAX_UNCOMPRESSED_BYTES),
            }
        )
    names = {entry.filename for entry in entries}
    try:
        declared = package.getinfo("[Content_Types].xml")
    except KeyError:
        _refuse(
            _("“%(name)s” is a ZIP archive, not a Word or Excel file.")
            % {"name": shown}
        )
    if declared.file_size > CONTENT_TYPES_MAX_BYTES:
        _refuse(_not_valid_office(shown))
    try:
        with package.open(declared) as stream:
            content_types = stream.read(CONTENT_TYPES_MAX_BYTES + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        _refuse(
            _("“%(name)s” looks like a Word or Excel file but is damaged.")
            % {"name": shown}
        )
    if b"<!doctype" in content_types.lower() or b"<!entity" in content_types.lower():
        _refuse(_not_valid_office(shown))
    if b"macroenabled" in content_types.lower():
        _refuse(_macros(shown))
    found = set()
    for element in re.finditer(rb"<Override\b[^>]*>", content_types):
        attributes = dict(
            re.findall(rb'\b(PartName|ContentType)\s*=\s*"([^"]*)"', element[0])
        )
        content_type = attributes.get(b"ContentType", b"").decode("ascii", "replace")
        part = attributes.get(b"PartName", b"").decode("utf-8", "replace")
        if content_type in OOXML_MAIN_PARTS and part.lstrip("/") in names:
            found.add(OOXML_MAIN_PARTS[content_type])
    if len(found) != 1:
        _refuse(
            _(
                "“%(name)s” is a ZIP package but not a Word (.docx) or Excel (.xlsx) "
                "document."
            )
            % {"name": shown}
        )
    return found.pop()


def _macros(shown: str) -> str:
    return _("“%(name)s” contains macros, which are not accepted.") % {"name": shown}


def _not_valid_office(shown: str) -> str:
    return _("“%(name)s” is not a valid Word or Excel file.") % {"name": shown}


def check_upload(
    uploaded_file, *, allowed=ALLOWED_TYPES, max_bytes: int | None = None
) -> CheckedUpload:
    """Decide from its content what an uploaded file is; refuse it if not allowed.

    Raise ``UploadRefused`` with a sentence that names the file and says why.
    The file is read, never extracted or executed; its position is left at 0.
    """
    if max_bytes is None:
        max_bytes = settings.UPLOAD_MAX_BYTES
    shown = shown_name(getattr(uploaded_file, "name", ""))
    size = uploaded_file.size
    if not size:
        _refuse(_("“%(name)s” is empty.") % {"name": shown})
    if size > max_bytes:
        said, limit = filesizeformat(size), filesizeformat(max_bytes)
        if said == limit:  # "20.0 MB; the largest ... is 20.0 MB" would puzzle
            said, limit = _bytes(size), _bytes(max_bytes)
        _refuse(
            _("“%(name)s” is %(size)s; the largest file accepted is %(limit)s.")
            % {"name": shown, "size": said, "limit": limit}
        )
    head = _read_at(uploaded_file, 0, MARKER_WINDOW)
    tail = _read_at(uploaded_file, max(size - MARKER_WINDOW, 0), MARKER_WINDOW)
    try:
        if head.startswith(b"%PDF-"):
            file_type = PDF
        elif head.startswith(b"\x89PNG\r\n\x1a\n"):
            file_type = PNG
        elif head.startswith(b"\xff\xd8\xff"):
            file_type = JPEG
        elif head.startswith(b"PK\x03\x04"):
            file_type = _check_ooxml(uploaded_file, shown=shown)
        else:
            _refuse(
                _(
                    "“%(name)s” cannot be uploaded: its content is %(what)s, "
                    "whatever its name says. Upload a %(types)s file."
                )
                % {
                    "name": shown,
                    "what": _what_it_is(head),
                    "types": describe_types(allowed),
                }
            )
        if file_type not in allowed:
            _refuse(
                _(
                    "“%(name)s” is %(description)s; only %(types)s files are "
                    "accepted here."
                )
                % {
                    "name": shown,
                    "description": file_type.description,
                    "types": describe_types(allowed),
                }
            )
        if _has_active_marker(head) or _has_active_marker(tail):
            _refuse(
                _(
                    "“%(name)s” is %(description)s with web page or script code in "
                    "it, which is not accepted."
                )
                % {"name": shown, "description": file_type.description}
            )
        if file_type is not DOCX and file_type is not XLSX:
            uploaded_file.seek(0)
            if zipfile.is_zipfile(uploaded_file):
                _refuse(
                    _(
                        "“%(name)s” is %(description)s that is also a ZIP archive, "
                        "which is not accepted."
                    )
                    % {"name": shown, "description": file_type.description}
                )
        if file_type is PDF:
            _check_pdf(uploaded_file, size=size, tail=tail, shown=shown)
        elif file_type is PNG:
            _check_png(tail, shown=shown)
        elif file_type is JPEG:
            _check_jpeg(tail, shown=shown)
    finally:
        uploaded_file.seek(0)
    return CheckedUpload(
        file_type=file_type,
        name=sanitise_filename(
            getattr(uploaded_file, "name", ""), extension=file_type.extension
        ),
        size=size,
    )
