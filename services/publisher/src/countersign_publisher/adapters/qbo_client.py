"""An async client for the parts of QuickBooks Online's Accounting API (v3) the publisher uses.

    {api_url}/v3/company/{realmId}/{entity}[/{Id}]?minorversion=75[&requestid=…]

The realm is the connection's ``tenant_id`` (``CredentialSource``, as Xero's). Every call goes
through the realm's ``CallScheduler`` budget (batch calls also through its batch budget), carries
a fresh bearer token (a 401 refreshes once and tries again), and every write carries a
``requestid`` made from the step's key, so a repeated write replays QBO's first answer. Answers
are plain dicts; failures the exceptions of ``qbo_errors``.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from countersign_platform import decimal_json
from countersign_platform.outbound import HttpResponse, OutboundHttp

from countersign_publisher.adapters.qbo_errors import raise_fault, raise_for_qbo, transport_errors
from countersign_publisher.adapters.xero_client import CredentialSource, publisher_user_agent
from countersign_publisher.adapters.xero_limits import CallScheduler, Limits

__all__ = ["MINOR_VERSION", "QboClient", "qbo_limits", "query_text", "request_id"]

Json = dict[str, Any]
MINOR_VERSION = "75"
REQUEST_ID_MAX = 50
BATCH_REQUEST_ID_MAX = 36
PAGE = 1000
_SAFE = re.compile(r"^[A-Za-z0-9._-]+$")


def qbo_limits(minute_s: float = 60.0, per_minute: int = 500) -> Limits:
    """Intuit's per-realm limits: 500 calls a minute, 10 at once, 40 batch calls a minute, and
    a 429 pauses the realm a minute. No day or app-wide budget (Intuit meters reads monthly)."""
    return Limits(
        per_minute=per_minute,
        concurrent=10,
        per_day=10**9,
        app_per_minute=10**9,
        minute_s=minute_s,
        batch_per_minute=40,
        pause_on_429_s=60.0,
    )


def request_id(key: str, limit: int = REQUEST_ID_MAX) -> str:
    """The ``requestid`` of a write: the step's key when it fits (≤ 50 characters, ≤ 36 for a
    batch), else a stable digest of it, so a try sent again carries the same one."""
    if len(key) <= limit and _SAFE.match(key):
        return key
    return "cs-" + hashlib.sha256(key.encode()).hexdigest()[: limit - 3]


def query_text(value: str) -> str:
    """``value`` as a string literal of Intuit's query language (backslash escapes)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class QboClient:
    def __init__(
        self,
        http: OutboundHttp,
        api_url: str,
        credentials: CredentialSource,
        scheduler: CallScheduler,
    ) -> None:
        self._http = http
        self._api_url = api_url.rstrip("/")
        self._credentials = credentials
        self._scheduler = scheduler
        self._user_agent = publisher_user_agent()
        self._realms: dict[UUID, str] = {}

    def held_back(self, organisation_id: UUID) -> bool:
        """True while the organisation's realm must wait for room in its budget."""
        realm = self._realms.get(organisation_id)
        return realm is not None and self._scheduler.held_back(realm)

    async def _send(
        self,
        organisation_id: UUID,
        method: str,
        entity: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        key: str | None = None,
    ) -> HttpResponse:
        batch = entity == "batch"
        sent_params = {"minorversion": MINOR_VERSION, **(params or {})}
        if key is not None:
            limit = BATCH_REQUEST_ID_MAX if batch else REQUEST_ID_MAX
            sent_params["requestid"] = request_id(key, limit)
        refresh = False
        for _ in range(2):
            creds = await self._credentials.credentials(organisation_id, refresh=refresh)
            realm = creds.tenant_id
            self._realms[organisation_id] = realm
            sent_headers = {
                "Authorization": f"Bearer {creds.access_token}",
                "Accept": "application/json",
                "User-Agent": self._user_agent,
                **(headers or {}),
            }
            async with self._scheduler.call(realm, batch=batch):
                with transport_errors():
                    response = await self._http.request(
                        method,
                        f"{self._api_url}/v3/company/{realm}/{entity}",
                        params=sent_params,
                        json=json,
                        content=content,
                        headers=sent_headers,
                        operation=f"QBO {method} {entity.split('/')[0]}",
                    )
            self._scheduler.observe(realm, response.status_code, response.headers)
            if response.status_code == 401 and not refresh:
                refresh = True  # the token may have expired early or been revoked: once more
                continue
            limits = self._scheduler.limits
            raise_for_qbo(response, limits.pause_on_429_s * limits.minute_s / 60)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def read(self, organisation_id: UUID, entity: str, entity_id: str = "") -> Json:
        """``GET …/{entity}[/{id}]``: the record (``preferences``, ``companyinfo/{realm}``…)."""
        path = f"{entity}/{entity_id}" if entity_id else entity
        body = (await self._send(organisation_id, "GET", path)).json()
        return dict(next(v for k, v in body.items() if k != "time"))

    async def query(
        self, organisation_id: UUID, text: str, start: int = 1, max_results: int = PAGE
    ) -> list[Json]:
        """One page of ``text`` (``select * from E [where …] [orderby …]``), from ``start``."""
        full = f"{text} STARTPOSITION {start} MAXRESULTS {max_results}"
        response = await self._send(organisation_id, "GET", "query", params={"query": full})
        found = response.json().get("QueryResponse") or {}
        entity = text.split()[3]  # select * from <Entity>
        return [dict(r) for k, v in found.items() if k.lower() == entity.lower() for r in v]

    async def query_all(self, organisation_id: UUID, text: str) -> list[Json]:
        """Every record ``text`` finds, page after page."""
        found: list[Json] = []
        while True:
            page = await self.query(organisation_id, text, len(found) + 1)
            found += page
            if len(page) < PAGE:
                return found

    async def write(
        self, organisation_id: UUID, entity: str, record: Json, key: str, **params: str
    ) -> Json:
        """A create, or an update (``Id`` and ``SyncToken`` in ``record``): the record QBO
        answered with."""
        response = await self._send(
            organisation_id, "POST", entity, json=record, key=key, params=params or None
        )
        body = response.json()
        return dict(next(v for k, v in body.items() if k != "time"))

    async def batch(self, organisation_id: UUID, items: Sequence[Json], key: str) -> list[Json]:
        """One ``POST …/batch``: each ``BatchItemResponse`` (an entity or a ``Fault``)."""
        body = {"BatchItemRequest": list(items)}
        response = await self._send(organisation_id, "POST", "batch", json=body, key=key)
        return [dict(item) for item in response.json().get("BatchItemResponse") or ()]

    async def upload(
        self,
        organisation_id: UUID,
        metadata: Json,
        file_name: str,
        content: bytes,
        media_type: str,
        key: str,
    ) -> Json:
        """``POST …/upload``: one file and its metadata (the Attachable linked to a record)."""
        boundary = uuid.uuid4().hex
        body, content_type = _multipart(boundary, metadata, file_name, content, media_type)
        response = await self._send(
            organisation_id,
            "POST",
            "upload",
            content=body,
            headers={"Content-Type": content_type},
            key=key,
        )
        answers = response.json().get("AttachableResponse") or [{}]
        raise_fault(answers[0])
        return dict(answers[0]["Attachable"])

    async def changed(self, organisation_id: UUID, entity: str, since: str) -> list[Json]:
        """``GET …/cdc``: the ``entity`` records changed since ``since`` (ISO), deleted ones
        as ``{"status": "Deleted", "Id"…}``."""
        params = {"entities": entity, "changedSince": since}
        body = (await self._send(organisation_id, "GET", "cdc", params=params)).json()
        found: list[Json] = []
        for answer in body.get("CDCResponse") or ():
            for response in answer.get("QueryResponse") or ():
                found += [dict(r) for r in response.get(entity) or ()]
        return found


def _multipart(
    boundary: str, metadata: Json, file_name: str, content: bytes, media_type: str
) -> tuple[bytes, str]:
    quoted = file_name.replace('"', "_").replace("\r", "_").replace("\n", "_")
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file_metadata_01"\r\n'
        "Content-Type: application/json; charset=UTF-8\r\n\r\n"
    ).encode() + decimal_json.dumps(metadata)
    file_part = (
        f"\r\n--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file_content_01"; filename="{quoted}"\r\n'
        f"Content-Type: {media_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + file_part + content + tail, f"multipart/form-data; boundary={boundary}"
