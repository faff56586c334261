"""Access tokens across services on the real broker and database (ADR 0044): approval exchanges
a person's API token for a signed access token and publishes its keys over real HTTP; a second
service (ingest, its lifespan building the verifier from ACCESS_JWKS_URL) checks the token with
``OrganisationAdmin`` / ``OrganisationMember``, on a small app that shares ingest's runtime.

    org A admin → 200 · org A reviewer → 403 · org B admin → 404 · expired → 401
    a removed user → refused by approval at once; elsewhere until the token expires
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
import pytest
from countersign_harness.approval import SIGNING_KEYS, ApprovalHarness, Org, running_approval
from countersign_harness.infra import Infrastructure
from countersign_harness.ingest import running_ingest
from countersign_platform.access import Caller, SigningKeys
from countersign_platform.access_http import OrganisationAdmin, OrganisationMember
from countersign_platform.problems import install_problem_handlers
from countersign_platform.runtime import Runtime
from fastapi import FastAPI

pytestmark = pytest.mark.integration

PEOPLE = [("rev@example.com", ["reviewer"]), ("leaver@example.com", ["requester"])]


def admin_app(runtime: Runtime[Any]) -> FastAPI:
    """Two endpoints as the publisher's and ingest's connection endpoints will guard them."""
    app = FastAPI()
    install_problem_handlers(app)

    @app.put("/v1/organisations/{organisation_id}/dext-connection")
    async def connect(organisation_id: UUID, admin: OrganisationAdmin) -> dict[str, str]:
        return {"connected_by": str(admin.user_id)}

    @app.get("/v1/organisations/{organisation_id}/connections")
    async def connections(organisation_id: UUID, member: OrganisationMember) -> dict[str, str]:
        return {"seen_by": member.name}

    app.state.runtime = runtime
    return app


class Second:
    """A second service's endpoints, reached as a client would."""

    def __init__(self, app: FastAPI) -> None:
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://ingest.test"
        )

    async def connect(self, org: UUID, token: str) -> httpx.Response:
        return await self.http.put(
            f"/v1/organisations/{org}/dext-connection",
            headers={"Authorization": f"Bearer {token}"},
        )

    async def connections(self, org: UUID, token: str) -> httpx.Response:
        return await self.http.get(
            f"/v1/organisations/{org}/connections", headers={"Authorization": f"Bearer {token}"}
        )


@pytest.fixture
async def approval(infra: Infrastructure, isolation: str) -> AsyncIterator[ApprovalHarness]:
    async with running_approval(infra, isolation, listen=True) as running:
        yield running


@pytest.fixture
async def second(infra: Infrastructure, approval: ApprovalHarness) -> AsyncIterator[Second]:
    isolation = "t" + uuid.uuid4().hex[:10]
    async with running_ingest(infra, isolation, access_jwks_url=approval.jwks_url) as ingest:
        assert ingest.runtime.access is not None
        second = Second(admin_app(ingest.runtime))
        async with second.http:
            yield second


async def user_id(approval: ApprovalHarness, org: Org, email: str) -> str:
    users = await approval.http.get(org.path("/users"), headers=org.auth())
    return next(u["user_id"] for u in users.json() if u["email"] == email)


async def test_approval_exchanges_an_api_token_and_publishes_the_keys_over_http(
    approval: ApprovalHarness,
) -> None:
    org = await approval.register(users=PEOPLE)

    issued = await approval.http.post("/access-tokens", headers=org.auth("rev@example.com"))
    assert approval.url is not None
    async with httpx.AsyncClient(base_url=approval.url) as http:
        published = await http.get("/.well-known/jwks.json")

    assert issued.status_code == 201, issued.text
    assert issued.headers["cache-control"] == "no-store"
    body = issued.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "organisation_id", "roles"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 900)
    assert (body["organisation_id"], body["roles"]) == (str(org.organisation_id), ["reviewer"])
    assert published.status_code == 200
    assert published.headers["cache-control"] == "public, max-age=300"
    assert published.json() == SigningKeys.parse(SIGNING_KEYS).jwks()
    assert all("d" not in key for key in published.json()["keys"])


