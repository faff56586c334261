"""Ingest's API as the web app uses it, as the signed-in person (ingest checks the access token
and the organisation): a bill's original document, and the organisation's Dext credentials."""

from __future__ import annotations

from countersign_web.calls import AsPerson

__all__ = ["SHOWN_INLINE", "Ingest"]

# What a browser shows in the page; anything else is offered as a download.
SHOWN_INLINE = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})


class Ingest(AsPerson):
    async def original(
        self, access_token: str, organisation_id: str, document_id: str
    ) -> tuple[bytes, str] | None:
        """The file and its media type; None when ingest has none for this person."""
        answer = await self.call(
            access_token, "GET", f"/v1/organisations/{organisation_id}/documents/{document_id}"
        )
        if answer.status_code in (403, 404):
            return None
        answer.raise_for_status()
        media_type = answer.headers.get("content-type", "application/octet-stream")
        return answer.content, media_type.split(";")[0].strip()
