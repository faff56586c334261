"""An organisation's admins issue, rotate and revoke its Dext credential with their access
tokens (approval issues them; ingest verifies them against approval's published keys over real
HTTP), and Dext's signed calls follow: what verifies is what the admin left live.

    issue ─▶ Dext signs with it (202) · issue again ─▶ both verify ─▶ end the overlap ─▶ old 401
    revoke ─▶ 401 · a previous secret past its overlap ─▶ 401 (admins' and operator's alike)
    reviewer 403 · another organisation's admin 404 · operator 401, but 200 to read
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.approval import ApprovalHarness, Org, running_approval
from countersign_harness.infra import Infrastructure
from countersign_harness.ingest import (
    ADMIN_TOKEN,
    ENCRYPTION_KEYS,
    RunningIngest,
    new_secret,
    running_ingest,
)
from countersign_ingest.spec import SERVICE as INGEST
from countersign_platform.migrations import migrate
from countersign_platform.sealing import Keyring

pytestmark = pytest.mark.integration

PEOPLE = [("rev@example.com", ["reviewer"])]
OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
INGEST_MIGRATIONS = INGEST.migrations


@pytest.fixture(scope="module")
async def approval(infra: Infrastructure) -> AsyncIterator[ApprovalHarness]:
    async with running_approval(infra, "t" + uuid.uuid4().hex[:10], listen=True) as running:
        yield running


@pytest.fixture(scope="module")
async def ingest(infra: Infrastructure, approval: ApprovalHarness) -> AsyncIterator[RunningIngest]:
    isolation = "t" + uuid.uuid4().hex[:10]
    async with running_ingest(infra, isolation, access_jwks_url=approval.jwks_url) as running:
        yield running


class Admin:
    """An organisation's admin (or another of its people) at ingest's credential endpoints."""

    def __init__(self, ingest: RunningIngest, org: Org, token: str) -> None:
        self.ingest, self.org, self.token = ingest, org, token

    @property
    def path(self) -> str:
        return f"/v1/organisations/{self.org.organisation_id}/dext-credentials"

    async def call(
        self, method: str, suffix: str = "", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        auth = {"Authorization": f"Bearer {self.token}"} if headers is None else headers
        async with self.ingest.http() as http:
            return await http.request(method, self.path + suffix, headers=auth)

    async def issue(self) -> dict[str, Any]:
        response = await self.call("POST")
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def status(self) -> dict[str, Any]:
        response = await self.call("GET")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


async def admin_of(approval: ApprovalHarness, ingest: RunningIngest) -> Admin:
    org = await approval.register(users=PEOPLE)
    return Admin(ingest, org, await approval.access_token(org))


async def user_id(approval: ApprovalHarness, org: Org, email: str) -> str:
    users = await approval.http.get(org.path("/users"), headers=org.auth())
    return str(next(u["user_id"] for u in users.json() if u["email"] == email))


async def signed_read(ingest: RunningIngest, org: UUID, secret: str) -> int:
    """The status of a signed call of Dext's made with ``secret``."""
    async with ingest.dext(org, secret) as dext:
        response = await dext.send(dext.sign(dext.build("GET", f"/v1/organisations/{org}/items/a")))
    return response.status_code


async def publish(ingest: RunningIngest, org: UUID, secret: str) -> httpx.Response:
    item = cost_item(
        "c-1", "invoice", [line("Paper", "1", "10.00")], reference="C-1", due_in_days=7
    )
    async with ingest.dext(org, secret) as dext:
        return await dext.publish_cost_item(item, "C-1.pdf", pdf("Invoice C-1"), "application/pdf")


async def test_an_admin_issues_a_secret_that_is_shown_once_and_dext_publishes_with_it(
    approval: ApprovalHarness, ingest: RunningIngest
) -> None:
    admin = await admin_of(approval, ingest)
    response = await admin.call("POST")
    issued = response.json()

    published = await publish(ingest, admin.org.organisation_id, issued["secret"])
    status = await admin.call("GET")

    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    assert set(issued) == {"secret", "credential_id", "created_at", "previous_valid_until"}
    assert len(issued["secret"]) >= 43 and issued["previous_valid_until"] is None
    assert published.status_code == 202, published.text
    current = status.json()["current"]
    assert set(current) == {"credential_id", "created_at", "created_by", "last_used_at"}
    assert current["credential_id"] == issued["credential_id"]
    assert current["created_by"] == await user_id(approval, admin.org, "ada@example.com")
    assert status.json()["previous"] is None
    assert issued["secret"] not in status.text and "secret" not in status.text


