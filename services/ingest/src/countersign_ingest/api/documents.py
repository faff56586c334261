"""Original documents, served only to a signed, expiring link bound to one document
(``countersign_platform.links``) — the publisher fetches originals for Xero with links it signs,
and the status view hands out "Open original document" links — or to a person of the
document's organisation with an access token (the web app shows the scan beside the bill).
Nothing here is public."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from countersign_contracts import Text
from countersign_platform.access_http import OrganisationMember
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.links import verify_document_link
from countersign_platform.problems import Problem
from countersign_platform.runtime import Runtime, runtime
from fastapi import APIRouter, Depends, Query, Response

from countersign_ingest.domain.files import StoredDocument
from countersign_ingest.handlers.documents import open_document

__all__ = ["router"]

router = APIRouter(tags=["documents"], route_class=StrictJsonRoute)


@router.get(
    "/v1/documents/{document_id}",
    summary="Download an original document through a signed link",
    response_class=Response,
    responses={
        200: {"description": "The file, with its media type", "content": {"application/pdf": {}}},
        403: {"description": "The link is not valid for this document, or has expired"},
    },
)
async def download_document(
    document_id: UUID,
    expires: Annotated[int, Query(description="Unix seconds after which the link is refused")],
    signature: Annotated[Text, Query(max_length=128)],
    state: Annotated[Runtime[Any], Depends(runtime)],
) -> Response:
    secret = state.settings.document_link_secret
    if secret is None:
        raise Problem(503, "not-configured", "Document links disabled", "set DOCUMENT_LINK_SECRET")
    if not verify_document_link(
        secret.get_secret_value().encode(), document_id, expires, signature
    ):
        raise Problem(403, "forbidden", "Link not valid", "ask for a fresh link")
    async with state.pool.acquire() as conn:
        return _file(*await open_document(conn, document_id))


@router.get(
    "/v1/organisations/{organisation_id}/documents/{document_id}",
    summary="An original document, for a person of its organisation (access token)",
    response_class=Response,
    responses={
        200: {"description": "The file, with its media type", "content": {"application/pdf": {}}},
        404: {"description": "No such document in the organisation"},
    },
)
async def organisation_document(
    organisation_id: UUID,
    document_id: UUID,
    state: Annotated[Runtime[Any], Depends(runtime)],
    _: OrganisationMember,
) -> Response:
    async with state.pool.acquire() as conn:
        return _file(*await open_document(conn, document_id, organisation_id))


def _file(document: StoredDocument, content: bytes) -> Response:
    return Response(
        content,
        media_type=document.media_type,
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(document.file_name)}",
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{document.sha256}"',
        },
    )
