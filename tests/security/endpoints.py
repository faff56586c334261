"""The endpoints an app really serves, read from its routes (included routers flattened), so a
test that lists what it expects fails when an endpoint is added without an entry."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

__all__ = ["PUBLIC", "endpoints_of"]

# Served to every caller by design: probes, metrics and API descriptions carry no
# organisation's data.
PUBLIC = frozenset(
    {
        "GET /health/live",
        "GET /health/ready",
        "GET /metrics",
        "GET /openapi.json",
        "GET /docs",
        "GET /docs/oauth2-redirect",
        "GET /redoc",
    }
)


def endpoints_of(app: FastAPI) -> set[str]:
    """``"METHOD /path"`` for every route of ``app`` (HEAD, which mirrors GET, left out)."""
    return {
        f"{method} {context.path_format}"
        for context in iter_route_contexts(app.router.routes)
        for method in context.methods or ()
        if method != "HEAD"
    }
