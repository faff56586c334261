"""Ingest as a real process, over HTTP: a document link opens its own document until it
expires and nothing else; a Dext signature is accepted once, even across a restart of the
service (the signatures already seen live in Postgres, not in the process)."""

from __future__ import annotations

import asyncio
import base64
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from uuid import UUID

import asyncpg
import httpx
import pytest
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.infra import Infrastructure
from countersign_harness.processes import ServiceProcess
from countersign_platform.links import sign_document_link

pytestmark = pytest.mark.e2e

OPERATOR_TOKEN = "security-operator-" + os.urandom(8).hex()
LINK_SECRET = "security-links-" + os.urandom(8).hex()
STATE = ("items", "item_versions", "documents", "outbox", "seen_signatures")


@pytest.fixture
def ingest(infra: Infrastructure, isolation: str, tmp_path: Path) -> Iterator[ServiceProcess]:
    process = ServiceProcess(
        "ingest",
        infra,
        isolation,
        tmp_path,
        extra_env={
            "COUNTERSIGN_ADMIN_TOKEN": OPERATOR_TOKEN,
            "DOCUMENT_LINK_SECRET": LINK_SECRET,
            "ENCRYPTION_KEYS": "k1:" + base64.b64encode(os.urandom(32)).decode(),
        },
    )
    process.start()
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


def secret() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


async def organisation(ingest: ServiceProcess) -> tuple[UUID, str]:
    org, key = uuid.uuid4(), secret()
    async with httpx.AsyncClient() as http:
        registered = await http.put(
            f"{ingest.url}/v1/operator/organisations/{org}/dext-secret",
            headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
            json={"secret": key},
        )
    assert registered.status_code == 201, registered.text
    return org, key


def publication(dext: DextClient, item: str) -> httpx.Request:
    meta = cost_item(item, "invoice", [line("Paper", "1", "10.00")], reference=item, due_in_days=30)
    return dext.build(
        "POST",
        f"/v1/organisations/{dext.organisation_id}/cost-items",
        metadata=meta,
        file=(f"{item}.pdf", pdf("Links Ltd", item), "application/pdf"),
    )


async def publish(dext: DextClient, item: str) -> tuple[UUID, str]:
    """Publishes ``item``; returns its document id and the status view's link to it."""
    accepted = await dext.send(dext.sign(publication(dext, item)))
    assert accepted.status_code == 202, accepted.text
    status = await dext.item_status(item)
    assert status.status_code == 200, status.text
    return UUID(accepted.json()["document_id"]), status.json()["original_document_url"]


def with_query(link: str, document_id: UUID | None = None, **changes: Any) -> str:
    parts = urlsplit(link)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    path = parts.path if document_id is None else f"/v1/documents/{document_id}"
    return f"{parts.scheme}://{parts.netloc}{path}?{urlencode(query)}"


async def stored(infra: Infrastructure, isolation: str) -> dict[str, int]:
    conn = await asyncpg.connect(infra.database_url)
    try:
        schema = f"{isolation}_ingest"
        return {t: await conn.fetchval(f'SELECT count(*) FROM "{schema}".{t}') for t in STATE}
    finally:
        await conn.close()


