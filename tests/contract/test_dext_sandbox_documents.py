"""The sandbox's generated originals are well-formed files of their type, and its signatures are
the ones ingest's documented scheme accepts (no IO)."""

from __future__ import annotations

import re
import struct
import zlib

from countersign_dext_sandbox.client import signature_for
from countersign_dext_sandbox.documents import jpeg, pdf, png
from countersign_ingest.domain.files import sniff
from countersign_ingest.domain.signatures import Verdict, verify


def test_the_pdf_cross_reference_table_points_at_every_object() -> None:
    document = pdf("Northwind (Stationery) Ltd", "Invoice NW-1", pad_to=100 * 1024)
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", document).group(1))  # type: ignore[union-attr]
    table = document[start:].split(b"trailer")[0].splitlines()[3:]
    offsets = [int(entry.split()[0]) for entry in table]

    assert document.startswith(b"%PDF-1.4\n")
    assert len(document) >= 100 * 1024
    assert [document[o : o + 8] for o in offsets] == [b"%d 0 obj\n" % n for n in range(1, 6)]
    assert b"(Northwind \\(Stationery\\) Ltd)" in document


def test_the_png_chunks_carry_correct_checksums_and_the_pixels_decompress() -> None:
    image = png(48, 32, seed=5)
    chunks, at = [], 8
    while at < len(image):
        (length,) = struct.unpack(">I", image[at : at + 4])
        kind, data = image[at + 4 : at + 8], image[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", image[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + data)
        chunks.append((kind, data))
        at += 12 + length

    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    assert struct.unpack(">II", chunks[0][1][:8]) == (48, 32)
    assert len(zlib.decompress(chunks[1][1])) == 32 * (1 + 48 * 3)


def test_the_jpeg_is_baseline_with_one_entropy_coded_bit_pair_per_block() -> None:
    image = jpeg(32, 16, comment="INV-1")
    markers, at = [], 2
    while image[at + 1] != 0xDA:  # walk the segments up to the start of scan
        markers.append(image[at + 1 : at + 2])
        at += 2 + struct.unpack(">H", image[at + 2 : at + 4])[0]

    assert image.startswith(b"\xff\xd8") and image.endswith(b"\xff\xd9")
    assert markers == [b"\xe0", b"\xfe", b"\xdb", b"\xc0", b"\xc4", b"\xc4"]
    assert struct.unpack(
        ">HH", image[image.index(b"\xff\xc0") + 5 : image.index(b"\xff\xc0") + 9]
    ) == (16, 32)
    scan = image[image.index(b"\xff\xda") + 10 : -2]
    assert scan == b"\x00\x00"  # 8 blocks x 2 zero bits


def test_every_generated_file_is_a_type_ingest_accepts() -> None:
    assert [sniff(f).media_type for f in (pdf("x"), png(), jpeg())] == [  # type: ignore[union-attr]
        "application/pdf",
        "image/png",
        "image/jpeg",
    ]


def test_the_sandbox_signs_exactly_as_ingest_verifies() -> None:
    body = b'{"reason": "duplicate"}'
    target = "/v1/organisations/o/cost-items/i/withdrawal"
    signature = signature_for("shared-secret", "1764150000.250000", "post", target, body)
    verdict = verify(
        [b"shared-secret"], "1764150000.250000", signature, "POST", target, body, 1764150001.0
    )
    assert verdict is Verdict.VALID
