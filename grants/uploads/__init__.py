"""Checks on uploaded files: what a file is is decided by its content, not its name.

Grantees upload PDF, Word (.docx), Excel (.xlsx), PNG and JPEG files. A file is
recognised by its first bytes ("magic numbers") and then read the way the
program that opens it would read it, so that nothing can hide where a quick
look does not reach:

- a PDF is parsed (with pikepdf, which bundles qpdf), every object walked,
  those packed in compressed object streams too: JavaScript, actions that run
  by themselves, program launches, embedded files or media, XFA forms and
  form submissions are refused, and so is web page or script code in its
  strings, in its text streams or between its objects. A PDF that cannot be
  parsed, or that needs a password to open, is refused;
- a PNG image is walked chunk by chunk (lengths and checksums checked, text
  chunks read, nothing allowed after its end);
- a JPEG image is walked segment by segment (comments and application
  segments read, nothing allowed after its end but further images of the
  same file);
- a Word or Excel file, a ZIP package, has every part inflated as a stream,
  counting the bytes it really unpacks to (not the sizes it declares), with a
  total and a ratio cap; its content types and relationships are read, so
  macros, ActiveX controls and templates fetched from elsewhere are refused
  whatever their parts are called, and so are embedded OLE objects.

Files that are also something else (a PDF that is a ZIP too, an image with a
page of HTML at its end) are refused, as is anything over the size limit
(``settings.UPLOAD_MAX_BYTES``). A refusal says why, in words.

The checks run in the upload request, so each is bounded in time and memory;
nothing is extracted to disk or executed. They are a filter at the door, not a
virus scanner.
"""

import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .common import (
    ACTIVE_MARKERS,
    ALLOWED_TYPES,
    DOCX,
    JPEG,
    KNOWN_SIGNATURES,
    MARKER_WINDOW,
    MARKUP,
    MARKUP_FOUND,
    MARKUP_OVERLAP,
    MARKUP_TAG,
    MARKUP_TEXT,
    OLE_SIGNATURE,
    OLE_VBA_STREAM,
    PDF,
    PNG,
    SCRIPT_URLS,
    WINDOWS_RESERVED,
    XLSX,
    CheckedUpload,
    FileType,
    UploadRefused,
    _bytes,
    _has_active_marker,
    _read_at,
    _refuse,
    _refuse_markup,
    _refuse_password,
    _what_it_is,
    describe_types,
    sanitise_filename,
    shown_name,
)
from .images import (
    JPEG_COM,
    JPEG_END_OF_SCAN,
    JPEG_EOI,
    JPEG_FRAMES,
    JPEG_MAX_IMAGES,
    JPEG_MAX_SEGMENTS,
    JPEG_SOS,
    JPEG_STANDALONE,
    PNG_CHUNK_TYPE,
    PNG_IMAGE_CHUNKS,
    PNG_MAX_CHUNKS,
    PNG_READ_BYTES,
    PNG_SIGNATURE,
    PNG_TEXT_CHUNKS,
    PNG_TEXT_MAX_BYTES,
    TRAILING_PADDING,
    _check_jpeg,
    _check_png,
)
from .packages import (
    CONTENT_TYPES_MAX_BYTES,
    EXECUTABLE_EXTENSIONS,
    OOXML,
    OOXML_ACTIVEX_RELATIONSHIPS,
    OOXML_ACTIVEX_TYPES,
    OOXML_EXTERNAL_ALLOWED,
    OOXML_MACRO_RELATIONSHIPS,
    OOXML_MACRO_TYPES,
    OOXML_MAIN_PARTS,
    RELATIONSHIPS_MAX_BYTES,
    SCRIPT_URL,
    URL_SCHEME,
    ZIP_MAX_ENTRIES,
    ZIP_MAX_RATIO,
    ZIP_MAX_UNCOMPRESSED_BYTES,
    ZIP_RATIO_FLOOR,
    ZIP_READ_BYTES,
    _check_ooxml,
)
from .pdf import (
    OBJECT,
    PDF_ACTIVE_KEYS,
    PDF_ACTIVE_NAMES,
    PDF_AUTOMATIC,
    PDF_AUTOMATIC_KEYS,
    PDF_BINARY_KEYS,
    PDF_BINARY_SUBTYPES,
    PDF_BINARY_TYPES,
    PDF_FILES,
    PDF_FORM_ACTIONS,
    PDF_HEX_STRING,
    PDF_JAVASCRIPT,
    PDF_LAUNCH,
    PDF_MAX_OBJECTS,
    PDF_MEDIA,
    PDF_OBJECT_HEAD_BYTES,
    PDF_READ_BYTES,
    PDF_STREAM_START,
    PDF_SUSPECT_NAME,
    PDF_TEXT_MAX_BYTES,
    PDF_TEXT_STREAM_MAX_BYTES,
    PDF_UNREADABLE,
    PDF_XFA,
    _check_pdf,
)

