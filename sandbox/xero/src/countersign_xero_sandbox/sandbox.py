"""Everything the sandbox holds, in one place: tenants, identity (apps, tokens, connections),
the login side (users, sessions, pending authorisations), limits, idempotency memory, faults
and the call statistics. ``reset`` returns it to a fresh start; the token signing key stays."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response

from countersign_xero_sandbox.amounts import unit_dp
from countersign_xero_sandbox.clock import SandboxClock
from countersign_xero_sandbox.consent import Consent
from countersign_xero_sandbox.faults import FaultBook
from countersign_xero_sandbox.id_tokens import TokenMinter
from countersign_xero_sandbox.idempotency import IdempotencyStore
from countersign_xero_sandbox.identity import Identity
from countersign_xero_sandbox.limits import LimitConfig, RateLimiter
from countersign_xero_sandbox.model import Tenant
from countersign_xero_sandbox.settings import SandboxSettings
from countersign_xero_sandbox.signing import SigningKey
from countersign_xero_sandbox.webhooks import Snapshot, WebhookBook
from countersign_xero_sandbox.wire import loads, post_data_invalid

__all__ = ["ACCOUNTING_PREFIX", "Call", "CallError", "Sandbox"]

ACCOUNTING_PREFIX = "/api.xro/2.0"


@dataclass
class Stats:
    calls: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)


class Sandbox:
    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.clock = SandboxClock(settings.time_scale)
        # Kept across resets: a client that fetched the key set once still verifies.
        key = SigningKey.from_pem(settings.signing_key) if settings.signing_key else None
        self.tokens = TokenMinter(key or SigningKey.generate(), settings.base_url)
        # Set by the composition root to the webhook sender's wake-up.
        self.wake_webhooks: Callable[[], None] = lambda: None
        self.reset()

    def default_limits(self) -> LimitConfig:
        s = self.settings
        return LimitConfig(
            s.limits_enabled, s.minute_limit, s.day_limit, s.concurrent_limit, s.app_minute_limit
        )

    def reset(self) -> None:
        s = self.settings
        self.tenants: dict[str, Tenant] = {}
        self.identity = Identity(self.clock, s.access_token_ttl_s, s.refresh_grace_s, self.tokens)
        self.consent = Consent(self.clock)
        self.limiter = RateLimiter(self.clock, self.default_limits())
        self.idempotency = IdempotencyStore(self.clock, s.idempotency_ttl_s)
        self.faults = FaultBook(s.seed)
        self.webhooks = WebhookBook(s.seed)
        self.stats = Stats()

    def accounting_url(self, suffix: str) -> str:
        return f"{self.settings.base_url}{ACCOUNTING_PREFIX}{suffix}"

    def changed(self, tenant: Tenant, before: Snapshot | None) -> None:
        """After a write: its creates and updates become webhook events (``before`` from
        ``self.webhooks.watch``; None when no webhook could hear of them)."""
        if before is None:
            return
        connections = self.identity.connections
        now = self.clock.now()
        if self.webhooks.notice(tenant, before, connections, self.accounting_url, now):
            self.wake_webhooks()


class CallError(Exception):
    """Stops a handler with a ready Xero answer (bad JSON, bad filter, not found…)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass
class Call:
    """One authenticated Accounting call, as a resource handler sees it."""

    sandbox: Sandbox
    tenant: Tenant
    method: str
    path: str
    params: dict[str, str]
    query: QueryParams
    headers: Headers
    body: bytes
    now: datetime

    def json_body(self) -> Any:
        try:
            return loads(self.body)
        except ValueError as exc:
            raise CallError(
                post_data_invalid(f"The request body is not valid JSON: {exc}")
            ) from exc

    @property
    def unit_places(self) -> int:
        """Decimal places of UnitAmount for this request (``unitdp=4`` opts in to four)."""
        return unit_dp(self.query.get("unitdp"))

    @property
    def summarize_errors(self) -> bool:
        return self.query.get("summarizeErrors", "true").lower() != "false"
