"""Every accepted image type is refused without a readable header or with absurd dimensions,
judged from the header alone."""

from __future__ import annotations

import struct
import zlib

import pytest
from countersign_dext_sandbox.documents import jpeg as real_jpeg, png as real_png
from countersign_ingest.domain.files import image_problem, sniff
from countersign_ingest.domain.image_headers import DIMENSION_READERS

HUGE = 60_000


def jpeg(width: int, height: int) -> bytes:
    frame = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8\xff\xe0\x00\x04JF" + b"\xff\xff" + frame + b"\xff\xda\x00\x02\x00" * 2


def tiff(width: int, height: int, big_endian: bool = False) -> bytes:
    order = ">" if big_endian else "<"
    entries = struct.pack(order + "HHII", 256, 4, 1, width) + struct.pack(
        order + "HHIHH", 257, 3, 1, height, 0
    )
    head = b"MM\x00*" if big_endian else b"II*\x00"
    return head + struct.pack(order + "I", 8) + struct.pack(order + "H", 2) + entries + b"\0" * 4


def bmp(width: int, height: int) -> bytes:
    info = struct.pack("<IiiHH", 40, width, height, 1, 24) + b"\0" * 24
    return b"BM" + struct.pack("<IHHI", 14 + len(info), 0, 0, 54) + info


def webp_lossy(width: int, height: int) -> bytes:
    frame = b"\x00\x00\x00\x9d\x01\x2a" + struct.pack("<HH", width, height)
    return b"RIFF\x00\x00\x00\x00WEBPVP8 " + struct.pack("<I", len(frame)) + frame


def webp_lossless(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    return b"RIFF\x00\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x2f" + struct.pack("<I", bits)


def webp_extended(width: int, height: int) -> bytes:
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00" + canvas


BUILDERS = {
    "jpeg": jpeg,
    "tiff": tiff,
    "tiff big-endian": lambda w, h: tiff(w, h, big_endian=True),
    "bmp": bmp,
    "webp lossy": webp_lossy,
    "webp lossless": webp_lossless,
    "webp extended": webp_extended,
}


@pytest.mark.parametrize("name", BUILDERS)
def test_an_image_of_a_scanned_page_is_accepted_and_its_size_read(name: str) -> None:
    content = BUILDERS[name](1240, 1754)
    kind = sniff(content)

    assert kind is not None
    assert DIMENSION_READERS[kind.media_type](content) == (1240, 1754)
    assert image_problem(kind, content) is None


@pytest.mark.parametrize("name", BUILDERS)
def test_an_image_of_absurd_dimensions_is_refused(name: str) -> None:
    # WebP's lossy and lossless sizes have 14 bits: 16,383 x 16,383, still 268 megapixels.
    side = 16_383 if name in ("webp lossy", "webp lossless") else HUGE
    content = BUILDERS[name](side, side)
    kind = sniff(content)

    assert kind is not None
    assert image_problem(kind, content) == f"an image of {side} x {side} pixels is not a document"


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
        b"\xff\xd8\xff\xda\x00\x02" + b"\x00" * 64,  # scan data before any frame
        b"\xff\xd8\xff\xe0\x00\x00" + b"\x00" * 8,  # a segment that claims no length
        b"II*\x00",
        b"II*\x00\xff\xff\xff\x7f",  # directory far beyond the file
        b"II*\x00\x08\x00\x00\x00\x00\x00",  # an empty directory
        b"MM\x00*\x00\x00\x00\x08\x00\x05",  # entries promised, none there
        b"BM\x36\x00",
        b"BM" + b"\x00" * 12 + struct.pack("<I", 20) + b"\x00" * 8,  # unknown header size
        b"RIFF\x00\x00\x00\x00WEBP",
        b"RIFF\x00\x00\x00\x00WEBPVP8 \x00\x00\x00\x00\x00\x00\x00xxx\x10\x00\x10\x00",
        b"RIFF\x00\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x00\x00",
    ],
    ids=[
        "jpeg magic only",
        "jpeg without a frame",
        "jpeg scan first",
        "jpeg zero-length segment",
        "tiff magic only",
        "tiff directory outside",
        "tiff no width",
        "tiff truncated directory",
        "bmp no info header",
        "bmp unknown info header",
        "webp no chunk",
        "webp lossy no start code",
        "webp lossless truncated",
    ],
)
def test_an_image_without_a_readable_header_is_refused(content: bytes) -> None:
    kind = sniff(content)

    assert kind is not None
    problem = image_problem(kind, content)
    assert problem is not None and problem.endswith("has no image header")


def test_real_images_from_the_dext_sandbox_are_accepted() -> None:
    for content in (real_jpeg(640, 480), real_png(64, 32)):
        kind = sniff(content)
        assert kind is not None
        assert image_problem(kind, content) is None


def test_a_png_whose_data_would_inflate_enormously_is_judged_by_its_header_alone() -> None:
    # 1 GB of zeros deflates to about a megabyte; here 64 MB into ~64 KB. The header is sane
    # (4,000 x 4,000 grey) and is all that is read: nothing is inflated.
    bomb = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)
    ihdr = struct.pack(">IIBBBBB", 4000, 4000, 8, 0, 0, 0, 0)
    content = (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + b"IHDR"
        + ihdr
        + b"\0" * 4
        + struct.pack(">I", len(bomb))
        + b"IDAT"
        + bomb
    )
    kind = sniff(content)

    assert kind is not None and len(content) < 100_000
    assert image_problem(kind, content) is None
