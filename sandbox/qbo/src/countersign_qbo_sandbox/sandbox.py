"""Everything the sandbox holds, in one place: realms, OAuth state, limits, faults, the
requestid memory, webhooks.
``reset`` returns it to a fresh start."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from countersign_xero_sandbox.clock import SandboxClock
from countersign_xero_sandbox.faults import FaultBook
from countersign_xero_sandbox.idempotency import IdempotencyStore
from countersign_xero_sandbox.sandbox import Stats
from starlette.datastructures import Headers, QueryParams

from countersign_qbo_sandbox.limits import LimitConfig, RateLimiter
from countersign_qbo_sandbox.model import Realm
from countersign_qbo_sandbox.oauth import OAuthStore
from countersign_qbo_sandbox.settings import SandboxSettings
from countersign_qbo_sandbox.webhook_sender import WebhookSender
from countersign_qbo_sandbox.webhooks import WebhookBook

__all__ = ["API_PREFIX", "Call", "Sandbox"]

API_PREFIX = "/v3/company"
FIRST_REALM_ID = 9341453000000000


class Sandbox:
    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.clock = SandboxClock(settings.time_scale)
        # Signs the temporary download URLs; kept across resets.
        self.file_secret = secrets.token_bytes(32)
        self.sender = WebhookSender(self)
        self.reset()

    def default_limits(self) -> LimitConfig:
        s = self.settings
        return LimitConfig(
            s.limits_enabled,
            s.minute_limit,
            s.concurrent_limit,
            s.batch_minute_limit,
            s.batch_max_items,
        )

    def reset(self) -> None:
        s = self.settings
        self.realms: dict[str, Realm] = {}
        self.oauth = OAuthStore(
            self.clock,
            s.access_token_ttl_s,
            s.refresh_rotate_s,
            s.refresh_token_ttl_s,
            s.authorization_code_ttl_s,
        )
        self.limiter = RateLimiter(self.clock, self.default_limits())
        self.faults = FaultBook(s.seed)
        # requestid → the first answer, per realm (the Xero sandbox's Idempotency-Key memory).
        self.request_ids = IdempotencyStore(self.clock, s.requestid_ttl_s)
        self.webhooks = WebhookBook(s.seed)
        self.stats = Stats()
        self._realm_counter = FIRST_REALM_ID + s.seed * 1000

    def changed(self, realm: Realm) -> None:
        """After a call on ``realm``: its new changes go to the webhook sender."""
        if self.webhooks.notice(realm):
            self.sender.kick()

    def new_realm_id(self) -> str:
        self._realm_counter += 1
        return str(self._realm_counter)


@dataclass
class Call:
    """One admitted Accounting call, as an entity handler sees it."""

    sandbox: Sandbox
    realm: Realm
    method: str
    entity: str  # the path segment after the realm, lower case ("bill", "query", "upload")
    entity_id: str | None
    query: QueryParams
    headers: Headers
    body: bytes
    now: datetime
    extra: dict[str, Any] = field(default_factory=dict)
