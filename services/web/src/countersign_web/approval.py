"""Approval's API as the web app uses it: signing in as the web client (Basic credentials),
and everything else as the signed-in person (their access token)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["Approval", "ChooseOrganisation", "GrantRefused", "SignInFailed"]


class SignInFailed(Exception):
    """Approval refused the code, the ID token or the session; ``reason`` is its detail."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ChooseOrganisation(Exception):
    organisations: list[dict[str, str]]


class Approval:
    def __init__(self, http: httpx.AsyncClient, client_name: str, client_secret: str) -> None:
        self._http = http
        self._client = httpx.BasicAuth(client_name, client_secret)

    async def _as_client(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self._http.post(path, json=body, auth=self._client)

    async def reachable(self) -> bool:
        try:
            return (await self._http.get("/health/live")).status_code == 200
        except httpx.HTTPError:
            return False

    async def sign_in_links(self, email: str) -> list[dict[str, Any]]:
        response = await self._as_client("/sign-in/links", {"email": email})
        response.raise_for_status()
        links: list[dict[str, Any]] = response.json()["links"]
        return links

    def _session(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 403:
            raise SignInFailed(str(response.json().get("detail", "sign-in refused")))
        if response.status_code == 409:
            raise ChooseOrganisation(response.json()["organisations"])
        response.raise_for_status()
        session: dict[str, Any] = response.json()
        return session

    async def redeem(self, code: str) -> dict[str, Any]:
        return self._session(await self._as_client("/sign-in/links/redeem", {"code": code}))

    async def sign_in_oidc(
        self, id_token: str, nonce: str, organisation_id: str | None
    ) -> dict[str, Any]:
        body = {"id_token": id_token, "nonce": nonce, "organisation_id": organisation_id}
        return self._session(await self._as_client("/sign-in/oidc", body))

    async def access_token(self, session_token: str) -> tuple[str, int]:
        response = await self._as_client(
            "/sessions/access-tokens", {"session_token": session_token}
        )
        if response.status_code == 403:
            raise SignInFailed("your session has ended")
        response.raise_for_status()
        body = response.json()
        return str(body["access_token"]), int(body["expires_in"])

    async def sign_out(self, session_token: str) -> None:
        await self._as_client("/sessions/sign-out", {"session_token": session_token})

    async def grant_preview(self, grant: str) -> dict[str, Any]:
        """What an e-mail button's grant is for: the request, whose decision, which step."""
        return await _grant_answer(
            await self._as_client("/action-grants/preview", {"grant": grant})
        )

    async def decide_with_grant(
        self, grant: str, decision: str, comment: str | None
    ) -> dict[str, Any]:
        body = {"grant": grant, "decision": decision, "comment": comment}
        return await _grant_answer(await self._as_client("/action-grants/decide", body))

    async def call(
        self, access_token: str, method: str, path: str, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        """``path`` of approval's API as the person the access token names."""
        headers = {"Authorization": f"Bearer {access_token}"}
        return await self._http.request(method, path, json=body, headers=headers)

    async def call_with_query(
        self, access_token: str, path: str, query: dict[str, str]
    ) -> httpx.Response:
        """A GET of ``path`` with ``query`` as the person the access token names."""
        headers = {"Authorization": f"Bearer {access_token}"}
        return await self._http.get(path, params=query, headers=headers)


class GrantRefused(Exception):
    """Approval would not decide with the grant; ``reason`` says why (used, expired, moved on)."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


async def _grant_answer(response: httpx.Response) -> dict[str, Any]:
    if response.status_code in (403, 404, 409, 422):
        raise GrantRefused(str(response.json().get("detail", "refused")), response.status_code)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body
