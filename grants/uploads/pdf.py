"""Checks on PDF files: every object walked, text and the bytes between read."""

import bisect
import io
import itertools
import re
import zlib
from typing import NoReturn

import pikepdf
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .common import (
    MARKER_WINDOW,
    MARKUP,
    MARKUP_FOUND,
    MARKUP_OVERLAP,
    MARKUP_TEXT,
    PDF,
    SCRIPT_URLS,
    _has_markup,
    _read_at,
    _refuse,
    _refuse_markup,
    _refuse_password,
)

# PDF: what runs code or carries other files when the PDF is opened. Keys and
# name values are compared as the parser decodes them, so "/J#61vaScript" is
# "/JavaScript" here.
PDF_JAVASCRIPT = "JavaScript"
PDF_LAUNCH = gettext_lazy("an action that starts a program")
PDF_FILES = gettext_lazy("embedded files")
PDF_MEDIA = gettext_lazy("embedded media")
PDF_XFA = gettext_lazy("a dynamic (XFA) form that can run scripts")
PDF_FORM_ACTIONS = gettext_lazy("form actions that send or fetch data")
PDF_AUTOMATIC = gettext_lazy("actions that run by themselves when it is opened")
PDF_ACTIVE_KEYS = {
    "/JavaScript": PDF_JAVASCRIPT,
    "/JS": PDF_JAVASCRIPT,
    "/OnInstantiate": PDF_JAVASCRIPT,  # 3D artwork's script
    "/Launch": PDF_LAUNCH,
    "/EmbeddedFile": PDF_FILES,
    "/EmbeddedFiles": PDF_FILES,
    "/EF": PDF_FILES,
    "/GoToE": PDF_FILES,
    "/RichMedia": PDF_MEDIA,
    "/RichMediaContent": PDF_MEDIA,
    "/RichMediaSettings": PDF_MEDIA,
    "/XFA": PDF_XFA,
    "/SubmitForm": PDF_FORM_ACTIONS,
    "/ImportData": PDF_FORM_ACTIONS,
}
PDF_ACTIVE_NAMES = {
    "/JavaScript": PDF_JAVASCRIPT,
    "/Launch": PDF_LAUNCH,
    "/EmbeddedFile": PDF_FILES,
    "/FileAttachment": PDF_FILES,
    "/GoToE": PDF_FILES,
    "/RichMedia": PDF_MEDIA,
    "/Rendition": PDF_MEDIA,
    "/Movie": PDF_MEDIA,
    "/Sound": PDF_MEDIA,
    "/3D": PDF_MEDIA,
    "/SubmitForm": PDF_FORM_ACTIONS,
    "/ImportData": PDF_FORM_ACTIONS,
}
# /OpenAction and /AA run an action by themselves; only moving to a page is
# harmless (LaTeX, for one, opens every PDF at its first page this way).
PDF_AUTOMATIC_KEYS = ("/OpenAction", "/AA")
# What makes an object worth walking, in the lower-cased text qpdf writes back
# for it (names decoded: "/J#61vaScript" is written "/JavaScript"): an active
# name or key, a string in hex (text that is not plain ASCII), markup or a
# script link. Most objects have none of these. Each is searched for on its
# own: one expression for all of them is several times slower.
PDF_SUSPECT_NAME = re.compile(
    rb"/(?:"
    + b"|".join(
        re.escape(name[1:].lower().encode())
        for name in sorted({*PDF_ACTIVE_KEYS, *PDF_ACTIVE_NAMES, *PDF_AUTOMATIC_KEYS})
    )
    + rb")(?=[\s/<>\[\]()%{}]|$)"
)
PDF_HEX_STRING = re.compile(rb"<[0-9a-f]")  # qpdf writes "<<" with a space after
PDF_MAX_OBJECTS = 250_000  # a tagged report of 1,000 pages has fewer
# Text streams (page content, XMP metadata) are inflated, within these bounds,
# to look for markup; images, fonts and colour profiles are not text.
PDF_TEXT_STREAM_MAX_BYTES = 16 * 1024 * 1024
PDF_TEXT_MAX_BYTES = 64 * 1024 * 1024
PDF_BINARY_SUBTYPES = {"/Image", "/Type1C", "/CIDFontType0C", "/OpenType"}
PDF_BINARY_TYPES = {"/ObjStm", "/XRef", "/EmbeddedFile"}
PDF_BINARY_KEYS = ("/Length1", "/Length2", "/Length3", "/N", "/DecodeParms")
PDF_STREAM_START = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
PDF_READ_BYTES = 1024 * 1024
# What qpdf and pikepdf raise for a file they cannot make sense of.
PDF_UNREADABLE = (
    pikepdf.PdfError,
    RuntimeError,
    ValueError,
    TypeError,
    OSError,
    OverflowError,
)
PDF_OBJECT_HEAD_BYTES = 8 * 1024  # a stream's dictionary, before its data


# PDF ----------------------------------------------------------------------------------

OBJECT = pikepdf.ObjectType


