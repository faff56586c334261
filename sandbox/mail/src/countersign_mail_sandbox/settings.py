"""Environment settings of the mail sandbox (prefix ``MAIL_SANDBOX_``)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["MailSandboxSettings"]


class MailSandboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAIL_SANDBOX_", extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8093
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    # Set both and every sender must AUTH (PLAIN or LOGIN) with them before MAIL FROM; unset,
    # any credentials are taken, so a sender configured with some still works.
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    # The SIZE the server advertises in EHLO; a larger message is refused with 552.
    max_message_bytes: int = 10 * 1024 * 1024
    # RFC 5321 4.5.3.1.8: a server must take at least 100 recipients; more get 452.
    max_recipients: int = 100
    # The mailbox keeps the newest messages within both bounds and drops the oldest.
    max_messages: int = 2000
    max_stored_bytes: int = 200 * 1024 * 1024
    hostname: str = "mail-sandbox.localhost"

    @property
    def requires_auth(self) -> bool:
        return bool(self.smtp_user) and self.smtp_password is not None
