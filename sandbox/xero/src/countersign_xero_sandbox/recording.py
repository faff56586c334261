"""``XERO_SANDBOX_RECORD=<file>``: every request and answer as one JSON line, secrets redacted,
binary bodies summarised by size and SHA-256. A multipart body (QBO's upload) is kept as its
parts — name, file name, content type, transfer encoding, the JSON of a JSON part and a summary
of any other — so the fidelity net can judge the part names and the metadata."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import json
import os
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Recorder", "instance_recording"]

REDACTED = "<redacted>"
# Token requests and answers, the revocation form (``token``), the login form (``password``),
# a webhook's key (its registration and the answer).
SECRET_FIELDS = {
    "key",
    "client_secret",
    "code",
    "code_verifier",
    "refresh_token",
    "access_token",
    "id_token",
    "token",
    "password",
}
SECRET_HEADERS = {"authorization", "cookie", "set-cookie"}
# The code in the redirect back to the app (``Location: …?code=…``).
_CODE_IN_LOCATION = re.compile(r"(?<=[?&]code=)[^&#]*")


def _summary(raw: bytes) -> dict[str, Any]:
    return {"bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}


def _parts(raw: bytes, content_type: str) -> list[dict[str, Any]]:
    """A ``multipart/form-data`` body's parts in order (LF-only bodies too, as
    python-quickbooks sends them)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        kind = part.get_content_type()
        parts.append(
            {
                "name": part.get_param("name", header="content-disposition"),
                "filename": part.get_filename(),
                "content_type": kind,
                "transfer_encoding": part.get("content-transfer-encoding"),
                "body": _body(content, kind) if "json" in kind else _summary(content),
            }
        )
    return parts


def _body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    if content_type.startswith("multipart/"):
        return {"parts": _parts(raw, content_type), **_summary(raw)}
    if "json" in content_type:
        try:
            parsed = json.loads(raw)
        except ValueError:
            pass
        else:
            if isinstance(parsed, dict):
                return {k: REDACTED if k in SECRET_FIELDS else v for k, v in parsed.items()}
            return parsed
    if "x-www-form-urlencoded" in content_type:
        return {k: REDACTED if k in SECRET_FIELDS else v for k, v in parse_qsl(raw.decode())}
    # QBO's query statements are posted as ``application/text``.
    if content_type.startswith(("text/", "application/text")):
        return raw.decode(errors="replace")
    return _summary(raw)


def _header(name: str, value: str) -> str:
    if name.lower() == "authorization":
        # The scheme stays (the fidelity net checks for `Bearer`); the credential never does.
        scheme, _, credential = value.partition(" ")
        known = scheme.lower() in ("bearer", "basic") and credential
        return f"{scheme} {REDACTED}" if known else REDACTED
    if name.lower() in SECRET_HEADERS:
        return REDACTED
    if name.lower() == "location":
        return _CODE_IN_LOCATION.sub(REDACTED, value)
    return value


def _headers(pairs: list[tuple[bytes, bytes]]) -> dict[str, str]:
    return {
        k.decode("latin-1"): _header(k.decode("latin-1"), v.decode("latin-1")) for k, v in pairs
    }


def instance_recording(directory: str, port: int, name: str = "xero-sandbox") -> Path:
    """A file of its own in ``directory`` for one sandbox instance: several instances (tests
    start many, in one process and in several) never interleave their lines."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}-{os.getpid()}-{port}-{uuid.uuid4().hex[:8]}.jsonl"


class Recorder:
    """ASGI middleware appending one JSON line per HTTP exchange to ``path``."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self.path = Path(path)
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        request_body = bytearray()
        response: dict[str, Any] = {"status": None, "headers": [], "body": bytearray()}

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request_body.extend(message.get("body", b""))
            return message

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                response["body"].extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            self._write(scope, bytes(request_body), response, started)

    def _write(
        self, scope: Scope, request_body: bytes, response: dict[str, Any], started: float
    ) -> None:
        request_headers = _headers(list(scope.get("headers", [])))
        response_headers = _headers(response["headers"])
        line = {
            "at": datetime.now(UTC).isoformat(),
            "method": scope["method"],
            "path": scope["path"],
            "query": scope.get("query_string", b"").decode("latin-1"),
            "request_headers": request_headers,
            "request_body": _body(request_body, request_headers.get("content-type", "")),
            "status": response["status"],
            "response_headers": response_headers,
            "response_body": _body(
                bytes(response["body"]), response_headers.get("content-type", "")
            ),
            "duration_ms": round((time.monotonic() - started) * 1000, 3),
        }
        encoded = json.dumps(line, default=lambda v: base64.b64encode(v).decode())
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(encoded + "\n")
