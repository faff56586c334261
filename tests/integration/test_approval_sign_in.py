"""Signing people in through the web app (ADR 0048) on the real database, with an OpenID
Connect provider over real HTTP:

    link code ─ once ─▶ session ─▶ access tokens (sid) ─▶ the API as that person
    a used, expired or other client's code, an idle or signed-out session ─▶ refused
    an ID token for an address ─▶ session; the same token again ─▶ refused; an address that is
        a user's in two organisations ─▶ 409 naming both, then the one chosen
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from countersign_harness.approval import ApprovalHarness, Org, running_approval
from countersign_harness.infra import Infrastructure
from countersign_harness.serving import served_over_http
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

pytestmark = pytest.mark.integration

WEB, NOTIFIER = "web-secret-for-tests-0123456789", "notifier-secret-for-tests-98765"
CLIENTS = ",".join(
    f"{name}:{hashlib.sha256(secret.encode()).hexdigest()}"
    for name, secret in (("web", WEB), ("notifier", NOTIFIER))
)
WEB_CLIENT_ID = "countersign-web"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ANN = "ann@example.com"


def basic(name: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{secret}".encode()).decode()}


AS_WEB, AS_NOTIFIER = basic("web", WEB), basic("notifier", NOTIFIER)


@pytest.fixture
async def provider() -> AsyncIterator[str]:
    """An OpenID Connect provider's discovery document and key set, over real HTTP."""
    app, served = FastAPI(), {}
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        return {"issuer": served["url"], "jwks_uri": f"{served['url']}/jwks"}

    @app.get("/jwks")
    async def jwks() -> dict[str, Any]:
        return {"keys": [{**public, "kid": "p1", "use": "sig", "alg": "RS256"}]}

    async with served_over_http(app) as url:
        served["url"] = url
        yield url


@pytest.fixture
async def approval(
    infra: Infrastructure, isolation: str, provider: str
) -> AsyncIterator[ApprovalHarness]:
    settings = {"oidc_issuer": provider, "oidc_client_id": WEB_CLIENT_ID}
    async with running_approval(infra, isolation, clients=CLIENTS, **settings) as running:
        yield running


def id_token(issuer: str, email: str, nonce: str) -> str:
    now = int(time.time())
    claims = {"iss": issuer, "sub": email, "aud": WEB_CLIENT_ID, "iat": now, "exp": now + 300,
              "nonce": nonce, "email": email}  # fmt: skip
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "p1"})


async def codes(approval: ApprovalHarness, email: str, who: dict[str, str] = AS_WEB) -> Any:
    response = await approval.http.post("/sign-in/links", json={"email": email}, headers=who)
    assert response.status_code == 200, response.text
    return response.json()["links"]


async def post(approval: ApprovalHarness, path: str, body: Any, who: dict[str, str]) -> Any:
    return await approval.http.post(path, json=body, headers=who)