async def test_a_second_service_lets_in_its_organisations_admin_only(
    approval: ApprovalHarness, second: Second
) -> None:
    org_a = await approval.register(users=PEOPLE)
    org_b = await approval.register()
    admin_a = await approval.access_token(org_a)
    reviewer_a = await approval.access_token(org_a, "rev@example.com")
    admin_b = await approval.access_token(org_b)
    a = org_a.organisation_id

    allowed = await second.connect(a, admin_a)
    reviewer = await second.connect(a, reviewer_a)
    other_organisation = await second.connect(a, admin_b)
    reviewer_reads = await second.connections(a, reviewer_a)

    assert allowed.status_code == 200, allowed.text
    assert allowed.json() == {"connected_by": await user_id(approval, org_a, "ada@example.com")}
    assert reviewer.status_code == 403 and reviewer.json()["detail"] == "this needs the admin role"
    assert other_organisation.status_code == 404
    assert other_organisation.json()["title"] == "No such organisation"
    assert reviewer_reads.status_code == 200


async def test_an_expired_or_unknown_token_is_refused_everywhere(
    approval: ApprovalHarness, second: Second
) -> None:
    org = await approval.register()
    ada = UUID(await user_id(approval, org, "ada@example.com"))
    caller = Caller(ada, org.organisation_id, frozenset({"admin"}), "Ada Admin")
    expired = SigningKeys.parse(SIGNING_KEYS).issue(caller, 60, now=time.time() - 120)
    forged = SigningKeys.parse("harness1:" + "A" * 43).issue(caller, 900)

    for token in (expired, forged):
        elsewhere = await second.connect(org.organisation_id, token)
        at_approval = await approval.http.get(
            org.path("/users"), headers={"Authorization": f"Bearer {token}"}
        )
        assert elsewhere.status_code == 401, elsewhere.text
        assert elsewhere.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert at_approval.status_code == 401, at_approval.text


async def test_approval_accepts_its_access_tokens_as_the_user_is_now(
    approval: ApprovalHarness,
) -> None:
    org_a = await approval.register(users=PEOPLE)
    org_b = await approval.register()
    admin = await approval.access_token(org_a)
    reviewer = await approval.access_token(org_a, "rev@example.com")

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    users = await approval.http.get(org_a.path("/users"), headers=bearer(admin))
    as_reviewer = await approval.http.get(org_a.path("/users"), headers=bearer(reviewer))
    elsewhere = await approval.http.get(org_b.path("/users"), headers=bearer(admin))
    reissued = await approval.http.post("/access-tokens", headers=bearer(admin))

    assert users.status_code == 200 and len(users.json()) == 3
    assert as_reviewer.status_code == 403
    assert elsewhere.status_code == 404
    assert reissued.status_code == 401  # an access token is not exchanged for another


async def test_a_removed_user_is_refused_by_approval_at_once_and_elsewhere_at_expiry(
    approval: ApprovalHarness, second: Second
) -> None:
    org = await approval.register(users=PEOPLE)
    token = await approval.access_token(org, "leaver@example.com")
    requests = org.path("/requests")
    before = await approval.http.get(requests, headers={"Authorization": f"Bearer {token}"})

    leaver = await user_id(approval, org, "leaver@example.com")
    removed = await approval.http.delete(org.path(f"/users/{leaver}"), headers=org.auth())
    after = await approval.http.get(requests, headers={"Authorization": f"Bearer {token}"})
    exchanged = await approval.http.post("/access-tokens", headers=org.auth("leaver@example.com"))
    elsewhere = await second.connections(org.organisation_id, token)

    assert before.status_code == 200, before.text
    assert removed.status_code == 204, removed.text
    assert after.status_code == 401
    assert after.json()["detail"] == "the token's user has been removed"
    assert exchanged.status_code == 401
    # Until it expires (APPROVAL_ACCESS_TOKEN_TTL_S), the token still names the user elsewhere.
    assert elsewhere.status_code == 200


async def test_a_renewed_api_token_revokes_the_old_one_for_exchange(
    approval: ApprovalHarness,
) -> None:
    org = await approval.register(users=PEOPLE)
    reviewer = await user_id(approval, org, "rev@example.com")

    renewed = await approval.http.post(org.path(f"/users/{reviewer}/token"), headers=org.auth())
    with_old = await approval.http.post("/access-tokens", headers=org.auth("rev@example.com"))
    with_new = await approval.http.post(
        "/access-tokens", headers={"Authorization": f"Bearer {renewed.json()['token']}"}
    )

    assert with_old.status_code == 401
    assert with_new.status_code == 201, with_new.text


async def test_without_signing_keys_approval_issues_no_access_tokens(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation, signing_keys=None) as approval:
        org = await approval.register()
        issued = await approval.http.post("/access-tokens", headers=org.auth())
        published = await approval.http.get("/.well-known/jwks.json")

    assert issued.status_code == 503
    assert issued.json()["type"] == "urn:countersign:problem:no-signing-key"
    assert published.status_code == 200 and published.json() == {"keys": []}
