"""What every check shares: the file types, refusals, names and markup searches."""

import re
import unicodedata
from dataclasses import dataclass
from typing import NoReturn

from django.core.exceptions import ValidationError
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


# An OLE compound file: a vbaProject.bin, an embedded object, an old .doc/.xls.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_VBA_STREAM = "_VBA_PROJECT".encode("utf-16-le")

# Bytes that make a browser or a script host treat a file as a page or a program.
# The first kilobyte, which a browser sniffs, must hold none of them.
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
# The same markers as whole tags, looked for in the text a parser finds in a
# file (strings, comments, text chunks). Whole tags, so that compressed or
# image bytes, which are random, do not match by chance. The bytes are put in
# lower case first: a regular expression that ignores case is ten times slower.
MARKUP_TAG = (
    r"<(?:!doctype\s+html|(?:html|head|body|script|iframe|object|embed|svg)[\s/>]"
    r"|\?php\s|%@\s*(?:page|language|include|taglib|import))"
)
MARKUP = re.compile(MARKUP_TAG.encode("ascii"))
SCRIPT_URLS = (b"javascript:", b"vbscript:")
MARKUP_TEXT = re.compile(MARKUP_TAG + r"|(?:javascript|vbscript):", re.IGNORECASE)
MARKUP_OVERLAP = 64  # longer than any match, for reading in pieces
MARKUP_FOUND = object()  # what a walk returns when it found markup


# Signatures of what is refused, to say what a file really is.
KNOWN_SIGNATURES = (
    (b"MZ", gettext_lazy("a Windows program")),
    (b"\x7fELF", gettext_lazy("a Linux program")),
    (b"\xcf\xfa\xed\xfe", gettext_lazy("a macOS program")),
    (b"\xce\xfa\xed\xfe", gettext_lazy("a macOS program")),
    (b"\xca\xfe\xba\xbe", gettext_lazy("a macOS or Java program")),
    (b"#!", gettext_lazy("a script")),
    (
        OLE_SIGNATURE,
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


def _has_markup(data: bytes) -> bool:
    """Whether data holds a tag of a web page or script, or a script link."""
    lowered = data.lower()
    return MARKUP.search(lowered) is not None or any(
        url in lowered for url in SCRIPT_URLS
    )


class _MarkupScanner:
    """Look for markup in data that arrives in pieces, across their joins."""

    def __init__(self):
        self.carried = b""
        self.found = False

    def feed(self, data: bytes) -> bool:
        if not self.found and data:
            window = self.carried + data
            self.found = _has_markup(window)
            self.carried = window[-MARKUP_OVERLAP:]
        return self.found


# Refusals shared by several kinds of file ---------------------------------------------


def _refuse_markup(shown: str, file_type: FileType) -> NoReturn:
    _refuse(
        _(
            "“%(name)s” is %(description)s with web page or script code in "
            "it, which is not accepted."
        )
        % {"name": shown, "description": file_type.description}
    )


def _refuse_damaged(shown: str, file_type: FileType) -> NoReturn:
    _refuse(
        _(
            "“%(name)s” is %(description)s that is damaged. Open it, save it "
            "again and upload the new copy."
        )
        % {"name": shown, "description": file_type.description}
    )


def _refuse_password(shown: str) -> NoReturn:
    _refuse(
        _(
            "“%(name)s” is protected with a password, so it cannot be checked. "
            "Save a copy without the password and upload that."
        )
        % {"name": shown}
    )
