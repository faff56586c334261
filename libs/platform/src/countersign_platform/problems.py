"""RFC 9457 problem details: every refusal names the field and the rule it broke.

{"type": "urn:countersign:problem:validation", "title": "Request is not valid",
 "status": 422, "detail": "1 field is not valid",
 "errors": [{"field": "lines[0].tax_amount", "rule": "decimal_places",
             "message": "Tax is rounded to 2 decimal places"}]}
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from countersign_platform.outages import DATABASE_UNAVAILABLE
from countersign_platform.refusals import (
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    Refusal,
)

__all__ = [
    "FieldError",
    "Problem",
    "install_problem_handlers",
    "problem_response",
    "refusal_problem",
]

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# A body of 30,000 empty lines breaks 210,000 rules: listing them all would answer 19 MB.
MAX_LISTED_ERRORS = 50


class Problem(Exception):
    """Raise from a route to answer with a problem document (and ``headers``, such as a 401's
    ``WWW-Authenticate`` or a 503's ``Retry-After``)."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str | None = None,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        # RFC 9457 §3.2 extension members, e.g. the choices a 409 offers; never the standard
        # members, which they cannot override.
        self.extensions = dict(extensions or {})


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    body: dict[str, object] = {
        **problem.extensions,
        "type": f"urn:countersign:problem:{problem.kind}",
        "title": problem.title,
        "status": problem.status,
    }
    if problem.detail:
        body["detail"] = problem.detail
    if instance:
        body["instance"] = instance
    if problem.errors:
        body["errors"] = [e.__dict__ for e in problem.errors]
    return JSONResponse(
        body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


def _field_path(location: Sequence[int | str]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc, request.url.path)


# The one place a refusal's category becomes an HTTP status.
_REFUSAL_STATUS: tuple[tuple[type[Refusal], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (Invalid, 422),
    (Conflict, 409),
)


def refusal_problem(refusal: Refusal) -> Problem:
    status = next((code for kind, code in _REFUSAL_STATUS if isinstance(refusal, kind)), 409)
    return Problem(
        status,
        refusal.kind,
        refusal.title,
        refusal.detail,
        refusal.errors,
        extensions=refusal.extensions,
    )


async def _on_refusal(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refusal)
    return problem_response(refusal_problem(exc), request.url.path)


async def _on_invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    found = exc.errors()
    errors = [
        FieldError(
            field=_field_path([p for p in e["loc"] if p not in ("body", "query", "path")]),
            rule=str(e["type"]),
            message=str(e["msg"]),
        )
        for e in found[:MAX_LISTED_ERRORS]
    ]
    plural = "s are" if len(found) != 1 else " is"
    listed = f" (the first {len(errors)} listed)" if len(found) > len(errors) else ""
    detail = f"{len(found)} field{plural} not valid{listed}"
    problem = Problem(422, "validation", "Request is not valid", detail, errors)
    return problem_response(problem, request.url.path)


async def _on_outage(request: Request, exc: Exception) -> JSONResponse:
    # The database is restarting or away: the request may well succeed in a moment, and a 500
    # would tell the caller (and the alerting) that the service is broken.
    log.warning("a server is unavailable on %s %s: %r", request.method, request.url.path, exc)
    problem = Problem(503, "unavailable", "Service unavailable", "try again shortly")
    response = problem_response(problem, request.url.path)
    response.headers["Retry-After"] = "1"
    return response


async def _on_gone(request: Request, exc: Exception) -> JSONResponse:
    # The caller left before sending its whole body (or was sent a 408 for being too slow,
    # body_deadline.py): nothing is wrong here, and nobody reads this answer. 499 is the status
    # proxies log for it, so /metrics tells these apart from server errors.
    log.info(
        "client went away before its request body arrived: %s %s",
        request.method,
        request.url.path,
    )
    problem = Problem(499, "client-closed-request", "Client closed the request")
    return problem_response(problem, request.url.path)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The details stay in the log (with the traceback); the client gets no internals.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = Problem(500, "internal", "Internal error", "the error was logged")
    return problem_response(problem, request.url.path)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    problem = Problem(exc.status_code, f"http-{exc.status_code}", str(exc.detail))
    return problem_response(problem, request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    """Every refusal and failure of ``app`` answered as problem+json."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(Refusal, _on_refusal)
    app.add_exception_handler(RequestValidationError, _on_invalid)
    for outage in DATABASE_UNAVAILABLE:
        app.add_exception_handler(outage, _on_outage)
    app.add_exception_handler(ClientDisconnect, _on_gone)
    app.add_exception_handler(Exception, _on_unexpected)
    app.add_exception_handler(StarletteHTTPException, _on_http)
