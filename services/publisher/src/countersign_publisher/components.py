"""What the publisher adds to the platform runtime, built once in ``app.py``."""

from __future__ import annotations

from dataclasses import dataclass

from countersign_platform.outbound import OutboundHttp

from countersign_publisher.adapters.tokens import XeroTokens
from countersign_publisher.adapters.xero_client import XeroClient
from countersign_publisher.adapters.xero_limits import CallScheduler
from countersign_publisher.handlers.backlog import Backlog
from countersign_publisher.handlers.connecting import Connecting
from countersign_publisher.handlers.contacts import ContactDirectory
from countersign_publisher.handlers.ledger_changes import ChangeWatcher
from countersign_publisher.handlers.master_data import MasterDataSync
from countersign_publisher.handlers.worker import PublicationWorker
from countersign_publisher.handlers.xero_polls import ChangePoll
from countersign_publisher.settings import PublisherSettings

__all__ = ["Components"]


@dataclass
class Components:
    settings: PublisherSettings
    http: OutboundHttp
    tokens: XeroTokens | None  # None without ENCRYPTION_KEYS: nothing can be connected
    scheduler: CallScheduler
    xero: XeroClient
    contacts: ContactDirectory
    worker: PublicationWorker
    master_data: MasterDataSync
    changes: ChangeWatcher
    change_poll: ChangePoll
    backlog: Backlog
    connecting: Connecting | None = None  # None without a keyring or a redirect URI
