"""Checks on PNG and JPEG images: walked chunk by chunk and segment by segment."""

import re
import struct
import zlib
from typing import NoReturn

from django.utils.translation import gettext as _

from .common import (
    JPEG,
    PNG,
    _has_markup,
    _MarkupScanner,
    _read_at,
    _refuse,
    _refuse_damaged,
    _refuse_markup,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_IMAGE_CHUNKS = {b"IDAT", b"fdAT"}  # compressed pixels: not text
PNG_TEXT_CHUNKS = {b"tEXt", b"zTXt", b"iTXt"}
PNG_READ_BYTES = 1024 * 1024
PNG_TEXT_MAX_BYTES = 16 * 1024 * 1024
PNG_MAX_CHUNKS = 100_000  # 8 kB of pixels a chunk, as libpng writes: 800 MB
PNG_CHUNK_TYPE = re.compile(rb"^[A-Za-z]{4}$")
TRAILING_PADDING = b"\x00\t\n\r\x0c "

# JPEG markers: the start of a frame (what the image is) and of a scan (its data).
JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD}
JPEG_FRAMES |= {0xCE, 0xCF}
JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and the restart markers
JPEG_SOS, JPEG_EOI, JPEG_COM = 0xDA, 0xD9, 0xFE
# After a scan, the next marker: 0xFF not followed by a stuffed zero, a restart
# marker or another 0xFF (fill).
JPEG_END_OF_SCAN = re.compile(rb"\xff+[^\x00\xd0-\xd7\xff]")
JPEG_MAX_IMAGES = 16  # a camera's file may hold previews after the main image
JPEG_MAX_SEGMENTS = 10_000  # a progressive image has a few dozen


# PNG ----------------------------------------------------------------------------------


def _check_png(uploaded_file, *, size: int, shown: str):
    """Walk a PNG chunk by chunk: lengths, checksums, text, and nothing after IEND."""
    position = len(PNG_SIGNATURE)
    first = True
    for _chunk in range(PNG_MAX_CHUNKS):
        header = _read_at(uploaded_file, position, 8)
        if len(header) < 8:
            _refuse_incomplete_png(shown)
        length, kind = struct.unpack(">I4s", header)
        if length > 0x7FFFFFFF or position + 12 + length > size:
            _refuse_incomplete_png(shown)
        if not PNG_CHUNK_TYPE.match(kind) or first != (kind == b"IHDR"):
            _refuse_damaged(shown, PNG)
        first = False
        checksum = zlib.crc32(kind)
        scanner = None if kind in PNG_IMAGE_CHUNKS else _MarkupScanner()
        text = bytearray() if kind in PNG_TEXT_CHUNKS else None
        left = length
        while left:
            data = uploaded_file.read(min(left, PNG_READ_BYTES))
            if not data:
                _refuse_incomplete_png(shown)
            left -= len(data)
            checksum = zlib.crc32(data, checksum)
            if scanner is not None and scanner.feed(data):
                _refuse_markup(shown, PNG)
            if text is not None:
                text += data
        (stored,) = struct.unpack(">I", uploaded_file.read(4))
        if stored != checksum:
            _refuse_damaged(shown, PNG)
        if text is not None and _png_text_has_markup(kind, bytes(text)):
            _refuse_markup(shown, PNG)
        position += 12 + length
        if kind == b"IEND":
            break
    else:
        _refuse_damaged(shown, PNG)
    if position < size:
        _refuse_trailing(uploaded_file, position, size, shown=shown, file_type=PNG)


