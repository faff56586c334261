"""Xero's Idempotency-Key memory: per app, for ``ttl_s`` sandbox seconds from the first call.
The same key with the same method, URL and body replays the first answer (errors included);
the same key with anything else is refused. A request arriving while the first with its key is
still being served waits for that answer. The QBO sandbox keeps its ``requestid`` memory here
too: per realm, under one fingerprint for every call (a repeat replays whatever it sends)."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field

from countersign_xero_sandbox.clock import SandboxClock

__all__ = ["Conflict", "IdempotencyStore", "Proceed", "Replay", "StoredAnswer", "fingerprint"]

MAX_KEY_LENGTH = 128


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class _Entry:
    fingerprint: str
    stored_at: float
    answer: StoredAnswer | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True)
class Replay:
    answer: StoredAnswer


@dataclass(frozen=True)
class Conflict:
    pass


@dataclass(frozen=True)
class Proceed:
    slot: tuple[str, str]


def fingerprint(method: str, url: str, body: bytes) -> str:
    return hashlib.sha256(f"{method} {url}\n".encode() + body).hexdigest()


class IdempotencyStore:
    def __init__(self, clock: SandboxClock, ttl_s: float) -> None:
        self.clock = clock
        self.ttl_s = ttl_s
        self._entries: dict[tuple[str, str], _Entry] = {}
        self.replays = 0

    async def begin(self, client_id: str, key: str, print_: str) -> Replay | Conflict | Proceed:
        slot = (client_id, key)
        while True:
            entry = self._entries.get(slot)
            if entry is not None and self.clock.seconds() - entry.stored_at >= self.ttl_s:
                entry = None
            if entry is None:
                self._entries[slot] = _Entry(print_, self.clock.seconds())
                return Proceed(slot)
            if entry.fingerprint != print_:
                return Conflict()
            if entry.answer is not None:
                self.replays += 1
                return Replay(entry.answer)
            await entry.done.wait()

    def finish(self, slot: tuple[str, str], answer: StoredAnswer) -> None:
        entry = self._entries[slot]
        entry.answer = answer
        entry.done.set()

    def abandon(self, slot: tuple[str, str]) -> None:
        """Nothing reached the API (an injected front-door fault): forget the key."""
        entry = self._entries.pop(slot, None)
        if entry is not None:
            entry.done.set()

    def forget(self, owner: str | None = None) -> int:
        """Forgets every answered key (``owner``: only those of that app or realm) now, as if
        its memory had expired; a call still being served keeps its key until it is answered.
        How many were forgotten."""
        gone = [
            slot
            for slot, entry in self._entries.items()
            if entry.answer is not None and (owner is None or slot[0] == owner)
        ]
        for slot in gone:
            del self._entries[slot]
        return len(gone)

    def clear(self) -> None:
        self._entries.clear()
        self.replays = 0
