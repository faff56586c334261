"""Real parts around the publisher for integration tests and the benchmark: the Xero sandbox as
a separate process over HTTP, a document server speaking ingest's signed-link route, and the
publisher app on its own schema and topic prefix."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import httpx
import pytest
from countersign_contracts import RequestAuthorised
from countersign_platform.links import verify_document_link
from countersign_platform.runtime import Runtime
from countersign_publisher.app import create_app
from countersign_publisher.components import Components
from countersign_publisher.db.publications import Publications
from countersign_publisher.settings import PublisherSettings
from fastapi import FastAPI

from tests.support.infra import Infrastructure

__all__ = [
    "ADMIN_TOKEN",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "DOCUMENT_SECRET",
    "ENCRYPTION_KEYS",
    "DocumentServer",
    "RunningPublisher",
    "XeroSandbox",
    "publisher_settings",
    "running_publisher",
]

REPO = Path(__file__).resolve().parents[3]
CLIENT_ID = "countersign-tests"
CLIENT_SECRET = "not-a-real-secret"
ADMIN_TOKEN = "operator-token-for-tests"
DOCUMENT_SECRET = "document-link-secret-for-tests"
ENCRYPTION_KEYS = "k1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="  # 32 bytes, base64
SCOPE = (
    "openid offline_access accounting.transactions accounting.contacts accounting.settings"
    " accounting.attachments"
)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class XeroSandbox:
    """The sandbox as a process; its test-control API as methods."""

    def __init__(self, log_dir: Path, **settings: str) -> None:
        self.port = _free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.root}/api.xro/2.0"
        self._log = log_dir / "xero-sandbox.log"
        self._env = {
            **os.environ,
            "XERO_SANDBOX_HTTP_HOST": "127.0.0.1",
            "XERO_SANDBOX_HTTP_PORT": str(self.port),
            **{f"XERO_SANDBOX_{k.upper()}": v for k, v in settings.items()},
        }
        self._process: subprocess.Popen[bytes] | None = None
        self.http = httpx.Client(base_url=self.root, timeout=10)

    @staticmethod
    def available() -> bool:
        return (REPO / ".venv" / "bin" / "countersign-xero-sandbox").exists()

    def start(self) -> XeroSandbox:
        self._log.parent.mkdir(parents=True, exist_ok=True)
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                [str(REPO / ".venv" / "bin" / "countersign-xero-sandbox")],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if self.http.get("/_sandbox/health").status_code == 200:
                    return self
            time.sleep(0.1)
        raise RuntimeError(f"the Xero sandbox did not start:\n{self._log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.http.close()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def _json(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    def create_tenant(self, **spec: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._json(
            "POST", "/_sandbox/tenants", {"connect_client_id": CLIENT_ID, **spec}
        )
        return result

    def mint_tokens(self, tenant_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._json(
            "POST",
            "/_sandbox/tokens",
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "tenant_ids": [tenant_id],
                "scope": SCOPE,
            },
        )
        return result

    def authorization_code(self, tenant_id: str) -> str:
        body = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "tenant_ids": [tenant_id],
            "scope": SCOPE,
        }
        return str(self._json("POST", "/_sandbox/authorizations", body)["code"])

    def state(self, tenant_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._json("GET", f"/_sandbox/tenants/{tenant_id}/state")
        return result

    def fault(self, **rule: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._json("POST", "/_sandbox/faults", rule)
        return result

    def clear_faults(self) -> None:
        self.http.delete("/_sandbox/faults").raise_for_status()

    def advance_clock(self, seconds: float) -> None:
        self._json("POST", "/_sandbox/clock", {"advance_seconds": seconds})

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._json("GET", "/_sandbox/stats")
        return result

    def set_limits(self, **limits: Any) -> None:
        self._json("PUT", "/_sandbox/limits", limits)


class DocumentServer:
    """Serves originals on ingest's route, only to links signed with the shared secret."""

    def __init__(self, secret: str) -> None:
        self.documents: dict[UUID, tuple[bytes, str]] = {}
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                try:
                    document_id = UUID(url.path.removeprefix("/v1/documents/"))
                    expires = int(query["expires"][0])
                    signature = query["signature"][0]
                except (ValueError, KeyError):
                    self.send_error(404)
                    return
                if not verify_document_link(secret.encode(), document_id, expires, signature):
                    self.send_error(403)
                    return
                found = server.documents.get(document_id)
                if found is None:
                    self.send_error(404)
                    return
                server.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", found[1])
                self.send_header("Content-Length", str(len(found[0])))
                self.end_headers()
                self.wfile.write(found[0])

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> DocumentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add(self, document_id: UUID, content: bytes, media_type: str = "application/pdf") -> None:
        self.documents[document_id] = (content, media_type)


