"""Every kind of bad request Dext (or someone pretending to be Dext) could send ingest, with the
status, field and rule of the refusal each must get: ``CASES``. The refusal tests send each once
and the chaos run sends them under load."""

from __future__ import annotations

import copy
import gzip
import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line


def zip_of(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


ABSURD = 60_000  # pixels a side: 3.6 gigapixels
ABSURD_IMAGES = {
    "JPEG": (
        "jpg",
        b"\xff\xd8\xff\xc0\x00\x0b\x08" + struct.pack(">HH", ABSURD, ABSURD) + b"\x01\x01\x11\x00",
    ),
    "TIFF": (
        "tiff",
        b"II*\x00\x08\x00\x00\x00\x02\x00"
        + struct.pack("<HHII", 256, 4, 1, ABSURD)
        + struct.pack("<HHII", 257, 4, 1, ABSURD),
    ),
    "BMP": ("bmp", b"BM" + b"\x00" * 12 + struct.pack("<Iii", 40, ABSURD, ABSURD) + b"\x00" * 28),
    "WebP": (
        "webp",
        b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00"
        + (ABSURD - 1).to_bytes(3, "little") * 2,
    ),
}
HEADERLESS_IMAGES = {
    "JPEG": ("jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
    "TIFF": ("tiff", b"II*\x00"),
    "BMP": ("bmp", b"BM\x36\x00"),
    "WebP": ("webp", b"RIFF\x00\x00\x00\x00WEBP"),
}
MEDIA = {"jpg": "image/jpeg", "tiff": "image/tiff", "bmp": "image/bmp", "webp": "image/webp"}

PDF = pdf("Northwind Stationery Ltd", "Invoice NW-1")
PDF_TYPE = "application/pdf"
# Small files that inflate enormously: 10 MB of zeros gzipped, and a zip holding it.
GZIP_BOMB = gzip.compress(b"\0" * (10 * 1024 * 1024), 9)
ZIP_BOMB = zip_of("receipt.pdf", b"\0" * (10 * 1024 * 1024))
TODAY = date.today()


def invoice() -> dict[str, Any]:
    lines = [
        line("Printer paper", "5", "21.10", tracking=[("Region", "North")]),
        line("Toner", "1", "64.99"),
    ]
    return cost_item("item-1", "invoice", lines, reference="NW-1", due_in_days=30)


def bank_transaction() -> dict[str, Any]:
    lines = [line("Parking", "1", "95.00", amount_type="inclusive")]
    return {
        "dext_item_id": "bank-1",
        "document_type": "receipt",
        "contact": {"name": "City Parking"},
        "bank_account": {"code": "090"},
        "transaction_date": TODAY.isoformat(),
        "currency": "EUR",
        "line_amount_type": "inclusive",
        "lines": lines,
        "subtotal": "79.17",
        "total_tax": "15.83",
        "total": "95.00",
        "requester": {"user_id": "u1", "name": "Priya", "email": "priya@example.com"},
        "source_url": "https://dext.example/costs/bank-1",
    }


Edit = Callable[[dict[str, Any]], Any]


def edited(base: Callable[[], dict[str, Any]], edit: Edit) -> dict[str, Any]:
    meta = copy.deepcopy(base())
    edit(meta)
    return meta


@dataclass(frozen=True)
class Bad:
    name: str
    status: int
    field: str
    rule: str
    metadata: dict[str, Any] | str | None = None
    file: tuple[str, bytes, str] | None = ("NW-1.pdf", PDF, "application/pdf")
    path: str = "cost-items"
    raw: Callable[[DextClient], httpx.Request] | None = None


def inv(edit: Edit) -> dict[str, Any]:
    return edited(invoice, edit)


def bank(edit: Edit) -> dict[str, Any]:
    return edited(bank_transaction, edit)


def put(path: str, value: Any) -> Edit:
    """An edit setting ``path`` (dotted, list indexes as numbers) to ``value``."""

    def edit(meta: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = meta
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return edit


def drop(key: str) -> Edit:
    return lambda meta: meta.pop(key)


def both(*edits: Edit) -> Edit:
    return lambda meta: [edit(meta) for edit in edits]


def json_request(dext: DextClient) -> httpx.Request:
    base = f"/v1/organisations/{dext.organisation_id}/cost-items"
    return dext.build("POST", base, json_body=invoice())


def two_files(dext: DextClient) -> httpx.Request:
    base = f"/v1/organisations/{dext.organisation_id}/cost-items"
    return dext._http.build_request(
        "POST",
        base,
        data={"metadata": json.dumps(invoice())},
        files=[("file", ("a.pdf", PDF, "application/pdf")), ("file", ("b.pdf", PDF, "x/y"))],
    )


BOUNDARY = "countersign-test-boundary"


def multipart_by_hand(dext: DextClient, file_name: bytes | None) -> httpx.Request:
    """A multipart body written byte by byte: a client library would escape what we need raw."""
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n'
        f"{json.dumps(invoice())}\r\n"
    ).encode()
    if file_name is not None:
        body += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
            + file_name
            + b'"\r\nContent-Type: application/pdf\r\n\r\n'
            + PDF
            + b"\r\n"
        )
    body += f"--{BOUNDARY}--\r\n".encode()
    return dext._http.build_request(
        "POST",
        f"/v1/organisations/{dext.organisation_id}/cost-items",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


def metadata_bytes(raw: bytes) -> Callable[[DextClient], httpx.Request]:
    """A publication whose metadata part is ``raw`` byte for byte (not UTF-8, say)."""

    def build(dext: DextClient) -> httpx.Request:
        body = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n'.encode()
            + raw
            + f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="NW-1.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + PDF
            + f"\r\n--{BOUNDARY}--\r\n".encode()
        )
        return dext._http.build_request(
            "POST",
            f"/v1/organisations/{dext.organisation_id}/cost-items",
            content=body,
            headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
        )

    return build


def metadata_only(dext: DextClient) -> httpx.Request:
    return multipart_by_hand(dext, None)


def nul_in_file_name(dext: DextClient) -> httpx.Request:
    return multipart_by_hand(dext, b"NW-1.pdf\x00.exe")


def tab_in_file_name(dext: DextClient) -> httpx.Request:
    return multipart_by_hand(dext, b"NW\t1.pdf")


def whole_body_over_the_limit(dext: DextClient) -> httpx.Request:
    huge = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)
    path = f"/v1/organisations/{dext.organisation_id}/cost-items"
    return dext.build("POST", path, metadata=invoice(), file=("big.pdf", huge, "application/pdf"))