async def test_last_use_is_recorded_after_a_signed_call_and_at_most_once_a_minute(
    approval: ApprovalHarness, ingest: RunningIngest
) -> None:
    admin = await admin_of(approval, ingest)
    secret = (await admin.issue())["secret"]
    org = admin.org.organisation_id

    unused = (await admin.status())["current"]["last_used_at"]
    before = datetime.now(UTC)
    assert await signed_read(ingest, org, secret) == 404  # signed, for an item it never sent
    first = (await admin.status())["current"]["last_used_at"]
    assert await signed_read(ingest, org, secret) == 404
    second = (await admin.status())["current"]["last_used_at"]

    assert unused is None
    assert first is not None and datetime.fromisoformat(first) >= before - timedelta(seconds=1)
    assert second == first


async def test_during_a_rotation_both_verify_until_the_admin_ends_the_overlap(
    approval: ApprovalHarness, ingest: RunningIngest
) -> None:
    admin = await admin_of(approval, ingest)
    org = admin.org.organisation_id
    old = await admin.issue()
    new = await admin.issue()

    during = [await signed_read(ingest, org, s["secret"]) for s in (old, new)]
    status = await admin.status()
    ended = await admin.call("DELETE", "/previous")
    after = [await signed_read(ingest, org, s["secret"]) for s in (old, new)]
    again = await admin.call("DELETE", "/previous")

    overlap_end = datetime.fromisoformat(new["previous_valid_until"]) - datetime.now(UTC)
    assert timedelta(days=7) - timedelta(minutes=1) < overlap_end <= timedelta(days=7)
    assert during == [404, 404]  # both signed calls got in (an item never sent)
    assert status["current"]["credential_id"] == new["credential_id"]
    assert status["previous"]["credential_id"] == old["credential_id"]
    assert status["previous"]["valid_until"] == new["previous_valid_until"]
    assert ended.status_code == 204
    assert after == [401, 404]
    assert (await admin.status())["previous"] is None
    assert again.status_code == 404 and again.json()["title"] == "No rotation under way"


async def test_issuing_during_a_rotation_stops_the_oldest_secret_at_once(
    approval: ApprovalHarness, ingest: RunningIngest
) -> None:
    admin = await admin_of(approval, ingest)
    org = admin.org.organisation_id
    first, second, third = [await admin.issue() for _ in range(3)]

    verdicts = [await signed_read(ingest, org, s["secret"]) for s in (first, second, third)]

    assert verdicts == [401, 404, 404]
    assert (await admin.status())["previous"]["credential_id"] == second["credential_id"]


async def test_a_revoked_credential_verifies_nothing_until_a_new_one_is_issued(
    approval: ApprovalHarness, ingest: RunningIngest
) -> None:
    admin = await admin_of(approval, ingest)
    org = admin.org.organisation_id
    old, current = await admin.issue(), await admin.issue()

    revoked = await admin.call("DELETE", "/current")
    after = [await signed_read(ingest, org, s["secret"]) for s in (old, current)]
    status = await admin.status()
    again = await admin.call("DELETE", "/current")
    renewed = await admin.issue()

    assert revoked.status_code == 204
    assert after == [401, 401]
    assert status == {"current": None, "previous": None}
    assert again.status_code == 404 and again.json()["title"] == "No Dext credential"
    assert renewed["previous_valid_until"] is None
    assert await signed_read(ingest, org, renewed["secret"]) == 404


async def test_an_admin_rotates_away_from_a_secret_the_operator_registered(
    approval: ApprovalHarness, ingest: RunningIngest
) -> None:
    admin = await admin_of(approval, ingest)
    org, registered = admin.org.organisation_id, new_secret()
    assert (await ingest.register_secret(org, registered)).status_code == 201
    by_operator = await admin.status()

    issued = await admin.issue()
    async with ingest.http() as http:
        operator_view = await http.get(
            f"/v1/operator/organisations/{org}/dext-secret", headers=OPERATOR
        )

    assert by_operator["current"]["created_by"] is None
    assert issued["previous_valid_until"] is not None
    assert await signed_read(ingest, org, registered) == 404
    assert operator_view.json()["previous_since"] == by_operator["current"]["created_at"]


async def test_the_credential_endpoints_open_to_the_organisations_admins_and_reads_to_the_operator(
    approval: ApprovalHarness, ingest: RunningIngest
) -> None:
    admin = await admin_of(approval, ingest)
    stranger = await admin_of(approval, ingest)
    reviewer = await approval.access_token(admin.org, "rev@example.com")
    callers = {
        "reviewer": {"Authorization": f"Bearer {reviewer}"},
        "other admin": {"Authorization": f"Bearer {stranger.token}"},
        "operator": OPERATOR,
        "nobody": {},
    }
    calls = [("POST", ""), ("DELETE", "/previous"), ("DELETE", "/current"), ("GET", "")]
    await admin.issue()
    await admin.issue()
    before = await admin.status()

    answers = {
        (who, f"{method} {suffix}"): (await admin.call(method, suffix, headers)).status_code
        for who, headers in callers.items()
        for method, suffix in calls
    }

    expected = {
        "reviewer": [403, 403, 403, 403],
        "other admin": [404, 404, 404, 404],
        "operator": [401, 401, 401, 200],
        "nobody": [401, 401, 401, 401],
    }
    assert answers == {
        (who, f"{method} {suffix}"): status
        for who, statuses in expected.items()
        for (method, suffix), status in zip(calls, statuses, strict=True)
    }
    assert await admin.status() == before


