"""The whole product as real processes: ingest, approval and publisher (one or more instances
in one consumer group), the notifier, the web app, the Dext, Xero and mail sandboxes, each on a
free port, sharing one isolation token (``<isolation>_<service>`` schemas, ``<isolation>.`` topic
prefix) so several pipelines can run against the same Kafka and Postgres without meeting.

    with Pipeline(infra, isolation, log_dir) as pipeline:
        org = await provision_organisation(pipeline.endpoints, workflow, people)
        async with org.dext() as dext: ...

Used by the e2e journeys (started once per module), the pipeline benchmark (several publisher
instances, injected Xero latency, /proc readings of each pid) and the chaos run (``stop`` /
``start`` / ``kill`` single processes through ``processes``).
"""

from __future__ import annotations

import base64
import os
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import httpx
from countersign_harness.endpoints import Endpoints
from countersign_harness.infra import Infrastructure
from countersign_harness.otlp_receiver import OtlpReceiver
from countersign_harness.pipeline_settings import (
    ADMIN_TOKEN,
    DOCUMENT_LINK_SECRET,
    QBO_CLIENT_ID,
    QBO_CLIENT_SECRET,
    QBO_WEBHOOK_VERIFIER,
    UNLIMITED_XERO,
    WEB_CLIENT_SECRET,
    WEB_OIDC_CLIENT_ID,
    WEB_OIDC_SECRET,
    XERO_CLIENT_ID,
    XERO_CLIENT_SECRET,
    XERO_WEBHOOK_KEY,
    approval_env,
    ledger_callbacks,
    notifier_env,
    publisher_environment,
    web_env,
)
from countersign_harness.processes import ServiceProcess, free_port
from countersign_platform.client_tls import client_tls

__all__ = [
    "ADMIN_TOKEN",
    "WEB_CLIENT_SECRET",
    "WEB_OIDC_CLIENT_ID",
    "WEB_OIDC_SECRET",
    "XERO_CLIENT_ID",
    "XERO_CLIENT_SECRET",
    "XERO_WEBHOOK_KEY",
    "Pipeline",
]


