"""The hostile requests of the chaos run: the ingest refusal table
(tests/support/bad_requests.py), plus broken bodies, lying content types, filename tricks,
injection-looking text, bad signatures, another organisation's ids, bad bodies for approval and
the publisher, and raw HTTP no client library would send (a body announced and withheld, request
smuggling). Each kind is one attempt that answers a status; every one must be a 4xx and store
nothing.

    async with hostile_targets(org, other) as targets:  # a request awaiting APPROVER
        for kind in hostile_kinds():
            status = await kind.attempt(targets)
        await stored_by_hostiles(targets)               # what any of them left (nothing)

Run by scripts/chaos.py in the middle of its kills and crashes, and by
tests/e2e/test_hostile_requests.py on a quiet pipeline (where every table is also compared).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.endpoints import mint_xero_tokens
from countersign_harness.organisation import Organisation

from tests.support.bad_requests import CASES, PDF, Bad, invoice, multipart_by_hand

__all__ = [
    "APPROVER",
    "HOSTILE_EMAILS",
    "HOSTILE_ITEM_IDS",
    "Hostile",
    "Targets",
    "hostile_kinds",
    "hostile_targets",
    "stored_by_hostiles",
]

# Every dext_item_id a hostile request names: none of them may exist after the run.
HOSTILE_ITEM_IDS = ("item-1", "bank-1", "hostile-1")
# Every user a hostile request tries to add: none of them may exist after the run.
HOSTILE_EMAILS = ("hostile@example.com",)
# The demo's budget holder for the North: the hostile decisions are made with her token.
APPROVER, REVIEWER = "ann@example.com", "rex@example.com"
TARGET_ITEM = "hostile-target"  # a real item, published to be decided on with hostile bodies
# A body announced and withheld waits this long for ingest's 408 (its BODY_TIMEOUT_S is lower).
SLOW_BODY_WAIT_S = 60.0

Build = Callable[[DextClient, DextClient], httpx.Request]  # (own organisation, other one)
PDF_FILE = ("h.pdf", PDF, "application/pdf")


@dataclass(frozen=True)
class Targets:
    """What the hostile requests aim at: the organisation under attack and another one (their
    people's tokens, the services' URLs), open Dext clients for both, and a request of the
    first that awaits APPROVER's decision, so a hostile body that got through would be
    recorded."""

    org: Organisation
    other: Organisation
    dext: DextClient
    theirs: DextClient
    awaiting: str  # request_id

    def approval(self, suffix: str) -> str:
        return f"{self.org.endpoints.approval}/v1/organisations/{self.org.organisation_id}{suffix}"


Attempt = Callable[[Targets], Awaitable[int]]  # the status the service answered


@dataclass(frozen=True)
class Hostile:
    name: str
    attempt: Attempt


def _dext(name: str, build: Build) -> Hostile:
    """A kind made of one request through the Dext client (built signed, or tampered with)."""

    async def attempt(t: Targets) -> int:
        return (await t.dext.send(build(t.dext, t.theirs))).status_code

    return Hostile(name, attempt)


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

DEXT_EXTRA: list[Hostile] = [
    *[
        _dext(f"metadata truncated at {n}%", _metadata(TRUNCATED[: len(TRUNCATED) * n // 100]))
        for n in (1, 10, 25, 50, 75, 90, 99)
    ],
    _dext("metadata is a JSON array", _metadata("[1, 2, 3]")),
    _dext("metadata is a JSON string", _metadata('"invoice"')),
    _dext("metadata is null", _metadata("null")),
    _dext("metadata has a trailing comma", _metadata('{"dext_item_id": "hostile-1",}')),
    _dext(
        "metadata is not UTF-8",
        _metadata("\udcff".encode("utf-8", "surrogateescape").decode("latin-1")),
    ),
    _dext("raw JSON body instead of multipart", _raw(TRUNCATED.encode(), "application/json")),
    _dext(
        "truncated multipart",
        _raw(b"--b\r\nContent-Disposition: form-data; name=", "multipart/form-data; boundary=b"),
    ),
    _dext("multipart without boundary", _raw(b"--b\r\n\r\n--b--", "multipart/form-data")),
    _dext("XML body", _raw(b"<invoice><total>1</total></invoice>", "application/xml")),
    _dext("plain text body", _raw(b"hello", "text/plain")),
    _dext("form-urlencoded body", _raw(b"metadata=%7B%7D", "application/x-www-form-urlencoded")),
    _dext("empty body", _raw(b"", "multipart/form-data; boundary=b")),
    _dext(
        "huge JSON body", _raw(b'{"a":"' + b"x" * (12 * 1024 * 1024) + b'"}', "application/json")
    ),
    _dext("gzip-declared body that is not gzip", _raw(b"\x1f\x8bnot gzip", "application/gzip")),
    _dext("PDF named but HTML inside", _file("h.pdf", f"<html>{SCRIPT}".encode(), PDF_FILE[2])),
    _dext("PDF named but executable inside", _file("h.pdf", b"MZ\x90\x00" * 64, PDF_FILE[2])),
    _dext("zip archive as document", _file("h.zip", ZIP_BOMB, "application/zip")),
    _dext("JPEG declared, empty", _file("h.jpg", b"", "image/jpeg")),
    _dext("SVG with script", _file("h.svg", f"<svg>{SCRIPT}</svg>".encode(), "image/svg+xml")),
    _dext("file name is path traversal", _file_name(b"../../etc/passwd")),
    _dext("file name is absolute path", _file_name(b"/etc/shadow")),
    _dext("file name is Windows traversal", _file_name(b"..\\..\\boot.ini")),
    _dext("file name has NUL", _file_name(b"a\x00.pdf")),
    _dext("file name is only dots", _file_name(b"..")),
    _dext("file name is empty", _file_name(b"")),
    _dext("file name is 4096 bytes", _file_name(b"a" * 4096 + b".pdf")),
    _dext("SQL in currency", _field("currency", INJECTION)),
    _dext("SQL in document type", _field("document_type", INJECTION)),
    _dext("SQL in total", _field("total", "1 OR 1=1")),
    _dext("SQL in date", _field("date", "2026-01-01'; --")),
    _dext("script in currency", _field("currency", SCRIPT)),
    _dext("script in line amount type", _field("line_amount_type", SCRIPT)),
    _dext("script as source url", _field("source_url", "javascript:alert(1)")),
    _dext("NUL in item id", _field("dext_item_id", "hostile\x00-1")),
    _dext("traversal in item id", _field("dext_item_id", "../../hostile-1")),
    _dext("lines is a string", _field("lines", SCRIPT)),
    _dext("total is NaN", _field("total", "NaN")),
    _dext("total is Infinity", _field("total", "Infinity")),
    _dext("no signature", _signed(_no_signature)),
    _dext("signature with the wrong secret", _signed(_wrong_secret)),
    _dext("stale signature", _signed(_stale)),
    _dext("signature from the future", _signed(_future)),
    _dext("garbled signature", _signed(_garbled)),
    _dext("unknown signature scheme", _signed(_other_scheme)),
    _dext("timestamp is text", _signed(_timestamp_text)),
    _dext("cross-organisation signature", _signed(_cross_organisation)),
    _dext("another organisation's item id", _other_organisations_withdrawal),
    _dext("path traversal in item path", _traversal_item),
    _dext("SQL as organisation id", _not_an_organisation),
]


# -- approval and the publisher --------------------------------------------------------------


def _approval(
    method: str,
    suffix: str,
    body: bytes | dict[str, Any] | None = None,
    *,
    who: str | None = APPROVER,
    content_type: str = "application/json",
    params: dict[str, str] | None = None,
) -> Attempt:
    """A call to approval as ``who`` (None: the organisation's admin); ``{awaiting}`` in
    ``suffix`` is the request awaiting APPROVER. Bytes are sent as they are."""

    content = body if isinstance(body, bytes) else None
    document = None if isinstance(body, bytes) else body

    async def attempt(t: Targets) -> int:
        async with httpx.AsyncClient(timeout=60) as http:
            response = await http.request(
                method,
                t.approval(suffix.format(awaiting=t.awaiting)),
                headers={**t.org.auth(who), "content-type": content_type},
                content=content,
                json=document,
                params=params,
            )
        return response.status_code

    return attempt


def _new_user(name: str, **changes: Any) -> Attempt:
    person = {"email": HOSTILE_EMAILS[0], "name": name, "roles": ["approver"], **changes}
    return _approval("POST", "/users", person, who=None)


async def _misspelt_tenant(t: Targets) -> int:
    """Working tokens for the organisation's own tenant, the tenant named as "tenantId": read
    without it, the connection went to whichever tenant the grant names first."""
    tokens = mint_xero_tokens(t.org.endpoints, t.org.tenant_id)
    async with httpx.AsyncClient(timeout=60) as http:
        response = await http.put(
            f"{t.org.endpoints.publisher}/v1/organisations/{t.org.organisation_id}/xero-connection",
            headers=t.org.endpoints.operator,
            json={
                **{k: tokens[k] for k in ("access_token", "refresh_token", "expires_in")},
                "tenantId": t.other.tenant_id,
            },
        )
    return response.status_code


# -- raw HTTP to ingest ------------------------------------------------------------------------


def _raw_http(request: Callable[[Targets], bytes], wait_s: float = 30.0) -> Attempt:
    """Bytes no HTTP client library would send, on a socket of their own; the status line of
    the answer (0 when none comes within ``wait_s``: not refused). A connection closed with no
    answer raises, like any connection error: the chaos run retries it (the service may have
    been killed mid-attempt), the quiet test fails on it."""

    async def attempt(t: Targets) -> int:
        url = httpx.URL(t.org.endpoints.ingest)
        reader, writer = await asyncio.open_connection(url.host, url.port)
        try:
            writer.write(request(t))
            await writer.drain()
            async with asyncio.timeout(wait_s):
                status_line = await reader.readline()
        except TimeoutError:
            return 0
        finally:
            writer.close()
        if not status_line:
            raise ConnectionResetError("the connection closed with no answer")
        parts = status_line.split()
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0

    return attempt


def _withheld_body(t: Targets) -> bytes:
    """Announces 1,000 bytes and sends 20: ingest must answer 408 once its body timeout ends."""
    return (
        f"POST /v1/organisations/{t.org.organisation_id}/cost-items HTTP/1.1\r\n"
        "Host: ingest\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        "Content-Length: 1000\r\n\r\n--b\r\nContent-Dispo"
    ).encode()


def _smuggled(t: Targets) -> bytes:
    """Content-Length and chunked at once: two readers of the stream could split it apart."""
    return (
        f"POST /v1/organisations/{t.org.organisation_id}/cost-items HTTP/1.1\r\n"
        "Host: ingest\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
        "0\r\n\r\nGET /v1/documents/x HTTP/1.1\r\nHost: ingest\r\n\r\n"
    ).encode()


DEEP = b"[" * 100_000 + b"]" * 100_000
APPROVE, REJECT = "/requests/{awaiting}/approve", "/requests/{awaiting}/reject"

# The outside tester's inputs that the ingest refusal table does not already carry (it has
# "supplier twice in the metadata", "file one byte over 10 MB" and "paid before the bill was
# issued", which come in with CASES).
REPORTED: list[Hostile] = [
    Hostile("NUL in an approve comment", _approval("POST", APPROVE, {"comment": "ok\x00"})),
    Hostile("NUL in a reject reason", _approval("POST", REJECT, {"reason": "wrong\x00"})),
    Hostile("NUL in a user name", _new_user("Hostile\x00User")),
    Hostile(
        "comment twice in an approval body",
        _approval("POST", APPROVE, b'{"comment": "as coded", "comment": "recoded to 999"}'),
    ),
    Hostile(
        "approval body nested 100,000 deep",
        _approval("POST", APPROVE, b'{"comment": "ok", "step": ' + DEEP + b"}"),
    ),
    Hostile("body announced and withheld", _raw_http(_withheld_body, SLOW_BODY_WAIT_S)),
]

# Ten more that no table had tried.
UNTRIED: list[Hostile] = [
    Hostile("bidirectional override in a user name", _new_user("Eve \u202enimdA")),
    Hostile(
        "zero-width space in a workflow's supplier rule",
        _approval(
            "PUT",
            "/workflow",
            {
                "steps": [{"name": "Any", "approvers": [{"approver": APPROVER}]}],
                "default_approver": APPROVER,
                "auto_approval": [
                    {"conditions": [{"field": "supplier", "values": ["Acme\u200b Ltd"]}]}
                ],
            },
            who=None,
        ),
    ),
    Hostile(
        "lone surrogate in an approve comment",
        _approval("POST", APPROVE, b'{"comment": "fine \\ud800"}'),
    ),
    Hostile(
        "approval body in UTF-16",
        _approval("POST", APPROVE, '{"comment": "fine"}'.encode("utf-16")),
    ),
    Hostile(
        "approval body sent as text/plain",
        _approval("POST", APPROVE, b'{"comment": "fine"}', content_type="text/plain"),
    ),
    Hostile("1e400 as an approval's step", _approval("POST", APPROVE, b'{"step": 1e400}')),
    Hostile("a user with 80,000 roles", _new_user("Eve", roles=["approver"] * 80_000)),
    Hostile(
        "CRLF in an approval listing filter",
        _approval(
            "GET", "/requests", params={"dext_item_id": "x\r\nSet-Cookie: admin=1"}, who=None
        ),
    ),
    Hostile("tenant misspelt in the publisher's connect body", _misspelt_tenant),
    Hostile("Content-Length and chunked together", _raw_http(_smuggled)),
]


def hostile_kinds() -> list[Hostile]:
    """Every kind of hostile request, the refusal table's first."""
    table = [_dext(case.name, _from_table(case)) for case in CASES]
    return table + DEXT_EXTRA + REPORTED + UNTRIED


# -- before and after --------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def hostile_targets(org: Organisation, other: Organisation) -> AsyncIterator[Targets]:
    """Publishes TARGET_ITEM (North, above auto-approval), has REVIEWER pass it on, waits
    until it awaits APPROVER, and opens both organisations' Dext clients for the block."""
    metadata = cost_item(
        TARGET_ITEM,
        "invoice",
        [line("Hostile target", "1", "120.00", tracking=[("Region", "North")])],
        reference="HT-1",
        due_in_days=30,
    )
    async with org.dext() as dext, other.dext() as theirs:
        published = await dext.publish_cost_item(metadata, "ht.pdf", PDF, "application/pdf")
        if published.status_code not in (200, 202):
            raise RuntimeError(f"hostile target not published: {published.text}")
        request = await org.request_of(TARGET_ITEM, states=("in_review", "in_approval"))
        if request["state"] == "in_review":
            reviewed = await org.act(REVIEWER, request["request_id"], "review")
            if reviewed.status_code != 200:
                raise RuntimeError(f"hostile target not reviewed: {reviewed.text}")
            request = await org.request_of(TARGET_ITEM, states=("in_approval",))
        yield Targets(org, other, dext, theirs, str(request["request_id"]))


async def stored_by_hostiles(targets: Targets) -> list[str]:
    """What any hostile request left behind: an item ingest knows, a user approval added, a
    decision on the target request, a connection moved to another tenant. Empty is right."""
    org, found = targets.org, []
    for item_id in HOSTILE_ITEM_IDS:
        if (await targets.dext.item_status(item_id)).status_code != 404:
            found.append(f"ingest item {item_id}")
    async with httpx.AsyncClient(timeout=30) as http:
        users = (await http.get(targets.approval("/users"), headers=org.auth())).json()
        found += [f"approval user {u['email']}" for u in users if u["email"] in HOSTILE_EMAILS]
        request = (
            await http.get(targets.approval(f"/requests/{targets.awaiting}"), headers=org.auth())
        ).json()
        decided = [e["action"] for e in request["audit_trail"]][2:]  # submitted, reviewed
        if request["state"] != "in_approval" or decided:
            found.append(f"target request {request['state']} {decided}")
        connection = (
            await http.get(
                f"{org.endpoints.publisher}/v1/organisations/{org.organisation_id}/xero-connection",
                headers=org.endpoints.operator,
            )
        ).json()
        if connection.get("tenant_id") != org.tenant_id:
            found.append(f"publisher connection to {connection.get('tenant_id')}")
    return found
