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

    @field_validator("signing_keys", mode="after")
    @classmethod
    def _blank_keys_are_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None or not value.get_secret_value().strip() else value