def _png_text_has_markup(kind: bytes, data: bytes) -> bool:
    """Read a text chunk's text, inflated if it is compressed (within bounds)."""
    keyword, _separator, rest = data.partition(b"\x00")
    compressed = kind == b"zTXt"
    if kind == b"zTXt":
        rest = rest[1:]  # the compression method
    elif kind == b"iTXt":
        compressed = rest[:1] == b"\x01"
        rest = rest[2:]
        _language, _separator, rest = rest.partition(b"\x00")
        translated, _separator, rest = rest.partition(b"\x00")
        if _has_markup(translated):
            return True
    if compressed:
        try:
            rest = zlib.decompressobj().decompress(rest, PNG_TEXT_MAX_BYTES)
        except zlib.error:
            return False  # no reader shows it either
    return _has_markup(keyword) or _has_markup(rest)


def _refuse_incomplete_png(shown: str) -> NoReturn:
    _refuse(
        _(
            "“%(name)s” is not a complete PNG image: other data follows its "
            "end, or it is cut short."
        )
        % {"name": shown}
    )


def _refuse_trailing(uploaded_file, position, size, *, shown, file_type) -> NoReturn:
    """Refuse data after an image's end, saying if it is a page of code."""
    scanner = _MarkupScanner()
    while position < size:
        if scanner.feed(_read_at(uploaded_file, position, PNG_READ_BYTES)):
            _refuse_markup(shown, file_type)
        position += PNG_READ_BYTES
    if file_type is PNG:
        _refuse_incomplete_png(shown)
    _refuse_incomplete_jpeg(shown)


# JPEG ---------------------------------------------------------------------------------


def _check_jpeg(uploaded_file, *, size: int, shown: str):
    """Walk a JPEG segment by segment; only further images may follow its end."""
    uploaded_file.seek(0)
    data = uploaded_file.read(size)
    position = 0
    for _image in range(JPEG_MAX_IMAGES):
        position = _walk_jpeg_image(data, position, shown=shown)
        rest = data[position:]
        if not rest.strip(TRAILING_PADDING):
            return
        if not rest.startswith(b"\xff\xd8\xff"):
            break
    _refuse_trailing(uploaded_file, position, size, shown=shown, file_type=JPEG)


def _walk_jpeg_image(data: bytes, position: int, *, shown: str) -> int:
    """Walk one image from its start marker; return where its end marker ends."""
    end = len(data)
    position += 2  # the start of image, FF D8
    framed = scanned = False
    for _segment in range(JPEG_MAX_SEGMENTS):
        if position >= end:
            _refuse_incomplete_jpeg(shown)
        if data[position] != 0xFF:
            _refuse_damaged(shown, JPEG)
        while position < end and data[position] == 0xFF:
            position += 1  # fill bytes before a marker
        if position >= end:
            _refuse_incomplete_jpeg(shown)
        marker = data[position]
        position += 1
        if marker == JPEG_EOI:
            if not (framed and scanned):
                _refuse_incomplete_jpeg(shown)
            return position
        if marker in JPEG_STANDALONE:
            continue
        if marker in (0x00, 0xD8):
            _refuse_damaged(shown, JPEG)
        if position + 2 > end:
            _refuse_incomplete_jpeg(shown)
        (length,) = struct.unpack(">H", data[position : position + 2])
        if length < 2:
            _refuse_damaged(shown, JPEG)
        if position + length > end:
            _refuse_incomplete_jpeg(shown)
        segment = data[position + 2 : position + length]
        position += length
        if (marker == JPEG_COM or 0xE0 <= marker <= 0xEF) and _has_markup(segment):
            _refuse_markup(shown, JPEG)
        if marker in JPEG_FRAMES:
            framed = True
        elif marker == JPEG_SOS:
            if not framed:
                _refuse_damaged(shown, JPEG)
            scanned = True
            following = JPEG_END_OF_SCAN.search(data, position)
            if following is None:
                _refuse_incomplete_jpeg(shown)
            position = following.start()
    _refuse_damaged(shown, JPEG)


def _refuse_incomplete_jpeg(shown: str) -> NoReturn:
    _refuse(
        _(
            "“%(name)s” is not a complete JPEG image: other data follows its "
            "end, or it is cut short."
        )
        % {"name": shown}
    )
