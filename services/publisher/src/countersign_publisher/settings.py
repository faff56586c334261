from countersign_platform.settings import ServiceSettings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

__all__ = ["PublisherSettings"]


class PublisherSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PUBLISHER_", extra="ignore")

    http_port: int = 8083
    # Authorised requests on their way to Xero are a hop people wait on: the broker answers a
    # fetch the moment a record is there (ADR 0042).
    consumer_fetch_min_bytes: int = Field(default=1, ge=1)
    consumer_fetch_max_wait_ms: int = Field(default=500, ge=0, le=5000)

    xero_api_url: str = Field(
        default="https://api.xero.com/api.xro/2.0", description="Accounting API base URL"
    )
    xero_identity_url: str = Field(
        default="https://identity.xero.com", description="OAuth2 token endpoint host"
    )
    xero_authorize_url: str = Field(
        default="https://login.xero.com/identity/connect/authorize",
        description="Xero's consent page, where an admin's browser is sent to connect",
    )
    xero_redirect_uri: str | None = Field(
        default=None,
        description="this service's public /v1/xero/callback URL, as registered with Xero;"
        " unset: admins cannot connect Xero",
    )
    xero_scopes: str = Field(
        default="openid profile email offline_access accounting.settings accounting.contacts"
        " accounting.attachments accounting.invoices accounting.payments"
        " accounting.banktransactions",
        description="scopes asked at consent (Xero's granular scopes, mandatory for new apps)",
    )
    xero_connect_ttl_s: float = Field(
        default=600.0, gt=0, description="how long an admin has to finish Xero's consent"
    )
    xero_client_id: str = Field(default="countersign", description="OAuth2 client id")
    xero_client_secret: SecretStr = Field(default=SecretStr(""), description="OAuth2 client secret")
    xero_timeout_s: float = Field(default=30.0, gt=0)
    xero_refresh_ahead_s: float = Field(
        default=120.0, ge=0, description="refresh an access token this long before it expires"
    )

    # Xero's limits per organisation and per app; `xero_minute_s` shrinks the minute for a
    # time-scaled sandbox (a real Xero minute is 60 s).
    xero_minute_limit: int = Field(default=60, ge=1)
    xero_concurrency_limit: int = Field(default=5, ge=1)
    xero_day_limit: int = Field(default=5000, ge=1)
    xero_app_minute_limit: int = Field(default=10_000, ge=1)
    xero_minute_s: float = Field(default=60.0, gt=0)
    xero_batch_size: int = Field(default=50, ge=1, le=50)

    # QuickBooks Online (ADR 0069). The OAuth2 endpoints are read from Intuit's discovery
    # document, as Intuit asks; only its URL is a setting.
    qbo_api_url: str = Field(
        default="https://quickbooks.api.intuit.com",
        description="Accounting API host (the sandbox's root): calls go to …/v3/company/{realmId}",
    )
    qbo_discovery_url: str = Field(
        default="https://developer.api.intuit.com/.well-known/openid_configuration",
        description="Intuit's OpenID discovery document: the authorize, token and revoke"
        " endpoints (…/openid_sandbox_configuration for Intuit's sandbox companies)",
    )
    qbo_client_id: str = Field(default="countersign", description="Intuit app's client id")
    qbo_client_secret: SecretStr = Field(default=SecretStr(""), description="its client secret")
    qbo_redirect_uri: str | None = Field(
        default=None,
        description="this service's public /v1/qbo/callback URL, as registered with the Intuit"
        " app; unset: admins cannot connect QuickBooks Online",
    )
    qbo_scopes: str = Field(
        default="com.intuit.quickbooks.accounting", description="scopes asked at consent"
    )
    qbo_connect_ttl_s: float = Field(
        default=600.0, gt=0, description="how long an admin has to finish Intuit's consent"
    )
    # Intuit's limits per realm (and app); `qbo_minute_s` shrinks the minute for a time-scaled
    # sandbox, as `xero_minute_s` does.
    qbo_minute_limit: int = Field(default=500, ge=1)
    qbo_concurrency_limit: int = Field(default=10, ge=1)
    qbo_batch_minute_limit: int = Field(default=40, ge=1)
    qbo_minute_s: float = Field(default=60.0, gt=0)

    ingest_url: str = Field(
        default="http://127.0.0.1:8081", description="where the original documents are fetched"
    )
    document_link_ttl_s: int = Field(default=300, ge=1)

    worker_enabled: bool = True
    # A fallback: the worker is woken by the commit that gives it work (migration 0002); the
    # poll catches up after a lost notification and finds jobs whose backoff has run out.
    worker_poll_interval_s: float = Field(default=1.0, gt=0)
    worker_lease_s: float = Field(default=120.0, gt=0, description="a crashed worker's jobs wait")
    worker_max_attempts: int = Field(default=6, ge=1, description="transient tries before parking")
    worker_backoff_s: float = Field(default=2.0, ge=0, description="first retry delay, doubled")
    worker_claim_size: int = Field(default=50, ge=1, description="jobs claimed per cycle")
    worker_max_in_flight: int = Field(
        default=40,
        ge=1,
        description="Xero calls one instance has in flight at most (a multiple of the 5 an"
        " organisation may have): bounds its memory and sockets; add instances for more",
    )
    supplier_sync_interval_s: float = Field(default=900.0, gt=0)
    backlog_sample_interval_s: float = Field(
        default=10.0,
        gt=0,
        description="how often countersign_publisher_publications_waiting (the backlog the"
        " autoscaler follows) is counted",
    )

    # Changes in Xero (ADR 0053): webhooks, and a poll that catches what a webhook missed.
    xero_webhook_key: SecretStr | None = Field(
        default=None,
        description="the webhook key Xero shows for the app (x-xero-signature); unset:"
        " POST /v1/xero/webhooks answers 503",
    )
    qbo_webhook_verifier: SecretStr | None = Field(
        default=None,
        description="the verifier token Intuit shows for the app's webhooks (intuit-signature);"
        " unset: POST /v1/qbo/webhooks answers 503 (the CDC poll still runs)",
    )
    xero_change_poll_interval_s: float = Field(
        default=900.0,
        gt=0,
        description="how often each connected organisation's bills and contacts changed since"
        " the last poll are read (Xero: If-Modified-Since; QBO: its bills by CDC): catches a"
        " lost webhook delivery",
    )
    xero_change_max_attempts: int = Field(
        default=8, ge=1, description="tries to fetch what an event names before giving up"
    )
    xero_change_events_kept_s: float = Field(
        default=7 * 86400.0,
        gt=0,
        description="how long a worked webhook event is kept (for inspection) before it is"
        " deleted; a repeat delivered later is still recognised by the state kept",
    )
    master_data_sync_interval_s: float = Field(
        default=900.0,
        gt=0,
        description="how often each connected organisation's accounts, tax rates, tracking,"
        " currencies and lock dates are read from Xero (5 or 6 calls; accounts only when"
        " changed)",
    )