def compressed(coding: str, content: bytes | None = None) -> Callable[[DextClient], httpx.Request]:
    """A publication whose body claims ``coding``: a gzip bomb (10 MB of zeros in about 10 KB)
    by default. Ingest must refuse it without inflating a byte."""

    def build(dext: DextClient) -> httpx.Request:
        path = f"/v1/organisations/{dext.organisation_id}/cost-items"
        plain = dext.build("POST", path, metadata=invoice(), file=("NW-1.pdf", PDF, PDF_TYPE))
        body = content if content is not None else GZIP_BOMB
        headers = {**plain.headers, "content-encoding": coding}
        headers.pop("content-length", None)
        return dext._http.build_request("POST", path, content=body, headers=headers)

    return build


def withdrawal_of(body: Any) -> Callable[[DextClient], httpx.Request]:
    def build(dext: DextClient) -> httpx.Request:
        base = f"/v1/organisations/{dext.organisation_id}/cost-items/item-1/withdrawal"
        return dext.build("POST", base, json_body=body)

    return build


def withdrawal_over_the_limit(dext: DextClient) -> httpx.Request:
    base = f"/v1/organisations/{dext.organisation_id}/cost-items/item-1/withdrawal"
    return dext.build("POST", base, json_body={"reason": "x" * 20_000})


def withdrawal_with_unknown_field(dext: DextClient) -> httpx.Request:
    base = f"/v1/organisations/{dext.organisation_id}/cost-items/item-1/withdrawal"
    return dext.build("POST", base, json_body={"reason": "dup", "why": "typo"})


THREE_TRACKING = [{"category": c, "option": "A"} for c in ("Region", "Team", "Project")]
LONG = "x" * (300 * 1024)

