"""Sends the recorded mails, after the commit that recorded them.

    woken: by the NOTIFY of a mail recorded (migration 0001), when that transaction commits;
           else every ``poll_interval_s`` (a missed notification, a retry whose wait is over)
    pass:  claim due mails under a lease ─▶ for each, side by side:
             with buttons: ask approval for the person's grant ─▶ 409: ``skipped``
             render ─▶ SMTP ─▶ ``sent``
           a failure (approval or SMTP away) puts it back for a later try, ``failed`` after
           ``max_attempts``

A crash after the SMTP server took a mail and before it was marked sent sends it again once
the lease runs out: at least once, as SMTP itself is (a server may also deliver twice). A
crash anywhere else sends it exactly once. Each try asks for a fresh grant; one that went into
no delivered mail is never shown to anyone and expires unused.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from uuid import UUID

import asyncpg
from countersign_platform.loops import BackgroundLoop, Connect
from countersign_platform.mail import MailNotSent

from countersign_notifier.adapters.approval import Grant, GrantsUnavailable
from countersign_notifier.db.mail import ClaimedMail, MailLog
from countersign_notifier.domain.mail import MailKind
from countersign_notifier.domain.retries import RetryPolicy
from countersign_notifier.domain.texts import Links, render

__all__ = ["Grants", "MailSender", "Mailer", "SenderConfig"]

log = logging.getLogger(__name__)


class Grants(Protocol):
    async def grant(
        self, organisation_id: UUID, request_id: UUID, user_id: UUID
    ) -> Grant | None: ...


class Mailer(Protocol):
    def message(
        self, to: str, subject: str, text: str, html: str | None = None
    ) -> EmailMessage: ...

    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SenderConfig:
    web_url: str  # the web app's public address: the links' base
    retries: RetryPolicy
    batch_size: int
    lease_s: float
    poll_interval_s: float


class MailSender:
    def __init__(
        self,
        pool: asyncpg.Pool,
        grants: Grants,
        mailer: Mailer,
        config: SenderConfig,
        *,
        schema: str,
        connect: Connect,
    ) -> None:
        self._pool = pool
        self._grants = grants
        self._mailer = mailer
        self._config = config
        self._loop = BackgroundLoop(
            "mail-sender",
            self.run_pass,
            interval_s=config.poll_interval_s,
            channel=f"mail_{schema}",
            connect=connect,
        )

    async def start(self) -> None:
        await self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def run_pass(self) -> bool:
        """One claim's mails; True when there may be more due."""
        config = self._config
        claimed = await MailLog(self._pool).claim(config.batch_size, config.lease_s)
        await asyncio.gather(*(self._send(mail) for mail in claimed))
        return len(claimed) == config.batch_size

    async def _links(self, mail: ClaimedMail) -> Links | None:
        """The mail's links; None when its buttons are for a step that no longer awaits them."""
        base = self._config.web_url.rstrip("/")
        if mail.request_id is None:  # a digest, a connection alert, a note, an invitation
            if mail.kind is MailKind.DIGEST or mail.kind is MailKind.STANDING_IN:
                return Links(f"{base}/inbox", web=base, label="Open your inbox")
            if mail.kind is MailKind.INVITED:
                return Links(f"{base}/sign-in", web=base, label="Sign in to Countersign")
            if mail.kind is MailKind.BYPASSED:
                return Links(f"{base}/", web=base, label="Open Countersign")
            return Links(f"{base}/admin/connections", web=base, label="Open the connections")
        request = f"{base}/requests/{mail.request_id}"
        if not mail.kind.has_buttons or mail.user_id is None:
            return Links(request, web=base)
        grant = await self._grants.grant(mail.organisation_id, mail.request_id, mail.user_id)
        if grant is None or grant.step != mail.step_index:
            return None
        act = f"{base}/act/{grant.secret}?decision="
        return Links(request, act + "approve", act + "reject", grant.expires_at, web=base)

    async def _send(self, mail: ClaimedMail) -> None:
        outbox = MailLog(self._pool)
        try:
            links = await self._links(mail)
            if links is None:
                await outbox.finish(mail.id, "skipped", "no longer awaited at this step")
                _log(mail, "skipped: no longer awaited")
                return
            rendered = render(mail.kind, mail.facts, links)
            message = self._mailer.message(
                mail.recipient, rendered.subject, rendered.text, rendered.html
            )
            await self._mailer.send(message)
        except (GrantsUnavailable, MailNotSent) as failed:
            await self._failed(outbox, mail, str(failed))
            return
        await outbox.finish(mail.id, "sent")
        _log(mail, "sent")

    async def _failed(self, outbox: MailLog, mail: ClaimedMail, error: str) -> None:
        retries = self._config.retries
        if retries.gives_up(mail.attempts):
            await outbox.finish(mail.id, "failed", error)
            _log(mail, f"given up after {mail.attempts} tries: {error}", logging.ERROR)
            return
        wait_s = retries.wait_s(mail.attempts)
        await outbox.postpone(mail.id, wait_s, error)
        _log(
            mail, f"try {mail.attempts} failed ({error}); again in {wait_s:.1f} s", logging.WARNING
        )


def _log(mail: ClaimedMail, what: str, level: int = logging.INFO) -> None:
    log.log(
        level,
        "mail %d (%s, request %s, organisation %s): %s",
        mail.id, mail.kind.value, mail.request_id, mail.organisation_id, what,
    )  # fmt: skip
