"""Drives the approval service in-process (its real app lifespan: migrations, pool, broker,
relay) over HTTP, on an isolated schema and topic prefix; with ``listen=True`` also on a real
loopback port, for another service to fetch its access-token key set from. Used by the approval
integration tests and its benchmark."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
from aiokafka import ConsumerRecord
from countersign_approval.app import create_app
from countersign_approval.settings import ApprovalSettings
from countersign_contracts import (
    APPROVAL_REQUESTS,
    COST_ITEMS,
    LEDGER_PUBLICATIONS,
    Bill,
    CostItemSubmitted,
    Envelope,
    EventPayload,
    PossibleDuplicate,
    decode,
    encode,
    kafka_headers,
    new_envelope,
)
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import produce, read_until
from countersign_harness.samples import sample_bill
from countersign_harness.serving import served_over_http
from countersign_harness.waiting import eventually
from countersign_platform.access import generate_seed
from countersign_platform.runtime import Runtime
from countersign_platform.topics import ensure_topics, wanted_topics

__all__ = [
    "OPERATOR_TOKEN",
    "SIGNING_KEYS",
    "ApprovalHarness",
    "Org",
    "as_record",
    "running_approval",
]

OPERATOR_TOKEN = "operator-token-for-tests"
SIGNING_KEYS = "harness1:" + generate_seed()  # APPROVAL_SIGNING_KEYS of every harness approval


def as_record(envelope: Envelope[Any]) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    headers = [(name, value.encode()) for name, value in kafka_headers(envelope).items()]
    return envelope.subject_id.encode(), encode(envelope), headers


@dataclass
class Org:
    organisation_id: UUID
    admin_token: str
    tokens: dict[str, str] = field(default_factory=dict)  # email → token

    def auth(self, email: str | None = None) -> dict[str, str]:
        token = self.admin_token if email is None else self.tokens[email]
        return {"Authorization": f"Bearer {token}"}

    def path(self, suffix: str = "") -> str:
        return f"/v1/organisations/{self.organisation_id}{suffix}"


@dataclass
class ApprovalHarness:
    http: httpx.AsyncClient
    runtime: Runtime[Any]
    prefix: str
    bootstrap: str
    url: str | None = None  # the real HTTP address, when started with listen=True

    @property
    def jwks_url(self) -> str:
        """Where another service fetches the access-token keys (its ACCESS_JWKS_URL)."""
        assert self.url is not None, "start approval with listen=True"
        return f"{self.url}/.well-known/jwks.json"

    async def access_token(self, org: Org, email: str | None = None) -> str:
        """The user's API token (the admin's when ``email`` is None) exchanged for an access
        token."""
        response = await self.http.post("/access-tokens", headers=org.auth(email))
        assert response.status_code == 201, response.text
        token: str = response.json()["access_token"]
        return token

    async def register(
        self, base_currency: str = "GBP", users: Sequence[tuple[str, list[str]]] = ()
    ) -> Org:
        response = await self.http.post(
            "/v1/organisations",
            headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
            json={
                "name": "Northwind Trading Ltd",
                "base_currency": base_currency,
                "timezone": "Europe/London",
                "admin": {"email": "ada@example.com", "name": "Ada Admin"},
            },
        )
        assert response.status_code == 201, response.text
        body = response.json()
        org = Org(UUID(body["organisation"]["organisation_id"]), body["admin"]["token"])
        for email, roles in users:
            added = await self.http.post(
                org.path("/users"),
                headers=org.auth(),
                json={"email": email, "name": email.split("@")[0].title(), "roles": roles},
            )
            assert added.status_code == 201, added.text
            org.tokens[email] = added.json()["token"]
        return org

    async def put_workflow(self, org: Org, document: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.put(org.path("/workflow"), headers=org.auth(), json=document)
        assert response.status_code == 201, response.text
        saved: dict[str, Any] = response.json()
        return saved

    async def submit(
        self,
        org: Org,
        item: str,
        version: int = 1,
        bill: Bill | None = None,
        possible_duplicates: Sequence[PossibleDuplicate] = (),
    ) -> Envelope[CostItemSubmitted]:
        payload = CostItemSubmitted(
            dext_item_id=item,
            version=version,
            supersedes_version=version - 1 if version > 1 else None,
            bill=bill or sample_bill(f"INV-{item}"),
            submitted_at=datetime.now(UTC),
            possible_duplicates=list(possible_duplicates),
        )
        envelope = new_envelope(
            payload,
            producer="ingest",
            organisation_id=org.organisation_id,
            correlation_id=uuid.uuid4(),
        )
        await produce(self.bootstrap, self.prefix + COST_ITEMS, [as_record(envelope)])
        return envelope

    async def publish_ledger(self, org: Org, *payloads: EventPayload) -> None:
        records = [
            as_record(
                new_envelope(
                    p,
                    producer="publisher",
                    organisation_id=org.organisation_id,
                    correlation_id=uuid.uuid4(),
                )
            )
            for p in payloads
        ]
        await produce(self.bootstrap, self.prefix + LEDGER_PUBLICATIONS, records)

    async def request_of(
        self, org: Org, item: str, version: int = 1, state: str | None = None, timeout_s: float = 30
    ) -> dict[str, Any]:
        """Waits until the item version has a request (in ``state``, if given)."""

        async def find() -> list[dict[str, Any]]:
            response = await self.http.get(
                org.path("/requests"), headers=org.auth(), params={"dext_item_id": item}
            )
            assert response.status_code == 200, response.text
            found: list[dict[str, Any]] = response.json()
            return [r for r in found if r["item_version"] == version]

        found = await eventually(
            find,
            lambda rs: bool(rs) and (state is None or rs[0]["state"] == state),
            timeout_s=timeout_s,
        )
        assert found, f"no request for {item} v{version}"
        detail = await self.http.get(
            org.path(f"/requests/{found[0]['request_id']}"), headers=org.auth()
        )
        body: dict[str, Any] = detail.json()
        return body

    async def events(
        self, request_id: str | UUID, until: str, timeout_s: float = 30
    ) -> list[EventPayload]:
        """The request's events on approval.requests.v1, read from Kafka until ``until``."""
        key = str(request_id).encode()

        def mine(records: list[ConsumerRecord[bytes, bytes]]) -> list[EventPayload]:
            return [decode(APPROVAL_REQUESTS, r.value).payload for r in records if r.key == key]

        records = await read_until(
            self.bootstrap,
            self.prefix + APPROVAL_REQUESTS,
            lambda rs: any(e.event_type == until for e in mine(rs)),
            timeout_s=timeout_s,
        )
        return mine(records)


@contextlib.asynccontextmanager
async def running_approval(
    infra: Infrastructure, isolation: str, *, listen: bool = False, **overrides: Any
) -> AsyncIterator[ApprovalHarness]:
    prefix = f"{isolation}."
    # Every topic of the contracts, as the topics job creates them: approval writes more
    # topics than it reads (approval.people.v1), and none may meet a missing one.
    await ensure_topics(infra.kafka_bootstrap_servers, wanted_topics(3, prefix))
    settings = ApprovalSettings(
        database_url=infra.database_url_for("approval"),
        kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
        kafka_topic_prefix=prefix,
        db_schema=isolation,
        admin_token=OPERATOR_TOKEN,
        consumer_retry_backoff_s=0.01,
        relay_poll_interval_s=0.2,
        **{"signing_keys": SIGNING_KEYS, **overrides},
    )
    app = create_app(settings)
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        url = await stack.enter_async_context(served_over_http(app)) if listen else None
        transport = httpx.ASGITransport(app=app)
        http = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://approval")
        )
        yield ApprovalHarness(
            http, app.state.runtime, prefix, infra.kafka_bootstrap_servers, url=url
        )