CASES = [
    Bad(
        "total not subtotal plus tax",
        422,
        "metadata.total",
        "total_is_subtotal_plus_tax",
        inv(put("total", "999.99")),
    ),
    Bad(
        "subtotal not the sum of lines",
        422,
        "metadata.subtotal",
        "subtotal_is_sum_of_lines",
        inv(put("subtotal", "1.00")),
    ),
    Bad(
        "total tax not the sum of line tax",
        422,
        "metadata.total_tax",
        "total_tax_is_sum_of_line_tax",
        inv(put("total_tax", "0.01")),
    ),
    Bad(
        "line amount not quantity times unit",
        422,
        "metadata.lines[0].line_amount",
        "line_amount_is_quantity_times_unit_amount",
        inv(put("lines.0.line_amount", "100.00")),
    ),
    Bad(
        "line tax with three decimals",
        422,
        "metadata.lines[0].tax_amount",
        "decimal_places",
        inv(put("lines.0.tax_amount", "21.101")),
    ),
    Bad(
        "a quantity with five decimals",
        422,
        "metadata.lines[0].quantity",
        "decimal_places",
        inv(put("lines.0.quantity", "5.00001")),
    ),
    Bad(
        "a unit price with five decimals",
        422,
        "metadata.lines[0].unit_amount",
        "decimal_places",
        inv(put("lines.0.unit_amount", "21.10001")),
    ),
    Bad(
        "yen with decimals",
        422,
        "metadata.total",
        "decimal_places",
        cost_item("item-jpy", "receipt", [line("Taxi", "1", "1000.50")], currency="JPY"),
    ),
    Bad(
        "a thirty-digit amount",
        422,
        "metadata.total",
        "value_error",
        inv(put("total", "1" * 30)),
    ),
    Bad(
        "an amount of a trillion",
        422,
        "metadata.lines[0].unit_amount",
        "value_error",
        inv(put("lines.0.unit_amount", "1000000000000")),
    ),
    Bad(
        "a quantity of a billion",
        422,
        "metadata.lines[0].quantity",
        "value_error",
        inv(put("lines.0.quantity", "1000000000")),
    ),
    Bad(
        "tax on a no-tax line",
        422,
        "metadata.lines[0].tax_amount",
        "no_tax_means_zero_tax",
        inv(put("line_amount_type", "no_tax")),
    ),
    Bad("unknown currency", 422, "metadata.currency", "iso_4217", inv(put("currency", "XYZ"))),
    Bad("lower-case currency", 422, "metadata.currency", "iso_4217", inv(put("currency", "gbp"))),
    Bad(
        "due before issue",
        422,
        "metadata.due_date",
        "due_not_before_issue",
        inv(put("due_date", (TODAY - timedelta(days=30)).isoformat())),
    ),
    Bad(
        "30 February",
        422,
        "metadata.issue_date",
        "date_from_datetime_parsing",
        inv(put("issue_date", "2026-02-30")),
    ),
    Bad(
        "issued last century",
        422,
        "metadata.issue_date",
        "plausible_date",
        inv(both(put("issue_date", "1999-12-31"), put("due_date", "2000-01-30"))),
    ),
    Bad(
        "paid in the future",
        422,
        "metadata.payment.paid_on",
        "not_in_future",
        inv(
            put(
                "payment",
                {
                    "paid": True,
                    "account": {"code": "090"},
                    "paid_on": (TODAY + timedelta(days=9)).isoformat(),
                },
            )
        ),
    ),
    Bad(
        "paid before the bill was issued",
        422,
        "metadata.payment.paid_on",
        "paid_on_not_before_issue",
        inv(
            put(
                "payment",
                {
                    "paid": True,
                    "account": {"code": "090"},
                    "paid_on": (TODAY - timedelta(days=4)).isoformat(),
                },
            )
        ),
    ),
    Bad(
        "unpaid with a payment date",
        422,
        "metadata.payment.paid_on",
        "only_when_paid",
        inv(put("payment", {"paid": False, "paid_on": TODAY.isoformat()})),
    ),
    Bad(
        "paid with no bank account",
        422,
        "metadata.payment",
        "value_error",
        inv(put("payment", {"paid": True})),
    ),
    Bad("missing supplier", 422, "metadata.supplier", "required", inv(drop("supplier"))),
    Bad(
        "empty supplier name",
        422,
        "metadata.supplier.name",
        "string_too_short",
        inv(put("supplier", {"name": ""})),
    ),
    Bad(
        "supplier on an expense report",
        422,
        "metadata.supplier",
        "expense_report_has_no_supplier",
        inv(both(put("document_type", "expense_report"), drop("due_date"))),
    ),
    Bad(
        "no lines",
        422,
        "metadata.lines",
        "min_lines",
        inv(both(put("lines", []), put("subtotal", "0"), put("total_tax", "0"), put("total", "0"))),
    ),
    Bad(
        "three tracking options",
        422,
        "metadata.lines[0].tracking",
        "too_long",
        inv(put("lines.0.tracking", THREE_TRACKING)),
    ),
    Bad(
        "credit note",
        422,
        "metadata.document_type",
        "credit_notes_not_supported",
        inv(put("document_type", "credit_note")),
    ),
    Bad(
        "refund",
        422,
        "metadata.document_type",
        "credit_notes_not_supported",
        inv(put("document_type", "refund")),
    ),
    Bad(
        "purchase order",
        422,
        "metadata.document_type",
        "unsupported_document_type",
        inv(put("document_type", "purchase_order")),
    ),
    Bad(
        "invoice without its number",
        422,
        "metadata.document_reference",
        "required_for_invoice",
        inv(drop("document_reference")),
    ),
    Bad(
        "invoice without a due date",
        422,
        "metadata.due_date",
        "required_for_invoice",
        inv(drop("due_date")),
    ),
    Bad(
        "receipt with its own due date",
        422,
        "metadata.due_date",
        "only_invoice_has_due_date",
        inv(put("document_type", "receipt")),
    ),
    Bad(
        "control character in a name",
        422,
        "metadata.supplier.name",
        "control_characters",
        inv(put("supplier", {"name": "Acme\x1b[31m Ltd"})),
    ),
    Bad(
        "NUL in a description",
        422,
        "metadata.lines[1].description",
        "control_characters",
        inv(put("lines.1.description", "Toner\x00")),
    ),
    Bad(
        "line break in a reference",
        422,
        "metadata.document_reference",
        "control_characters",
        inv(put("document_reference", "NW-1\nNW-2")),
    ),
    Bad(
        "bidirectional override in a supplier name",
        422,
        "metadata.supplier.name",
        "invisible_characters",
        inv(put("supplier", {"name": "Acme \u202edtL"})),
    ),
    Bad(
        "zero-width space in a tracking option",
        422,
        "metadata.lines[0].tracking[0].option",
        "invisible_characters",
        inv(put("lines.0.tracking", [{"category": "Region", "option": "Nor\u200bth"}])),
    ),
    Bad(
        "line separator in a requester name",
        422,
        "metadata.requester.name",
        "control_characters",
        inv(put("requester", {"user_id": "u", "name": "Pat\u2028Admin", "email": "p@x.io"})),
    ),
    Bad(
        "NUL in a withdrawal reason",
        422,
        "reason",
        "control_characters",
        raw=withdrawal_of({"reason": "deleted\x00"}),
    ),
    Bad("unknown field", 422, "metadata.approved", "extra_forbidden", inv(put("approved", True))),
    Bad("amount as a float", 422, "metadata.total", "value_error", inv(put("total", 126.6))),
    Bad(
        "negative total",
        422,
        "metadata.total",
        "positive_total",
        inv(
            both(
                put("lines", [line("Refund", "-1", "10.00")]),
                put("subtotal", "-10.00"),
                put("total_tax", "-2.00"),
                put("total", "-12.00"),
            )
        ),
    ),
    Bad(
        "zero exchange rate",
        422,
        "metadata.exchange_rate",
        "value_error",
        inv(put("exchange_rate", "0")),
    ),
    Bad(
        "item id with a path",
        422,
        "metadata.dext_item_id",
        "string_pattern_mismatch",
        inv(put("dext_item_id", "../../etc/passwd")),
    ),
    Bad("missing requester", 422, "metadata.requester", "missing", inv(drop("requester"))),
    Bad(
        "requester e-mail not an address",
        422,
        "metadata.requester.email",
        "string_pattern_mismatch",
        inv(put("requester", {"user_id": "u", "name": "P", "email": "nobody"})),
    ),
    Bad(
        "script URL as the Dext link",
        422,
        "metadata.source_url",
        "string_pattern_mismatch",
        inv(put("source_url", "javascript:alert(1)")),
    ),
    Bad("metadata not JSON", 422, "metadata", "json_invalid", "{not json"),
    Bad(
        "PNG of absurd dimensions",
        422,
        "file",
        "image_dimensions",
        invoice(),
        (
            "NW-1.png",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\xff" * 8 + b"\x08\x02",
            "image/png",
        ),
    ),
    Bad(
        "PNG without an image header",
        422,
        "file",
        "image_dimensions",
        invoice(),
        ("NW-1.png", b"\x89PNG\r\n\x1a\n", "image/png"),
    ),
    *(
        Bad(
            f"{name} of absurd dimensions",
            422,
            "file",
            "image_dimensions",
            invoice(),
            (f"NW-1.{ext}", content, MEDIA[ext]),
        )
        for name, (ext, content) in ABSURD_IMAGES.items()
    ),
    *(
        Bad(
            f"{name} without an image header",
            422,
            "file",
            "image_dimensions",
            invoice(),
            (f"NW-1.{ext}", content, MEDIA[ext]),
        )
        for name, (ext, content) in HEADERLESS_IMAGES.items()
    ),
    Bad(
        "gzip bomb as the body", 415, "Content-Encoding", "content_encoding", raw=compressed("gzip")
    ),
    Bad(
        "deflate-encoded body",
        415,
        "Content-Encoding",
        "content_encoding",
        raw=compressed("deflate", zlib.compress(b"\0" * (10 * 1024 * 1024), 9)),
    ),
    Bad(
        "brotli-encoded body",
        415,
        "Content-Encoding",
        "content_encoding",
        raw=compressed("br", b"\x1b\xff\xff\x7f" + b"\x00" * 64),
    ),
    Bad(
        "identity then gzip encoded body",
        415,
        "Content-Encoding",
        "content_encoding",
        raw=compressed("identity, gzip"),
    ),
    Bad(
        "gzip bomb posing as a PDF",
        415,
        "file",
        "file_type",
        invoice(),
        ("NW-1.pdf", GZIP_BOMB, PDF_TYPE),
    ),
    Bad(
        "zip bomb posing as a PNG",
        415,
        "file",
        "file_type",
        invoice(),
        ("NW-1.png", ZIP_BOMB, "image/png"),
    ),
    Bad(
        "metadata nested thousands deep",
        422,
        "metadata",
        "json_too_deep",
        "[" * 5000 + "]" * 5000,
    ),
    Bad("metadata a JSON list", 422, "metadata", "model_type", "[]"),
    Bad(
        "supplier twice in the metadata",
        422,
        "metadata.supplier",
        "duplicate_key",
        json.dumps(invoice())[:-1] + ', "supplier": {"name": "Someone Else Ltd"}}',
    ),
    Bad(
        "total twice in the metadata",
        422,
        "metadata.total",
        "duplicate_key",
        json.dumps(invoice())[:-1] + ', "total": "1.00"}',
    ),
    Bad(
        "a line's amount twice",
        422,
        "metadata.lines[0].line_amount",
        "duplicate_key",
        json.dumps(invoice()).replace(
            '"line_amount": ', '"line_amount": "0.01", "line_amount": ', 1
        ),
    ),
    Bad(
        "a lone surrogate in a supplier name",
        422,
        "metadata.supplier.name",
        "lone_surrogate",
        json.dumps(invoice()).replace('"Northwind Stationery Ltd"', '"Northwind \\udc80 Ltd"'),
    ),
    Bad(
        "overlong UTF-8 in the metadata",
        422,
        "metadata",
        "json_invalid",
        # An overlong "/": no UTF-8 decoder may accept it; Starlette read the part as latin-1.
        raw=metadata_bytes(json.dumps(invoice()).encode().replace(b"wind", b"\xc0\xafwind")),
    ),
    Bad(
        "NaN as the total",
        422,
        "metadata",
        "json_invalid",
        re.sub(r'"total": "[^"]*"', '"total": NaN', json.dumps(invoice())),
    ),
    Bad(
        "reason twice in a withdrawal",
        422,
        "reason",
        "duplicate_key",
        raw=lambda dext: dext._http.build_request(
            "POST",
            f"/v1/organisations/{dext.organisation_id}/cost-items/item-1/withdrawal",
            content=b'{"reason": "duplicate", "reason": "fraud"}',
            headers={"content-type": "application/json"},
        ),
    ),
    Bad(
        "metadata over 256 KB", 413, "metadata", "max_bytes", inv(put("lines.0.description", LONG))
    ),
    Bad(
        "metadata one byte over 256 KB",
        413,
        "metadata",
        "max_bytes",
        json.dumps(invoice()).ljust(256_001),
    ),
    Bad("no metadata part", 422, "metadata", "required", None),
    Bad("no file part", 422, "file", "required", raw=metadata_only),
    Bad(
        "file one byte over 10 MB",
        413,
        "file",
        "max_bytes",
        invoice(),
        file=("big.pdf", PDF + b"%" * (10_000_001 - len(PDF)), "application/pdf"),
    ),
    Bad(
        "text file named .pdf",
        415,
        "file",
        "file_type",
        invoice(),
        file=("NW-1.pdf", b"Invoice NW-1, total 126.60", "application/pdf"),
    ),
    Bad(
        "program named .pdf",
        415,
        "file",
        "file_type",
        invoice(),
        file=("NW-1.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "application/pdf"),
    ),
    Bad(
        "HTML named .png",
        415,
        "file",
        "file_type",
        invoice(),
        file=("NW-1.png", b"<html><script>alert(1)</script></html>", "image/png"),
    ),
    Bad("empty file", 422, "file", "not_empty", invoice(), file=("NW-1.pdf", b"", "x/y")),
    Bad(
        "file name with a slash",
        422,
        "file.filename",
        "file_name",
        invoice(),
        file=("../../NW-1.pdf", PDF, "application/pdf"),
    ),
    Bad(
        "file name with a backslash",
        422,
        "file.filename",
        "file_name",
        invoice(),
        file=("..\\NW-1.pdf", PDF, "application/pdf"),
    ),
    Bad("file name with NUL", 422, "file.filename", "file_name", raw=nul_in_file_name),
    Bad("file name with a tab", 422, "file.filename", "file_name", raw=tab_in_file_name),
    Bad(
        "file name reversed by a bidirectional override",
        422,
        "file.filename",
        "file_name",
        raw=lambda dext: multipart_by_hand(dext, "NW-1\u202efdp.exe".encode()),
    ),
    Bad("two files", 422, "body", "multipart", raw=two_files),
    Bad("a body over the limit", 413, "file", "max_bytes", raw=whole_body_over_the_limit),
    Bad("a withdrawal over the limit", 413, "body", "max_bytes", raw=withdrawal_over_the_limit),
    Bad("JSON instead of multipart", 415, "", "", raw=json_request),
    Bad(
        "bank transaction without a contact",
        422,
        "metadata.contact",
        "required",
        bank(drop("contact")),
        path="bank-transactions",
    ),
    Bad(
        "bank transaction as an expense report",
        422,
        "metadata.document_type",
        "expense_report_is_a_bill",
        bank(put("document_type", "expense_report")),
        path="bank-transactions",
    ),
    Bad(
        "bank transaction in the future",
        422,
        "metadata.transaction_date",
        "not_in_future",
        bank(put("transaction_date", (TODAY + timedelta(days=3)).isoformat())),
        path="bank-transactions",
    ),
    Bad(
        "bank transaction totals",
        422,
        "metadata.total",
        "total_is_subtotal_plus_tax",
        bank(put("total", "96.00")),
        path="bank-transactions",
    ),
    Bad(
        "bank account with neither code nor id",
        422,
        "metadata.bank_account",
        "value_error",
        bank(put("bank_account", {"name": "Current"})),
        path="bank-transactions",
    ),
    Bad(
        "withdrawal with an unknown field",
        422,
        "why",
        "extra_forbidden",
        raw=withdrawal_with_unknown_field,
    ),
]
