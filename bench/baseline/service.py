"""The pipeline's hops with no business logic, built from the same parts as the services
(`build_app`, the outbox, the inbox consumer, asyncpg, the group consumer, uvicorn, the
outbound HTTP client):

    front   HTTP POST /items/{id} ─▶ row + CostItemSubmitted in one transaction ─▶ Kafka
    middle  consumes it ─▶ row + RequestAuthorised in one transaction ─▶ Kafka
    back    consumes it ─▶ job row; a worker claims jobs and POSTs each to BASELINE_SINK_URL

Each stage is its own process: ``BASELINE_ROLE=front|middle|back python -m bench.baseline.service``
with the platform's usual settings (``BASELINE_HTTP_PORT``, ``BASELINE_DB_SCHEMA``, …).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import asyncpg
from countersign_contracts import (
    APPROVAL_REQUESTS,
    COST_ITEMS,
    CostItemSubmitted,
    Envelope,
    RequestAuthorised,
    new_envelope,
)
from countersign_harness.publisher_samples import authorised_request
from countersign_harness.samples import cost_item_submitted
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.outbound import OutboundHttp
from countersign_platform.outbox import enqueue
from countersign_platform.runtime import Runtime, runtime
from countersign_platform.server import serve
from countersign_platform.service import build_app
from countersign_platform.settings import ServiceSettings
from countersign_platform.spec import ServiceSpec
from countersign_platform.subscription import On, Subscription
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic_settings import SettingsConfigDict

MIGRATIONS = Path(__file__).parent / "migrations"


class BaselineSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BASELINE_", extra="ignore")

    role: str = "front"
    sink_url: str = ""
    worker_poll_interval_s: float = 0.1
    worker_concurrency: int = 5


async def keep(conn: asyncpg.Connection, item: str, body: bytes) -> bool:
    status = await conn.execute(
        "INSERT INTO items (item_id, body) VALUES ($1, $2) ON CONFLICT DO NOTHING", item, body
    )
    return bool(status == "INSERT 0 1")


async def on_submitted(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
    submitted: CostItemSubmitted = envelope.payload
    if await keep(conn, submitted.dext_item_id, envelope.payload.model_dump_json().encode()):
        authorised = authorised_request(submitted.bill).model_copy(
            update={"dext_item_id": submitted.dext_item_id}
        )
        await enqueue(
            conn,
            APPROVAL_REQUESTS,
            new_envelope(
                authorised,
                producer="approval",
                organisation_id=envelope.organisation_id,
                correlation_id=envelope.correlation_id,
                causation_id=envelope.event_id,
            ),
        )


async def on_authorised(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
    authorised: RequestAuthorised = envelope.payload
    await keep(conn, authorised.dext_item_id, authorised.model_dump_json().encode())


def front_router() -> APIRouter:
    router = APIRouter(route_class=StrictJsonRoute)

    @router.post("/items/{item}", status_code=202)
    async def receive(
        item: str, request: Request, state: Annotated[Runtime, Depends(runtime)]
    ) -> dict[str, str]:
        body = await request.body()
        async with state.pool.acquire() as conn, conn.transaction():
            if await keep(conn, item, body):
                await enqueue(conn, COST_ITEMS, cost_item_submitted(uuid.uuid4(), item))
        return {"item": item}

    return router


async def send_jobs(state: Runtime, settings: BaselineSettings) -> None:
    """The back stage's worker: claim unsent jobs, POST each to the sink, mark them sent."""
    http = OutboundHttp(timeout_s=30)
    limit = asyncio.Semaphore(settings.worker_concurrency)

    async def send(item: str) -> None:
        async with limit:
            sent = await http.request("POST", settings.sink_url, json={"item": item})
        if sent.status_code != 200:
            raise RuntimeError(f"the sink answered {sent.status_code}")
        await state.pool.execute("UPDATE items SET sent = true WHERE item_id = $1", item)

    try:
        while True:
            claimed = await state.pool.fetch(
                "UPDATE items SET claimed_until = now() + interval '30 seconds'"
                " WHERE item_id IN (SELECT item_id FROM items WHERE NOT sent"
                " AND (claimed_until IS NULL OR claimed_until < now())"
                " ORDER BY created_at LIMIT 50 FOR UPDATE SKIP LOCKED) RETURNING item_id"
            )
            await asyncio.gather(*(send(row["item_id"]) for row in claimed))
            if not claimed:
                await asyncio.sleep(settings.worker_poll_interval_s)
    finally:
        await http.aclose()


def create_app(settings: BaselineSettings) -> FastAPI:
    consumes = {
        "front": (),
        "middle": (
            Subscription(COST_ITEMS, "baseline-middle", On(CostItemSubmitted, on_submitted)),
        ),
        "back": (
            Subscription(APPROVAL_REQUESTS, "baseline-back", On(RequestAuthorised, on_authorised)),
        ),
    }[settings.role]
    spec = ServiceSpec(
        name=f"baseline_{settings.role}",
        description="the pipeline's hops without business logic",
        migrations=MIGRATIONS,
        consumes=consumes,
        produces=(COST_ITEMS, APPROVAL_REQUESTS),
    )

    @contextlib.asynccontextmanager
    async def worker(state: Runtime[None]) -> AsyncIterator[None]:
        task = asyncio.create_task(send_jobs(state, settings)) if settings.role == "back" else None
        try:
            yield None
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return build_app(
        spec,
        settings,
        routers=[front_router()] if settings.role == "front" else [],
        parts=worker,
    )


def main() -> None:
    settings = BaselineSettings()
    serve(create_app(settings), settings, f"baseline_{settings.role}")


if __name__ == "__main__":
    main()
