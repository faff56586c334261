"""A service's API called as the signed-in person, with their access token: approval, ingest
and the publisher each check it and decide what the person may see and do. A 401 means the
session has ended (signed out elsewhere, removed): the person signs in again."""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["AsPerson", "SessionEnded"]


class SessionEnded(Exception):
    """A service no longer takes the person's access token: they sign in again."""


class AsPerson:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def call(
        self, access_token: str, method: str, path: str, body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:  # fmt: skip
        """``path`` of the service's API as the person the access token names."""
        headers = {"Authorization": f"Bearer {access_token}"}
        response = await self._http.request(method, path, json=body, params=params, headers=headers)
        if response.status_code == 401:
            raise SessionEnded
        return response