def publisher_settings(
    database_url: str,
    bootstrap: str,
    isolation: str,
    sandbox: XeroSandbox,
    documents_url: str,
    **overrides: Any,
) -> PublisherSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "kafka_bootstrap_servers": bootstrap,
        "kafka_topic_prefix": f"{isolation}.",
        "db_schema": f"{isolation}_publisher",
        "relay_poll_interval_s": 0.2,
        "consumer_retry_backoff_s": 0.01,
        "admin_token": ADMIN_TOKEN,
        "encryption_keys": ENCRYPTION_KEYS,
        "document_link_secret": DOCUMENT_SECRET,
        "xero_api_url": sandbox.api_url,
        "xero_identity_url": sandbox.root,
        "xero_client_id": CLIENT_ID,
        "xero_client_secret": CLIENT_SECRET,
        "ingest_url": documents_url,
        "worker_poll_interval_s": 0.2,
        "worker_backoff_s": 0.05,
        "worker_lease_s": 0.5,
        **overrides,
    }
    return PublisherSettings(**values)


class RunningPublisher:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.runtime: Runtime[Components] = app.state.runtime
        self.parts: Components = self.runtime.parts
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://publisher",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )

    async def connect(
        self, organisation_id: UUID, sandbox: XeroSandbox, tenant_id: str
    ) -> dict[str, Any]:
        tokens = sandbox.mint_tokens(tenant_id)
        response = await self.http.put(
            f"/v1/organisations/{organisation_id}/xero-connection",
            json={
                "access_token": tokens["access_token"],
                "refresh_token": tokens["refresh_token"],
                "expires_in": tokens["expires_in"],
                "tenant_id": tenant_id,
            },
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def stage_bill(self, organisation_id: UUID, request: RequestAuthorised) -> None:
        """Records a bill publication job directly, as the consumer would, without Kafka."""
        async with self.runtime.pool.acquire() as conn:
            await Publications(conn).add(
                uuid.uuid4(),
                organisation_id,
                "bill",
                request.request_id,
                request.dext_item_id,
                request.item_version,
                request.model_dump_json(),
                uuid.uuid4(),
                uuid.uuid4(),
            )

    async def publications(self, organisation_id: UUID, dext_item_id: str) -> list[dict[str, Any]]:
        response = await self.http.get(
            f"/v1/organisations/{organisation_id}/publications",
            params={"dext_item_id": dext_item_id},
        )
        body: list[dict[str, Any]] = response.json()
        return body


@contextlib.asynccontextmanager
async def running_publisher(settings: PublisherSettings) -> AsyncIterator[RunningPublisher]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        running = RunningPublisher(app)
        try:
            yield running
        finally:
            await running.http.aclose()


@contextlib.contextmanager
def sandbox_process(log_dir: Path, **settings: str) -> Iterator[XeroSandbox]:
    sandbox = XeroSandbox(log_dir, **settings).start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def new_org() -> UUID:
    return uuid.uuid4()


# --- pytest fixtures, imported by the publisher's integration test modules -------------------


@pytest.fixture(scope="module")
def xero_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XeroSandbox]:
    if not XeroSandbox.available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the Xero sandbox is not installed", pytrace=False)
        pytest.skip("the Xero sandbox is not installed")
    with sandbox_process(tmp_path_factory.mktemp("xero")) as sandbox:
        yield sandbox


@pytest.fixture
def documents() -> Iterator[DocumentServer]:
    with DocumentServer(DOCUMENT_SECRET) as server:
        yield server


@pytest.fixture
def settings_for(
    infra: Infrastructure, isolation: str, xero_sandbox: XeroSandbox, documents: DocumentServer
) -> Any:
    def build(**overrides: Any) -> PublisherSettings:
        return publisher_settings(
            infra.database_url,
            infra.kafka_bootstrap_servers,
            isolation,
            xero_sandbox,
            documents.url,
            **overrides,
        )

    return build
