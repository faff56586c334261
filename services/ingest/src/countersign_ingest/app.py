"""Composition root: the only place ingest is wired together."""

import contextlib
from collections.abc import AsyncIterator

from countersign_platform.runtime import Runtime
from countersign_platform.sealing import Keyring
from countersign_platform.service import build_app
from fastapi import FastAPI

from countersign_ingest.api import ROUTERS
from countersign_ingest.api.signed import refuse_replayed
from countersign_ingest.handlers.item_calls import Replayed
from countersign_ingest.settings import IngestSettings
from countersign_ingest.spec import SERVICE

__all__ = ["create_app"]


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()
    keys = settings.encryption_keys
    # Without a keyring no secret can be stored or opened: signed calls are refused and the
    # operator endpoints say why, but the rest of the service (and its consumers) still runs.
    keyring = Keyring.parse(keys.get_secret_value()) if keys else None

    @contextlib.asynccontextmanager
    async def parts(runtime: Runtime[None]) -> AsyncIterator[Keyring | None]:
        yield keyring

    app = build_app(SERVICE, settings, routers=ROUTERS, parts=parts)
    app.add_exception_handler(Replayed, refuse_replayed)
    return app