def _check_pdf(uploaded_file, *, size: int, shown: str):
    tail = _read_at(uploaded_file, max(size - MARKER_WINDOW, 0), MARKER_WINDOW)
    if not tail.rstrip(b"\x00\t\n\r\f ").endswith(b"%%EOF"):
        _refuse(
            _(
                "“%(name)s” is not a complete PDF: it does not end with the PDF "
                "end-of-file marker, or other data follows it."
            )
            % {"name": shown}
        )
    try:
        pdf = pikepdf.open(_pdf_source(uploaded_file))
    except pikepdf.PasswordError:
        _refuse_password(shown)
    except PDF_UNREADABLE:
        _refuse_unreadable_pdf(shown)
    with pdf:
        try:
            _check_pdf_objects(pdf, uploaded_file, size=size, shown=shown)
        except PDF_UNREADABLE:
            _refuse_unreadable_pdf(shown)


def _pdf_source(uploaded_file):
    """What pikepdf reads fastest: the file on disk, or the stream under Django's."""
    if hasattr(uploaded_file, "temporary_file_path"):
        return uploaded_file.temporary_file_path()
    stream = getattr(uploaded_file, "file", None)
    source = stream if isinstance(stream, io.IOBase) else uploaded_file
    source.seek(0)
    return source


def _refuse_unreadable_pdf(shown: str) -> NoReturn:
    _refuse(
        _(
            "“%(name)s” cannot be read as a PDF: it is damaged, or it is not "
            "really a PDF. Print it to a new PDF and upload that."
        )
        % {"name": shown}
    )


def _check_pdf_objects(pdf, uploaded_file, *, size: int, shown: str):
    declared = pdf.trailer.get("/Size", 0)
    count = declared if isinstance(declared, int) else 0
    objects = pdf.objects if count <= PDF_MAX_OBJECTS else []
    count = max(count, len(objects))
    if count > PDF_MAX_OBJECTS:
        _refuse(
            _("“%(name)s” holds too many parts (%(count)s) to be a document.")
            % {"name": shown, "count": count}
        )
    found = _pdf_active_content(objects)
    if found is MARKUP_FOUND:
        _refuse_markup(shown, PDF)
    if found is not None:
        _refuse(
            _(
                "“%(name)s” is a PDF that contains %(active)s, which is not "
                "accepted. Print it to a plain PDF and upload that."
            )
            % {"name": shown, "active": found}
        )
    if _pdf_text_has_markup(objects) or _pdf_markup_between_objects(
        pdf, uploaded_file, size=size
    ):
        _refuse_markup(shown, PDF)


def _pdf_active_content(objects):
    """Return what active content the PDF's objects hold, ``MARKUP_FOUND``, or None.

    Every object is read, those unpacked from object streams too, with the
    dictionaries and arrays written inside it; other objects it refers to are
    read in their own turn. An object is first written back as qpdf would
    write it, and walked item by item only if that shows something suspect.
    """
    automatic = None  # said only if nothing more telling is found
    for top in _pdf_suspects(objects):
        pending = [top]
        while pending:
            item = pending.pop()
            code = item._type_code
            if code == OBJECT.stream:
                pending.append(item.stream_dict)
            elif code == OBJECT.dictionary:
                for key, value in item.items():
                    if key in PDF_ACTIVE_KEYS:
                        return PDF_ACTIVE_KEYS[key]
                    if key in PDF_AUTOMATIC_KEYS and not _pdf_harmless_trigger(
                        key, value
                    ):
                        automatic = PDF_AUTOMATIC
                    if isinstance(value, pikepdf.Object) and not value.is_indirect:
                        pending.append(value)
            elif code == OBJECT.array:
                pending.extend(
                    value
                    for value in item
                    if isinstance(value, pikepdf.Object) and not value.is_indirect
                )
            elif code == OBJECT.name_:
                if (name := str(item)) in PDF_ACTIVE_NAMES:
                    return PDF_ACTIVE_NAMES[name]
            elif code == OBJECT.string and _pdf_string_has_markup(item):
                return MARKUP_FOUND
    return automatic


def _pdf_suspects(objects) -> list:
    """The objects whose written text shows something worth walking."""
    written = [
        (item.stream_dict if item._type_code == OBJECT.stream else item).unparse(True)
        for item in objects
    ]
    starts = list(itertools.accumulate((len(text) + 1 for text in written), initial=0))
    text = b"\n".join(written).lower()
    positions = _script_url_positions(text)
    for pattern in (PDF_SUSPECT_NAME, PDF_HEX_STRING, MARKUP):
        positions.extend(match.start() for match in pattern.finditer(text))
    found = {bisect.bisect_right(starts, position) - 1 for position in positions}
    return [objects[index] for index in sorted(found)]


def _pdf_string_has_markup(string) -> bool:
    try:
        text = str(string)
    except (UnicodeError, ValueError):
        text = bytes(string).decode("latin-1")
    return MARKUP_TEXT.search(text) is not None


