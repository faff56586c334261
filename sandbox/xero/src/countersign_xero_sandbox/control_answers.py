"""How the test-control API (``/_sandbox/…``) reads its JSON bodies and refuses them."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

__all__ = ["bad", "json_body"]


def bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def json_body(request: Request) -> Any:
    raw = await request.body()
    return json.loads(raw) if raw else {}
