"""Small but valid original documents, made in code: a one-page PDF with text, a PNG and a
baseline JPEG."""

from __future__ import annotations

import struct
import zlib

__all__ = ["jpeg", "pdf", "png"]


def pdf(*lines: str, pad_to: int = 0) -> bytes:
    """A one-page PDF 1.4 showing ``lines`` in Helvetica, with a correct xref table.

    ``pad_to`` grows the file to about that many bytes with comment lines after the header,
    which readers skip (the benchmark wants 100 KB originals)."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    text = "BT /F1 11 Tf 56 780 Td 14 TL " + " ".join(f"({t}) '" for t in escaped) + " ET"
    stream = text.encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    while len(out) < pad_to - 500:
        out += b"%" + b"x" * 98 + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 48, height: int = 32, seed: int = 0) -> bytes:
    """An RGB PNG: a gradient (``seed`` shifts its colours, so files differ)."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            rows += bytes(((x * 5 + seed) % 256, (y * 7 + seed * 3) % 256, (x + y + seed) % 256))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def jpeg(width: int = 32, height: int = 16, comment: str = "") -> bytes:
    """A baseline greyscale JPEG of uniform mid-grey.

    Mid-grey (128) is 0 after the level shift, so every 8x8 block is all zeros: its DC
    difference is category 0 and its AC coefficients are one end-of-block. With one-code
    Huffman tables (DC: category 0 is "0"; AC: EOB is "0") each block costs two zero bits.
    """
    quantisation = _segment(0xDB, b"\x00" + bytes([1] * 64))
    frame = _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    dc_table = _segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")
    ac_table = _segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")
    scan = _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    bits = "00" * blocks
    bits += "1" * (-len(bits) % 8)  # pad the last byte with ones, as the standard asks
    entropy = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))
    jfif = _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    note = _segment(0xFE, comment.encode()[:60000]) if comment else b""
    return (
        b"\xff\xd8"
        + jfif
        + note
        + quantisation
        + frame
        + dc_table
        + ac_table
        + scan
        + entropy
        + b"\xff\xd9"
    )
