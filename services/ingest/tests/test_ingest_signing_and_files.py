"""Signature checks, file recognition and the status order (no IO)."""

from __future__ import annotations

import pytest
from countersign_ingest.domain.files import file_name_problem, image_problem, sniff
from countersign_ingest.domain.items import ItemStatus, content_digest, supersedes
from countersign_ingest.domain.signatures import Verdict, sign, verify

SECRET = b"s" * 32
NOW = 1_764_150_000.0


def check(signature: str | None, timestamp: str | None = "1764150000", **kw: object) -> Verdict:
    args = {"method": "POST", "target": "/v1/x", "body": b"{}", "now": NOW, **kw}
    return verify([SECRET], timestamp, signature, **args)  # type: ignore[arg-type]


def test_a_call_signed_with_the_secret_is_valid() -> None:
    assert check(sign(SECRET, "1764150000", "POST", "/v1/x", b"{}")) is Verdict.VALID


def test_method_path_and_body_are_all_signed() -> None:
    signature = sign(SECRET, "1764150000", "POST", "/v1/x", b"{}")
    assert check(signature, method="PUT") is Verdict.MISMATCH
    assert check(signature, target="/v1/y") is Verdict.MISMATCH
    assert check(signature, body=b"{ }") is Verdict.MISMATCH


@pytest.mark.parametrize(
    ("timestamp", "verdict"),
    [
        ("1764149699", Verdict.STALE),
        ("1764150301", Verdict.STALE),
        ("1764150299.5", Verdict.MISMATCH),
        ("17641e9", Verdict.MALFORMED),
        (None, Verdict.MISSING),
    ],
)
def test_a_timestamp_outside_five_minutes_or_malformed_is_refused(
    timestamp: str | None, verdict: Verdict
) -> None:
    assert check("v1=" + "0" * 64, timestamp) is verdict


def test_any_accepted_secret_verifies_during_a_rotation() -> None:
    old, new = b"o" * 32, b"n" * 32
    signature = sign(old, "1764150000", "GET", "/v1/x", b"")
    assert verify([new, old], "1764150000", signature, "GET", "/v1/x", b"", NOW) is Verdict.VALID
    assert verify([new], "1764150000", signature, "GET", "/v1/x", b"", NOW) is Verdict.MISMATCH


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"II*\x00\x08\x00", "image/tiff"),
        (b"MM\x00*\x00\x08", "image/tiff"),
        (b"BM\x36\x00", "image/bmp"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    ],
)
def test_files_are_recognised_by_their_bytes(head: bytes, media_type: str) -> None:
    kind = sniff(head + b"\x00" * 32)
    assert kind is not None and kind.media_type == media_type


@pytest.mark.parametrize(
    "content", [b"", b"plain text", b"MZ\x90\x00", b"PK\x03\x04", b"RIFFxxxxWAVE"]
)
def test_other_bytes_are_not_accepted_whatever_the_name(content: bytes) -> None:
    assert sniff(content) is None


@pytest.mark.parametrize(
    "name", ["", " ", "a/b.pdf", "a\\b.pdf", "a\x00.pdf", "a\tb.pdf", "..", "x" * 256]
)
def test_file_names_are_plain_names(name: str) -> None:
    assert file_name_problem(name) is not None


def test_an_ordinary_file_name_is_fine() -> None:
    assert file_name_problem("Invoice NW-20431 (copy).pdf") is None


def test_a_status_never_moves_back_and_withdrawal_is_final() -> None:
    assert supersedes(ItemStatus.PUBLISHED, ItemStatus.AUTHORISED)
    assert not supersedes(ItemStatus.IN_APPROVAL, ItemStatus.AUTHORISED)
    assert supersedes(ItemStatus.PUBLISHED, ItemStatus.PUBLISH_FAILED)
    assert supersedes(ItemStatus.PUBLISH_FAILED, ItemStatus.PUBLISHED)
    assert not supersedes(ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN)


def test_the_same_publication_in_another_key_order_has_the_same_digest() -> None:
    a = {"supplier": {"name": "Acme"}, "total": "12.30"}
    b = {"total": "12.30", "supplier": {"name": "Acme"}}
    assert content_digest(a, "f" * 64) == content_digest(b, "f" * 64)
    assert content_digest(a, "f" * 64) != content_digest(a, "e" * 64)


def test_metadata_nested_thousands_deep_is_refused_as_bad_input_not_a_crash() -> None:
    from countersign_ingest.api.uploads import parse_json
    from countersign_platform.problems import Problem
    from pydantic import BaseModel

    with pytest.raises(Problem) as refused:
        parse_json(BaseModel, "[" * 100_000 + "]" * 100_000)

    assert refused.value.status == 422
    assert [(e.field, e.rule) for e in refused.value.errors] == [("metadata", "json_too_deep")]


def _png(width: int, height: int) -> bytes:
    import struct

    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", width, height) + b"\x08\x02"


@pytest.mark.parametrize(
    ("content", "refused"),
    [
        (_png(1240, 1754), False),
        (_png(0xFFFFFFFF, 0xFFFFFFFF), True),
        (_png(0, 100), True),
        (b"\x89PNG\r\n\x1a\n", True),
        (b"GIF89a" + b"\xff\xff\xff\xff", True),
        (b"GIF89a" + b"\x20\x03\x58\x02", False),
        (b"%PDF-1.4\n", False),
    ],
    ids=["A4 scan", "absurd", "zero wide", "header only", "gif absurd", "gif 800x600", "pdf"],
)
def test_an_image_without_a_header_or_with_absurd_dimensions_is_refused(
    content: bytes, refused: bool
) -> None:
    kind = sniff(content)
    assert kind is not None
    assert (image_problem(kind, content) is not None) is refused
