"""``POST …/upload``: multipart parts paired by suffix (``file_metadata_NN`` JSON and
``file_content_NN``, raw or base64), each file becoming an Attachable linked to a Bill or a
Purchase; ``GET …/download/{id}`` answers a temporary URL (15 minutes) to the bytes.

The parser is lenient about line ends, as python-quickbooks sends LF-only multipart bodies."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from datetime import datetime
from typing import Any

from countersign_qbo_sandbox import errors
from countersign_qbo_sandbox.model import Change, Realm, Record
from countersign_qbo_sandbox.wire import Fault, loads

__all__ = ["file_token", "parse_multipart", "upload"]

LINKABLE = ("Bill", "Purchase")
DOWNLOAD_TTL_S = 900
_PART_NAME = re.compile(r'name="(?P<name>[^"]*)"')
_FILE_NAME = re.compile(r'filename="(?P<name>[^"]*)"')
_SPLIT = re.compile(rb"\r?\n\r?\n")


def parse_multipart(body: bytes, content_type: str) -> dict[str, tuple[dict[str, str], bytes]]:
    """Parts by name: their headers (lower-case names) and decoded content."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if found is None:
        raise errors.required("multipart boundary")
    delimiter = b"--" + found.group(1).encode("latin-1")
    parts: dict[str, tuple[dict[str, str], bytes]] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removeprefix(b"\n")
        pieces = _SPLIT.split(chunk, maxsplit=1)
        raw_headers, content = pieces[0], pieces[1] if len(pieces) > 1 else b""
        content = content.removesuffix(b"\n").removesuffix(b"\r")
        headers = {}
        for line in raw_headers.decode("latin-1").splitlines():
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        if headers.get("content-transfer-encoding", "").lower() == "base64":
            try:
                content = base64.b64decode(b"".join(content.split()), validate=True)
            except binascii.Error as exc:
                raise errors.business("The file content is not valid base64") from exc
        named = _PART_NAME.search(headers.get("content-disposition", ""))
        if named:
            parts[named.group("name")] = (headers, content)
    return parts


def file_token(secret: bytes, realm_id: str, attachable_id: str, expires: int) -> str:
    message = f"{realm_id}/{attachable_id}/{expires}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def _links(realm: Realm, meta: Record) -> list[Record]:
    links = []
    for ref in meta.get("AttachableRef") or []:
        entity = (ref.get("EntityRef") or {}) if isinstance(ref, dict) else {}
        kind = next((k for k in LINKABLE if k.lower() == str(entity.get("type", "")).lower()), None)
        if kind is None:
            raise errors.invalid_enum("AttachableRef.EntityRef.type", entity.get("type"))
        if realm.get(kind, entity.get("value")) is None:
            raise errors.invalid_reference(
                "AttachableRef.EntityRef.value", kind, entity.get("value")
            )
        links.append(
            {
                **ref,
                "EntityRef": {"type": kind, "value": str(entity["value"])},
                "IncludeOnSend": bool(ref.get("IncludeOnSend", False)),
            }
        )
    return links


def _one(realm: Realm, suffix: str, parts: dict[str, Any], base: str, now: datetime) -> Record:
    headers, content = parts[f"file_content_{suffix}"]
    meta: Record = {}
    if f"file_metadata_{suffix}" in parts:
        try:
            meta = loads(parts[f"file_metadata_{suffix}"][1]) or {}
        except ValueError as exc:
            raise errors.business(f"file_metadata_{suffix} is not valid JSON") from exc
    named = _FILE_NAME.search(headers.get("content-disposition", ""))
    file_name = meta.get("FileName") or (named.group("name") if named else None)
    if not file_name:
        raise errors.required("FileName")
    if len(file_name) > 1000:
        raise errors.too_long("FileName", 1000, len(file_name))
    record = {
        "FileName": file_name,
        "ContentType": meta.get("ContentType")
        or headers.get("content-type")
        or "application/octet-stream",
        "Size": len(content),
        "AttachableRef": _links(realm, meta) or None,
        "Category": meta.get("Category") or "Document",
        "Note": meta.get("Note"),
    }
    stored = realm.add("Attachable", record, now)
    stored["FileAccessUri"] = f"/v3/company/{realm.realm_id}/download/{stored['Id']}"
    realm.files[stored["Id"]] = content
    realm.changes.append(Change("Attachable", stored["Id"], "Create", now))
    return stored


def upload(realm: Realm, body: bytes, content_type: str, base: str, now: datetime) -> list[Record]:
    parts = parse_multipart(body, content_type)
    suffixes = sorted(
        n.removeprefix("file_content_") for n in parts if n.startswith("file_content_")
    )
    if not suffixes:
        raise errors.required("file_content_01")
    answers: list[Record] = []
    for suffix in suffixes:
        try:
            answers.append({"Attachable": _one(realm, suffix, parts, base, now)})
        except Fault as fault:
            answers.append(fault.body())
    return answers
