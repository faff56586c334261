"""One full run of Countersign as real processes (ingest, approval, publisher and the Xero
sandbox) driven through every credential it knows, recording each secret value as it goes:

    operator registers the organisation (approval) ─▶ admin and approver API tokens
    operator sets the Dext secret (ingest), then the admin issues one with an access token and
      ends the overlap ─▶ Dext signs a publication and a status read with the issued one
    operator connects Xero with sandbox-minted tokens (publisher) ─▶ they expire soon, so the
      publisher refreshes them (new tokens minted by the sandbox) and publishes the bill,
      fetching the original from ingest through a signed document link
    refused attempts (a guessed token, a bad signature) are made too: what a caller presents
      and is refused must not be logged either; and Xero fails one call, so the publisher's
      failure logging is part of the run

The services are stopped at the end, so their logs are complete when the tests read them."""

from __future__ import annotations

import asyncio
import base64
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.infra import Infrastructure
from countersign_harness.processes import ServiceProcess
from countersign_harness.publisher import CLIENT_ID, CLIENT_SECRET
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import XeroSandbox
from countersign_platform.access import generate_seed
from countersign_platform.sealing import Keyring

__all__ = ["FullRun", "run_everything"]

ONE_APPROVER = {
    "name": "One approver",
    "steps": [{"name": "Manager", "approvers": [{"approver": "ann@example.com"}]}],
    "default_approver": "ann@example.com",
}


def _random(n: int = 32) -> str:
    return base64.urlsafe_b64encode(os.urandom(n)).decode().rstrip("=")


@dataclass
class FullRun:
    """What the run leaves behind: its secrets (name → value), ids, and where things are."""

    infra: Infrastructure
    isolation: str
    log_dir: Path
    keyring_spec: str
    organisation_id: uuid.UUID = field(default_factory=uuid.uuid4)
    secrets: dict[str, str] = field(default_factory=dict)
    dext_secret: str = field(default_factory=_random)
    outcome: dict[str, Any] = field(default_factory=dict)

    @property
    def keyring(self) -> Keyring:
        return Keyring.parse(self.keyring_spec)

    def schema(self, service: str) -> str:
        return f"{self.isolation}_{service}"

    async def rows(self, service: str, sql: str) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.infra.database_url)
        try:
            await conn.execute(f'SET search_path TO "{self.schema(service)}"')
            found: list[asyncpg.Record] = await conn.fetch(sql)
            return found
        finally:
            await conn.close()

    def logs(self) -> dict[str, str]:
        return {p.name: p.read_text(errors="replace") for p in sorted(self.log_dir.glob("*.log"))}


def _processes(run: FullRun, sandbox: XeroSandbox) -> dict[str, ServiceProcess]:
    common = {
        "COUNTERSIGN_ADMIN_TOKEN": run.secrets["operator token"],
        "ENCRYPTION_KEYS": run.keyring_spec,
        "DOCUMENT_LINK_SECRET": run.secrets["DOCUMENT_LINK_SECRET"],
    }
    processes = {
        name: ServiceProcess(name, run.infra, run.isolation, run.log_dir, extra_env={**common})
        for name in ("ingest", "approval", "publisher")
    }
    # Approval signs people's access tokens; the others would check them against its keys.
    processes["approval"].extra_env["APPROVAL_SIGNING_KEYS"] = "s1:" + run.secrets["signing key"]
    for name in ("ingest", "publisher"):
        jwks = f"{processes['approval'].url}/.well-known/jwks.json"
        processes[name].extra_env["ACCESS_JWKS_URL"] = jwks
    processes["publisher"].extra_env.update(
        {
            "PUBLISHER_XERO_API_URL": sandbox.api_url,
            "PUBLISHER_XERO_IDENTITY_URL": sandbox.root,
            "PUBLISHER_XERO_CLIENT_ID": CLIENT_ID,
            "PUBLISHER_XERO_CLIENT_SECRET": CLIENT_SECRET,
            "PUBLISHER_INGEST_URL": processes["ingest"].url,
            "PUBLISHER_WORKER_POLL_INTERVAL_S": "0.2",
            "PUBLISHER_WORKER_BACKOFF_S": "0.1",
        }
    )
    # Debug level: a secret must stay out of the logs however talkative they are made.
    for name, process in processes.items():
        process.extra_env[f"{name.upper()}_LOG_LEVEL"] = "DEBUG"
    return processes