async def test_a_document_link_opens_only_its_own_document_and_only_until_it_expires(
    ingest: ServiceProcess,
) -> None:
    own, own_secret = await organisation(ingest)
    other, other_secret = await organisation(ingest)
    async with (
        DextClient(ingest.url, own, own_secret) as dext,
        DextClient(ingest.url, other, other_secret) as other_dext,
        httpx.AsyncClient() as http,
    ):
        first, link = await publish(dext, "link-a")
        second, _ = await publish(dext, "link-b")
        theirs, their_link = await publish(other_dext, "link-theirs")
        signature = parse_qs(urlsplit(link).query)["signature"][0]
        flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
        expires = int(parse_qs(urlsplit(link).query)["expires"][0])
        expired = sign_document_link(LINK_SECRET.encode(), first, ttl_s=-1)
        wrong_key = sign_document_link(OPERATOR_TOKEN.encode(), theirs, ttl_s=600)
        answers = {
            "valid link": await http.get(link),
            "expired link": await http.get(ingest.url + expired),
            "another document's id": await http.get(with_query(link, second)),
            "the other organisation's document": await http.get(with_query(link, theirs)),
            "tampered signature": await http.get(with_query(link, signature=flipped)),
            "extended expiry": await http.get(with_query(link, expires=expires + 3600)),
            "signed with another key": await http.get(ingest.url + wrong_key),
            "no signature": await http.get(f"{ingest.url}/v1/documents/{first}"),
        }
        # The other organisation's item is not there for this organisation's Dext signature,
        # so neither is a link to its document.
        their_status = await dext.item_status("link-theirs")

    assert answers.pop("valid link").content == pdf("Links Ltd", "link-a")
    assert 0 < expires - time.time() <= 15 * 60  # the status view's links live 15 minutes
    refused = {name: response.status_code for name, response in answers.items()}
    assert refused == {
        "expired link": 403,
        "another document's id": 403,
        "the other organisation's document": 403,
        "tampered signature": 403,
        "extended expiry": 403,
        "signed with another key": 403,
        "no signature": 422,
    }
    assert all(b"%PDF" not in response.content for response in answers.values())
    assert their_status.status_code == 404
    assert str(theirs) not in their_status.text and their_link not in their_status.text


async def test_a_dext_signature_is_accepted_once_even_across_a_restart(
    infra: Infrastructure, isolation: str, ingest: ServiceProcess
) -> None:
    org, key = await organisation(ingest)
    other, _ = await organisation(ingest)
    async with DextClient(ingest.url, org, key) as dext:
        request = dext.sign(publication(dext, "replayed"))
        elsewhere = httpx.Request(
            "POST",
            str(request.url).replace(str(org), str(other)),
            headers=request.headers,
            content=request.read(),
        )
        first = await dext.send(request)
        again = await dext.send(request)
        to_other_organisation = await dext.send(elsewhere)
        withdrawal_path = f"/v1/organisations/{org}/cost-items/replayed/withdrawal"
        withdrawal = dext.sign(dext.build("POST", withdrawal_path, json_body={}))
        withdrawn = await dext.send(withdrawal)
        after_first_life = await stored(infra, isolation)

    ingest.stop()
    ingest.start()
    ingest.wait_ready()
    async with DextClient(ingest.url, org, key) as dext:
        after_restart = await dext.send(request)
        withdrawal_after_restart = await dext.send(withdrawal)
        final = await stored(infra, isolation)

    assert first.status_code == 202, first.text
    assert withdrawn.status_code == 202, withdrawn.text
    replays = (again, to_other_organisation, after_restart, withdrawal_after_restart)
    assert [r.status_code for r in replays] == [401] * 4
    assert "already made" in after_restart.json()["detail"]
    assert final == after_first_life
    assert final["item_versions"] == 1


async def test_identical_calls_sent_at_once_are_accepted_once(
    infra: Infrastructure, isolation: str, ingest: ServiceProcess
) -> None:
    org, key = await organisation(ingest)
    async with DextClient(ingest.url, org, key) as dext:
        request = dext.sign(publication(dext, "raced"))
        body, headers = request.read(), dict(request.headers)
        async with httpx.AsyncClient() as http:
            answers = await asyncio.gather(
                *(http.post(str(request.url), content=body, headers=headers) for _ in range(6))
            )
    assert sorted(a.status_code for a in answers) == [202] + [401] * 5
    assert (await stored(infra, isolation))["item_versions"] == 1


async def test_a_stale_signature_is_refused_and_stores_nothing(
    infra: Infrastructure, isolation: str, ingest: ServiceProcess
) -> None:
    org, key = await organisation(ingest)
    before = await stored(infra, isolation)
    async with DextClient(ingest.url, org, key) as dext:
        stale = await dext.send(dext.sign(publication(dext, "stale"), timestamp=time.time() - 301))
        early = await dext.send(dext.sign(publication(dext, "early"), timestamp=time.time() + 301))
    assert (stale.status_code, early.status_code) == (401, 401)
    assert await stored(infra, isolation) == before