__all__ = [
    "ACTIVE_MARKERS",
    "ALLOWED_TYPES",
    "CONTENT_TYPES_MAX_BYTES",
    "CheckedUpload",
    "DOCX",
    "EXECUTABLE_EXTENSIONS",
    "FileType",
    "JPEG",
    "JPEG_COM",
    "JPEG_END_OF_SCAN",
    "JPEG_EOI",
    "JPEG_FRAMES",
    "JPEG_MAX_IMAGES",
    "JPEG_MAX_SEGMENTS",
    "JPEG_SOS",
    "JPEG_STANDALONE",
    "KNOWN_SIGNATURES",
    "MARKER_WINDOW",
    "MARKUP",
    "MARKUP_FOUND",
    "MARKUP_OVERLAP",
    "MARKUP_TAG",
    "MARKUP_TEXT",
    "OBJECT",
    "OLE_SIGNATURE",
    "OLE_VBA_STREAM",
    "OOXML",
    "OOXML_ACTIVEX_RELATIONSHIPS",
    "OOXML_ACTIVEX_TYPES",
    "OOXML_EXTERNAL_ALLOWED",
    "OOXML_MACRO_RELATIONSHIPS",
    "OOXML_MACRO_TYPES",
    "OOXML_MAIN_PARTS",
    "PDF",
    "PDF_ACTIVE_KEYS",
    "PDF_ACTIVE_NAMES",
    "PDF_AUTOMATIC",
    "PDF_AUTOMATIC_KEYS",
    "PDF_BINARY_KEYS",
    "PDF_BINARY_SUBTYPES",
    "PDF_BINARY_TYPES",
    "PDF_FILES",
    "PDF_FORM_ACTIONS",
    "PDF_HEX_STRING",
    "PDF_JAVASCRIPT",
    "PDF_LAUNCH",
    "PDF_MAX_OBJECTS",
    "PDF_MEDIA",
    "PDF_OBJECT_HEAD_BYTES",
    "PDF_READ_BYTES",
    "PDF_STREAM_START",
    "PDF_SUSPECT_NAME",
    "PDF_TEXT_MAX_BYTES",
    "PDF_TEXT_STREAM_MAX_BYTES",
    "PDF_UNREADABLE",
    "PDF_XFA",
    "PNG",
    "PNG_CHUNK_TYPE",
    "PNG_IMAGE_CHUNKS",
    "PNG_MAX_CHUNKS",
    "PNG_READ_BYTES",
    "PNG_SIGNATURE",
    "PNG_TEXT_CHUNKS",
    "PNG_TEXT_MAX_BYTES",
    "RELATIONSHIPS_MAX_BYTES",
    "SCRIPT_URL",
    "SCRIPT_URLS",
    "TRAILING_PADDING",
    "URL_SCHEME",
    "UploadRefused",
    "WINDOWS_RESERVED",
    "XLSX",
    "ZIP_MAX_ENTRIES",
    "ZIP_MAX_RATIO",
    "ZIP_MAX_UNCOMPRESSED_BYTES",
    "ZIP_RATIO_FLOOR",
    "ZIP_READ_BYTES",
    "check_upload",
    "describe_types",
    "sanitise_filename",
    "shown_name",
]


# An Office file saved with a password to open is not a ZIP package but an OLE
# compound file holding the encrypted package, described by this stream.
OLE_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")


def _is_encrypted_package(uploaded_file) -> bool:
    """Whether an OLE file is a Word or Excel file encrypted with a password."""
    uploaded_file.seek(0)
    tail = b""
    while data := uploaded_file.read(1 << 16):
        if OLE_ENCRYPTION_STREAM in tail + data:
            return True
        tail = data[-len(OLE_ENCRYPTION_STREAM) :]
    return False


# The door -----------------------------------------------------------------------------


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
    try:
        if head.startswith(b"%PDF-"):
            file_type = PDF
        elif head.startswith(PNG_SIGNATURE):
            file_type = PNG
        elif head.startswith(b"\xff\xd8\xff"):
            file_type = JPEG
        elif head.startswith(b"PK\x03\x04"):
            file_type = _check_ooxml(uploaded_file, shown=shown)
        elif head.startswith(OLE_SIGNATURE) and _is_encrypted_package(uploaded_file):
            _refuse_password(shown)
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
        # What a browser sniffs to decide a file is a page.
        if _has_active_marker(head):
            _refuse_markup(shown, file_type)
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
            _check_pdf(uploaded_file, size=size, shown=shown)
        elif file_type is PNG:
            _check_png(uploaded_file, size=size, shown=shown)
        elif file_type is JPEG:
            _check_jpeg(uploaded_file, size=size, shown=shown)
    finally:
        uploaded_file.seek(0)
    return CheckedUpload(
        file_type=file_type,
        name=sanitise_filename(
            getattr(uploaded_file, "name", ""), extension=file_type.extension
        ),
        size=size,
    )
