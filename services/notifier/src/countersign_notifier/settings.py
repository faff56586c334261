"""The notifier's settings (``NOTIFIER_…``): the mail server, the web app's public address for
the links, approval's address and the notifier's client credential there, and the sender's
pace and retries."""

from __future__ import annotations

from countersign_platform.settings import ServiceSettings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

__all__ = ["NotifierSettings"]


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", extra="ignore")

    http_port: int = 8085
    # A mail people wait on: the broker answers a fetch the moment a record is there (ADR 0042).
    consumer_fetch_min_bytes: int = Field(default=1, ge=1)
    consumer_fetch_max_wait_ms: int = Field(default=500, ge=0, le=5000)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_require_tls: bool = False
    mail_from: str = "Countersign <no-reply@countersign.invalid>"
    web_url: str = Field(
        default="http://127.0.0.1:8084",
        description="the web app's public address: the request pages and buttons link there",
    )
    approval_url: str = Field(
        default="http://127.0.0.1:8082", description="where the buttons' grants are asked for"
    )
    client_name: str = Field(default="notifier", description="this service in APPROVAL_CLIENTS")
    client_secret: SecretStr = Field(
        default=SecretStr(""), description="this service's secret in APPROVAL_CLIENTS"
    )

    sender_enabled: bool = Field(default=True, description="off: mails are recorded, not sent")
    send_batch_size: int = Field(default=20, ge=1, description="mails claimed per pass")
    send_lease_s: float = Field(
        default=120.0, gt=0, description="a crashed sender's claimed mails wait this long"
    )
    send_poll_interval_s: float = Field(default=5.0, gt=0)
    send_max_attempts: int = Field(default=8, ge=1, description="tries before a mail is given up")
    send_backoff_s: float = Field(default=30.0, ge=0, description="first retry delay, doubled")
    send_max_backoff_s: float = Field(default=1800.0, ge=0)

    digest_enabled: bool = Field(default=True, description="off: no daily digest is recorded")
    digest_hour_utc: int = Field(
        default=7, ge=0, le=23, description="the daily digest goes out at or after this hour"
    )
    digest_poll_interval_s: float = Field(
        default=300.0, gt=0, description="how often the digest pass looks whether it is time"
    )
