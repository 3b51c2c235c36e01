"""Checks on Word and Excel files (ZIP packages): parts inflated, types read."""

import re
import struct
import xml.etree.ElementTree as ElementTree
import zipfile
import zlib
from typing import NoReturn

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .common import (
    DOCX,
    OLE_SIGNATURE,
    OLE_VBA_STREAM,
    XLSX,
    FileType,
    _read_at,
    _refuse,
    _refuse_password,
)

# The main part of an Office Open XML package says what the package is.
OOXML = "application/vnd.openxmlformats-officedocument"
OOXML_MAIN_PARTS = {
    f"{OOXML}.wordprocessingml.document.main+xml": DOCX,
    f"{OOXML}.spreadsheetml.sheet.main+xml": XLSX,
}

# A ZIP package is never extracted: every part is inflated as a stream and the
# bytes it really unpacks to are counted against these caps.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
ZIP_MAX_RATIO = 100  # per entry, once it has unpacked ZIP_RATIO_FLOOR bytes
ZIP_RATIO_FLOOR = 1024 * 1024
ZIP_READ_BYTES = 64 * 1024
CONTENT_TYPES_MAX_BYTES = 1024 * 1024
RELATIONSHIPS_MAX_BYTES = 8 * 1024 * 1024

# Content types and relationship types that bring code into a package, however
# its parts are named. Matched in lower case, anywhere in the declared type.
OOXML_MACRO_TYPES = (
    "macroenabled",  # the main part of a .docm, .xlsm, .dotm, .xltm...
    "vbaproject",  # application/vnd.ms-office.vbaProject and its signatures
    "vbadata",  # application/vnd.ms-word.vbaData+xml
    "macrosheet",  # Excel 4.0 macro sheets (xlMacrosheet, intlmacrosheet)
    "keymapcustomizations",  # Word keyboard bindings, which call macros
)
OOXML_ACTIVEX_TYPES = ("activex",)
# The last segment of a relationship type, in lower case.
OOXML_MACRO_RELATIONSHIPS = {
    "vbaproject",
    "vbaprojectsignature",
    "vbaprojectsignatureagile",
    "vbaprojectsignaturev3",
    "wordvbadata",
    "keymapcustomizations",
    "xlmacrosheet",
    "xlintlmacrosheet",
}
OOXML_ACTIVEX_RELATIONSHIPS = {"control", "activexcontrol", "activexcontrolbinary"}
# External targets Word and Excel only follow when asked: a link the reader
# clicks, and a workbook's links to other workbooks (Excel asks first).
OOXML_EXTERNAL_ALLOWED = {"hyperlink", "externallinkpath", "xlpathmissing"}
# An external target is fetched from elsewhere when it names another machine:
# a URL (http:, https:, ftp:, mhtml:...), a shared folder (\\host\share) or a
# file: URL with a host. A path on the reader's own disk (C:\..., file:///C:/...,
# file:///Users/...), as Word records the template a document was made from,
# is not.
URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+")  # two letters or more: not "C"
SCRIPT_URL = re.compile(r"^\s*(?:javascript|vbscript)\s*:", re.IGNORECASE)


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


# Word and Excel -----------------------------------------------------------------------


