"""The gate every Dext call passes: a bounded body, then a valid signature with one of the
organisation's secrets (``domain/signatures.py``). Nothing is parsed before the signature holds,
and nothing is stored here: an accepted state-changing call records its signature in its own
transaction, where a signature seen before is ``Replayed`` — answered here too, with the 401
of every refused signature."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from countersign_platform.json_bodies import StrictJsonRoute, read_bounded
from countersign_platform.problems import FieldError, Problem, problem_response
from countersign_platform.runtime import Runtime, runtime
from countersign_platform.sealing import Keyring
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from countersign_ingest.domain.files import MAX_FILE_SIZE
from countersign_ingest.domain.metadata import MAX_METADATA_SIZE
from countersign_ingest.domain.signatures import Verdict, verify
from countersign_ingest.handlers.credentials import accepted_secrets

__all__ = [
    "DEXT_PREFIX",
    "DEXT_REFUSALS",
    "SignatureHeaders",
    "SignedCall",
    "State",
    "dext_router",
    "keyring_of",
    "read_signed_call",
    "refuse_replayed",
]

log = logging.getLogger(__name__)

DEXT_PREFIX = "/v1/organisations/{organisation_id}"

State = Annotated[Runtime[Keyring | None], Depends(runtime)]

DEXT_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Signature missing, wrong, stale or replayed"},
    409: {"description": "The item was withdrawn, or is of the other kind"},
    413: {"description": f"File over {MAX_FILE_SIZE} or metadata over {MAX_METADATA_SIZE}"},
    415: {"description": "Not multipart, a file type Xero does not take, or a compressed body"},
    422: {"description": "A field breaks a rule (problem+json names it)"},
}
"""How Dext calls may be refused, for the OpenAPI document."""


@dataclass(frozen=True)
class SignedCall:
    organisation_id: UUID
    body: bytes
    signature: str


def keyring_of(state: Runtime[Keyring | None]) -> Keyring:
    keyring = state.parts
    if keyring is None:
        raise Problem(
            503, "not-configured", "Secrets keyring missing", "set ENCRYPTION_KEYS for ingest"
        )
    return keyring


def _refuse_content_coding(request: Request) -> None:
    """A compressed request body is refused before a byte of it is read: ingest never inflates
    what a caller sends, so a small gzip, deflate or brotli bomb costs nothing but this answer.
    """
    codings = [c.strip().lower() for c in request.headers.get("content-encoding", "").split(",")]
    if any(coding not in ("", "identity") for coding in codings):
        raise Problem(
            415,
            "unsupported-content-encoding",
            "Compressed request bodies are not accepted",
            "send the body uncompressed, without a Content-Encoding header",
            [
                FieldError(
                    "Content-Encoding",
                    "content_encoding",
                    "only identity is accepted; compressed bodies are never inflated",
                )
            ],
        )


def _target(request: Request) -> str:
    path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    query: bytes = request.scope.get("query_string", b"")
    return path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


_NOT_ACCEPTED = "Signature not accepted"


async def SignatureHeaders(
    x_dext_timestamp: Annotated[
        str | None, Header(description="Unix time in seconds (up to 6 decimals) of signing; ±300 s")
    ] = None,
    x_dext_signature: Annotated[
        str | None,
        Header(description='"v1=" + hex HMAC-SHA256 of "<timestamp>.<METHOD>.<path?query>.<body>"'),
    ] = None,
) -> None:
    """Declares the signature headers in the OpenAPI document; they are read from the request."""


def dext_router() -> APIRouter:
    return APIRouter(
        prefix=DEXT_PREFIX,
        tags=["dext"],
        dependencies=[Depends(SignatureHeaders)],
        route_class=StrictJsonRoute,
    )


async def read_signed_call(
    request: Request,
    state: Runtime[Any],
    organisation_id: UUID,
    max_body_bytes: int,
    blame: str = "body",
) -> SignedCall:
    """The call's body once its signature holds. A body over ``max_body_bytes`` is a 413
    naming ``blame`` (for a publication the file, which is nearly all of it)."""
    _refuse_content_coding(request)
    body = await read_bounded(request, max_body_bytes, blame)
    keyring = keyring_of(state)
    timestamp = request.headers.get("x-dext-timestamp")
    signature = request.headers.get("x-dext-signature")
    async with state.pool.acquire() as conn:
        secrets = await accepted_secrets(conn, keyring, organisation_id)
    verdict = verify(
        secrets, timestamp, signature, request.method, _target(request), body, time.time()
    )
    if verdict is not Verdict.VALID:
        # The organisation and the reason are logged; the presented values never are.
        log.warning(
            "refused a Dext call: signature %s",
            verdict,
            extra={"organisation_id": str(organisation_id)},
        )
        raise Problem(
            401,
            "unauthorised",
            _NOT_ACCEPTED,
            "sign every call with the organisation's Dext secret (X-Dext-Timestamp, "
            "X-Dext-Signature); see docs/ingest-api.md",
        )
    assert signature is not None
    return SignedCall(organisation_id, body, signature)


async def refuse_replayed(request: Request, exc: Exception) -> JSONResponse:
    """``handlers.item_calls.Replayed`` as the 401 of every refused signature (app.py installs
    it: the platform's refusals have no 401)."""
    problem = Problem(401, "unauthorised", _NOT_ACCEPTED, "this call was already made")
    return problem_response(problem, request.url.path)
