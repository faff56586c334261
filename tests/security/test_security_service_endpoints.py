"""Who may call ingest's and the publisher's endpoints, read from the tables below (every
endpoint of each app must have a row). Ingest's Dext calls open only to a signature made with
the organisation's own secret, its operator calls only to the operator token, its admins' calls
to no one here but the operator reading; the publisher's only to the operator token. Another
organisation's ids never answer with data, and a refused call stores nothing."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from countersign_contracts import APPROVAL_REQUESTS, encode, kafka_headers, new_envelope
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.infra import Infrastructure
from countersign_harness.ingest import (
    ADMIN_TOKEN as INGEST_OPERATOR_TOKEN,
    RunningIngest,
    new_secret,
    running_ingest,
)
from countersign_harness.kafka import produce
from countersign_harness.publisher import ADMIN_TOKEN as PUBLISHER_OPERATOR_TOKEN, running_publisher
from countersign_harness.publisher_samples import authorised_request, sample_bill
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import XeroSandbox
from countersign_ingest.app import create_app as create_ingest
from countersign_ingest.settings import IngestSettings
from countersign_publisher.app import create_app as create_publisher
from countersign_publisher.settings import PublisherSettings

from tests.security.endpoints import PUBLIC, Table, endpoints_of, parse_table

pytestmark = pytest.mark.integration

ORG = "/v1/organisations/{organisation_id}"
OPERATOR = "/v1/operator/organisations/{organisation_id}"

# Callers of ingest: no credential; a wrong operator token (bad); the operator token (oper); a
# Dext signature with the organisation's own secret (dext); one with the other organisation's
# secret (xdext); and a call signed with the own secret that names the other organisation's
# item (xid). A document is opened by a signed link (test_security_links_and_replays), or by
# a person of its organisation with an access token (the web app's scan: test_web_approver).
# The admins' Dext credentials take an access token with the admin role (ADR 0044): a Dext
# signature opens none of them and the operator only reads them; the admins' own rows (admin,
# reviewer, another organisation's admin) are in tests/integration/test_ingest_dext_credentials.py.
INGEST = """
endpoint                                              | none bad  oper dext xdext xid
PUT    {op}/dext-secret                               | 401  401  200  401  401   -
DELETE {op}/dext-secret/previous                      | 401  401  404  401  401   -
GET    {op}/dext-secret                               | 401  401  200  401  401   -
POST   {org}/dext-credentials                         | 401  401  401  401  401   -
DELETE {org}/dext-credentials/previous                | 401  401  401  401  401   -
DELETE {org}/dext-credentials/current                 | 401  401  401  401  401   -
GET    {org}/dext-credentials                         | 401  401  200  401  401   -
POST   {org}/cost-items                               | 401  401  401  202  401   -
POST   {org}/bank-transactions                        | 401  401  401  202  401   -
POST   {org}/cost-items/{dext_item_id}/withdrawal     | 401  401  401  202  401   404
GET    {org}/items/{dext_item_id}                     | 401  401  401  200  401   404
GET    {org}/suppliers                                | 401  401  401  200  401   -
GET    {org}/accounts                                 | 401  401  401  200  401   -
GET    {org}/tax-rates                                | 401  401  401  200  401   -
GET    {org}/tracking-categories                      | 401  401  401  200  401   -
GET    {org}/ledger-settings                          | 401  401  401  404  401   -
GET    /v1/documents/{document_id}                    | 422  422  422  422  422   -
GET    {org}/documents/{document_id}                  | 401  401  401  401  401   -
"""
INGEST_CALLERS = ("none", "bad", "oper", "dext", "xdext", "xid")

# Callers of the publisher: no credential, a wrong token, the operator token on the
# organisation's own ids (oper), and the operator token with the other organisation's
# publication or item id under this organisation's path (xid). Retrying a publication that has
# not failed is a 409: the caller got past the gate. What only an organisation's admin may do
# (an access token, ADR 0044) refuses the operator; the admins' own rows (admin, another
# organisation's admin, a reviewer) are in tests/e2e/test_journey_connect_xero.py. Xero's
# callback and the tenant choice take no credential: the flow's state is one (ADR 0045); so
# does Intuit's (ADR 0069). Importing a QBO grant for an organisation connected to Xero is
# refused before Intuit is asked (409: disconnect Xero first). Xero's
# webhooks take Xero's signature, no bearer token: without PUBLISHER_XERO_WEBHOOK_KEY (as here)
# the endpoint answers 503; with it, tests/integration/test_publisher_xero_webhooks.py. Intuit's
# likewise without PUBLISHER_QBO_WEBHOOK_VERIFIER (test_publisher_qbo_changes.py with it).
PUBLISHER = """
endpoint                                              | none bad  oper xid
GET    {org}/publications                             | 401  401  200  200
GET    {org}/publications/{publication_id}            | 401  401  200  404
POST   {org}/publications/{publication_id}/retry      | 401  401  409  404
GET    {org}/xero-connection                          | 401  401  200  -
GET    {org}/ledger-connection                        | 401  401  200  -
PUT    {org}/xero-connection                          | 401  401  200  -
PUT    {org}/qbo-connection                           | 401  401  409  -
POST   {org}/supplier-sync                            | 401  401  200  -
GET    {org}/master-data                              | 401  401  200  -
POST   {org}/master-data/reload                       | 401  401  200  -
GET    {org}/publication-settings                     | 401  401  200  -
PUT    {org}/publication-settings                     | 401  401  200  -
POST   {org}/xero-connection/authorisations           | 401  401  401  -
DELETE {org}/xero-connection                          | 401  401  401  -
POST   {org}/qbo-connection/authorisations            | 401  401  401  -
DELETE {org}/qbo-connection                           | 401  401  401  -
GET    /v1/xero/callback                              | 400  400  400  -
GET    /v1/qbo/callback                               | 400  400  400  -
POST   /v1/xero/tenant                                | 422  422  422  -
POST   /v1/xero/webhooks                              | 503  503  503  -
POST   /v1/qbo/webhooks                               | 503  503  503  -
"""
PUBLISHER_CALLERS = ("none", "bad", "oper", "xid")


def ingest_table() -> Table:
    return parse_table(INGEST, INGEST_CALLERS, {"{op}": OPERATOR, "{org}": ORG})


def publisher_table() -> Table:
    return parse_table(PUBLISHER, PUBLISHER_CALLERS, {"{org}": ORG})


def test_every_ingest_and_publisher_endpoint_has_a_row() -> None:
    infrastructure = {"database_url": "postgresql://unused", "kafka_bootstrap_servers": "-"}
    ingest = endpoints_of(create_ingest(IngestSettings(**infrastructure)))
    publisher = endpoints_of(create_publisher(PublisherSettings(**infrastructure)))
    assert ingest - PUBLIC == set(ingest_table())
    assert publisher - PUBLIC == set(publisher_table())


# ── ingest ──────────────────────────────────────────────────────────────────────────────────


def _publication(n: int, kind: str) -> tuple[dict[str, Any], tuple[str, bytes, str]]:
    file = (f"S-{n}.pdf", pdf("Security Ltd", f"S-{n}"), "application/pdf")
    if kind == "cost-items":
        item = cost_item(
            f"sec-{n}",
            "invoice",
            [line("Paper", "1", "10.00")],
            reference=f"S-{n}",
            due_in_days=30,
        )
        return item, file
    lines = [line("Parking", "1", "95.00", account_code="449", amount_type="inclusive")]
    return {
        "dext_item_id": f"sec-bank-{n}",
        "document_type": "receipt",
        "contact": {"name": "City Parking Services"},
        "bank_account": {"code": "090", "name": "Business Current Account"},
        "transaction_date": (date.today() - timedelta(days=1)).isoformat(),
        "reference": f"PARK-{n}",
        "currency": "GBP",
        "line_amount_type": "inclusive",
        "lines": lines,
        "total": "95.00",
        "subtotal": "79.17",
        "total_tax": "15.83",
        "requester": {"user_id": "dext-u-1", "name": "Pat", "email": "pat@example.com"},
        "source_url": f"https://dext.example/costs/sec-bank-{n}",
    }, file


class IngestWorld:
    def __init__(self, ingest: RunningIngest) -> None:
        self.ingest = ingest
        self.orgs = {"own": uuid.uuid4(), "other": uuid.uuid4()}
        self.secrets = {name: new_secret() for name in self.orgs}
        self.items: dict[str, str] = {}
        self.numbers = itertools.count()

    def client(self, name: str) -> DextClient:
        return self.ingest.dext(self.orgs[name], self.secrets[name])

    async def publish(self, name: str) -> str:
        async with self.client(name) as dext:
            meta, file = _publication(next(self.numbers), "cost-items")
            accepted = await dext.publish_cost_item(meta, *file[:2], file[2])
        assert accepted.status_code == 202, accepted.text
        return str(meta["dext_item_id"])

    async def state(self) -> tuple[dict[str, int], list[Any]]:
        # Every column but last_used_at: a call signed with the own secret notes its use even
        # when the endpoint then refuses it (an item of another organisation).
        secrets = await self.ingest.fetch(
            "SELECT organisation_id, role, sealed, created_at, credential_id, created_by,"
            " valid_until FROM dext_secrets ORDER BY organisation_id, role"
        )
        return await self.ingest.counts(), [tuple(r.values()) for r in secrets]

    def request(self, endpoint: str, caller: str, item: str) -> tuple[httpx.Request, DextClient]:
        method, template = endpoint.split(" ", 1)
        values = {
            "organisation_id": str(self.orgs["own"]),
            "dext_item_id": item,
            "document_id": str(uuid.uuid4()),
        }
        path = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], template)
        dext = self.client("own")
        n = next(self.numbers)
        if path.endswith("/dext-secret"):
            request = dext.build(method, path, json_body={"secret": self.secrets["own"]})
        elif path.endswith(("/cost-items", "/bank-transactions")):
            meta, file = _publication(n, path.rsplit("/", 1)[-1])
            request = dext.build(method, path, metadata=meta, file=file)
        elif path.endswith("/withdrawal"):
            request = dext.build(method, path, json_body={"reason": "deleted in Dext"})
        else:
            request = dext.build(method, path)
        if caller in ("dext", "xid"):
            dext.sign(request)
        elif caller == "xdext":
            dext.sign(request, secret=self.secrets["other"])
        elif caller == "bad":
            request.headers["Authorization"] = "Bearer " + new_secret()
        elif caller == "oper":
            request.headers["Authorization"] = f"Bearer {INGEST_OPERATOR_TOKEN}"
        return request, dext


async def test_ingest_opens_dext_calls_to_the_own_secret_and_operator_calls_to_the_operator(
    infra: Infrastructure, isolation: str
) -> None:
    wrong, recorded, leaked = [], [], []
    async with running_ingest(infra, isolation) as ingest:
        world = IngestWorld(ingest)
        for name, org in world.orgs.items():
            registered = await ingest.register_secret(org, world.secrets[name])
            assert registered.status_code == 201, registered.text
        other_item = await world.publish("other")
        found = await ingest.fetch(
            "SELECT document_id FROM item_versions WHERE dext_item_id = $1", other_item
        )
        other_document = str(found[0]["document_id"])
        for endpoint, row in ingest_table().items():
            for caller, expected in row.items():
                if expected is None:
                    continue
                # A call that may succeed gets an item of its own (a withdrawal ends one).
                item = other_item if caller == "xid" else await world.publish("own")
                request, dext = world.request(endpoint, caller, item)
                before = await world.state()
                async with dext:
                    response = await dext.send(request)
                cell = f"{endpoint} as {caller}"
                if response.status_code != expected:
                    wrong.append(f"{cell}: {response.status_code} ≠ {expected}: {response.text}")
                if response.status_code >= 300 and await world.state() != before:
                    recorded.append(cell)
                # The other organisation's item id is in the path of an xid call; its
                # document (and anything else of it) must not come back.
                if caller in ("xdext", "xid") and (
                    response.status_code < 300 or other_document in response.text
                ):
                    leaked.append(cell)
    assert wrong == []
    assert recorded == []
    assert leaked == []


# ── publisher ───────────────────────────────────────────────────────────────────────────────


async def test_publisher_opens_only_to_the_operator_and_only_on_the_organisations_own_ids(
    infra: Infrastructure,
    isolation: str,
    settings_for: Callable[..., PublisherSettings],
    xero_sandbox: XeroSandbox,
) -> None:
    orgs = {"own": uuid.uuid4(), "other": uuid.uuid4()}
    tenant = xero_sandbox.create_tenant()["tenant_id"]
    wrong, recorded, leaked = [], [], []
    # No webhook key, whatever the environment says (make test exports the stack's settings).
    config = settings_for(worker_enabled=False, xero_webhook_key=None, qbo_webhook_verifier=None)
    async with running_publisher(config) as publisher:
        await publisher.connect(orgs["own"], xero_sandbox, tenant)
        items = {}
        records = []
        for name, org in orgs.items():
            bill = sample_bill(f"INV-{name}")
            envelope = new_envelope(
                authorised_request(bill),
                producer="approval",
                organisation_id=org,
                correlation_id=uuid.uuid4(),
            )
            headers = [(k, v.encode()) for k, v in kafka_headers(envelope).items()]
            records.append((envelope.subject_id.encode(), encode(envelope), headers))
            items[name] = f"dext-{bill.document_reference}"
        await produce(infra.kafka_bootstrap_servers, f"{isolation}.{APPROVAL_REQUESTS}", records)
        publications = {
            name: (
                await eventually(
                    lambda n=name: publisher.publications(orgs[n], items[n]), bool, timeout_s=30
                )
            )[0]["publication_id"]
            for name in orgs
        }

        async def state() -> list[Any]:
            async with publisher.runtime.pool.acquire() as conn:
                found = []
                # The outbox by what was written: the relay marks rows sent in the background.
                for table in (
                    "publications",
                    "xero_connections",
                    "outbox",
                    "contacts",
                    "master_data",
                    "organisation_settings",
                ):
                    columns = "event_id, topic, payload" if table == "outbox" else "*"
                    rows = await conn.fetch(f"SELECT {columns} FROM {table} ORDER BY 1")
                    found.append([tuple(r.values()) for r in rows])
                return found

        for endpoint, row in publisher_table().items():
            for caller, expected in row.items():
                if expected is None:
                    continue
                ids = "other" if caller == "xid" else "own"
                values = {
                    "organisation_id": str(orgs["own"]),
                    "publication_id": str(publications[ids]),
                }
                method, template = endpoint.split(" ", 1)
                path = template.format(**values)
                headers = {
                    "none": {"Authorization": ""},
                    "bad": {"Authorization": "Bearer " + new_secret()},
                }.get(caller, {"Authorization": f"Bearer {PUBLISHER_OPERATOR_TOKEN}"})
                body: dict[str, Any] | None = None
                if path.endswith("/publication-settings"):
                    body = {"xero_history_notes": True} if method == "PUT" else None
                elif path.endswith("/qbo-connection") and method == "PUT":
                    body = {"access_token": "a", "refresh_token": "r", "realm_id": "1"}
                elif method == "PUT":
                    minted = xero_sandbox.mint_tokens(tenant)
                    body = {
                        **{k: minted[k] for k in ("access_token", "refresh_token", "expires_in")},
                        "tenant_id": tenant,
                    }
                params = {"dext_item_id": items[ids]} if path.endswith("/publications") else None
                before = await state()
                response = await publisher.http.request(
                    method, path, headers=headers, json=body, params=params
                )
                cell = f"{endpoint} as {caller}"
                if response.status_code != expected:
                    wrong.append(f"{cell}: {response.status_code} ≠ {expected}: {response.text}")
                if response.status_code >= 300 and await state() != before:
                    recorded.append(cell)
                # Error details may repeat the id the caller sent, never the other
                # organisation's item behind it.
                if caller != "oper" and items["other"] in response.text:
                    leaked.append(cell)
    assert wrong == []
    assert recorded == []
    assert leaked == []