async def test_a_previous_secret_stops_verifying_when_its_overlap_ends_on_either_path(
    infra: Infrastructure, approval: ApprovalHarness
) -> None:
    overlap_s = 2
    isolation = "t" + uuid.uuid4().hex[:10]
    async with running_ingest(
        infra, isolation, access_jwks_url=approval.jwks_url, dext_rotation_overlap_s=overlap_s
    ) as ingest:
        admin = await admin_of(approval, ingest)
        org = admin.org.organisation_id
        issued = [await admin.issue(), await admin.issue()]
        registered_org, registered = uuid.uuid4(), [new_secret(), new_secret()]
        for secret in registered:
            assert (await ingest.register_secret(registered_org, secret)).status_code in (200, 201)

        during = [await signed_read(ingest, org, issued[0]["secret"])]
        during.append(await signed_read(ingest, registered_org, registered[0]))
        await asyncio.sleep(overlap_s + 0.5)
        after = [await signed_read(ingest, org, s["secret"]) for s in issued]
        after += [await signed_read(ingest, registered_org, s) for s in registered]
        async with ingest.http() as http:
            operator_view = await http.get(
                f"/v1/operator/organisations/{registered_org}/dext-secret", headers=OPERATOR
            )
        status = await admin.status()
        ended = await admin.call("DELETE", "/previous")

    assert during == [404, 404]
    assert after == [401, 404, 401, 404]
    assert operator_view.json()["previous_since"] is None
    assert status["previous"] is None
    assert ended.status_code == 404


async def test_no_secret_reaches_a_log_line(
    approval: ApprovalHarness, ingest: RunningIngest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = await admin_of(approval, ingest)
    org = admin.org.organisation_id
    issued = [await admin.issue(), await admin.issue()]
    registered = new_secret()
    await ingest.register_secret(org, registered)
    await signed_read(ingest, org, issued[0]["secret"])  # now refused: logged
    await publish(ingest, org, registered)
    await admin.call("DELETE", "/current")

    secrets = [s["secret"] for s in issued] + [registered]
    lines = [f"{record.getMessage()} {record.__dict__}" for record in caplog.records] + [
        caplog.text
    ]
    assert any("issued a Dext credential" in line for line in lines)
    assert any("refused a Dext call" in line for line in lines)
    assert [s for s in secrets for line in lines if s in line] == []


async def test_secrets_stored_before_credentials_had_ids_keep_verifying(
    infra: Infrastructure, isolation: str, tmp_path: Path
) -> None:
    """Rows of a rotation under way when 0003_dext_credentials runs: both keep verifying, the
    previous one now with an end (the default overlap from the migration)."""
    for name in ("0001_intake.sql", "0002_version_journeys.sql"):
        shutil.copy(INGEST_MIGRATIONS / name, tmp_path / name)
    await migrate(infra.database_url_for("ingest"), isolation, tmp_path)  # as ingest's role
    org, current, previous = uuid.uuid4(), new_secret(), new_secret()
    keyring, context = Keyring.parse(ENCRYPTION_KEYS), f"ingest:dext-secret:{org}"
    conn = await asyncpg.connect(infra.database_url)
    try:
        await conn.executemany(
            f'INSERT INTO "{isolation}".dext_secrets (organisation_id, role, sealed)'
            " VALUES ($1, $2, $3)",
            [
                (org, role, keyring.seal(secret.encode(), context))
                for role, secret in (("current", current), ("previous", previous))
            ],
        )
    finally:
        await conn.close()

    async with running_ingest(infra, isolation) as ingest:
        verdicts = [await signed_read(ingest, org, s) for s in (current, previous)]
        rows = await ingest.fetch(
            "SELECT role, credential_id, created_by, valid_until FROM dext_secrets ORDER BY role"
        )

    assert verdicts == [404, 404]
    assert [(r["role"], r["created_by"]) for r in rows] == [("current", None), ("previous", None)]
    assert all(r["credential_id"] is not None for r in rows)
    assert rows[0]["valid_until"] is None
    left = rows[1]["valid_until"] - datetime.now(UTC)
    assert timedelta(days=7) - timedelta(minutes=5) < left <= timedelta(days=7)
