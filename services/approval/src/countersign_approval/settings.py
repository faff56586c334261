from countersign_platform.settings import ServiceSettings
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

__all__ = ["ApprovalSettings"]


class ApprovalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="APPROVAL_", extra="ignore")

    http_port: int = 8082
    # Cost items arriving for approval are a hop people wait on: the broker answers a fetch
    # the moment a record is there (ADR 0042).
    consumer_fetch_min_bytes: int = Field(default=1, ge=1)
    consumer_fetch_max_wait_ms: int = Field(default=500, ge=0, le=5000)
    # How often overdue steps are looked for: a reminder comes at most this late.
    reminder_interval_s: float = Field(default=60.0, gt=0)
    workflow_hour_s: float = Field(
        default=3600.0,
        gt=0,
        description="how long a workflow hour lasts (step deadlines, their reminders,"
        " escalation delays): 3600 always in production; shorter for demos and tests only",
    )

    # Access tokens (ADR 0044): approval signs them, every service checks them.
    signing_keys: SecretStr | None = Field(
        default=None,
        description="Ed25519 keys that sign access tokens: 'kid:base64url-seed[,kid:seed…]', "
        "the first signs, all are published; unset: no access tokens are issued",
    )
    access_token_ttl_s: int = Field(
        default=900,
        ge=60,
        le=3600,
        description="how long an access token lasts: also how long a removed user keeps "
        "access to the other services",
    )

    # People signing in through the web app (ADR 0048).
    clients: SecretStr | None = Field(
        default=None,
        description="the services that may ask for sign-in links, sessions and action grants"
        " (the web app, the notifier): 'name:sha256-hex-of-secret[,…]'; unset: none may",
    )
    sign_in_code_ttl_s: int = Field(default=900, ge=60, le=3600)
    sign_in_links_per_window: int = Field(
        default=5,
        ge=1,
        description="at most this many sign-in links per person within a link's lifetime:"
        " more asks send nothing (the answer stays the same, so nobody learns who is a user)",
    )
    session_idle_s: int = Field(
        default=7200, ge=300, description="a session unused this long has ended"
    )
    session_max_s: int = Field(
        default=43200, ge=600, le=7 * 86400, description="a session ends this long after sign-in"
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="the OpenID Connect provider people may sign in with (its issuer URL;"
        " discovery at <issuer>/.well-known/openid-configuration); unset: none",
    )
    oidc_client_id: str | None = Field(
        default=None, description="the web app's client id at that provider (the ID tokens' aud)"
    )

    @field_validator("signing_keys", "clients", mode="after")
    @classmethod
    def _blank_keys_are_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None or not value.get_secret_value().strip() else value