def run_everything(infra: Infrastructure, isolation: str, log_dir: Path) -> FullRun:
    keyring_spec = "k1:" + base64.b64encode(os.urandom(32)).decode()
    run = FullRun(infra, isolation, log_dir, keyring_spec)
    run.secrets.update(
        {
            "operator token": _random(),
            "DOCUMENT_LINK_SECRET": _random(),
            "ENCRYPTION_KEYS key": keyring_spec.split(":", 1)[1],
            "Dext secret": run.dext_secret,
            "Xero client secret": CLIENT_SECRET,
            "signing key": generate_seed(),
        }
    )
    # Each service's own database role signs in with a password (ADR 0060): none may be logged.
    for service in ("ingest", "approval", "publisher"):
        password = urlsplit(infra.database_url_for(service)).password
        assert password, f"{service}'s database URL has no password to look for"
        run.secrets[f"{service} database password"] = password
    sandbox = XeroSandbox(log_dir).start()
    processes = _processes(run, sandbox)
    try:
        for process in processes.values():
            process.start()
        for process in processes.values():
            process.wait_ready()
        asyncio.run(_drive(run, sandbox, {n: p.url for n, p in processes.items()}))
    finally:
        for process in processes.values():
            process.stop()
        sandbox.stop()
    asyncio.run(_remember_refreshed_tokens(run))
    return run


async def _remember_refreshed_tokens(run: FullRun) -> None:
    """The tokens the publisher holds at the end, minted by the sandbox when it refreshed."""
    rows = await run.rows(
        "publisher", "SELECT organisation_id, access_token, refresh_token FROM xero_connections"
    )
    for row in rows:
        held = "refreshed" if row["organisation_id"] == run.organisation_id else "by code"
        for which in ("access", "refresh"):
            context = f"publisher:xero-{which}:{row['organisation_id']}"
            opened = run.keyring.open(row[f"{which}_token"], context).decode()
            run.secrets[f"Xero {which} token ({held})"] = opened


async def _drive(run: FullRun, sandbox: XeroSandbox, urls: dict[str, str]) -> None:
    org = run.organisation_id
    operator = {"Authorization": f"Bearer {run.secrets['operator token']}"}
    async with httpx.AsyncClient(timeout=30) as http:
        registered = await http.post(
            f"{urls['approval']}/v1/organisations",
            headers=operator,
            json={
                "organisation_id": str(org),
                "name": "Secrets Ltd",
                "base_currency": "GBP",
                "timezone": "Europe/London",
                "admin": {"email": "ada@example.com", "name": "Ada"},
            },
        )
        assert registered.status_code == 201, registered.text
        run.secrets["admin API token"] = registered.json()["admin"]["token"]
        admin = {"Authorization": f"Bearer {run.secrets['admin API token']}"}
        approval = f"{urls['approval']}/v1/organisations/{org}"
        added = await http.post(
            f"{approval}/users",
            headers=admin,
            json={"email": "ann@example.com", "name": "Ann", "roles": ["approver"]},
        )
        assert added.status_code == 201, added.text
        run.secrets["approver API token"] = added.json()["token"]
        exchanged = await http.post(f"{urls['approval']}/access-tokens", headers=admin)
        assert exchanged.status_code == 201, exchanged.text
        run.secrets["admin access token"] = exchanged.json()["access_token"]
        as_admin = {"Authorization": f"Bearer {run.secrets['admin access token']}"}
        listed = await http.get(f"{approval}/users", headers=as_admin)
        assert listed.status_code == 200, listed.text
        saved = await http.put(f"{approval}/workflow", headers=admin, json=ONE_APPROVER)
        assert saved.status_code == 201, saved.text

        secret_set = await http.put(
            f"{urls['ingest']}/v1/operator/organisations/{org}/dext-secret",
            headers=operator,
            json={"secret": run.dext_secret},
        )
        assert secret_set.status_code == 201, secret_set.text
        await _admin_issues_the_dext_secret(run, http, urls, as_admin)

        tenant_id = sandbox.create_tenant()["tenant_id"]
        minted = sandbox.mint_tokens(tenant_id)
        run.secrets["Xero access token (minted)"] = minted["access_token"]
        run.secrets["Xero refresh token (minted)"] = minted["refresh_token"]
        connected = await http.put(
            f"{urls['publisher']}/v1/organisations/{org}/xero-connection",
            headers=operator,
            # Expiring within the refresh margin: the publisher refreshes before its first call.
            json={
                "access_token": minted["access_token"],
                "refresh_token": minted["refresh_token"],
                "expires_in": 60,
                "tenant_id": tenant_id,
            },
        )
        assert connected.status_code == 200, connected.text

        # A second organisation connects through Xero's consent screen: an authorization code
        # the publisher exchanges for tokens it alone sees.
        second_tenant = sandbox.create_tenant()["tenant_id"]
        code = sandbox.authorization_code(second_tenant)
        run.secrets["Xero authorization code"] = code
        by_code = await http.put(
            f"{urls['publisher']}/v1/organisations/{uuid.uuid4()}/xero-connection",
            headers=operator,
            json={"authorization_code": code, "tenant_id": second_tenant},
        )
        assert by_code.status_code == 200, by_code.text
        # One failed bill creation: the publisher logs the failure, and it must log it bare.
        sandbox.fault(
            fault="error", status=503, method="PUT", path="/Invoices$", tenant_id=tenant_id, count=1
        )
        await _refused_attempts(run, http, urls)
        await _publish_and_approve(run, http, urls, approval, admin)
        # What anyone may read (probes, metrics, API descriptions) after the run.
        run.outcome["public pages"] = {
            f"{name}{path}": (await http.get(f"{url}{path}")).text
            for name, url in urls.items()
            for path in ("/metrics", "/health/ready", "/openapi.json")
        }
        key_set = await http.get(f"{urls['approval']}/.well-known/jwks.json")
        run.outcome["public pages"]["approval/.well-known/jwks.json"] = key_set.text
        run.outcome["tenant_id"] = tenant_id
        run.outcome["invoices"] = sandbox.state(tenant_id)["invoices"]