async def test_a_link_signs_a_person_in_once_and_their_session_acts_as_them(
    approval: ApprovalHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    org = await approval.register(users=[(ANN, ["approver"])])
    anonymous = await post(approval, "/sign-in/links", {"email": ANN}, {})
    wrong = await post(approval, "/sign-in/links", {"email": ANN}, basic("web", "not-it"))
    nobody = await codes(approval, "nobody@example.com")
    [link] = await codes(approval, ANN)
    opened = await post(approval, "/sign-in/links/redeem", {"code": link["code"]}, AS_WEB)
    again = await post(approval, "/sign-in/links/redeem", {"code": link["code"]}, AS_WEB)
    session = opened.json()["session_token"]
    minted = await post(approval, "/sessions/access-tokens", {"session_token": session}, AS_WEB)
    bearer = {"Authorization": f"Bearer {minted.json()['access_token']}"}
    pending = await approval.http.get(org.path("/requests/pending"), headers=bearer)
    signed_out = await post(approval, "/sessions/sign-out", {"session_token": session}, AS_WEB)
    after = await approval.http.get(org.path("/requests/pending"), headers=bearer)
    refreshed = await post(approval, "/sessions/access-tokens", {"session_token": session}, AS_WEB)

    assert (anonymous.status_code, wrong.status_code) == (401, 401)
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic")
    assert nobody == []
    assert (link["organisation_id"], link["name"]) == (str(org.organisation_id), "Ann")
    assert opened.status_code == 201, opened.text
    assert opened.headers["Cache-Control"] == "no-store"
    assert (opened.json()["email"], opened.json()["roles"], opened.json()["method"]) == (
        ANN,
        ["approver"],
        "link",
    )
    assert again.status_code == 403
    assert again.json()["type"].endswith("sign-in-refused")
    assert minted.status_code == 201, minted.text
    claims = jwt.decode(minted.json()["access_token"], options={"verify_signature": False})
    assert claims["sid"] == opened.json()["session_id"]
    assert pending.status_code == 200, pending.text
    assert signed_out.status_code == 204
    assert after.status_code == 401  # the session has ended: its access tokens with it
    assert refreshed.status_code == 403
    logged = caplog.text
    assert link["code"] not in logged and session not in logged
    assert minted.json()["access_token"] not in logged


async def test_a_code_works_once_for_its_own_client_before_it_expires(
    approval: ApprovalHarness,
) -> None:
    await approval.register(users=[(ANN, ["approver"])])
    [for_web] = await codes(approval, ANN)
    stolen = await post(approval, "/sign-in/links/redeem", {"code": for_web["code"]}, AS_NOTIFIER)
    [late] = await codes(approval, ANN)
    async with approval.runtime.pool.acquire() as conn:
        await conn.execute("UPDATE sign_in_codes SET expires_at = now() - interval '1 second'")
    expired = await post(approval, "/sign-in/links/redeem", {"code": late["code"]}, AS_WEB)
    made_up = await post(approval, "/sign-in/links/redeem", {"code": "csl_" + "x" * 43}, AS_WEB)

    assert [r.status_code for r in (stolen, expired, made_up)] == [403, 403, 403]
    assert len({r.json()["detail"] for r in (stolen, expired, made_up)}) == 1  # no oracle


async def test_asking_again_and_again_floods_nobodys_mailbox(approval: ApprovalHarness) -> None:
    """Five links per person in a link's lifetime (APPROVAL_SIGN_IN_LINKS_PER_WINDOW); then
    nothing, answered as for an address that is nobody's."""
    await approval.register(users=[(ANN, ["approver"])])
    asked = [await codes(approval, ANN) for _ in range(7)]
    nobody = await codes(approval, "nobody@example.com")
    async with approval.runtime.pool.acquire() as conn:
        await conn.execute("UPDATE sign_in_codes SET created_at = now() - interval '16 minutes'")
    later = await codes(approval, ANN)

    assert [len(links) for links in asked] == [1, 1, 1, 1, 1, 0, 0]
    assert asked[-1] == nobody == []
    assert len(later) == 1  # a link's lifetime later, one more


async def test_an_idle_session_or_a_removed_users_session_has_ended(
    approval: ApprovalHarness,
) -> None:
    org = await approval.register(users=[(ANN, ["approver"]), ("leo@example.com", ["approver"])])
    sessions = {}
    for email in (ANN, "leo@example.com"):
        [link] = await codes(approval, email)
        opened = await post(approval, "/sign-in/links/redeem", {"code": link["code"]}, AS_WEB)
        sessions[email] = opened.json()
    async with approval.runtime.pool.acquire() as conn:
        await conn.execute(
            "UPDATE sessions SET last_used_at = now() - interval '3 hours' WHERE user_id = $1",
            uuid.UUID(sessions[ANN]["user_id"]),
        )
    idle = await post(
        approval, "/sessions/access-tokens", {"session_token": sessions[ANN]["session_token"]},
        AS_WEB,
    )  # fmt: skip
    removed = await approval.http.delete(
        org.path(f"/users/{sessions['leo@example.com']['user_id']}"), headers=org.auth()
    )
    gone = await post(
        approval, "/sessions/access-tokens",
        {"session_token": sessions["leo@example.com"]["session_token"]}, AS_WEB,
    )  # fmt: skip

    assert idle.status_code == 403
    assert removed.status_code == 204, removed.text
    assert gone.status_code == 403


async def test_an_id_token_signs_a_person_in_once_and_asks_which_organisation(
    approval: ApprovalHarness, provider: str
) -> None:
    first = await approval.register(users=[(ANN, ["approver"])])
    second = await approval.register()  # ada@example.com administers both
    nonce = uuid.uuid4().hex
    token = id_token(provider, "Ann@Example.com", nonce)
    ann = await post(approval, "/sign-in/oidc", {"id_token": token, "nonce": nonce}, AS_WEB)
    replayed = await post(approval, "/sign-in/oidc", {"id_token": token, "nonce": nonce}, AS_WEB)
    wrong_nonce = await post(
        approval, "/sign-in/oidc",
        {"id_token": id_token(provider, ANN, nonce), "nonce": "x" * 32}, AS_WEB,
    )  # fmt: skip
    ada_token = id_token(provider, "ada@example.com", nonce)
    ambiguous = await post(
        approval, "/sign-in/oidc", {"id_token": ada_token, "nonce": nonce}, AS_WEB
    )
    chosen = await post(
        approval, "/sign-in/oidc",
        {"id_token": ada_token, "nonce": nonce, "organisation_id": str(second.organisation_id)},
        AS_WEB,
    )  # fmt: skip
    stranger = await post(
        approval, "/sign-in/oidc",
        {"id_token": id_token(provider, "eve@example.com", nonce), "nonce": nonce}, AS_WEB,
    )  # fmt: skip

    assert ann.status_code == 201, ann.text
    assert (ann.json()["organisation_id"], ann.json()["method"]) == (
        str(first.organisation_id),
        "oidc",
    )
    assert replayed.status_code == 403 and "used already" in replayed.json()["detail"]
    assert wrong_nonce.status_code == 403 and "nonce" in wrong_nonce.json()["detail"]
    assert ambiguous.status_code == 409
    assert ambiguous.json()["type"].endswith("choose-organisation")
    assert {o["organisation_id"] for o in ambiguous.json()["organisations"]} == {
        str(first.organisation_id),
        str(second.organisation_id),
    }
    assert chosen.status_code == 201, chosen.text
    assert chosen.json()["organisation_id"] == str(second.organisation_id)
    assert stranger.status_code == 403


async def test_without_a_provider_there_is_no_oidc_sign_in(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation, clients=CLIENTS) as approval:
        body = {"id_token": "a.b.c" * 4, "nonce": "n" * 16}
        answer = await approval.http.post("/sign-in/oidc", json=body, headers=AS_WEB)
    assert answer.status_code == 404
    assert answer.json()["type"].endswith("oidc-not-configured")


async def test_a_client_credential_is_no_person_on_the_api(approval: ApprovalHarness) -> None:
    """The web app's own credential asks for sign-ins; it decides and reads nothing."""
    org: Org = await approval.register()
    as_client = await approval.http.get(org.path("/requests/pending"), headers=AS_WEB)
    assert as_client.status_code == 401
