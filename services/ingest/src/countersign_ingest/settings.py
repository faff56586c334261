from countersign_platform.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict

__all__ = ["IngestSettings"]


class IngestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore")

    http_port: int = 8081
    # Ingest's consumers keep an item's status and the supplier list current; nobody waits on
    # each record, so news arriving within a quarter of a second settles in one transaction
    # (ADR 0042).
    consumer_linger_ms: int = Field(default=250, ge=0, le=5000)
    # When a new Dext secret is issued (or registered), the one it replaces keeps verifying
    # this long, so Dext can switch over without a refused call; an admin may end it sooner.
    dext_rotation_overlap_s: int = Field(default=7 * 24 * 3600, ge=0, le=90 * 24 * 3600)