def _pdf_harmless_trigger(key: str, value) -> bool:
    """Whether what /OpenAction or /AA runs by itself only moves to a place."""
    if key == "/AA":
        if not isinstance(value, pikepdf.Object):
            return False
        if value._type_code != OBJECT.dictionary:
            return value._type_code == OBJECT.null
        return all(_pdf_goes_to_a_place(action) for action in value.values())
    return _pdf_goes_to_a_place(value)


def _pdf_goes_to_a_place(action, depth: int = 0) -> bool:
    if not isinstance(action, pikepdf.Object) or depth > 8:
        return False
    code = action._type_code
    if code in (OBJECT.array, OBJECT.name_, OBJECT.string, OBJECT.null):
        return True  # a destination: a page and how to show it
    if code != OBJECT.dictionary or action.get("/S") != pikepdf.Name.GoTo:
        return False
    following = action.get("/Next")
    if following is None:
        return True
    if following._type_code == OBJECT.array:
        return all(_pdf_goes_to_a_place(step, depth + 1) for step in following)
    return _pdf_goes_to_a_place(following, depth + 1)


def _pdf_text_stream(stream) -> bool:
    """Whether a stream holds text (page content, metadata) rather than binary."""
    info = stream.stream_dict
    if str(info.get("/Type", "")) in PDF_BINARY_TYPES:
        return False
    if str(info.get("/Subtype", "")) in PDF_BINARY_SUBTYPES:
        return False
    if any(key in info for key in PDF_BINARY_KEYS):
        return False
    filters = info.get("/Filter")
    if filters is None:
        return True
    if isinstance(filters, pikepdf.Object) and filters._type_code == OBJECT.array:
        filters = list(filters)
        if len(filters) != 1:
            return False
        filters = filters[0]
    return str(filters) == "/FlateDecode"


def _pdf_text_has_markup(objects) -> bool:
    """Inflate the PDF's text streams, within bounds, and look for markup."""
    budget = PDF_TEXT_MAX_BYTES
    for stream in objects:
        if budget <= 0:
            break
        if stream._type_code != OBJECT.stream or not _pdf_text_stream(stream):
            continue
        data = stream.read_raw_bytes()
        if "/Filter" in stream.stream_dict:
            try:
                data = zlib.decompressobj().decompress(
                    data, min(budget, PDF_TEXT_STREAM_MAX_BYTES)
                )
            except zlib.error:
                continue  # not text a viewer could show either
        budget -= len(data)
        if _has_markup(data):
            return True
    return False


def _pdf_markup_between_objects(pdf, uploaded_file, *, size: int) -> bool:
    """Whether markup lies in the file outside the data of its streams.

    Object syntax, comments and anything between objects is read as it lies in
    the file. Stream data is binary or compressed (its text was inflated and
    read above), so what matches there by chance is not held against it: the
    search goes on after the end of that stream's data.
    """
    objects = None  # where each object starts in the file, read at the first hit
    offset = resume = 0
    while offset < size:
        piece = _read_at(uploaded_file, offset, PDF_READ_BYTES + MARKUP_OVERLAP)
        lowered = piece.lower()
        urls = _script_url_positions(lowered)
        position = max(resume - offset, 0)
        while (found := _next_markup(lowered, urls, position)) < PDF_READ_BYTES:
            if objects is None:
                objects = sorted(
                    (entry.offset, number)
                    for number, entry in pdf.get_xref_table().items()
                    if entry.type == 1 and entry.offset is not None
                )
            data_end = _pdf_stream_data_end(pdf, uploaded_file, objects, offset + found)
            if data_end is None:
                return True
            resume = data_end
            position = data_end - offset
        offset += PDF_READ_BYTES
    return False


def _script_url_positions(lowered: bytes) -> list[int]:
    positions = []
    for url in SCRIPT_URLS:
        position = lowered.find(url)
        while position >= 0:
            positions.append(position)
            position = lowered.find(url, position + 1)
    return sorted(positions)


def _next_markup(lowered: bytes, urls: list[int], position: int) -> int:
    """Where the next tag or script link starts from position on.

    PDF_READ_BYTES when there is none in this piece (the next piece reads on).
    """
    tag = MARKUP.search(lowered, position)
    url = bisect.bisect_left(urls, position)
    return min(
        tag.start() if tag else PDF_READ_BYTES,
        urls[url] if url < len(urls) else PDF_READ_BYTES,
        PDF_READ_BYTES,
    )


def _pdf_stream_data_end(pdf, uploaded_file, objects, hit: int) -> int | None:
    """If hit lies in a stream's data, where that data ends; else None."""
    index = bisect.bisect_right(objects, (hit, (float("inf"), 0))) - 1
    if index < 0:
        return None
    start, number = objects[index]
    stream = pdf.get_object(number)
    if stream._type_code != OBJECT.stream:
        return None
    opening = PDF_STREAM_START.search(
        _read_at(uploaded_file, start, PDF_OBJECT_HEAD_BYTES)
    )
    length = stream.stream_dict.get("/Length")
    if opening is None or not isinstance(length, int):
        return None
    data_start = start + opening.end()
    if data_start <= hit < data_start + length:
        return data_start + length
    return None
