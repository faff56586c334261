"""How every Kafka client of Countersign connects: the one place that turns ``KAFKA_*`` settings
into aiokafka's keyword arguments (producers, consumers, admin clients alike; ADR 0063).

    KAFKA_SECURITY_PROTOCOL   PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL (default PLAINTEXT)
    KAFKA_SASL_MECHANISM      SCRAM-SHA-512 (default) | SCRAM-SHA-256 | PLAIN
    KAFKA_SASL_USERNAME       this process's principal (SASL_* only)
    KAFKA_SASL_PASSWORD       its password (a secret: never logged)
    KAFKA_SSL_CAFILE          the CA that signed the brokers' certificates (default: the system's)
    KAFKA_SSL_CERTFILE / KAFKA_SSL_KEYFILE   a client certificate, for brokers that ask for one

The local stack runs SASL_SSL with SCRAM-SHA-512 and gives each service its own user; a broker
of one's own may stay PLAINTEXT (the default here, so nothing needs setting for it).

    AIOKafkaProducer(bootstrap_servers=..., **settings.kafka_security.client_options())
    AIOKafkaConsumer(..., **client_options())        # from the environment
"""

from __future__ import annotations

import ssl
from typing import Any, Literal, Self

from aiokafka.helpers import create_ssl_context
from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["KafkaSecurity", "client_options"]

Protocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
Mechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]


class KafkaSecurity(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore", frozen=True)

    security_protocol: Protocol = "PLAINTEXT"
    sasl_mechanism: Mechanism = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None

    @model_validator(mode="after")
    def _sasl_needs_a_user(self) -> Self:
        if self.security_protocol.startswith("SASL_") and not (
            self.sasl_username and self.sasl_password and self.sasl_password.get_secret_value()
        ):
            raise ValueError(
                f"KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs KAFKA_SASL_USERNAME "
                "and KAFKA_SASL_PASSWORD"
            )
        if bool(self.ssl_certfile) != bool(self.ssl_keyfile):
            raise ValueError("KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE go together")
        return self

    @property
    def tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    def as_user(self, username: str, password: str) -> KafkaSecurity:
        """The same connection with another principal (a service's own, from the admin's)."""
        return self.model_copy(
            update={"sasl_username": username, "sasl_password": SecretStr(password)}
        )

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.tls:
            return None
        context: ssl.SSLContext = create_ssl_context(
            cafile=self.ssl_cafile, certfile=self.ssl_certfile, keyfile=self.ssl_keyfile
        )
        return context

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producer, consumer and admin client."""
        options: dict[str, Any] = {"security_protocol": self.security_protocol}
        context = self.ssl_context()
        if context is not None:
            options["ssl_context"] = context
        if self.security_protocol.startswith("SASL_"):
            assert self.sasl_password is not None  # checked when read
            options |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.sasl_username,
                "sasl_plain_password": self.sasl_password.get_secret_value(),
            }
        return options


def client_options() -> dict[str, Any]:
    """The client options the environment's ``KAFKA_*`` settings give (tools, tests, scripts)."""
    return KafkaSecurity().client_options()
