"""Environment settings of the sandbox (prefix ``XERO_SANDBOX_``)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["CommonSandboxSettings", "SandboxSettings"]


class CommonSandboxSettings(BaseSettings):
    """What every accounting sandbox is told alike (the QBO sandbox's settings extend it too)."""

    model_config = SettingsConfigDict(extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8092
    public_url: str | None = None
    # Sandbox seconds per real second: 60 turns a sandbox minute into one real second.
    time_scale: float = 1.0
    limits_enabled: bool = True
    record: str | None = None
    # A directory: each sandbox instance (process or in-process server) records into a file of
    # its own there. `make test` sets it so the fidelity net sees every instance's traffic.
    record_dir: str | None = None
    seed: int = 0
    # Webhook deliveries: how long a receiver has to answer, real seconds.
    webhook_timeout_s: float = 5.0

    @property
    def base_url(self) -> str:
        """The root clients call (the Xero sandbox's OpenID Connect issuer, ``iss``)."""
        return (self.public_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")


class SandboxSettings(CommonSandboxSettings):
    model_config = SettingsConfigDict(env_prefix="XERO_SANDBOX_", extra="ignore")

    # Where a browser reaches the login and consent pages, when not at public_url (compose: the
    # services call http://xero-sandbox:8092, a person's browser 127.0.0.1:8092), as Xero serves
    # them from login.xero.com beside identity.xero.com.
    login_url: str | None = None
    # An RSA private key (PEM) to sign tokens with; by default one is generated at start.
    signing_key: str | None = None
    minute_limit: int = 60
    day_limit: int = 5000
    concurrent_limit: int = 5
    app_minute_limit: int = 10000
    access_token_ttl_s: float = 1800.0
    refresh_grace_s: float = 1800.0
    idempotency_ttl_s: float = 360.0
    max_attachments: int = 10
    max_attachment_bytes: int = 10_000_000  # "10 MB", read strictly (docs/xero-sandbox.md)
    # Webhook deliveries (docs/xero-sandbox.md, Webhooks): the first retry's wait in sandbox
    # seconds (doubling, at most an hour).
    webhook_retry_s: float = 60.0

    @property
    def login_base_url(self) -> str:
        return (self.login_url or self.base_url).rstrip("/")
