"""Ingest's API as the web app uses it: the original document of a bill, fetched as the
signed-in person (ingest checks the access token and the organisation)."""

from __future__ import annotations

import httpx

__all__ = ["SHOWN_INLINE", "Originals"]

# What a browser shows in the page; anything else is offered as a download.
SHOWN_INLINE = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})


class Originals:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def fetch(
        self, access_token: str, organisation_id: str, document_id: str
    ) -> tuple[bytes, str] | None:
        """The file and its media type; None when ingest has none for this person."""
        answer = await self._http.get(
            f"/v1/organisations/{organisation_id}/documents/{document_id}",
            headers={"Authorization": f"Bearer {access_token}"},
        )
        if answer.status_code in (401, 403, 404):
            return None
        answer.raise_for_status()
        media_type = answer.headers.get("content-type", "application/octet-stream")
        return answer.content, media_type.split(";")[0].strip()
