"""The SMTP side: aiosmtpd speaks the protocol; this module decides, as a real server would,
what it accepts. The answers a sender can get (RFC 5321, enhanced codes from RFC 3463):

    EHLO                SIZE <max>, 8BITMIME, SMTPUTF8, AUTH LOGIN PLAIN
    AUTH                235 accepted | 535 5.7.8 wrong credentials
    MAIL FROM           250 | 530 5.7.0 when credentials are set and the sender has not
                        authenticated | 552 when SIZE= is over the limit
    RCPT TO             250 | 553 5.1.3 an address that does not parse | 501 5.1.3 one that
                        parses but is no mailbox (no domain, a bad label) | 553 5.6.7 non-ASCII
                        without SMTPUTF8 | 550 5.1.1 a .invalid domain (RFC 2606: it never
                        has a mailbox) | 452 4.5.3 past the recipient limit
    DATA                250 queued as <id> | 552 past the size limit
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from countersign_mail_sandbox.mailbox import Mailbox
from countersign_mail_sandbox.messages import parse_message
from countersign_mail_sandbox.settings import MailSandboxSettings

__all__ = ["Reception", "open_smtp"]

log = logging.getLogger("countersign_mail_sandbox")

# A dot-atom local part (RFC 5322 3.2.3) or a quoted string, and a domain of LDH labels or an
# address literal. \w admits non-ASCII letters; whether they may be used is SMTPUTF8's call.
_LOCAL = r"(?:[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*|\"[^\"\r\n]*\")"
_LABEL = r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?)"
_DOMAIN = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\]|\[IPv6:[0-9A-Fa-f:.]+\])"
_ADDRESS = re.compile(rf"{_LOCAL}@{_DOMAIN}")


class Reception:
    """aiosmtpd's handler: its ``handle_*`` hooks answer MAIL, RCPT and DATA."""

    def __init__(self, settings: MailSandboxSettings, mailbox: Mailbox) -> None:
        self.settings = settings
        self.mailbox = mailbox

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not self.settings.requires_auth:
            return AuthResult(success=True)
        assert self.settings.smtp_user is not None and self.settings.smtp_password is not None
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = self.settings.smtp_user.encode()
        password = self.settings.smtp_password.get_secret_value().encode()
        # Both compared, always, in constant time: no answer tells which of the two was wrong.
        right = hmac.compare_digest(data.login, user) & hmac.compare_digest(data.password, password)
        return AuthResult(success=bool(right), handled=False)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.settings.requires_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if not _ADDRESS.fullmatch(address) or len(address.split("@")[0]) > 64:
            return f"501 5.1.3 Bad recipient address syntax: <{address}>"
        if not address.isascii() and not envelope.smtp_utf8:
            return "553 5.6.7 A non-ASCII address needs MAIL FROM with SMTPUTF8"
        if address.rsplit("@", 1)[1].lower().rstrip(".").endswith(".invalid"):
            return f"550 5.1.1 <{address}>: no such mailbox"
        if len(envelope.rcpt_tos) >= self.settings.max_recipients:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = parse_message(raw, envelope.mail_from or "", list(envelope.rcpt_tos))
        self.mailbox.add(message)
        log.info("received %s from %s for %s", message.id, message.mail_from, message.rcpt_to)
        return f"250 2.0.0 OK: queued as {message.id}"


async def open_smtp(settings: MailSandboxSettings, mailbox: Mailbox) -> asyncio.Server:
    """Starts listening for SMTP on the running loop; close the server to stop."""
    loop = asyncio.get_running_loop()
    reception = Reception(settings, mailbox)

    def protocol() -> SMTP:
        return SMTP(
            reception,
            data_size_limit=settings.max_message_bytes,
            enable_SMTPUTF8=True,
            hostname=settings.hostname,
            ident="Countersign mail sandbox",
            # Loopback, no TLS: AUTH is offered in the clear, as a local relay's would be.
            auth_require_tls=False,
            authenticator=reception.authenticate,
            loop=loop,
        )

    return await loop.create_server(protocol, settings.smtp_host, settings.smtp_port)
