"""The web app's settings (``WEB_…``). It needs approval's address and its client credential
there, the keys that seal its cookies, a mail server for sign-in links, and optionally an
OpenID Connect provider ("Sign in with Xero")."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["WebSettings"]


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore")

    http_host: str = "0.0.0.0"
    http_port: int = 8084
    log_level: str = "INFO"
    public_url: str = Field(
        default="http://127.0.0.1:8084",
        description="the address people use (links in e-mails, OpenID Connect redirect)",
    )
    approval_url: str = Field(default="http://127.0.0.1:8082")
    ingest_url: str = Field(
        default="http://127.0.0.1:8081", description="originals and Dext credentials come from it"
    )
    publisher_url: str = Field(
        default="http://127.0.0.1:8083", description="the Xero connection is managed there"
    )
    client_name: str = Field(default="web", description="this app's name in APPROVAL_CLIENTS")
    client_secret: SecretStr = Field(description="this app's secret in APPROVAL_CLIENTS")
    cookie_keys: SecretStr = Field(
        description="keys that seal the cookies: 'id:base64(32 bytes)[,…]', the first seals"
    )
    secure_cookies: bool = Field(
        default=True, description="cookies only over HTTPS (turn off only on a loopback stack)"
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_require_tls: bool = False
    mail_from: str = "Countersign <no-reply@countersign.invalid>"
    oidc_issuer: str | None = Field(default=None, description="e.g. Xero's identity service")
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_name: str = Field(default="Xero", description="shown on the button: Sign in with …")
