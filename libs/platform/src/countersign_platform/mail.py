"""E-mail out, over SMTP (ADR 0048): the web app's sign-in links, the notifier's messages.

One message per connection, sent from a worker thread with the standard library's client so
the event loop never waits on a mail server: STARTTLS when the server offers it (required
with ``require_tls``), AUTH when credentials are set. A refusal is ``MailNotSent`` naming the
server's answer, never the credentials or the message body (which may hold a sign-in link).
"""

from __future__ import annotations

import asyncio
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from pydantic import SecretStr

__all__ = ["MailNotSent", "MailSettings", "Outbox", "SmtpServer", "outbox_from"]


class MailNotSent(Exception):
    """The server refused the message or could not be reached."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    sender: str  # the From address
    user: str | None = None
    password: str | None = None
    require_tls: bool = False
    timeout_s: float = 10.0

    def __repr__(self) -> str:  # never the password
        return f"SmtpServer({self.host}:{self.port}, sender={self.sender!r})"


class Outbox:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    def message(self, to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.server.sender
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=self.server.sender.rpartition("@")[2] or None)
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
        return message

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        server = self.server
        try:
            with smtplib.SMTP(server.host, server.port, timeout=server.timeout_s) as smtp:
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls()
                    smtp.ehlo()
                elif server.require_tls:
                    raise MailNotSent(f"{server.host}:{server.port} offers no STARTTLS")
                if server.user is not None and server.password is not None:
                    smtp.login(server.user, server.password)
                smtp.send_message(message)
        except smtplib.SMTPResponseException as refused:
            said = refused.smtp_error  # bytes from a server, str from smtplib itself
            answer = (said.decode(errors="replace") if isinstance(said, bytes) else said)[:200]
            where = f"{server.host}:{server.port}"
            raise MailNotSent(f"{where} answered {refused.smtp_code} {answer}") from None
        except (OSError, smtplib.SMTPException) as failed:
            raise MailNotSent(f"{server.host}:{server.port}: {type(failed).__name__}") from None


class MailSettings(Protocol):
    """The mail settings a service reads (``<PREFIX>_SMTP_…``, ``<PREFIX>_MAIL_FROM``)."""

    @property
    def smtp_host(self) -> str: ...
    @property
    def smtp_port(self) -> int: ...
    @property
    def smtp_user(self) -> str | None: ...
    @property
    def smtp_password(self) -> SecretStr | None: ...
    @property
    def smtp_require_tls(self) -> bool: ...
    @property
    def mail_from(self) -> str: ...


def outbox_from(settings: MailSettings) -> Outbox:
    """The outbox a service's mail settings describe."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return Outbox(
        SmtpServer(
            settings.smtp_host, settings.smtp_port, settings.mail_from,
            user=settings.smtp_user, password=password, require_tls=settings.smtp_require_tls,
        )
    )  # fmt: skip
