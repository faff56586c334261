"""Environment settings of the sandbox (prefix ``QBO_SANDBOX_``)."""

from __future__ import annotations

from countersign_xero_sandbox.settings import CommonSandboxSettings
from pydantic_settings import SettingsConfigDict

__all__ = ["SandboxSettings"]


class SandboxSettings(CommonSandboxSettings):
    """The Xero sandbox's common settings (host, port, clock, recording, seed) and Intuit's."""

    model_config = SettingsConfigDict(env_prefix="QBO_SANDBOX_", extra="ignore")

    http_port: int = 8094
    minute_limit: int = 500  # requests per realm per minute
    concurrent_limit: int = 10  # requests in flight per realm
    batch_minute_limit: int = 40  # batch requests per realm per minute
    batch_max_items: int = 30
    access_token_ttl_s: float = 3600.0
    # A refresh within this age of the refresh token returns the same one; later, a new one.
    refresh_rotate_s: float = 86400.0
    refresh_token_ttl_s: float = 8726400.0
    authorization_code_ttl_s: float = 600.0
    # How long a realm remembers a requestid's answer (sandbox seconds). Intuit documents no
    # retention: a day is inferred; after it the same requestid runs the call again.
    requestid_ttl_s: float = 86400.0
    # Webhook deliveries: how long a receiver has to answer (real seconds; Intuit: 3 s).
    webhook_timeout_s: float = 3.0
