"""The hostile requests of the chaos run: the ingest refusal table (tests/integration), plus
broken bodies, lying content types, filename tricks, injection-looking text, bad signatures and
another organisation's ids. Each kind builds one signed (or deliberately mis-signed) request;
every one of them must be answered with a 4xx and store nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from countersign_dext_sandbox.client import DextClient

from tests.integration.test_ingest_refusals import CASES, PDF, Bad, invoice, multipart_by_hand

__all__ = ["HOSTILE_ITEM_IDS", "Hostile", "hostile_kinds"]

# Every dext_item_id a hostile request names: none of them may exist after the run.
HOSTILE_ITEM_IDS = ("item-1", "bank-1", "hostile-1")

Build = Callable[[DextClient, DextClient], httpx.Request]  # (own organisation, other one)
PDF_FILE = ("h.pdf", PDF, "application/pdf")


@dataclass(frozen=True)
class Hostile:
    name: str
    build: Build


def _cost_items(dext: DextClient) -> str:
    return f"/v1/organisations/{dext.organisation_id}/cost-items"


def _from_table(case: Bad) -> Build:
    def build(dext: DextClient, _other: DextClient) -> httpx.Request:
        if case.raw is not None:
            return dext.sign(case.raw(dext))
        path = f"/v1/organisations/{dext.organisation_id}/{case.path}"
        return dext.sign(dext.build("POST", path, metadata=case.metadata, file=case.file))

    return build


def _hostile_invoice() -> dict[str, object]:
    meta = invoice()
    meta["dext_item_id"] = "hostile-1"
    return meta


def _raw(content: bytes, content_type: str) -> Build:
    def build(dext: DextClient, _other: DextClient) -> httpx.Request:
        request = dext._http.build_request(
            "POST", _cost_items(dext), content=content, headers={"content-type": content_type}
        )
        return dext.sign(request)

    return build


def _metadata(text: str) -> Build:
    """A publication whose metadata part is ``text`` verbatim (broken or truncated JSON)."""

    def build(dext: DextClient, _other: DextClient) -> httpx.Request:
        file = PDF_FILE
        return dext.sign(dext.build("POST", _cost_items(dext), metadata=text, file=file))

    return build


def _field(key: str, value: object) -> Build:
    def build(dext: DextClient, _other: DextClient) -> httpx.Request:
        meta = _hostile_invoice()
        meta[key] = value
        file = PDF_FILE
        return dext.sign(dext.build("POST", _cost_items(dext), metadata=meta, file=file))

    return build


def _file(name: str, content: bytes, media_type: str) -> Build:
    def build(dext: DextClient, _other: DextClient) -> httpx.Request:
        meta = _hostile_invoice()
        return dext.sign(
            dext.build("POST", _cost_items(dext), metadata=meta, file=(name, content, media_type))
        )

    return build


def _file_name(raw_name: bytes) -> Build:
    return lambda dext, _other: dext.sign(multipart_by_hand(dext, raw_name))


def _publication(dext: DextClient) -> httpx.Request:
    meta = _hostile_invoice()
    return dext.build("POST", _cost_items(dext), metadata=meta, file=PDF_FILE)


def _signed(how: Callable[[DextClient, DextClient, httpx.Request], httpx.Request]) -> Build:
    return lambda dext, other: how(dext, other, _publication(dext))


def _no_signature(dext: DextClient, _o: DextClient, request: httpx.Request) -> httpx.Request:
    return request


def _wrong_secret(dext: DextClient, _o: DextClient, request: httpx.Request) -> httpx.Request:
    return dext.sign(request, secret="not-the-secret")


def _stale(dext: DextClient, _o: DextClient, request: httpx.Request) -> httpx.Request:
    return dext.sign(request, timestamp=time.time() - 3600)


def _future(dext: DextClient, _o: DextClient, request: httpx.Request) -> httpx.Request:
    return dext.sign(request, timestamp=time.time() + 3600)


def _garbled(dext: DextClient, _o: DextClient, request: httpx.Request) -> httpx.Request:
    signed = dext.sign(request)
    signed.headers["X-Dext-Signature"] = "v1=" + "0" * 64
    return signed


def _other_scheme(dext: DextClient, _o: DextClient, request: httpx.Request) -> httpx.Request:
    signed = dext.sign(request)
    signed.headers["X-Dext-Signature"] = signed.headers["X-Dext-Signature"].replace("v1=", "v9=")
    return signed


def _timestamp_text(dext: DextClient, _o: DextClient, request: httpx.Request) -> httpx.Request:
    signed = dext.sign(request)
    signed.headers["X-Dext-Timestamp"] = "yesterday"
    return signed


def _cross_organisation(
    dext: DextClient, other: DextClient, request: httpx.Request
) -> httpx.Request:
    """Signed with the other organisation's secret, sent to this organisation's path."""
    return other.sign(request)


def _other_organisations_withdrawal(dext: DextClient, other: DextClient) -> httpx.Request:
    """The other organisation withdraws an item id of this one (it knows no such item)."""
    path = f"/v1/organisations/{other.organisation_id}/cost-items/hostile-1/withdrawal"
    return other.sign(other.build("POST", path, json_body={"reason": "not yours"}))


def _traversal_item(dext: DextClient, _o: DextClient) -> httpx.Request:
    path = f"{_cost_items(dext)}/..%2F..%2Fetc%2Fpasswd/withdrawal"
    return dext.sign(dext.build("POST", path, json_body={"reason": "x"}))


def _not_an_organisation(dext: DextClient, _o: DextClient) -> httpx.Request:
    path = "/v1/organisations/1%27%20OR%20%271%27%3D%271/cost-items"
    meta = _hostile_invoice()
    return dext.sign(dext.build("POST", path, metadata=meta, file=PDF_FILE))


TRUNCATED = json.dumps(_hostile_invoice())
INJECTION = "'; DROP TABLE items; --"
SCRIPT = "<script>alert(1)</script>"
ZIP_BOMB = b"PK\x03\x04" + b"\x00" * 2048

EXTRA: list[Hostile] = [
    *[
        Hostile(f"metadata truncated at {n}%", _metadata(TRUNCATED[: len(TRUNCATED) * n // 100]))
        for n in (1, 10, 25, 50, 75, 90, 99)
    ],
    Hostile("metadata is a JSON array", _metadata("[1, 2, 3]")),
    Hostile("metadata is a JSON string", _metadata('"invoice"')),
    Hostile("metadata is null", _metadata("null")),
    Hostile("metadata has a trailing comma", _metadata('{"dext_item_id": "hostile-1",}')),
    Hostile(
        "metadata is not UTF-8",
        _metadata("\udcff".encode("utf-8", "surrogateescape").decode("latin-1")),
    ),
    Hostile("raw JSON body instead of multipart", _raw(TRUNCATED.encode(), "application/json")),
    Hostile(
        "truncated multipart",
        _raw(b"--b\r\nContent-Disposition: form-data; name=", "multipart/form-data; boundary=b"),
    ),
    Hostile("multipart without boundary", _raw(b"--b\r\n\r\n--b--", "multipart/form-data")),
    Hostile("XML body", _raw(b"<invoice><total>1</total></invoice>", "application/xml")),
    Hostile("plain text body", _raw(b"hello", "text/plain")),
    Hostile("form-urlencoded body", _raw(b"metadata=%7B%7D", "application/x-www-form-urlencoded")),
    Hostile("empty body", _raw(b"", "multipart/form-data; boundary=b")),
    Hostile(
        "huge JSON body", _raw(b'{"a":"' + b"x" * (12 * 1024 * 1024) + b'"}', "application/json")
    ),
    Hostile("gzip-declared body that is not gzip", _raw(b"\x1f\x8bnot gzip", "application/gzip")),
    Hostile("PDF named but HTML inside", _file("h.pdf", f"<html>{SCRIPT}".encode(), PDF_FILE[2])),
    Hostile("PDF named but executable inside", _file("h.pdf", b"MZ\x90\x00" * 64, PDF_FILE[2])),
    Hostile("zip archive as document", _file("h.zip", ZIP_BOMB, "application/zip")),
    Hostile("JPEG declared, empty", _file("h.jpg", b"", "image/jpeg")),
    Hostile("SVG with script", _file("h.svg", f"<svg>{SCRIPT}</svg>".encode(), "image/svg+xml")),
    Hostile("file name is path traversal", _file_name(b"../../etc/passwd")),
    Hostile("file name is absolute path", _file_name(b"/etc/shadow")),
    Hostile("file name is Windows traversal", _file_name(b"..\\..\\boot.ini")),
    Hostile("file name has NUL", _file_name(b"a\x00.pdf")),
    Hostile("file name is only dots", _file_name(b"..")),
    Hostile("file name is empty", _file_name(b"")),
    Hostile("file name is 4096 bytes", _file_name(b"a" * 4096 + b".pdf")),
    Hostile("SQL in currency", _field("currency", INJECTION)),
    Hostile("SQL in document type", _field("document_type", INJECTION)),
    Hostile("SQL in total", _field("total", "1 OR 1=1")),
    Hostile("SQL in date", _field("date", "2026-01-01'; --")),
    Hostile("script in currency", _field("currency", SCRIPT)),
    Hostile("script in line amount type", _field("line_amount_type", SCRIPT)),
    Hostile("script as source url", _field("source_url", "javascript:alert(1)")),
    Hostile("NUL in item id", _field("dext_item_id", "hostile\x00-1")),
    Hostile("traversal in item id", _field("dext_item_id", "../../hostile-1")),
    Hostile("lines is a string", _field("lines", SCRIPT)),
    Hostile("total is NaN", _field("total", "NaN")),
    Hostile("total is Infinity", _field("total", "Infinity")),
    Hostile("no signature", _signed(_no_signature)),
    Hostile("signature with the wrong secret", _signed(_wrong_secret)),
    Hostile("stale signature", _signed(_stale)),
    Hostile("signature from the future", _signed(_future)),
    Hostile("garbled signature", _signed(_garbled)),
    Hostile("unknown signature scheme", _signed(_other_scheme)),
    Hostile("timestamp is text", _signed(_timestamp_text)),
    Hostile("cross-organisation signature", _signed(_cross_organisation)),
    Hostile("another organisation's item id", _other_organisations_withdrawal),
    Hostile("path traversal in item path", _traversal_item),
    Hostile("SQL as organisation id", _not_an_organisation),
]


def hostile_kinds() -> list[Hostile]:
    """Every kind of hostile request, the refusal table's first."""
    return [Hostile(case.name, _from_table(case)) for case in CASES] + EXTRA
