"""Composition root: settings → mailbox → the HTTP app, whose lifespan opens the SMTP
listener on the same event loop and closes it on the way out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from countersign_mail_sandbox.mailbox import Mailbox
from countersign_mail_sandbox.reception import open_smtp
from countersign_mail_sandbox.routes import mail_routes
from countersign_mail_sandbox.settings import MailSandboxSettings

__all__ = ["build_app"]


def build_app(settings: MailSandboxSettings) -> FastAPI:
    mailbox = Mailbox(settings.max_messages, settings.max_stored_bytes)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.smtp = await open_smtp(settings, mailbox)
        try:
            yield
        finally:
            app.state.smtp.close()
            await app.state.smtp.wait_closed()
            app.state.smtp = None

    app = FastAPI(title="Countersign mail sandbox", version="0.1.0", lifespan=lifespan)
    app.state.smtp = None
    app.state.mailbox = mailbox
    app.include_router(mail_routes(mailbox))
    return app
