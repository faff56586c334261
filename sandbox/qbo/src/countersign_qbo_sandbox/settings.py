"""Environment settings of the sandbox (prefix ``QBO_SANDBOX_``)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["SandboxSettings"]


class SandboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QBO_SANDBOX_", extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8094
    public_url: str | None = None
    # Sandbox seconds per real second: 60 turns a sandbox minute into one real second.
    time_scale: float = 1.0
    limits_enabled: bool = True
    minute_limit: int = 500  # requests per realm per minute
    concurrent_limit: int = 10  # requests in flight per realm
    batch_minute_limit: int = 40  # batch requests per realm per minute
    batch_max_items: int = 30
    access_token_ttl_s: float = 3600.0
    # A refresh within this age of the refresh token returns the same one; later, a new one.
    refresh_rotate_s: float = 86400.0
    refresh_token_ttl_s: float = 8726400.0
    authorization_code_ttl_s: float = 600.0
    record: str | None = None
    # A directory: each instance records into a file of its own there (as the Xero sandbox).
    record_dir: str | None = None
    seed: int = 0
    # Webhook deliveries: how long a receiver has to answer (real seconds).
    webhook_timeout_s: float = 3.0

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")
