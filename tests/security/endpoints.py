"""The endpoints an app really serves, read from its routes (included routers flattened), so a
test that lists what it expects fails when an endpoint is added without an entry."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

__all__ = ["PUBLIC", "endpoints_of"]

# Served to every caller by design: probes, metrics, API descriptions and approval's public
# access-token keys carry no organisation's data.
PUBLIC = frozenset(
    {
        "GET /.well-known/jwks.json",
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


Table = dict[str, dict[str, int | None]]


def parse_table(table: str, callers: tuple[str, ...], prefixes: dict[str, str]) -> Table:
    """Rows of ``METHOD path | status per caller`` under one header line; ``-`` is a cell that
    does not apply. Placeholders in ``prefixes`` (e.g. ``{org}``) shorten the paths."""
    parsed: Table = {}
    for row in table.strip().splitlines()[1:]:
        endpoint, cells = row.split("|")
        method, path = endpoint.split()
        for short, long in prefixes.items():
            path = path.replace(short, long)
        statuses = [None if cell == "-" else int(cell) for cell in cells.split()]
        assert len(statuses) == len(callers), row
        parsed[f"{method} {path}"] = dict(zip(callers, statuses, strict=True))
    return parsed
