"""Composition root: the only place the notifier is wired together."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from countersign_platform.client_tls import client_tls
from countersign_platform.mail import outbox_from
from countersign_platform.runtime import Runtime
from countersign_platform.service import build_app
from fastapi import FastAPI

from countersign_notifier.adapters.approval import ActionGrants
from countersign_notifier.api import ROUTERS
from countersign_notifier.domain.retries import RetryPolicy
from countersign_notifier.handlers.digest import digest_loop
from countersign_notifier.handlers.sending import MailSender, SenderConfig
from countersign_notifier.settings import NotifierSettings
from countersign_notifier.spec import SERVICE

__all__ = ["create_app"]


def _sender_config(settings: NotifierSettings) -> SenderConfig:
    return SenderConfig(
        web_url=settings.web_url,
        retries=RetryPolicy(
            max_attempts=settings.send_max_attempts,
            backoff_s=settings.send_backoff_s,
            max_backoff_s=settings.send_max_backoff_s,
        ),
        batch_size=settings.send_batch_size,
        lease_s=settings.send_lease_s,
        poll_interval_s=settings.send_poll_interval_s,
    )


def create_app(settings: NotifierSettings | None = None) -> FastAPI:
    config = settings or NotifierSettings()

    @contextlib.asynccontextmanager
    async def parts(runtime: Runtime[None]) -> AsyncIterator[MailSender]:
        async with httpx.AsyncClient(
            base_url=config.approval_url, timeout=10, verify=client_tls()
        ) as http:
            grants = ActionGrants(http, config.client_name, config.client_secret.get_secret_value())
            sender = MailSender(
                runtime.pool, grants, outbox_from(config), _sender_config(config),
                schema=runtime.schema, connect=runtime.connect,
            )  # fmt: skip
            digest = digest_loop(
                runtime.pool, config.digest_hour_utc, config.digest_poll_interval_s
            )
            if config.sender_enabled:
                await sender.start()
            if config.digest_enabled:
                await digest.start()
            try:
                yield sender
            finally:  # before the platform closes the pool
                await digest.stop()
                await sender.stop()

    return build_app(SERVICE, config, routers=ROUTERS, parts=parts)
