"""Hand-written stand-ins for the database, the producer and approval's published key set in
the platform's unit tests: only the methods the platform calls, and a record of what it did
with them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

Statement = tuple[str, tuple[Any, ...]]

BEGIN, COMMIT, ROLLBACK = "BEGIN", "COMMIT", "ROLLBACK"


class FakeDatabase:
    """A pool (``acquire``) and its connections over an in-memory database.

    What a transaction writes is kept only when it commits: its statements join ``committed``
    and its inbox rows ``inbox``. ``journal`` lists every statement and BEGIN / COMMIT /
    ROLLBACK in order. ``fetch`` and ``fetchval`` answer from ``answers``: the value of the
    first key (in insertion order) that the query's text contains. ``outages`` acquisitions
    are refused as a database that is down refuses them.
    """

    def __init__(self, answers: Mapping[str, Any] | None = None) -> None:
        self.answers = dict(answers or {})
        self.inbox: set[tuple[Any, ...]] = set()
        self.committed: list[Statement] = []
        self.journal: list[Statement] = []
        self.outages = 0
        self.acquisitions = 0
        self.closed = 0

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[FakeConnection]:
        self.acquisitions += 1
        if self.outages:
            self.outages -= 1
            raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")
        yield FakeConnection(self)

    def connect(self) -> FakeConnection:
        """A connection of its own, as ``asyncpg.connect`` returns."""
        return FakeConnection(self)

    @property
    def steps(self) -> list[str]:
        """The journal, each statement shortened to its first three words."""
        return [" ".join(query.split()[:3]) for query, _args in self.journal]

    def written(self, table: str) -> list[tuple[Any, ...]]:
        """The arguments of the committed statements that insert into ``table``."""
        return [args for query, args in self.committed if query.startswith(f"INSERT INTO {table}")]


class FakeConnection:
    def __init__(self, database: FakeDatabase) -> None:
        self._db = database
        self._pending: list[Statement] | None = None
        self._pending_inbox: set[tuple[Any, ...]] = set()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        self._db.journal.append((BEGIN, ()))
        self._pending, self._pending_inbox = [], set()
        try:
            yield
        except BaseException:
            self._db.journal.append((ROLLBACK, ()))
            raise
        else:
            self._db.committed.extend(self._pending)
            self._db.inbox |= self._pending_inbox
            self._db.journal.append((COMMIT, ()))
        finally:
            self._pending, self._pending_inbox = None, set()

    async def execute(self, query: str, *args: Any) -> str:
        self._db.journal.append((query, args))
        if query.startswith("INSERT INTO inbox"):
            # ON CONFLICT DO NOTHING on (consumer_group, event_id): "INSERT 0 0" when present.
            key = args[:2]
            if key in self._db.inbox or key in self._pending_inbox:
                return "INSERT 0 0"
            self._pending_inbox.add(key)
            return "INSERT 0 1"
        if self._pending is None:
            self._db.committed.append((query, args))
        else:
            self._pending.append((query, args))
        return "OK"

    async def fetch(self, query: str, *args: Any) -> Any:
        return self._answer(query, args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        return self._answer(query, args)

    async def close(self) -> None:
        self._db.closed += 1

    def _answer(self, query: str, args: tuple[Any, ...]) -> Any:
        self._db.journal.append((query, args))
        for fragment, answer in self._db.answers.items():
            if fragment in query:
                return answer
        raise AssertionError(f"no answer for {query!r}")


@dataclass(frozen=True)
class Sent:
    topic: str
    key: bytes
    value: bytes
    headers: Mapping[str, str]


@dataclass
class FakeProducer:
    """Records each send; its acknowledgement fails with ``refusal`` when one is set. Given a
    database's ``journal``, notes each send and acknowledgement there too (SEND, ACK)."""

    refusal: Exception | None = None
    journal: list[Statement] | None = None
    sent: list[Sent] = field(default_factory=list)
    acknowledged: list[Sent] = field(default_factory=list)

    async def send(
        self, topic: str, key: bytes, value: bytes, headers: Mapping[str, str]
    ) -> Awaitable[object]:
        record = Sent(topic, key, value, dict(headers))
        self.sent.append(record)
        self._note("SEND", record)
        return self._acknowledge(record)

    async def _acknowledge(self, record: Sent) -> object:
        if self.refusal is not None:
            raise self.refusal
        self.acknowledged.append(record)
        self._note("ACK", record)
        return None

    def _note(self, what: str, record: Sent) -> None:
        if self.journal is not None:
            self.journal.append((what, (record.topic, record.key)))


@dataclass
class FakeClock:
    """``time.monotonic`` that moves only when told to."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class KeySetEndpoint:
    """Approval's ``/.well-known/jwks.json`` behind an ``httpx.MockTransport``: serves
    ``document`` (or fails as ``failure`` says: a status code, or an exception to raise) and
    counts the requests."""

    document: Any = field(default_factory=lambda: {"keys": []})
    failure: int | Exception | None = None
    requests: int = 0
    url: str = "http://approval.test/.well-known/jwks.json"

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        assert str(request.url) == self.url
        if isinstance(self.failure, Exception):
            raise self.failure
        if self.failure is not None:
            return httpx.Response(self.failure, text="unavailable")
        return httpx.Response(200, json=self.document)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self._answer))
