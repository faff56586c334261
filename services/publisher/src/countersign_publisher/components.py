"""What the publisher adds to the platform runtime, built once in ``app.py``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from countersign_platform.outbound import OutboundHttp
from countersign_platform.runtime import Runtime, runtime
from fastapi import Depends

from countersign_publisher.adapters.tokens import XeroTokens
from countersign_publisher.adapters.xero_client import XeroClient
from countersign_publisher.adapters.xero_limits import CallScheduler
from countersign_publisher.handlers.contacts import ContactDirectory
from countersign_publisher.handlers.worker import PublicationWorker
from countersign_publisher.settings import PublisherSettings

__all__ = ["Components", "Parts", "State", "components"]


@dataclass
class Components:
    settings: PublisherSettings
    http: OutboundHttp
    tokens: XeroTokens | None  # None without ENCRYPTION_KEYS: nothing can be connected
    scheduler: CallScheduler
    xero: XeroClient
    contacts: ContactDirectory
    worker: PublicationWorker


async def components(state: Annotated[Runtime[Components], Depends(runtime)]) -> Components:
    """FastAPI dependency: the publisher's running parts."""
    return state.parts


State = Annotated[Runtime[Components], Depends(runtime)]
Parts = Annotated[Components, Depends(components)]
