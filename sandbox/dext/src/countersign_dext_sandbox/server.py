"""The sandbox as a small HTTP service (``make up`` runs it), so a demo or a test can ask
"Dext" to publish its samples or pull suppliers without a shell:

    POST /samples     {"organisation_id", "secret", "ingest_url"?}  → the report
    POST /suppliers   {"organisation_id", "secret", "ingest_url"?}  → what Dext would list
    GET  /health/live, /health/ready
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field, SecretStr

from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.samples import publish_samples

__all__ = ["create_app"]


class DextAccount(BaseModel):
    organisation_id: UUID
    secret: SecretStr = Field(min_length=1)
    ingest_url: str | None = Field(default=None, description="Defaults to the sandbox's ingest")


def create_app(default_ingest_url: str | None) -> FastAPI:
    app = FastAPI(title="Countersign Dext sandbox", version="0.1.0")

    def client(account: DextAccount) -> DextClient:
        url = account.ingest_url or default_ingest_url
        if not url:
            raise HTTPException(422, "no ingest_url given and INGEST_URL is not set")
        return DextClient(url, account.organisation_id, account.secret.get_secret_value())

    @app.get("/health/live")
    @app.get("/health/ready")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/samples", summary="Publish the whole sample set into ingest")
    async def samples(account: DextAccount) -> dict[str, Any]:
        async with client(account) as dext:
            return (await publish_samples(dext)).as_dict()

    @app.post("/suppliers", summary="Pull the supplier list as Dext does")
    async def suppliers(account: DextAccount) -> list[dict[str, Any]]:
        async with client(account) as dext:
            return await dext.suppliers()

    return app