def _check_ooxml(uploaded_file, *, shown: str) -> FileType:
    """Identify a Word or Excel package from its directory and content types."""
    uploaded_file.seek(0)
    try:
        package = zipfile.ZipFile(uploaded_file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        _refuse_damaged_package(shown)
    # Closing the archive leaves the uploaded file open for the caller.
    with package:
        return _identify_package(package, uploaded_file, shown=shown)


def _refuse_damaged_package(shown: str) -> NoReturn:
    _refuse(
        _("“%(name)s” looks like a Word or Excel file but is damaged.")
        % {"name": shown}
    )


def _identify_package(package: zipfile.ZipFile, uploaded_file, *, shown: str):
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
    for entry in entries:
        _check_part_name(entry, shown=shown)
    # Part names are unique, whatever their case: a second copy of a part would
    # be read by one program and checked as the other.
    if len({entry.filename.lower() for entry in entries}) != len(entries):
        _refuse(_not_valid_office(shown))
    unpacked = _Unpacked()
    for entry in entries:
        _inflate_part(entry, uploaded_file, unpacked, shown=shown)
    content_types = unpacked.content_types
    if content_types is None:
        _refuse(
            _("“%(name)s” is a ZIP archive, not a Word or Excel file.")
            % {"name": shown}
        )
    defaults, overrides = _read_content_types(content_types, shown=shown)
    declared = " ".join([*defaults.values(), *overrides.values()]).lower()
    if any(kind in declared for kind in OOXML_MACRO_TYPES):
        _refuse(_macros(shown))
    if any(kind in declared for kind in OOXML_ACTIVEX_TYPES):
        _refuse(_activex(shown))
    for data in unpacked.relationships.values():
        _check_relationships(data, shown=shown)
    if unpacked.vba:
        _refuse(_macros(shown))
    if unpacked.ole:
        _refuse(
            _(
                "“%(name)s” contains an embedded object (%(part)s) that could "
                "carry a program, which is not accepted. Save the document as "
                "PDF, or paste the object in as a picture, and upload that."
            )
            % {"name": shown, "part": unpacked.ole[0]}
        )
    names = {entry.filename for entry in entries}
    found = {
        OOXML_MAIN_PARTS[content_type]
        for part, content_type in overrides.items()
        if content_type in OOXML_MAIN_PARTS and part.lstrip("/") in names
    }
    if len(found) != 1:
        _refuse(
            _(
                "“%(name)s” is a ZIP package but not a Word (.docx) or Excel (.xlsx) "
                "document."
            )
            % {"name": shown}
        )
    return found.pop()


def _check_part_name(entry: zipfile.ZipInfo, *, shown: str):
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
        _refuse(_activex(shown))
    if entry.flag_bits & 0x41:  # encrypted, or strongly encrypted
        _refuse_password(shown)
    if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        _refuse(_not_valid_office(shown))


class _Unpacked:
    """What inflating a package's parts found, and the running total."""

    def __init__(self):
        self.total = 0
        self.content_types = None
        self.relationships = {}
        self.ole = []
        self.vba = False


def _inflate_part(entry, uploaded_file, unpacked: _Unpacked, *, shown: str):
    """Inflate one part as a stream, counting what it really unpacks to.

    The sizes and checksum the archive declares are checked against what was
    inflated, never trusted: a part that claims 1,000 bytes and unpacks to a
    gigabyte is stopped at the caps, and one whose sizes were forged is damaged.
    """
    name = entry.filename.replace("\\", "/")
    lowered = name.lower()
    if lowered == "[content_types].xml":
        keep = CONTENT_TYPES_MAX_BYTES
    elif lowered.endswith(".rels"):
        keep = RELATIONSHIPS_MAX_BYTES
    else:
        keep = 0
    kept = bytearray()
    start = carried = b""
    produced = checksum = 0
    for piece in _inflated_pieces(entry, uploaded_file, shown=shown):
        produced += len(piece)
        unpacked.total += len(piece)
        checksum = zlib.crc32(piece, checksum)
        _check_inflated_size(entry, produced, unpacked.total, shown=shown)
        if len(start) < len(OLE_SIGNATURE):
            start += piece[: len(OLE_SIGNATURE) - len(start)]
        if start.startswith(OLE_SIGNATURE):
            window = carried + piece
            unpacked.vba = unpacked.vba or OLE_VBA_STREAM in window
            carried = window[-len(OLE_VBA_STREAM) :]
        if keep:
            if len(kept) + len(piece) > keep:
                _refuse(_not_valid_office(shown))
            kept += piece
    if produced != entry.file_size or checksum != entry.CRC:
        _refuse_damaged_package(shown)
    if start.startswith(OLE_SIGNATURE):
        unpacked.ole.append(name)
    if lowered == "[content_types].xml":
        unpacked.content_types = bytes(kept)
    elif keep:
        unpacked.relationships[name] = bytes(kept)


def _inflated_pieces(entry, uploaded_file, *, shown: str):
    """Yield a part's content in pieces of at most ZIP_READ_BYTES, as it inflates."""
    header = _read_at(uploaded_file, entry.header_offset, 30)
    if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
        _refuse_damaged_package(shown)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    position = entry.header_offset + 30 + name_length + extra_length
    left = entry.compress_size
    if entry.compress_type == zipfile.ZIP_STORED:
        while left:
            piece = _read_at(uploaded_file, position, min(left, ZIP_READ_BYTES))
            if not piece:
                _refuse_damaged_package(shown)
            position += len(piece)
            left -= len(piece)
            yield piece
        return
    inflater = zlib.decompressobj(-15)
    pending = b""
    try:
        while not inflater.eof:
            if not pending and left:
                pending = _read_at(uploaded_file, position, min(left, ZIP_READ_BYTES))
                if not pending:
                    _refuse_damaged_package(shown)
                position += len(pending)
                left -= len(pending)
            piece = inflater.decompress(pending, ZIP_READ_BYTES)
            pending = inflater.unconsumed_tail
            if not piece and not pending and not left and not inflater.eof:
                _refuse_damaged_package(shown)  # the data ends before the part does
            yield piece
    except zlib.error:
        _refuse_damaged_package(shown)


def _check_inflated_size(entry, produced: int, total: int, *, shown: str):
    if produced > ZIP_RATIO_FLOOR and produced > ZIP_MAX_RATIO * max(
        entry.compress_size, 1
    ):
        _refuse(
            _(
                "“%(name)s” is compressed suspiciously hard (a “zip bomb”): one "
                "of its parts unpacks to more than %(size)s from %(packed)s."
            )
            % {
                "name": shown,
                "size": filesizeformat(produced),
                "packed": filesizeformat(entry.compress_size),
            }
        )
    if total > ZIP_MAX_UNCOMPRESSED_BYTES:
        _refuse(
            _(
                "“%(name)s” would unpack to more than the %(limit)s a document "
                "may hold (a “zip bomb”)."
            )
            % {"name": shown, "limit": filesizeformat(ZIP_MAX_UNCOMPRESSED_BYTES)}
        )


def _parse_package_xml(data: bytes, *, shown: str):
    """Parse a small XML part of a package; no document type, so no entities.

    The zero bytes are dropped before looking, so that UTF-16 hides nothing.
    """
    lowered = data.replace(b"\x00", b"").lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        _refuse(_not_valid_office(shown))
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        _refuse(_not_valid_office(shown))


def _local_name(tag) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _read_content_types(data: bytes, *, shown: str):
    """Return the declared content types: by extension, and by part name."""
    root = _parse_package_xml(data, shown=shown)
    defaults, overrides = {}, {}
    for element in root.iter():
        tag = _local_name(element.tag)
        content_type = element.get("ContentType", "")
        if tag == "Default":
            defaults[element.get("Extension", "").lower()] = content_type
        elif tag == "Override":
            overrides[element.get("PartName", "")] = content_type
    return defaults, overrides


def _check_relationships(data: bytes, *, shown: str):
    """Refuse relationships that bring in macros, ActiveX or files from elsewhere."""
    root = _parse_package_xml(data, shown=shown)
    for element in root.iter():
        if _local_name(element.tag) != "Relationship":
            continue
        kind = element.get("Type", "").rstrip("/").rsplit("/", 1)[-1].lower()
        target = element.get("Target", "")
        if kind in OOXML_MACRO_RELATIONSHIPS:
            _refuse(_macros(shown))
        if kind in OOXML_ACTIVEX_RELATIONSHIPS:
            _refuse(_activex(shown))
        if SCRIPT_URL.match(target):
            _refuse(
                _(
                    "“%(name)s” has a link that runs a script, which is not "
                    "accepted. Remove the link and upload the file again."
                )
                % {"name": shown}
            )
        external = element.get("TargetMode", "").lower() == "external"
        if (
            external
            and kind not in OOXML_EXTERNAL_ALLOWED
            and _fetched_from_elsewhere(target)
        ):
            _refuse(
                _(
                    "“%(name)s” brings in a template or another file from "
                    "elsewhere when it is opened, which is not accepted. Save "
                    "it as a new document, with everything in it, and upload that."
                )
                % {"name": shown}
            )


def _fetched_from_elsewhere(target: str) -> bool:
    """Whether an external target names another machine (see URL_SCHEME)."""
    target = target.strip().replace("\\", "/")
    if target.startswith("//"):
        return True
    scheme, colon, rest = target.partition(":")
    if not colon or not URL_SCHEME.fullmatch(scheme):
        return False  # a path: "C:/...", "Macintosh HD:Users:...", or relative
    if scheme.lower() != "file":
        return True
    if rest.startswith("//"):
        return rest[2:].split("/", 1)[0].lower() not in ("", "localhost")
    return False


def _macros(shown: str) -> str:
    return _("“%(name)s” contains macros, which are not accepted.") % {"name": shown}


def _activex(shown: str) -> str:
    return _("“%(name)s” contains ActiveX controls, which are not accepted.") % {
        "name": shown
    }


def _not_valid_office(shown: str) -> str:
    return _("“%(name)s” is not a valid Word or Excel file.") % {"name": shown}
