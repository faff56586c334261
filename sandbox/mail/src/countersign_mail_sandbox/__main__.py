"""``countersign-mail-sandbox``: serve SMTP and HTTP with uvicorn (one process, one loop)."""

from __future__ import annotations

import logging

import uvicorn

from countersign_mail_sandbox.app import build_app
from countersign_mail_sandbox.settings import MailSandboxSettings


def main() -> None:
    settings = MailSandboxSettings()
    logging.basicConfig(level=logging.WARNING)
    uvicorn.run(
        build_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
