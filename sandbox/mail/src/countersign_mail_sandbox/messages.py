"""One received message, parsed once on arrival: the envelope, the headers a reader looks at,
the text and HTML parts and every http(s) link in them (a test follows the Approve button from
there), with the source kept byte for byte."""

from __future__ import annotations

import email
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import AddressHeader
from email.message import EmailMessage
from email.policy import default as default_policy
from html.parser import HTMLParser
from typing import Any

__all__ = ["Link", "Message", "parse_message"]

# An http(s) URL in running text, up to whitespace or a character that cannot end one there.
_URL = re.compile(r"https?://[^\s<>\"'\]\[)(]+", re.IGNORECASE)
_TRAILING = ".,;:!?"


@dataclass(frozen=True)
class Link:
    url: str
    text: str  # the anchor's text; empty for a URL written out in the text part


@dataclass(frozen=True)
class Message:
    id: str
    received_at: datetime
    mail_from: str  # the envelope's, as MAIL FROM gave it
    rcpt_to: tuple[str, ...]  # the envelope's: every recipient, Bcc included
    sender: str  # the From header, decoded
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    date: str
    message_id: str
    text: str | None
    html: str | None
    links: tuple[Link, ...]
    raw: bytes

    @property
    def size(self) -> int:
        return len(self.raw)

    def addressed_to(self, address: str) -> bool:
        wanted = address.strip().lower()
        return any(a.lower() == wanted for a in (*self.rcpt_to, *self.to, *self.cc))

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "received_at": self.received_at.isoformat(),
            "from": self.sender,
            "to": list(self.to),
            "cc": list(self.cc),
            "subject": self.subject,
            "date": self.date,
            "message_id": self.message_id,
            "envelope": {"mail_from": self.mail_from, "rcpt_to": list(self.rcpt_to)},
            "size": self.size,
            "text": self.text,
            "html": self.html,
            "links": [{"url": link.url, "text": link.text} for link in self.links],
        }


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or None
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            href = self._href.strip()
            if href.lower().startswith(("http://", "https://")):
                self.links.append(Link(href, " ".join("".join(self._text).split())))
            self._href = None


def _links(html: str | None, text: str | None) -> tuple[Link, ...]:
    found: list[Link] = []
    if html:
        anchors = _Anchors()
        anchors.feed(html)
        anchors.close()
        found += anchors.links
    if text:
        found += [Link(m.group().rstrip(_TRAILING), "") for m in _URL.finditer(text)]
    seen: set[str] = set()
    unique = []
    for link in found:
        if link.url not in seen:
            seen.add(link.url)
            unique.append(link)
    return tuple(unique)


def _readable(value: object) -> str:
    """Header bytes that are not ASCII come out of the parser as surrogates; RFC 6532 lets
    them be UTF-8, so read them as such."""
    return str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _part(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    try:
        content: str = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset: show what can be read
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content.replace("\r\n", "\n")


def _addresses(message: EmailMessage, name: str) -> tuple[str, ...]:
    header = message[name]
    if isinstance(header, AddressHeader):
        return tuple(_readable(a.addr_spec) for a in header.addresses)
    return ()


def parse_message(raw: bytes, mail_from: str, rcpt_to: list[str]) -> Message:
    parsed = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    text, html = _part(parsed, "plain"), _part(parsed, "html")
    return Message(
        id=uuid.uuid4().hex[:16],
        received_at=datetime.now(UTC),
        mail_from=mail_from,
        rcpt_to=tuple(rcpt_to),
        sender=_readable(parsed.get("From", "")),
        to=_addresses(parsed, "To"),
        cc=_addresses(parsed, "Cc"),
        # A subject too long for the first line is folded right after "Subject:"; unfolded,
        # the parser keeps the fold's space, which no mail client shows (RFC 5322 §2.2.3).
        subject=_readable(parsed.get("Subject", "")).strip(),
        date=_readable(parsed.get("Date", "")),
        message_id=_readable(parsed.get("Message-ID", "")),
        text=text,
        html=html,
        links=_links(html, text),
        raw=raw,
    )
