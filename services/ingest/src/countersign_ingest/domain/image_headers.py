"""The dimensions an image file claims, read from its header alone: the pixels are never decoded
(nor inflated), so a file that claims billions of pixels costs what its header costs to read.

Each reader returns ``(width, height)`` or None when the file has no header it can read.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

__all__ = ["DIMENSION_READERS"]

Dimensions = tuple[int, int]

# JPEG start-of-frame markers carry the frame's size; C4 (Huffman tables), C8 (reserved) and
# CC (arithmetic coding) share the range but are not frames.
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers that stand alone, without a length: TEM, RST0-7, SOI, EOI.
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xDA)})
_JPEG_START_OF_SCAN = 0xDA


def png(content: bytes) -> Dimensions | None:
    if len(content) < 24 or content[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", content[16:24])
    return width, height


def gif(content: bytes) -> Dimensions | None:
    if len(content) < 10:
        return None
    width, height = struct.unpack("<HH", content[6:10])
    return width, height


def jpeg(content: bytes) -> Dimensions | None:
    """Walks the marker segments up to the first frame header; the scan data is never read."""
    at = 2
    while at + 4 <= len(content):
        if content[at] != 0xFF:
            return None
        marker = content[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker in _JPEG_STANDALONE:
            at += 2
            continue
        if marker == _JPEG_START_OF_SCAN:
            return None  # image data before any frame header
        (length,) = struct.unpack(">H", content[at + 2 : at + 4])
        if marker in _JPEG_FRAMES:
            if length < 7 or at + 9 > len(content):
                return None
            height, width = struct.unpack(">HH", content[at + 5 : at + 9])
            return width, height
        if length < 2:
            return None
        at += 2 + length
    return None


def tiff(content: bytes) -> Dimensions | None:
    """ImageWidth (256) and ImageLength (257) of the first image file directory."""
    if len(content) < 8:
        return None
    order = "<" if content[:2] == b"II" else ">"
    (directory,) = struct.unpack(order + "I", content[4:8])
    if directory + 2 > len(content):
        return None
    (entries,) = struct.unpack(order + "H", content[directory : directory + 2])
    found: dict[int, int] = {}
    for index in range(entries):
        at = directory + 2 + 12 * index
        if at + 12 > len(content):
            return None
        tag, kind = struct.unpack(order + "HH", content[at : at + 4])
        if tag not in (256, 257):
            continue
        if kind == 3:  # SHORT, left-justified in the value field
            (found[tag],) = struct.unpack(order + "H", content[at + 8 : at + 10])
        elif kind == 4:  # LONG
            (found[tag],) = struct.unpack(order + "I", content[at + 8 : at + 12])
        else:
            return None
    if 256 not in found or 257 not in found:
        return None
    return found[256], found[257]


def bmp(content: bytes) -> Dimensions | None:
    if len(content) < 26:
        return None
    (header_size,) = struct.unpack("<I", content[14:18])
    if header_size == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
        width, height = struct.unpack("<HH", content[18:22])
        return width, height
    if header_size < 40:
        return None
    width, height = struct.unpack("<ii", content[18:26])
    return abs(width), abs(height)  # a negative height means top-down rows


def webp(content: bytes) -> Dimensions | None:
    """Lossy (VP8), lossless (VP8L) or extended (VP8X, canvas size) WebP."""
    chunk = content[12:16]
    if chunk == b"VP8 " and len(content) >= 30 and content[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", content[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(content) >= 25 and content[20] == 0x2F:
        (bits,) = struct.unpack("<I", content[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(content) >= 30:
        width = int.from_bytes(content[24:27], "little") + 1
        height = int.from_bytes(content[27:30], "little") + 1
        return width, height
    return None


DIMENSION_READERS: dict[str, Callable[[bytes], Dimensions | None]] = {
    "image/png": png,
    "image/gif": gif,
    "image/jpeg": jpeg,
    "image/tiff": tiff,
    "image/bmp": bmp,
    "image/webp": webp,
}
