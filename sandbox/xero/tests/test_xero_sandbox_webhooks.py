"""The Xero sandbox's webhooks over real HTTP: intent to receive, signed deliveries of invoice
and contact creates and updates (API writes and edits made "in Xero"), retries with backoff on
the sandbox clock, and the lost, duplicated and delayed delivery faults."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from countersign_xero_sandbox.harness import control, provision, serve
from countersign_xero_sandbox.settings import SandboxSettings

from sandbox.xero.tests.webhook_receiver import Receiver, receiving
from sandbox.xero.tests.xero_http import accounting_client, bill

pytestmark = pytest.mark.integration

KEY = "webhook-key-for-tests"


@pytest.fixture(scope="module", name="sandbox_url")
def sandbox_url_fixture() -> Iterator[str]:
    # Ten sandbox minutes a real second: the first retry (60 s) comes after 0.1 s.
    with serve(SandboxSettings(time_scale=600, limits_enabled=False)) as url:
        yield url


@pytest.fixture(name="app_id")
def app_id_fixture() -> str:
    return f"app-{uuid.uuid4().hex[:8]}"  # an app of its own: no other test's webhook hears


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    with receiving(Receiver(KEY)) as receiver:
        yield receiver


def _register(sandbox_url: str, app_id: str, receiver: Receiver) -> dict[str, Any]:
    body = {"client_id": app_id, "url": receiver.url, "key": KEY}
    webhook: dict[str, Any] = control(sandbox_url, "POST", "/_sandbox/webhooks", body)
    return webhook


def _org(sandbox_url: str, app_id: str) -> tuple[dict[str, Any], httpx.Client]:
    org = provision(sandbox_url, {}, client_id=app_id)
    return org, accounting_client(sandbox_url, org)


def _deliveries(sandbox_url: str, webhook: dict[str, Any]) -> list[dict[str, Any]]:
    path = f"/_sandbox/webhooks/{webhook['webhook_id']}/deliveries"
    found: list[dict[str, Any]] = control(sandbox_url, "GET", path)
    return found


def _settled(sandbox_url: str, webhook: dict[str, Any], count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while True:
        found = _deliveries(sandbox_url, webhook)
        done = [d for d in found if d["state"] != "pending"]
        if len(done) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def test_intent_to_receive_passes_when_the_receiver_checks_signatures(
    sandbox_url: str, app_id: str, receiver: Receiver
) -> None:
    webhook = _register(sandbox_url, app_id, receiver)
    assert webhook["status"] == "OK"
    probes = webhook["probes"]
    assert sorted(p["signed"] for p in probes) == [False] * 3 + [True] * 3
    assert all(p["passed"] and p["status"] == p["expected"] for p in probes)
    assert receiver.refused == 3 and receiver.received == []  # probes carry no events


def test_intent_to_receive_fails_a_receiver_that_accepts_any_signature_and_nothing_is_sent(
    sandbox_url: str, app_id: str
) -> None:
    with receiving(Receiver(KEY, trusting=True)) as trusting:
        webhook = _register(sandbox_url, app_id, trusting)
        _, api = _org(sandbox_url, app_id)
        with api:
            assert api.put("/Invoices", json={"Invoices": [bill()]}).status_code == 200
        time.sleep(0.2)
    assert webhook["status"] == "FAILED"
    assert [p["passed"] for p in webhook["probes"] if not p["signed"]] == [False] * 3
    assert _deliveries(sandbox_url, webhook) == [] and trusting.received == []


def test_creates_and_updates_are_delivered_signed_in_xeros_shape(
    sandbox_url: str, app_id: str, receiver: Receiver
) -> None:
    _register(sandbox_url, app_id, receiver)
    org, api = _org(sandbox_url, app_id)
    tenant_id = org["tenant_id"]
    with api:
        created = api.put("/Invoices", json={"Invoices": [bill()]}).json()["Invoices"][0]
        invoice_id, contact_id = created["InvoiceID"], created["Contact"]["ContactID"]
        receiver.wait_for(2)
        api.post(f"/Invoices/{invoice_id}", json={"InvoiceNumber": "SUP-1b"}).raise_for_status()
        receiver.wait_for(3)
    control(sandbox_url, "PATCH", f"/_sandbox/tenants/{tenant_id}/contacts/{contact_id}",
            {"EmailAddress": "ap@acme.example"})  # fmt: skip
    events = receiver.wait_for(4)

    kinds = [(e["eventCategory"], e["eventType"], e["resourceId"]) for e in events]
    assert sorted(kinds[:2]) == [
        ("CONTACT", "CREATE", contact_id),
        ("INVOICE", "CREATE", invoice_id),
    ]
    assert kinds[2:] == [("INVOICE", "UPDATE", invoice_id), ("CONTACT", "UPDATE", contact_id)]
    first = next(e for e in events if e["eventCategory"] == "INVOICE")
    assert first["resourceUrl"] == f"{sandbox_url}/api.xro/2.0/Invoices/{invoice_id}"
    assert (first["tenantId"], first["tenantType"]) == (tenant_id, "ORGANISATION")
    assert len(first["eventDateUtc"]) == len("2024-06-21T01:15:39.902")
    sequences = [(p["firstEventSequence"], p["lastEventSequence"]) for p in receiver.received]
    assert sequences[0] == (1, 2) and sequences[1:] == [(3, 3), (4, 4)]
    assert all(len(p["entropy"]) == 20 for p in receiver.received)
    assert receiver.refused == 3  # only intent to receive's unsigned probes


def test_a_failing_receiver_gets_the_delivery_again_with_backoff_and_in_order(
    sandbox_url: str, app_id: str, receiver: Receiver
) -> None:
    webhook = _register(sandbox_url, app_id, receiver)
    _, api = _org(sandbox_url, app_id)
    receiver.fail_next = 2
    with api:
        api.put("/Contacts", json={"Contacts": [{"Name": "First Ltd"}]}).raise_for_status()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(
            d["attempts"] for d in _deliveries(sandbox_url, webhook)
        ):
            time.sleep(0.01)
        # Queued while the first delivery is failing: it waits for it (one lane per tenant).
        api.put("/Contacts", json={"Contacts": [{"Name": "Second Ltd"}]}).raise_for_status()
    deliveries = _settled(sandbox_url, webhook, 2)
    events = receiver.wait_for(2)

    assert [d["state"] for d in deliveries] == ["delivered", "delivered"]
    first, second = (d["attempts"] for d in deliveries)
    assert [a["status"] for a in first] == [500, 500, 200]
    assert [a["status"] for a in second] == [200]
    assert [a["at"] for a in first] == sorted(a["at"] for a in first)
    assert second[0]["at"] > first[-1]["at"]
    assert [e["eventType"] for e in events] == ["CREATE", "CREATE"]
    assert [p["firstEventSequence"] for p in receiver.received] == [1, 2]


def test_faults_lose_duplicate_and_delay_deliveries(
    sandbox_url: str, app_id: str, receiver: Receiver
) -> None:
    webhook = _register(sandbox_url, app_id, receiver)
    org, api = _org(sandbox_url, app_id)
    tenant_id = org["tenant_id"]

    def change(name: str, fault: str | None = None, **rule: Any) -> None:
        if fault is not None:
            control(sandbox_url, "POST", "/_sandbox/faults",
                    {"fault": fault, "count": 1, "tenant_id": tenant_id, **rule})  # fmt: skip
        api.put("/Contacts", json={"Contacts": [{"Name": name}]}).raise_for_status()

    with api:
        change("Lost Ltd", "webhook_lost")
        _settled(sandbox_url, webhook, 1)
        change("Twice Ltd", "webhook_duplicate")
        _settled(sandbox_url, webhook, 2)
        change("Late Ltd", "webhook_delay", seconds=600)  # a real second at this scale
        receiver.wait_for(2)
        time.sleep(0.1)  # the delayed delivery is made and held
        change("Early Ltd")
    deliveries = _settled(sandbox_url, webhook, 4)
    names = [e["resourceId"] for e in receiver.wait_for(4)]

    assert [d["state"] for d in deliveries] == ["lost", "delivered", "delivered", "delivered"]
    assert [d["faults"] for d in deliveries] == [["lost"], ["duplicate"], ["delay"], []]
    assert len(deliveries[1]["attempts"]) == 2 and receiver.received[0] == receiver.received[1]
    late, early = (d["payload"]["events"][0]["resourceId"] for d in deliveries[2:])
    assert names[2:] == [early, late]  # the delayed delivery arrived after a later one
    assert deliveries[0]["payload"]["events"][0]["resourceId"] not in names
