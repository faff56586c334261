"""The webhook delivery loop both sandboxes send with (Xero's here, QBO's in its own package):
lanes, the tick, faults, the signed POST and the retry bookkeeping. What differs per sandbox
(where a delivery goes, the signature header and key, the payload, which answers acknowledge,
the retry schedule, when to give up) is the subclass's.

    a tick (woken when events are queued or a delivery ends, else when the next retry is due)
      ─▶ new deliveries for idle lanes (the book) ─▶ each due one in a task of its own:
         faults, on its first try only: webhook_lost (never sent), webhook_duplicate (sent
         twice), webhook_delay (held ``seconds`` of sandbox time; later deliveries of its lane
         go first)
         ─▶ POST, signed ─▶ acknowledged: delivered; else ``retry_gap`` later (sandbox
         seconds), or abandoned when ``give_up`` says so

    signature = base64(HMAC-SHA256(key, raw body)), in the sandbox's own header
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import httpx

from countersign_xero_sandbox.clock import SandboxClock
from countersign_xero_sandbox.faults import WEBHOOK_KINDS, FaultBook

__all__ = ["DeliveryLanes", "DeliveryLoop", "DeliveryState", "Endpoint", "sign"]

# One verifying TLS context for every delivery: httpx builds one per client otherwise, reading
# the whole CA bundle (about 30 ms of CPU) each time.
_tls = functools.cache(httpx.create_ssl_context)


def sign(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


@dataclass(kw_only=True)
class DeliveryState:
    """What the loop keeps of one delivery; a sandbox's delivery adds whom and what."""

    # pending → delivered | lost (a fault, or no endpoint) | abandoned (given up)
    state: str = "pending"
    due_at: float = 0.0  # sandbox seconds
    first_tried_at: float | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    in_lane: bool = True  # False once a delay fault let later deliveries of its lane go first
    in_flight: bool = False

    @property
    def lane(self) -> tuple[str, str]:
        """(endpoint id, tenant or realm id): a lane's deliveries go out one after the other."""
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        raise NotImplementedError

    def waits(self) -> bool:
        return self.state == "pending" and not self.in_flight


D = TypeVar("D", bound=DeliveryState)


class DeliveryLanes(Generic[D]):
    """A book's deliveries by lane (mixed into each sandbox's webhook book)."""

    deliveries: list[D]

    def _busy(self, lane: tuple[str, str]) -> bool:
        return any(d.state == "pending" and d.in_lane and d.lane == lane for d in self.deliveries)

    def due(self, now_s: float) -> list[D]:
        return [d for d in self.deliveries if d.waits() and d.due_at <= now_s]


class Endpoint(Protocol):
    @property
    def url(self) -> str: ...


class _Book(Protocol):
    @property
    def deliveries(self) -> list[Any]: ...

    def next_deliveries(self, now_s: float) -> Any: ...

    def due(self, now_s: float) -> list[Any]: ...


class _Settings(Protocol):
    @property
    def webhook_timeout_s(self) -> float: ...


class Host(Protocol):
    """What the loop reads of a sandbox (read each tick: a reset replaces them)."""

    @property
    def clock(self) -> SandboxClock: ...

    @property
    def faults(self) -> FaultBook: ...

    @property
    def settings(self) -> _Settings: ...

    @property
    def webhooks(self) -> _Book: ...


E = TypeVar("E", bound=Endpoint)


class DeliveryLoop(Generic[D, E]):
    SIGNATURE_HEADER: ClassVar[str]
    ORPHANED: ClassVar[str] = "abandoned"  # the state of a delivery whose endpoint is gone

    def __init__(self, host: Host) -> None:
        self.host = host
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._attempts: set[asyncio.Task[None]] = set()

    # what differs per sandbox -----------------------------------------------------------------

    def endpoint(self, delivery: D) -> E | None:
        raise NotImplementedError

    def key(self, endpoint: E) -> str:
        raise NotImplementedError

    def acknowledged(self, status: int) -> bool:
        raise NotImplementedError

    def retry_gap(self, failures: int) -> float:
        raise NotImplementedError

    def give_up(self, endpoint: E, delivery: D, now_s: float) -> bool:
        return False

    # the loop -------------------------------------------------------------------------------

    def kick(self) -> None:
        """Wakes the sender; started on first use, inside the server's event loop."""
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="webhooks")
        assert self._wake is not None
        self._wake.set()

    async def post(self, url: str, body: bytes, signature: str) -> httpx.Response:
        headers = {"Content-Type": "application/json", self.SIGNATURE_HEADER: signature}
        timeout = self.host.settings.webhook_timeout_s
        async with httpx.AsyncClient(timeout=timeout, verify=_tls()) as client:
            return await client.post(url, content=body, headers=headers)

    async def _run(self) -> None:
        assert self._wake is not None
        clock = self.host.clock
        while True:
            self._wake.clear()
            book = self.host.webhooks
            now = clock.seconds()
            book.next_deliveries(now)
            for delivery in book.due(now):
                delivery.in_flight = True
                task = asyncio.create_task(self._attempt(delivery))
                self._attempts.add(task)
                task.add_done_callback(self._attempts.discard)
            waiting = [d.due_at - now for d in book.deliveries if d.waits()]
            wait = clock.real_seconds(min(waiting)) if waiting else 1.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.005, min(wait, 1.0)))

    def _held_by_fault(self, endpoint: E, delivery: D) -> bool:
        """Applies the faults drawn for a first try; True when nothing is to be sent now."""
        faults = self.host.faults
        for rule in faults.draw("POST", endpoint.url, delivery.lane[1], WEBHOOK_KINDS):
            kind = rule.fault.removeprefix("webhook_")
            delivery.faults.append(kind)
            if kind == "lost":
                delivery.state = "lost"
                return True
            if kind == "delay":
                delivery.due_at = self.host.clock.seconds() + rule.seconds
                delivery.in_lane = False
        return "delay" in delivery.faults

    async def _attempt(self, delivery: D) -> None:
        try:
            endpoint = self.endpoint(delivery)
            if endpoint is None:
                delivery.state = self.ORPHANED
                return
            first = not delivery.attempts and not delivery.faults
            if first and self._held_by_fault(endpoint, delivery):
                return
            body = json.dumps(delivery.payload()).encode()
            times = 2 if "duplicate" in delivery.faults and not delivery.attempts else 1
            outcomes = [await self._send(endpoint, body) for _ in range(times)]
            delivery.attempts.extend(outcomes)
            self._settle(endpoint, delivery, outcomes[0])
        finally:
            delivery.in_flight = False
            if self._wake is not None:
                self._wake.set()

    async def _send(self, endpoint: E, body: bytes) -> dict[str, Any]:
        outcome: dict[str, Any] = {"at": self.host.clock.now().isoformat()}
        try:
            answer = await self.post(endpoint.url, body, sign(body, self.key(endpoint)))
        except httpx.HTTPError as exc:
            outcome.update(status=None, error=type(exc).__name__)
        else:
            outcome["status"] = answer.status_code
        return outcome

    def _settle(self, endpoint: E, delivery: D, outcome: dict[str, Any]) -> None:
        now = self.host.clock.seconds()
        if delivery.first_tried_at is None:
            delivery.first_tried_at = now
        status = outcome.get("status")
        if status is not None and self.acknowledged(status):
            delivery.state = "delivered"
            return
        if self.give_up(endpoint, delivery, now):
            delivery.state = "abandoned"
            return
        delivery.due_at = now + self.retry_gap(len(delivery.attempts))
