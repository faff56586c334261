"""Settings read from the environment (pydantic-settings), nothing else.

The broker is shared by every service and its settings have no prefix
(``KAFKA_BOOTSTRAP_SERVERS``), so one ``.local/stack.env`` or one Kubernetes secret serves them
all. Everything that belongs to one service carries that service's prefix
(``INGEST_HTTP_PORT``, ``APPROVAL_CONSUMER_MAX_ATTEMPTS`` …), and so does its database: each
service logs in as its own Postgres role, which owns its schema and nothing else
(``INGEST_DATABASE_URL``, ``APPROVAL_DATABASE_URL`` …; ADR 0060).
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from countersign_platform.json_bodies import MAX_JSON_BODY_BYTES
from countersign_platform.kafka_security import KafkaSecurity

__all__ = [
    "InfrastructureSettings",
    "ServiceSettings",
    "database_url_from_env",
    "infrastructure_from_env",
]


class InfrastructureSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    kafka_bootstrap_servers: str = Field(
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
        description="comma-separated host:port list",
    )
    kafka_replication_factor: int = Field(
        default=1,
        ge=1,
        validation_alias=AliasChoices("KAFKA_REPLICATION_FACTOR", "kafka_replication_factor"),
        description="replication of the topics a service creates itself (its dead-letter topics)",
    )
    kafka_topic_prefix: str = Field(
        default="",
        validation_alias=AliasChoices("KAFKA_TOPIC_PREFIX", "kafka_topic_prefix"),
        description="prepended to every topic name, for clusters shared by several stacks",
    )
    # KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and KAFKA_SSL_* (kafka_security.py).
    kafka_security: KafkaSecurity = Field(default_factory=KafkaSecurity)


def infrastructure_from_env() -> InfrastructureSettings:
    return InfrastructureSettings()


class _Database(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    database_url: SecretStr


def database_url_from_env(prefix: str) -> SecretStr:
    """``<prefix>DATABASE_URL``, read the way a service with that ``env_prefix`` reads it: the
    migrations of each service use its own (``INGEST_``…); the administrator's has none."""
    return _Database(_env_prefix=prefix).database_url


class ServiceSettings(InfrastructureSettings):
    """What every service can tune; a service subclasses it and sets its own ``env_prefix``."""

    database_url: SecretStr = Field(
        description="<PREFIX>_DATABASE_URL: postgresql://role:password@host:port/database, "
        "logging in as the service's own role, the owner of its schema (ADR 0060)",
    )

    admin_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("COUNTERSIGN_ADMIN_TOKEN", "admin_token"),
        description="operator token for admin endpoints; unset disables them",
    )
    encryption_keys: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("ENCRYPTION_KEYS", "encryption_keys"),
        description="keyring for secrets at rest: 'id:base64key[,id:base64key…]', first is current",
    )
    document_link_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("DOCUMENT_LINK_SECRET", "document_link_secret"),
        description="key that signs and verifies document download links (ingest, publisher)",
    )

    access_jwks_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("ACCESS_JWKS_URL", "access_jwks_url"),
        description="approval's published access-token keys (…/.well-known/jwks.json); unset: "
        "the service accepts no access tokens (ADR 0044)",
    )
    access_issuer: str = Field(
        default="countersign",
        min_length=1,
        validation_alias=AliasChoices("ACCESS_ISSUER", "access_issuer"),
        description="the iss of access tokens: approval writes it, every service expects it",
    )
    access_audience: str = Field(
        default="countersign",
        min_length=1,
        validation_alias=AliasChoices("ACCESS_AUDIENCE", "access_audience"),
        description="the aud of access tokens: approval writes it, every service expects it",
    )

    @field_validator("access_jwks_url", mode="after")
    @classmethod
    def _blank_url_is_unset(cls, value: str | None) -> str | None:
        url = (value or "").strip()
        if url and not url.startswith(("http://", "https://")):
            raise ValueError("ACCESS_JWKS_URL is an http:// or https:// URL")
        return url or None

    @field_validator("admin_token", "encryption_keys", "document_link_secret", mode="after")
    @classmethod
    def _blank_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        # An empty variable (``X=`` in an env file, an empty secret key) must switch its feature
        # off like an unset one: as a key it would be one every caller already holds.
        return None if value is None or not value.get_secret_value().strip() else value

    http_host: str = "0.0.0.0"
    http_port: int = 8080
    log_level: str = "INFO"
    db_schema: str | None = Field(default=None, description="defaults to the service name")
    db_pool_min: int = Field(default=2, ge=1)
    db_pool_max: int = Field(default=10, ge=1)
    migrate_on_start: bool = True
    consumer_max_attempts: int = Field(default=5, ge=1, description="tries before the DLQ")
    consumer_retry_backoff_s: float = Field(default=0.2, ge=0)
    consumer_batch_size: int = Field(
        default=100, ge=1, description="records handled per offset commit"
    )
    # How a consumer fetches. The broker answers a fetch once ``fetch_min_bytes`` are waiting
    # or ``fetch_max_wait_ms`` has passed: 1 byte answers at once (a record waits for nothing,
    # one fetch per arrival), 64 KiB gathers fuller batches under load at the price of that
    # wait on every record when traffic is light. Each service sets its own (ADR 0042). An idle
    # consumer asks again each time the wait ends: 500 ms (Kafka's own default) is two fetches
    # a second, where 50 ms was twenty (ADR 0075).
    consumer_fetch_min_bytes: int = Field(
        default=65536, ge=1, description="bytes the broker gathers before answering a fetch"
    )
    consumer_fetch_max_wait_ms: int = Field(
        default=500, ge=0, le=5000, description="longest the broker holds a fetch for those bytes"
    )
    consumer_linger_ms: int = Field(
        default=0,
        ge=0,
        le=5000,
        description="after records arrive, wait this long for more to settle with them",
    )
    consumer_poll_timeout_ms: int = Field(
        default=1000,
        ge=1,
        le=10_000,
        description="longest an idle poll waits; records are handed over the moment they come",
    )
    relay_batch_size: int = Field(default=500, ge=1)
    relay_poll_interval_s: float = Field(default=1.0, gt=0)
    relay_linger_s: float = Field(
        default=0.01, ge=0, description="pause after a partial batch, so rows go out together"
    )
    relay_retention_hours: float = Field(default=72, gt=0)
    body_timeout_s: float = Field(
        default=120.0,
        gt=0,
        description="time from a request's headers to the end of its body; later is a 408 "
        "(120 s carries ingest's 10.3 MB largest publication over 0.7 Mbit/s; body_deadline.py)",
    )
    max_json_body_bytes: int = Field(
        default=MAX_JSON_BODY_BYTES,
        ge=1,
        description="largest JSON request body read (1 MB); more is a 413 (json_bodies.py)",
    )
    readiness_timeout_s: float = Field(default=2.0, gt=0)
    startup_wait_s: float = Field(
        default=120.0,
        ge=0,
        description="how long startup waits for Postgres and Kafka to answer before giving up",
    )
