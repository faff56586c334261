"""Faults a test injects into Accounting calls: a 5xx from the front door, added latency, a
request held then cut without an answer, or an answer lost after the write committed; and into
webhook deliveries: one lost (never sent), duplicated (sent twice) or delayed (``seconds`` of
sandbox time, while later deliveries go first). A webhook rule's ``path`` matches the
webhook's URL."""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.types import Send

from countersign_xero_sandbox.model import new_id

__all__ = [
    "ACCOUNTING_KINDS",
    "WEBHOOK_KINDS",
    "FaultBook",
    "FaultRule",
    "FaultSpecError",
    "cut",
    "hold",
]

ACCOUNTING_KINDS = frozenset({"error", "latency", "timeout", "drop_after_commit"})
WEBHOOK_KINDS = frozenset({"webhook_lost", "webhook_duplicate", "webhook_delay"})
KINDS = ACCOUNTING_KINDS | WEBHOOK_KINDS


class FaultSpecError(ValueError):
    pass


@dataclass
class FaultRule:
    fault: str
    method: str | None = None
    path: str | None = None
    tenant_id: str | None = None
    count: int | None = None
    rate: float = 1.0
    status: int = 503
    latency_ms: int = 0
    seconds: float = 30.0
    fault_id: str = field(default_factory=new_id)
    injected: int = 0

    @classmethod
    def from_json(cls, body: Any) -> FaultRule:
        if not isinstance(body, dict) or body.get("fault") not in KINDS:
            raise FaultSpecError(f"fault must be one of {sorted(KINDS)}")
        allowed = {
            "fault",
            "method",
            "path",
            "tenant_id",
            "count",
            "rate",
            "status",
            "latency_ms",
            "seconds",
        }
        unknown = set(body) - allowed
        if unknown:
            raise FaultSpecError(f"unknown fault fields: {sorted(unknown)}")
        try:
            rule = cls(**body)
            if rule.path is not None:
                re.compile(rule.path)
        except (TypeError, re.error) as exc:
            raise FaultSpecError(str(exc)) from exc
        if rule.fault == "error" and not 500 <= rule.status <= 599:
            raise FaultSpecError("an error fault answers a 5xx status")
        return rule

    def matches(self, method: str, path: str, tenant_id: str) -> bool:
        return (
            (self.count is None or self.count > 0)
            and (self.method is None or self.method.upper() == method)
            and (self.path is None or re.search(self.path, path) is not None)
            and (self.tenant_id is None or self.tenant_id == tenant_id)
        )

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "remaining": self.count}


class FaultBook:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self.rules: list[FaultRule] = []
        self.injected = 0

    def add(self, rule: FaultRule) -> None:
        self.rules.append(rule)

    def clear(self) -> None:
        self.rules.clear()

    def draw(
        self, method: str, path: str, tenant_id: str, kinds: frozenset[str] = ACCOUNTING_KINDS
    ) -> list[FaultRule]:
        """Every rule of ``kinds`` that fires for this call (a latency rule may combine with
        another)."""
        fired = []
        for rule in self.rules:
            if rule.fault not in kinds or not rule.matches(method, path, tenant_id):
                continue
            if self._random.random() < rule.rate:
                if rule.count is not None:
                    rule.count -= 1
                rule.injected += 1
                self.injected += 1
                fired.append(rule)
        return fired


async def hold(request: Request, seconds: float) -> None:
    """Keeps the request open ``seconds`` (real) or until the client gives up (``timeout``)."""

    async def until_disconnect() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(until_disconnect(), seconds)


async def cut(send: Send) -> None:
    """Sends a status line promising a body, then ends the exchange: the server closes the
    connection and the client sees a broken answer."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
        }
    )
