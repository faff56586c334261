"""The gate every Dext call passes before its endpoint runs: a bounded body, then a valid
signature with one of the organisation's secrets that verify now (``domain/signatures.py``,
``domain/credentials.py``), whose last use is then noted (at most once a minute).

    Content-Encoding other than identity ─▶ 415 (a compressed body is never inflated)
    body over the router's bound        ─▶ 413 naming the part to blame
    no keyring                          ─▶ 503
    signature missing, malformed, stale, or made with no secret of the organisation ─▶ 401
    ─▶ the endpoint, which reads what passed (``signed_call``): organisation, body, signature

The gate is a dependency of the Dext routers themselves (``SignedCalls.router()``), so an
endpoint on one cannot skip it, and ``signed_call`` outside them is an error, never an unsigned
call (services/ingest/tests/test_ingest_signed_routes.py holds every Dext-facing route to it).
Nothing is parsed before the signature holds, and nothing of the call is stored here (only when
its credential was last used): a state-changing call records its signature in its own
transaction, where a signature seen before is ``Replayed`` — answered here too, with the same
401.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from countersign_platform.json_bodies import StrictJsonRoute, read_bounded
from countersign_platform.problems import FieldError, Problem, problem_response
from countersign_platform.runtime import Runtime, runtime
from countersign_platform.sealing import Keyring
from countersign_platform.telemetry import annotate_span
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from countersign_ingest.domain.files import MAX_FILE_SIZE
from countersign_ingest.domain.metadata import MAX_METADATA_SIZE
from countersign_ingest.domain.signatures import Verdict, check
from countersign_ingest.handlers.credentials import accepted_credentials, record_use
from countersign_ingest.handlers.organisations import refuse_if_suspended
from countersign_ingest.settings import IngestSettings

__all__ = [
    "DEXT_PREFIX",
    "DEXT_REFUSALS",
    "SignedCall",
    "SignedCalls",
    "State",
    "keyring_of",
    "refuse_replayed",
    "rotation_overlap",
    "signed_call",
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


_READS = frozenset({"GET", "HEAD"})


def keyring_of(state: Runtime[Keyring | None]) -> Keyring:
    keyring = state.parts
    if keyring is None:
        raise Problem(
            503, "not-configured", "Secrets keyring missing", "set ENCRYPTION_KEYS for ingest"
        )
    return keyring


def rotation_overlap(state: Runtime[Any]) -> timedelta:
    """How long a replaced Dext secret keeps verifying (``INGEST_DEXT_ROTATION_OVERLAP_S``)."""
    settings = state.settings
    seconds = (
        settings.dext_rotation_overlap_s
        if isinstance(settings, IngestSettings)
        else IngestSettings.model_fields["dext_rotation_overlap_s"].default
    )
    return timedelta(seconds=seconds)


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


class SignedCalls:
    """The gate of one Dext router, whose calls send at most ``max_body_bytes`` (a bigger body
    is a 413 naming ``blame``: for a publication the file, which is nearly all of it)."""

    def __init__(self, max_body_bytes: int, blame: str = "body") -> None:
        self.max_body_bytes = max_body_bytes
        self.blame = blame

    def router(self) -> APIRouter:
        """A router for Dext's calls, every one of them behind this gate."""
        return APIRouter(
            prefix=DEXT_PREFIX,
            tags=["dext"],
            dependencies=[Depends(self)],
            route_class=StrictJsonRoute,
        )

    async def __call__(
        self,
        organisation_id: UUID,
        request: Request,
        state: State,
        x_dext_timestamp: Annotated[
            str | None,
            Header(description="Unix time in seconds (up to 6 decimals) of signing; ±300 s"),
        ] = None,
        x_dext_signature: Annotated[
            str | None,
            Header(
                description='"v1=" + hex HMAC-SHA256 of "<timestamp>.<METHOD>.<path?query>.<body>"'
            ),
        ] = None,
    ) -> None:
        _refuse_content_coding(request)
        body = await read_bounded(request, self.max_body_bytes, self.blame)
        keyring = keyring_of(state)
        async with state.pool.acquire() as conn:
            accepted = await accepted_credentials(conn, keyring, organisation_id)
            checked = check(
                [a.secret for a in accepted],
                x_dext_timestamp,
                x_dext_signature,
                request.method,
                _target(request),
                body,
                time.time(),
            )
            if checked.matched is not None:
                await record_use(conn, keyring, accepted[checked.matched])
            if checked.verdict is Verdict.VALID and request.method not in _READS:
                # A suspended organisation's items are refused (403) before anything is read.
                await refuse_if_suspended(conn, organisation_id)
        verdict = checked.verdict
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
        assert x_dext_signature is not None
        annotate_span(organisation_id=organisation_id)
        request.state.signed_call = SignedCall(organisation_id, body, x_dext_signature)


def signed_call(request: Request) -> SignedCall:
    """What the router's gate let through: the organisation, the body and its signature.

    Read in the endpoint's body, which runs only once every dependency (the gate first) has
    held; a plain function rather than a dependency, which FastAPI would still call when the
    gate was skipped for an invalid organisation id."""
    call = getattr(request.state, "signed_call", None)
    if not isinstance(call, SignedCall):
        # Asked for on a router without the gate: a programming error, never an open door.
        raise RuntimeError(f"{request.url.path} is not behind SignedCalls")
    return call


async def refuse_replayed(request: Request, exc: Exception) -> JSONResponse:
    """``handlers.item_calls.Replayed`` as the 401 of every refused signature (app.py installs
    it: the platform's refusals have no 401)."""
    problem = Problem(401, "unauthorised", _NOT_ACCEPTED, "this call was already made")
    return problem_response(problem, request.url.path)