class Pipeline:
    """Nine kinds of process, started together and stopped together.

    ``publishers``: how many publisher instances (one consumer group, one schema).
    ``service_env``: extra environment for every Countersign service (e.g. a profiler switch).
    ``xero_env``: ``XERO_SANDBOX_*`` settings over ``UNLIMITED_XERO`` (Xero's limits off).
    ``publisher_env``: overrides ``FAST_PUBLISHER`` (e.g. Xero's real per-minute limit).
    ``shipped``: every service keeps its shipped loop settings (poll intervals, backoff, leases)
    instead of the tests' faster ones — what a latency measurement must see.
    ``people``: also the people's side — the mail sandbox, the web app and the notifier.
    ``workflow_hour_s``: how long a workflow hour lasts in approval (deadlines, reminders,
    escalation delays), its deadline pass every quarter of it: a deadline passes in seconds.
    ``traces``: every Countersign service exports its spans there (tracing is off otherwise).
    """

    def __init__(
        self,
        infra: Infrastructure,
        isolation: str,
        log_dir: Path,
        *,
        publishers: int = 1,
        service_env: Mapping[str, str] | None = None,
        xero_env: Mapping[str, str] | None = None,
        publisher_env: Mapping[str, str] | None = None,
        shipped: bool = False,
        people: bool = True,
        workflow_hour_s: float | None = None,
        traces: OtlpReceiver | None = None,
    ) -> None:
        self.infra, self.isolation, self.workflow_hour_s = infra, isolation, workflow_hour_s
        self.traces = traces
        shared = {
            **({} if traces is None else traces.environment()),
            "COUNTERSIGN_ADMIN_TOKEN": ADMIN_TOKEN,
            "ENCRYPTION_KEYS": "pipeline:" + base64.b64encode(os.urandom(32)).decode(),
            "DOCUMENT_LINK_SECRET": DOCUMENT_LINK_SECRET,
            **(service_env or {}),
        }

        def process(name: str, label: str = "", **env: str) -> ServiceProcess:
            return ServiceProcess(
                name, infra, isolation, log_dir,
                label=label, extra_env={**shared, **env}, shipped=shipped,
            )  # fmt: skip

        # Approval signs access tokens and checks them with its own keys; every other process
        # fetches those keys from it.
        self.xero = process("xero-sandbox", **{**UNLIMITED_XERO, **(xero_env or {})})
        self.xero.ready_path = "/_sandbox/health"
        self.qbo = process("qbo-sandbox")  # Intuit's limits as they are: the publisher keeps them
        self.qbo.ready_path = "/_sandbox/health"
        self.approval = process("approval", **approval_env(self.xero.url, workflow_hour_s))
        shared.setdefault("ACCESS_JWKS_URL", f"{self.approval.url}/.well-known/jwks.json")
        self.mail_smtp_port = free_port()
        self.mail = process("mail-sandbox", MAIL_SANDBOX_SMTP_PORT=str(self.mail_smtp_port))
        self.ingest = process("ingest")
        web = web_env(approval_url=self.approval.url, ingest_url=self.ingest.url,
                      xero_url=self.xero.url, smtp_port=self.mail_smtp_port)  # fmt: skip
        self.web = process("web", **web)
        self.notifier = process("notifier", **notifier_env(self.approval.url, self.mail_smtp_port))
        # The people's side (mail sandbox, web app, notifier) only where it is wanted.
        self.people = (self.mail, self.web, self.notifier) if people else ()
        self.dext = process("dext-sandbox", DEXT_SANDBOX_INGEST_URL=self.ingest.url)
        publisher = publisher_environment(xero_url=self.xero.url, qbo_url=self.qbo.url,
                                          ingest_url=self.ingest.url, shipped=shipped)  # fmt: skip
        env = {**publisher, **(publisher_env or {})}
        self.publishers = [process("publisher", f"publisher-{n}", **env) for n in range(publishers)]
        for each in self.publishers:
            each.extra_env.update(ledger_callbacks(self.publishers[0].url))
        # Admins manage the ledger connection from the web app, through the first publisher.
        self.web.extra_env["WEB_PUBLISHER_URL"] = self.publishers[0].url

    @property
    def xero_redirect_uri(self) -> str:
        return self.endpoints.xero_redirect_uri

    @property
    def processes(self) -> list[ServiceProcess]:
        return [
            self.xero, self.qbo, self.ingest, self.approval, *self.people, *self.publishers,
            self.dext,
        ]  # fmt: skip

    @property
    def endpoints(self) -> Endpoints:
        people = bool(self.people)
        return Endpoints(
            ingest=self.ingest.url,
            approval=self.approval.url,
            publisher=self.publishers[0].url,
            dext_sandbox=self.dext.url,
            xero_root=self.xero.url,
            admin_token=ADMIN_TOKEN,
            xero_client_id=XERO_CLIENT_ID,
            xero_client_secret=XERO_CLIENT_SECRET,
            qbo_root=self.qbo.url,
            qbo_client_id=QBO_CLIENT_ID,
            qbo_client_secret=QBO_CLIENT_SECRET,
            mail_sandbox=self.mail.url if people else "",
            mail_smtp=("127.0.0.1", self.mail_smtp_port) if people else ("", 0),
            web=self.web.url if people else "",
        )

    def start(self) -> Pipeline:
        self.web.extra_env["WEB_PUBLIC_URL"] = self.web.url  # where the browser goes
        self.notifier.extra_env["NOTIFIER_WEB_URL"] = self.web.url  # where its links point
        # Ingest and approval first: the publisher's migrations and topics then race nothing.
        try:
            mail, front = (self.people[:1], self.people[1:])
            first = [self.xero, self.qbo, *mail, self.ingest, self.approval]
            for group in (first, [*self.publishers, self.dext, *front]):
                for process in group:
                    process.start()
                for process in group:
                    process.wait_ready()
                if group is first:
                    self._register_qbo_app()
        except BaseException:
            self.stop()
            raise
        return self

    def _register_qbo_app(self) -> None:
        """The publisher's app at Intuit's developer portal: its credentials and callback."""
        callback = ledger_callbacks(self.publishers[0].url)["PUBLISHER_QBO_REDIRECT_URI"]
        app = {"client_id": QBO_CLIENT_ID, "client_secret": QBO_CLIENT_SECRET,
               "redirect_uris": [callback]}  # fmt: skip
        httpx.post(
            f"{self.qbo.url}/_sandbox/apps", json=app, timeout=10, verify=client_tls()
        ).raise_for_status()

    def stop(self) -> dict[str, int | None]:
        """Stops every process (SIGTERM, then SIGKILL); returns each one's exit code."""
        for process in self.processes:
            if process.process is not None and process.process.poll() is None:
                process.process.send_signal(signal.SIGTERM)
        return {(p.label or p.name): p.stop() for p in self.processes}

    def xero_fault(self, rule: Mapping[str, object]) -> None:
        """Adds a fault rule to the Xero sandbox (docs/xero-sandbox.md, "Faults")."""
        httpx.post(
            f"{self.xero.url}/_sandbox/faults", json=dict(rule), timeout=10, verify=client_tls()
        ).raise_for_status()

    @contextmanager
    def xero_webhook(self) -> Iterator[None]:
        """The publisher's webhook registered with the Xero sandbox (as in Xero's developer
        portal; intent to receive passed), removed again on leaving."""
        body = {"client_id": XERO_CLIENT_ID, "key": XERO_WEBHOOK_KEY,
                "url": f"{self.publishers[0].url}/v1/xero/webhooks"}  # fmt: skip
        registered = httpx.post(
            f"{self.xero.url}/_sandbox/webhooks", json=body, timeout=30, verify=client_tls()
        )
        registered.raise_for_status()
        assert registered.json()["status"] == "OK", registered.text
        try:
            yield
        finally:
            webhook = f"{self.xero.url}/_sandbox/webhooks/{registered.json()['webhook_id']}"
            httpx.delete(webhook, timeout=10, verify=client_tls()).raise_for_status()

    @contextmanager
    def qbo_webhook(self) -> Iterator[None]:
        """The publisher's webhook registered with the QBO sandbox (as on Intuit's developer
        portal, with its verifier token), removed again on leaving."""
        body = {"url": f"{self.publishers[0].url}/v1/qbo/webhooks",
                "verifier_token": QBO_WEBHOOK_VERIFIER}  # fmt: skip
        registered = httpx.post(
            f"{self.qbo.url}/_sandbox/webhooks", json=body, timeout=30, verify=client_tls()
        )
        registered.raise_for_status()
        try:
            yield
        finally:
            webhook = f"{self.qbo.url}/_sandbox/webhooks/{registered.json()['registration_id']}"
            httpx.delete(webhook, timeout=10, verify=client_tls()).raise_for_status()

    def logs(self, lines: int = 30) -> str:
        """The last lines of every process's log, for an assertion message."""
        return "\n".join(f"--- {p.label or p.name}\n{p.tail(lines)}" for p in self.processes)

    def __enter__(self) -> Pipeline:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
