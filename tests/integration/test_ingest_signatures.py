"""Only a call signed with the organisation's own, current (or rotating-out) secret, fresh and
never seen before, gets in; every other call is a 401 and leaves nothing behind."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.ingest import (
    ADMIN_TOKEN,
    RunningIngest,
    new_secret,
)

pytestmark = pytest.mark.integration

ORIGINAL = pdf("Invoice S-1")


def invoice(item: str = "s-1") -> dict[str, Any]:
    return cost_item(item, "invoice", [line("Paper", "1", "10.00")], reference="S-1", due_in_days=7)


def publication(dext: DextClient) -> httpx.Request:
    return dext.build(
        "POST",
        f"/v1/organisations/{dext.organisation_id}/cost-items",
        metadata=invoice(),
        file=("S-1.pdf", ORIGINAL, "application/pdf"),
    )


async def assert_refused_leaving_nothing(
    ingest: RunningIngest, dext: DextClient, response: httpx.Response
) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    counts = await ingest.counts(uuid.UUID(dext.organisation_id))
    assert counts == dict.fromkeys(counts, 0)


async def test_an_unsigned_call_is_refused(ingest: RunningIngest, dext: DextClient) -> None:
    await assert_refused_leaving_nothing(ingest, dext, await dext.send(publication(dext)))


async def test_a_call_with_only_a_timestamp_is_refused(
    ingest: RunningIngest, dext: DextClient
) -> None:
    request = dext.sign(publication(dext))
    del request.headers["X-Dext-Signature"]
    await assert_refused_leaving_nothing(ingest, dext, await dext.send(request))


async def test_a_wrong_signature_is_refused(ingest: RunningIngest, dext: DextClient) -> None:
    request = dext.sign(publication(dext))
    request.headers["X-Dext-Signature"] = "v1=" + "0" * 64
    await assert_refused_leaving_nothing(ingest, dext, await dext.send(request))


async def test_a_signature_over_another_body_is_refused(
    ingest: RunningIngest, dext: DextClient
) -> None:
    genuine = dext.sign(publication(dext))
    forged = publication(dext)  # another multipart boundary: other bytes
    forged.headers["X-Dext-Timestamp"] = genuine.headers["X-Dext-Timestamp"]
    forged.headers["X-Dext-Signature"] = genuine.headers["X-Dext-Signature"]
    await assert_refused_leaving_nothing(ingest, dext, await dext.send(forged))


@pytest.mark.parametrize("skew_s", [-301, 301, -3600])
async def test_a_stale_or_future_timestamp_is_refused(
    ingest: RunningIngest, dext: DextClient, skew_s: int
) -> None:
    request = dext.sign(publication(dext), timestamp=time.time() + skew_s)
    await assert_refused_leaving_nothing(ingest, dext, await dext.send(request))


async def test_a_replayed_call_is_refused_and_stores_nothing_more(
    ingest: RunningIngest, dext: DextClient
) -> None:
    request = dext.sign(publication(dext))
    first = await dext.send(request)
    counts = await ingest.counts(uuid.UUID(dext.organisation_id))
    replay = await dext.send(request)

    assert first.status_code == 202
    assert replay.status_code == 401
    assert await ingest.counts(uuid.UUID(dext.organisation_id)) == counts


async def test_another_organisations_secret_is_refused(
    ingest: RunningIngest, dext: DextClient
) -> None:
    other, other_secret = uuid.uuid4(), new_secret()
    await ingest.register_secret(other, other_secret)
    request = dext.sign(publication(dext), secret=other_secret)
    await assert_refused_leaving_nothing(ingest, dext, await dext.send(request))


async def test_an_organisation_without_a_secret_is_refused(ingest: RunningIngest) -> None:
    async with ingest.dext(uuid.uuid4(), new_secret()) as stranger:
        response = await stranger.send(stranger.sign(publication(stranger)))
        await assert_refused_leaving_nothing(ingest, stranger, response)


async def test_a_signed_read_cannot_be_used_for_another_path(dext: DextClient) -> None:
    status = dext.sign(dext.build("GET", f"/v1/organisations/{dext.organisation_id}/items/a"))
    moved = dext.build("GET", f"/v1/organisations/{dext.organisation_id}/suppliers")
    moved.headers.update({k: status.headers[k] for k in ("X-Dext-Timestamp", "X-Dext-Signature")})
    assert (await dext.send(moved)).status_code == 401


async def test_during_a_rotation_both_secrets_work_until_the_old_one_is_retired(
    ingest: RunningIngest,
) -> None:
    org, old, new = uuid.uuid4(), new_secret(), new_secret()
    assert (await ingest.register_secret(org, old)).status_code == 201
    rotated = await ingest.register_secret(org, new)
    async with ingest.dext(org, new) as dext:
        with_old = await dext.send(
            dext.sign(dext.build("GET", f"/v1/organisations/{org}/suppliers"), secret=old)
        )
        with_new = await dext.send(
            dext.sign(dext.build("GET", f"/v1/organisations/{org}/suppliers"))
        )
        async with ingest.http() as http:
            retired = await http.delete(
                f"/v1/operator/organisations/{org}/dext-secret/previous",
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            )
        old_after = await dext.send(
            dext.sign(dext.build("GET", f"/v1/organisations/{org}/suppliers"), secret=old)
        )
        new_after = await dext.send(
            dext.sign(dext.build("GET", f"/v1/organisations/{org}/suppliers"))
        )

    assert rotated.status_code == 200 and rotated.json()["previous_since"] is not None
    async with ingest.http() as http:
        after = await http.get(
            f"/v1/operator/organisations/{org}/dext-secret",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
    assert after.json()["current_since"] is not None and after.json()["previous_since"] is None
    assert (with_old.status_code, with_new.status_code) == (200, 200)
    assert retired.status_code == 204
    assert (old_after.status_code, new_after.status_code) == (401, 200)


async def test_secrets_are_sealed_at_rest(ingest: RunningIngest) -> None:
    org, secret = uuid.uuid4(), new_secret()
    await ingest.register_secret(org, secret)
    [row] = await ingest.fetch("SELECT sealed FROM dext_secrets WHERE organisation_id = $1", org)
    assert secret not in row["sealed"]
    assert row["sealed"].startswith("v1.k1.")


async def test_registering_a_secret_needs_the_operator_token(ingest: RunningIngest) -> None:
    org = uuid.uuid4()
    async with ingest.http() as http:
        response = await http.put(
            f"/v1/operator/organisations/{org}/dext-secret",
            json={"secret": new_secret()},
            headers={"Authorization": "Bearer not-the-token"},
        )
    assert response.status_code == 401
    assert await ingest.fetch("SELECT 1 FROM dext_secrets WHERE organisation_id = $1", org) == []