async def _admin_issues_the_dext_secret(
    run: FullRun, http: httpx.AsyncClient, urls: dict[str, str], as_admin: dict[str, str]
) -> None:
    """The admin rotates away from the operator's secret: ingest makes a new one and shows it
    once; the overlap is ended, so only the issued secret verifies from here on."""
    credentials = f"{urls['ingest']}/v1/organisations/{run.organisation_id}/dext-credentials"
    issued = await http.post(credentials, headers=as_admin)
    assert issued.status_code == 201, issued.text
    run.dext_secret = issued.json()["secret"]
    run.secrets["Dext secret (issued by the admin)"] = run.dext_secret
    ended = await http.delete(f"{credentials}/previous", headers=as_admin)
    assert ended.status_code == 204, ended.text
    listed = await http.get(credentials, headers=as_admin)
    assert listed.status_code == 200 and listed.json()["previous"] is None, listed.text


async def _refused_attempts(run: FullRun, http: httpx.AsyncClient, urls: dict[str, str]) -> None:
    """Presented and refused: a guessed bearer token, a signature made with a wrong secret."""
    org = run.organisation_id
    guessed = "csk_" + _random()
    run.secrets["refused bearer token"] = guessed
    refused = await http.get(
        f"{urls['approval']}/v1/organisations/{org}/requests",
        headers={"Authorization": f"Bearer {guessed}"},
    )
    assert refused.status_code == 401
    refused = await http.get(
        f"{urls['publisher']}/v1/organisations/{org}/xero-connection",
        headers={"Authorization": f"Bearer {guessed}"},
    )
    assert refused.status_code == 401
    async with DextClient(urls["ingest"], org, run.dext_secret) as dext:
        wrong_secret = _random()
        request = dext.sign(
            dext.build("GET", f"/v1/organisations/{org}/items/nothing"), secret=wrong_secret
        )
        run.secrets["wrong Dext secret"] = wrong_secret
        run.secrets["refused Dext signature"] = request.headers["X-Dext-Signature"]
        assert (await dext.send(request)).status_code == 401


async def _publish_and_approve(
    run: FullRun,
    http: httpx.AsyncClient,
    urls: dict[str, str],
    approval: str,
    admin: dict[str, str],
) -> None:
    org = run.organisation_id
    item = cost_item(
        "dext-secret-1",
        "invoice",
        [line("Printer paper", "5", "21.10")],
        reference="INV-SEC-1",
        due_in_days=30,
    )
    async with DextClient(urls["ingest"], org, run.dext_secret) as dext:
        published = dext.sign(
            dext.build(
                "POST",
                f"/v1/organisations/{org}/cost-items",
                metadata=item,
                file=("INV-SEC-1.pdf", pdf("Secrets Ltd", "INV-SEC-1"), "application/pdf"),
            )
        )
        run.secrets["Dext signature (publication)"] = published.headers["X-Dext-Signature"]
        accepted = await dext.send(published)
        assert accepted.status_code == 202, accepted.text

        async def opened() -> list[dict[str, Any]]:
            found = await http.get(
                f"{approval}/requests", headers=admin, params={"dext_item_id": "dext-secret-1"}
            )
            body: list[dict[str, Any]] = found.json()
            return body

        requests = await eventually(
            opened, lambda rs: bool(rs) and rs[0]["state"] == "in_approval", timeout_s=60
        )
        decided = await http.post(
            f"{approval}/requests/{requests[0]['request_id']}/approve",
            headers={"Authorization": f"Bearer {run.secrets['approver API token']}"},
            json={"comment": "fine"},
        )
        assert decided.status_code == 200, decided.text

        operator = {"Authorization": f"Bearer {run.secrets['operator token']}"}

        async def publications() -> list[dict[str, Any]]:
            found = await http.get(
                f"{urls['publisher']}/v1/organisations/{org}/publications",
                headers=operator,
                params={"dext_item_id": "dext-secret-1"},
            )
            body: list[dict[str, Any]] = found.json() if found.status_code == 200 else []
            return body

        run.outcome["publications"] = await eventually(
            publications, lambda ps: bool(ps) and ps[0]["state"] == "completed", timeout_s=90
        )

        status = dext.sign(dext.build("GET", f"/v1/organisations/{org}/items/dext-secret-1"))
        run.secrets["Dext signature (status read)"] = status.headers["X-Dext-Signature"]
        answered = await dext.send(status)
        assert answered.status_code == 200, answered.text
        link = answered.json()["original_document_url"]
        run.secrets["document link signature"] = parse_qs(urlsplit(link).query)["signature"][0]
        opened_document = await http.get(link)
        assert opened_document.status_code == 200
