"""What the publisher adds to the platform runtime, built once in ``app.py``."""

from __future__ import annotations

from dataclasses import dataclass

from countersign_platform.outbound import OutboundHttp
from countersign_platform.problems import Problem
from fastapi import Request

from countersign_publisher.contacts import ContactDirectory
from countersign_publisher.settings import PublisherSettings
from countersign_publisher.tokens import XeroTokens
from countersign_publisher.worker import PublicationWorker
from countersign_publisher.xero_client import XeroClient
from countersign_publisher.xero_limits import CallScheduler

__all__ = ["Components", "components"]


@dataclass
class Components:
    settings: PublisherSettings
    http: OutboundHttp
    tokens: XeroTokens | None  # None without ENCRYPTION_KEYS: nothing can be connected
    scheduler: CallScheduler
    xero: XeroClient
    contacts: ContactDirectory
    worker: PublicationWorker


async def components(request: Request) -> Components:
    """FastAPI dependency: the publisher's running parts."""
    value: Components | None = getattr(request.app.state, "publisher", None)
    if value is None:
        raise Problem(503, "starting", "Service is starting", "try again in a moment")
    return value
