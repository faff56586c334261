"""Drives the notifier in-process (its real app lifespan: migrations, pool, consumer, sender)
on an isolated schema and topic prefix, with a stand-in for approval's action grants served
over real HTTP, and a mail server of the caller's (the mail sandbox). Used by the notifier's
integration tests.

The stand-in answers exactly the contract the notifier is written against (ADR 0048):
``POST /action-grants`` with the notifier's Basic credentials and ``{organisation_id,
request_id, user_id}`` ─▶ 201 ``{grant, expires_at, step}``, or 409 for a person no longer
awaited.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from countersign_contracts import (
    EventPayload,
    new_envelope,
    topic_for,
)
from countersign_harness.approval import as_record
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import produce
from countersign_harness.serving import served_over_http
from countersign_notifier.app import create_app
from countersign_notifier.settings import NotifierSettings
from countersign_platform.runtime import Runtime
from countersign_platform.topics import ensure_topics, wanted_topics
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel

__all__ = ["CLIENT_SECRET", "GrantDesk", "RunningNotifier", "grant_desk", "running_notifier"]

CLIENT_SECRET = "notifier-secret-for-tests"
WEB_URL = "http://web.example"


_BASIC = HTTPBasic()
Credentials = Annotated[HTTPBasicCredentials, Depends(_BASIC)]


class _Asked(BaseModel):
    organisation_id: UUID
    request_id: UUID
    user_id: UUID


@dataclass
class GrantDesk:
    """What the stand-in knows: the step each person is awaited at, the grants it gave, and
    whether it answers at all."""

    url: str = ""
    awaited: dict[UUID, int] = field(default_factory=dict)  # user_id → step index
    issued: list[tuple[UUID, str]] = field(default_factory=list)  # (user_id, grant)
    refused: list[UUID] = field(default_factory=list)  # 409s, by user_id
    answering: bool = True

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/action-grants", status_code=201)
        async def grant(asked: _Asked, who: Credentials) -> dict[str, Any]:
            if not self.answering:
                raise HTTPException(503, "approval is away")
            if (who.username, who.password) != ("notifier", CLIENT_SECRET):
                raise HTTPException(401, "not the notifier")
            step = self.awaited.get(asked.user_id)
            if step is None:
                self.refused.append(asked.user_id)
                raise HTTPException(409, "no longer awaited")
            secret = "csg_" + secrets.token_urlsafe(24)
            self.issued.append((asked.user_id, secret))
            expires = datetime.now(UTC) + timedelta(days=7)
            return {"grant": secret, "expires_at": expires.isoformat(), "step": step}

        return app


@contextlib.asynccontextmanager
async def grant_desk() -> AsyncIterator[GrantDesk]:
    desk = GrantDesk()
    async with served_over_http(desk.app()) as url:
        desk.url = url
        yield desk


@dataclass
class RunningNotifier:
    runtime: Runtime[Any]
    prefix: str
    bootstrap: str
    organisation_id: UUID = field(default_factory=uuid.uuid4)

    async def publish(self, *payloads: EventPayload, twice: bool = False) -> None:
        """The events onto their topic (approval.requests.v1, or all of one other topic), in
        order (each twice: a redelivery), each from the topic's producer."""
        topic, producer = topic_for(payloads[0]).name, topic_for(payloads[0]).producer
        records = [
            as_record(
                new_envelope(
                    p,
                    producer=producer,
                    organisation_id=self.organisation_id,
                    correlation_id=uuid.uuid4(),
                )
            )
            for p in payloads
        ]
        if twice:
            records = [r for record in records for r in (record, record)]
        await produce(self.bootstrap, self.prefix + topic, records)

    async def mail_rows(self) -> list[asyncpg.Record]:
        async with self.runtime.pool.acquire() as conn:
            rows: list[asyncpg.Record] = await conn.fetch(
                "SELECT kind, step_index, recipient, state, attempts, last_error FROM mail"
                " WHERE organisation_id = $1 ORDER BY id",
                self.organisation_id,
            )
            return rows


@contextlib.asynccontextmanager
async def running_notifier(
    infra: Infrastructure,
    isolation: str,
    *,
    approval_url: str,
    smtp_port: int,
    **overrides: Any,
) -> AsyncIterator[RunningNotifier]:
    prefix = f"{isolation}."
    await ensure_topics(infra.kafka_bootstrap_servers, wanted_topics(3, prefix))
    settings = NotifierSettings(
        database_url=infra.database_url_for("notifier"),
        kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
        kafka_topic_prefix=prefix,
        db_schema=isolation,
        consumer_retry_backoff_s=0.01,
        relay_poll_interval_s=0.2,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        web_url=WEB_URL,
        approval_url=approval_url,
        client_secret=CLIENT_SECRET,
        send_poll_interval_s=0.2,
        send_backoff_s=0.2,
        send_max_backoff_s=0.5,
        **{"digest_enabled": False, **overrides},  # a test that wants digests says so
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield RunningNotifier(app.state.runtime, prefix, infra.kafka_bootstrap_servers)
