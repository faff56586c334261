"""A QuickBooks Online company in the QBO sandbox as a test reads it: the sandbox's own view of
its entities, and reads through Intuit's Accounting API as any client would (the query
language, an attachment's download), with a token minted for the publisher's app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from countersign_harness.endpoints import Endpoints, mint_qbo_tokens
from countersign_platform.client_tls import client_tls

__all__ = ["QboBooks"]

MINOR_VERSION = "75"


@dataclass(frozen=True)
class QboBooks:
    endpoints: Endpoints
    realm_id: str

    def entities(
        self, kind: str, where: Callable[[dict[str, Any]], bool] = lambda _: True
    ) -> list[dict[str, Any]]:
        """The company's records of one entity (``Bill``, ``Vendor``…) as the sandbox holds
        them, in the order they were made."""
        response = httpx.get(
            f"{self.endpoints.qbo_root}/_sandbox/companies/{self.realm_id}/state",
            timeout=10,
            verify=client_tls(),
        )
        response.raise_for_status()
        records = response.json()["entities"].get(kind, {})
        found = sorted(records.values(), key=lambda r: int(r["Id"]))
        return [r for r in found if where(r)]

    def _api(self, path: str, **params: str) -> httpx.Response:
        token = mint_qbo_tokens(self.endpoints, self.realm_id)["access_token"]
        response = httpx.get(
            f"{self.endpoints.qbo_root}/v3/company/{self.realm_id}/{path}",
            params={"minorversion": MINOR_VERSION, **params},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=10,
            verify=client_tls(),
        )
        response.raise_for_status()
        return response

    def sparse_update(self, kind: str, record_id: str, **fields: Any) -> dict[str, Any]:
        """Changes ``fields`` of a record as a client of the Accounting API does (a sparse
        update with its current SyncToken), as someone editing it in QBO would; the record
        as QBO answers it."""
        current = self._api(f"{kind.lower()}/{record_id}").json()[kind]
        body = {"Id": record_id, "SyncToken": current["SyncToken"], "sparse": True, **fields}
        token = mint_qbo_tokens(self.endpoints, self.realm_id)["access_token"]
        response = httpx.post(
            f"{self.endpoints.qbo_root}/v3/company/{self.realm_id}/{kind.lower()}",
            params={"minorversion": MINOR_VERSION},
            json=body,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=10,
            verify=client_tls(),
        )
        response.raise_for_status()
        updated: dict[str, Any] = response.json()[kind]
        return updated

    def query(self, statement: str) -> list[dict[str, Any]]:
        """``select * from <Entity> where …`` through the Accounting API."""
        answer = self._api("query", query=statement).json()["QueryResponse"]
        entity = statement.split()[3]
        found: list[dict[str, Any]] = answer.get(entity, [])
        return found

    def attachments(self, kind: str, record_id: str) -> list[dict[str, Any]]:
        """The Attachables linked to a Bill or Purchase."""
        return [
            a
            for a in self.query("select * from Attachable")
            if any(
                ref["EntityRef"] == {"type": kind, "value": record_id}
                for ref in a.get("AttachableRef", [])
            )
        ]

    def download(self, attachable_id: str) -> bytes:
        """An attachment's bytes: the temporary URL Intuit answers, then the file."""
        url = self._api(f"download/{attachable_id}").text.strip()
        response = httpx.get(url, timeout=10, verify=client_tls())
        response.raise_for_status()
        return response.content
