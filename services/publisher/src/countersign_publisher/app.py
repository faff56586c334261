"""Composition root: the only place publisher is wired together."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace

from countersign_platform.outbound import OutboundHttp
from countersign_platform.runtime import Runtime
from countersign_platform.sealing import Keyring
from countersign_platform.service import build_app
from fastapi import FastAPI

from countersign_publisher.adapters.documents import OriginalDocuments
from countersign_publisher.adapters.intuit_identity import IntuitIdentity
from countersign_publisher.adapters.qbo_changes import QboChanges
from countersign_publisher.adapters.qbo_client import QboClient, qbo_limits
from countersign_publisher.adapters.qbo_ledger import QboLedger
from countersign_publisher.adapters.tokens import Grants, LedgerTokens
from countersign_publisher.adapters.xero_client import (
    Credentials,
    XeroClient,
)
from countersign_publisher.adapters.xero_errors import XeroAuthError
from countersign_publisher.adapters.xero_identity import XeroIdentity
from countersign_publisher.adapters.xero_ledger import XeroLedger
from countersign_publisher.adapters.xero_limits import CallScheduler, Limits
from countersign_publisher.api import ROUTERS
from countersign_publisher.components import Components
from countersign_publisher.domain.publication import RetryPolicy
from countersign_publisher.handlers.backlog import Backlog
from countersign_publisher.handlers.connecting import ConnectConfig, Connecting
from countersign_publisher.handlers.contacts import ContactDirectory, SupplierSyncPass
from countersign_publisher.handlers.events import emit_connection
from countersign_publisher.handlers.ledger_changes import ChangeSource, ChangeWatcher
from countersign_publisher.handlers.master_data import MasterDataSync, MasterDataSyncPass
from countersign_publisher.handlers.publishing import Publishing
from countersign_publisher.handlers.qbo_changes import QboChangeSource
from countersign_publisher.handlers.recording import CrashHook, StepPorts, no_crash
from countersign_publisher.handlers.worker import PublicationWorker
from countersign_publisher.handlers.xero_changes import XeroChanges
from countersign_publisher.handlers.xero_polls import ChangePoll
from countersign_publisher.ledger.ledgers import Ledgers
from countersign_publisher.settings import PublisherSettings
from countersign_publisher.spec import SERVICE

__all__ = ["assemble", "create_app"]


class _NoKeyring:
    async def credentials(self, organisation_id: object, *, refresh: bool = False) -> Credentials:
        raise XeroAuthError("ENCRYPTION_KEYS is not set: Xero tokens cannot be opened")


def _token_store(
    runtime: Runtime[None], settings: PublisherSettings, http: OutboundHttp, qbo: CallScheduler
) -> LedgerTokens | None:
    keys = settings.encryption_keys
    if keys is None:
        return None
    grants: dict[str, Grants] = {
        "xero": XeroIdentity(
            http,
            identity_url=settings.xero_identity_url,
            api_url=settings.xero_api_url,
            client_id=settings.xero_client_id,
            client_secret=settings.xero_client_secret.get_secret_value(),
        ),
        "qbo": IntuitIdentity(
            http,
            discovery_url=settings.qbo_discovery_url,
            api_url=settings.qbo_api_url,
            client_id=settings.qbo_client_id,
            client_secret=settings.qbo_client_secret.get_secret_value(),
            scheduler=qbo,
        ),
    }
    return LedgerTokens(
        runtime.pool,
        Keyring.parse(keys.get_secret_value()),
        grants,
        refresh_ahead_s=settings.xero_refresh_ahead_s,
        on_broken=emit_connection,
    )


def _connecting(settings: PublisherSettings, tokens: LedgerTokens | None) -> Connecting | None:
    if tokens is None:
        return None
    configs: dict[str, ConnectConfig] = {}
    if settings.xero_redirect_uri:
        xero_consent = settings.xero_authorize_url

        async def xero_authorize() -> str:
            return xero_consent

        configs["xero"] = ConnectConfig(
            authorize_url=xero_authorize,
            client_id=settings.xero_client_id,
            redirect_uri=settings.xero_redirect_uri,
            scope=settings.xero_scopes,
            ttl_s=settings.xero_connect_ttl_s,
        )
    intuit = tokens.grants["qbo"]
    if settings.qbo_redirect_uri and isinstance(intuit, IntuitIdentity):

        async def intuit_authorize() -> str:
            return (await intuit.endpoints()).authorization

        configs["qbo"] = ConnectConfig(
            authorize_url=intuit_authorize,
            client_id=settings.qbo_client_id,
            redirect_uri=settings.qbo_redirect_uri,
            scope=settings.qbo_scopes,
            ttl_s=settings.qbo_connect_ttl_s,
            pkce=False,
        )
    return Connecting(tokens.pool, tokens, configs) if configs else None


def _qbo_scheduler(settings: PublisherSettings) -> CallScheduler:
    """Intuit's per-realm budget (``qbo_limits``) with this deployment's settings."""
    limits = replace(
        qbo_limits(settings.qbo_minute_s, settings.qbo_minute_limit),
        concurrent=settings.qbo_concurrency_limit,
        batch_per_minute=settings.qbo_batch_minute_limit,
    )
    return CallScheduler(limits)


def _ledgers(xero: XeroClient, scheduler: CallScheduler, qbo: QboClient) -> Ledgers:
    """One adapter (and its budget) per ledger; each organisation's work goes to the one its
    connection names (ADR 0069)."""
    return Ledgers(
        {
            "xero": (XeroLedger(xero), lambda org: scheduler.held_back(str(org))),
            "qbo": (QboLedger(qbo), qbo.held_back),
        }
    )


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
    ledgers: Ledgers,
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
        held_back=ledgers.held_back,
        poll_interval_s=settings.worker_poll_interval_s,
        schema=runtime.schema,
        connect=runtime.connect,
    )


def _changes(
    runtime: Runtime[None],
    settings: PublisherSettings,
    sources: list[ChangeSource],
    poll: ChangePoll,
) -> ChangeWatcher:
    return ChangeWatcher(
        runtime.pool,
        sources,
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
    # Intuit's budget per realm: every Accounting call, the one made when connecting included.
    qbo_scheduler = _qbo_scheduler(settings)
    tokens = _token_store(runtime, settings, http, qbo_scheduler)
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
    qbo = QboClient(http, settings.qbo_api_url, tokens or _NoKeyring(), qbo_scheduler)
    ledgers = _ledgers(xero, scheduler, qbo)
    contacts = ContactDirectory(runtime.pool, ledgers)
    documents = _documents(settings, http)
    ports = StepPorts(runtime.pool, ledgers, contacts, documents, crash or no_crash)
    master_data = MasterDataSync(runtime.pool, ledgers)
    worker = _worker(runtime, settings, ports, ledgers, master_data)
    connecting = _connecting(settings, tokens)
    # Changes after approval, from each ledger's webhooks and a poll behind them.
    sources: list[ChangeSource] = [XeroChanges(xero), QboChangeSource(QboChanges(qbo))]
    poll = ChangePoll(runtime.pool, sources, settings.xero_change_poll_interval_s)
    changes = _changes(runtime, settings, sources, poll)
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
