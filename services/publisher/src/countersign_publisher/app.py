"""Composition root: the only place publisher is wired together."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from countersign_platform.outbound import OutboundHttp
from countersign_platform.runtime import Runtime
from countersign_platform.sealing import Keyring
from countersign_platform.service import build_app
from fastapi import FastAPI

from countersign_publisher.adapters.documents import OriginalDocuments
from countersign_publisher.adapters.tokens import XeroTokens
from countersign_publisher.adapters.xero_client import Credentials, XeroClient
from countersign_publisher.adapters.xero_errors import XeroAuthError
from countersign_publisher.adapters.xero_ledger import XeroLedger
from countersign_publisher.adapters.xero_limits import CallScheduler, Limits
from countersign_publisher.api import ROUTERS
from countersign_publisher.components import Components
from countersign_publisher.domain.publication import RetryPolicy
from countersign_publisher.handlers.backlog import Backlog
from countersign_publisher.handlers.connecting import ConnectConfig, Connecting
from countersign_publisher.handlers.contacts import ContactDirectory, SupplierSyncPass
from countersign_publisher.handlers.events import emit_connection
from countersign_publisher.handlers.master_data import MasterDataSync, MasterDataSyncPass
from countersign_publisher.handlers.publishing import Publishing
from countersign_publisher.handlers.recording import CrashHook, StepPorts, no_crash
from countersign_publisher.handlers.worker import PublicationWorker
from countersign_publisher.handlers.xero_changes import ChangeWatcher
from countersign_publisher.handlers.xero_polls import ChangePoll
from countersign_publisher.settings import PublisherSettings
from countersign_publisher.spec import SERVICE

__all__ = ["assemble", "create_app"]


class _NoKeyring:
    async def credentials(self, organisation_id: object, *, refresh: bool = False) -> Credentials:
        raise XeroAuthError("ENCRYPTION_KEYS is not set: Xero tokens cannot be opened")


def _token_store(
    runtime: Runtime[None], settings: PublisherSettings, http: OutboundHttp
) -> XeroTokens | None:
    keys = settings.encryption_keys
    if keys is None:
        return None
    return XeroTokens(
        runtime.pool,
        http,
        identity_url=settings.xero_identity_url,
        client_id=settings.xero_client_id,
        client_secret=settings.xero_client_secret.get_secret_value(),
        keyring=Keyring.parse(keys.get_secret_value()),
        refresh_ahead_s=settings.xero_refresh_ahead_s,
        api_url=settings.xero_api_url,
        on_broken=emit_connection,
    )


def _connecting(settings: PublisherSettings, tokens: XeroTokens | None) -> Connecting | None:
    if tokens is None or not settings.xero_redirect_uri:
        return None
    config = ConnectConfig(
        authorize_url=settings.xero_authorize_url,
        client_id=settings.xero_client_id,
        redirect_uri=settings.xero_redirect_uri,
        scope=settings.xero_scopes,
        ttl_s=settings.xero_connect_ttl_s,
    )
    return Connecting(tokens.pool, tokens, config)


def _documents(settings: PublisherSettings, http: OutboundHttp) -> OriginalDocuments:
    secret = settings.document_link_secret
    return OriginalDocuments(
        http,
        settings.ingest_url,
        b"" if secret is None else secret.get_secret_value().encode(),
        settings.document_link_ttl_s,
    )


def _worker(
    runtime: Runtime[None],
    settings: PublisherSettings,
    ports: StepPorts,
    scheduler: CallScheduler,
    master_data: MasterDataSync,
) -> PublicationWorker:
    publishing = Publishing(
        ports,
        RetryPolicy(
            max_attempts=settings.worker_max_attempts, backoff_base_s=settings.worker_backoff_s
        ),
        batch_size=settings.xero_batch_size,
        lanes=settings.xero_concurrency_limit,
    )
    return PublicationWorker(
        runtime.pool,
        publishing,
        suppliers=SupplierSyncPass(runtime.pool, ports.contacts, settings.supplier_sync_interval_s),
        master_data=MasterDataSyncPass(
            runtime.pool, master_data, settings.master_data_sync_interval_s
        ),
        claim_size=settings.worker_claim_size,
        lease_s=settings.worker_lease_s,
        lanes=settings.xero_concurrency_limit,
        max_in_flight=settings.worker_max_in_flight,
        held_back=lambda organisation_id: scheduler.held_back(str(organisation_id)),
        poll_interval_s=settings.worker_poll_interval_s,
        schema=runtime.schema,
        connect=runtime.connect,
    )


def _changes(
    runtime: Runtime[None], settings: PublisherSettings, xero: XeroClient, poll: ChangePoll
) -> ChangeWatcher:
    return ChangeWatcher(
        runtime.pool,
        xero,
        poll=poll.run_when_due,
        claim_size=settings.worker_claim_size,
        lease_s=settings.worker_lease_s,
        max_attempts=settings.xero_change_max_attempts,
        kept_s=settings.xero_change_events_kept_s,
        backoff_s=settings.worker_backoff_s,
        interval_s=settings.worker_poll_interval_s,
        schema=runtime.schema,
        connect=runtime.connect,
    )


def assemble(
    runtime: Runtime[None],
    settings: PublisherSettings,
    http: OutboundHttp,
    crash: CrashHook | None = None,
) -> Components:
    """Builds the publisher's parts on a running platform runtime (the app, tests, bench)."""
    tokens = _token_store(runtime, settings, http)
    scheduler = CallScheduler(
        Limits(
            per_minute=settings.xero_minute_limit,
            concurrent=settings.xero_concurrency_limit,
            per_day=settings.xero_day_limit,
            app_per_minute=settings.xero_app_minute_limit,
            minute_s=settings.xero_minute_s,
        )
    )
    xero = XeroClient(http, settings.xero_api_url, tokens or _NoKeyring(), scheduler)
    # Every organisation connects Xero today; the port is where a per-organisation choice of
    # adapter (QBO beside Xero, by the connection's ledger) plugs in (ADR 0065).
    ledger = XeroLedger(xero)
    contacts = ContactDirectory(runtime.pool, ledger)
    documents = _documents(settings, http)
    ports = StepPorts(runtime.pool, ledger, contacts, documents, crash or no_crash)
    master_data = MasterDataSync(runtime.pool, ledger)
    worker = _worker(runtime, settings, ports, scheduler, master_data)
    connecting = _connecting(settings, tokens)
    poll = ChangePoll(runtime.pool, xero, settings.xero_change_poll_interval_s)
    changes = _changes(runtime, settings, xero, poll)
    return Components(
        settings,
        http,
        tokens,
        scheduler,
        xero,
        contacts,
        worker,
        master_data,
        changes,
        poll,
        Backlog(runtime.pool, interval_s=settings.backlog_sample_interval_s),
        connecting,
    )


def create_app(settings: PublisherSettings | None = None) -> FastAPI:
    config = settings or PublisherSettings()

    @contextlib.asynccontextmanager
    async def parts(runtime: Runtime[None]) -> AsyncIterator[Components]:
        # Connections for the calls the worker may have in flight, plus room for document
        # fetches and token refreshes.
        http = OutboundHttp(
            timeout_s=config.xero_timeout_s, max_connections=config.worker_max_in_flight + 10
        )
        built = assemble(runtime, config, http)
        try:
            await built.backlog.start()
            if config.worker_enabled:
                await built.worker.start()
                await built.changes.start()
            yield built
        finally:
            # Before the platform closes the pool.
            await built.backlog.stop()
            await built.changes.stop()
            await built.change_poll.stop()
            await built.worker.stop()
            await http.aclose()

    return build_app(SERVICE, config, routers=ROUTERS, parts=parts)
