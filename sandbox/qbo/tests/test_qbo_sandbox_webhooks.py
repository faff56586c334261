"""Signed webhook deliveries (Intuit's legacy payload) to a receiver on loopback: what a write
raises, the signature, retries of a refused delivery, and the delivery faults."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from countersign_qbo_sandbox.harness import serve
from countersign_qbo_sandbox.settings import SandboxSettings

from sandbox.qbo.tests.qbo_http import Company, bill
from sandbox.qbo.tests.qbo_receiver import Receiver, receiving

TOKEN = "verifier-token-for-tests"


@pytest.fixture(name="client")
def own_sandbox_fixture() -> Iterator[httpx.Client]:
    """A sandbox per test: registrations and lanes of one test never reach the next."""
    with (
        serve(SandboxSettings(time_scale=60, limits_enabled=False)) as url,
        httpx.Client(base_url=url, timeout=10) as client,
    ):
        yield client


@pytest.fixture(name="receiver")
def receiver_fixture(client: httpx.Client) -> Iterator[Receiver]:
    with receiving(Receiver(TOKEN)) as receiver:
        answer = client.post(
            "/_sandbox/webhooks", json={"url": receiver.url, "verifier_token": TOKEN}
        )
        assert answer.status_code == 201
        yield receiver


def _write(company: Company, suffix: str, body: dict[str, Any], **params: Any) -> dict[str, Any]:
    answer = company.post(suffix, body, **params)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = next(iter(answer.json().values()))
    return found


def _delete(company: Company, suffix: str, record: dict[str, Any]) -> None:
    fresh = next(iter(company.get(f"{suffix}/{record['Id']}").json().values()))
    _write(
        company, suffix, {"Id": fresh["Id"], "SyncToken": fresh["SyncToken"]}, operation="delete"
    )


def _sent(client: httpx.Client, count: int, settled: bool = False) -> list[dict[str, Any]]:
    """The deliveries, once ``count`` of them were tried (or lost) at least once, or, when
    ``settled``, acknowledged or lost."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        deliveries: list[dict[str, Any]] = client.get("/_sandbox/webhooks").json()["deliveries"]
        done = [d for d in deliveries if d["state"] != "pending" or (d["attempts"] and not settled)]
        if len(done) >= count:
            return deliveries
        time.sleep(0.02)
    raise AssertionError(f"fewer than {count} deliveries tried")


def _life_of_four(company: Company) -> None:
    """Create, update and delete a Bill, BillPayment and Purchase; a Vendor made inactive."""
    vendor = _write(company, "vendor", {"DisplayName": "Hook Supplies"})
    vendor = _write(company, "vendor", {**vendor, "sparse": True, "CompanyName": "Hook Ltd"})
    created = _write(company, "bill", bill(company, vendor["Id"]))
    created = _write(company, "bill", {**created, "sparse": True, "DocNumber": "SUP-9"})
    link = {"TxnId": created["Id"], "TxnType": "Bill"}
    bank = {"BankAccountRef": {"value": company.account("Checking")}}
    payment = {"VendorRef": {"value": vendor["Id"]}, "PayType": "Check", "TotalAmt": 10}
    paid = _write(
        company,
        "billpayment",
        {**payment, "CheckPayment": bank, "Line": [{"Amount": 10, "LinkedTxn": [link]}]},
    )
    _write(company, "billpayment", {**paid, "sparse": True, "PrivateNote": "late"})
    purchase = {
        "PaymentType": "CreditCard",
        "AccountRef": {"value": company.account("Visa")},
        "EntityRef": {"type": "Vendor", "value": vendor["Id"]},
        "Line": created["Line"][:1],
    }
    spent = _write(company, "purchase", purchase)
    _write(company, "purchase", {**spent, "sparse": True, "PrivateNote": "taxi"})
    for suffix, record in (("billpayment", paid), ("purchase", spent), ("bill", created)):
        _delete(company, suffix, record)
    vendor = company.get(f"vendor/{vendor['Id']}").json()["Vendor"]
    _write(company, "vendor", {**vendor, "sparse": True, "Active": False})


def test_writes_raise_signed_create_update_delete_events(
    client: httpx.Client, receiver: Receiver
) -> None:
    company = Company.create(client, {"name": "Hooked"})
    _life_of_four(company)
    wanted = {
        (name, operation)
        for name in ("Bill", "Vendor", "BillPayment", "Purchase")
        for operation in ("Create", "Update", "Delete")
    }
    count = len(client.get(f"/_sandbox/companies/{company.realm_id}/state").json()["changes"])
    entities = receiver.wait_for(count)
    assert receiver.refused == 0 and len(entities) == count
    assert {(e["name"], e["operation"]) for e in entities} == wanted
    assert {e["realmId"] for e in entities} == {company.realm_id}
    assert all(e["lastUpdated"].endswith("Z") and e["id"] for e in entities)
    for body in receiver.bodies:
        assert len(json.loads(body)["eventNotifications"]) == 1  # one realm per delivery


def test_a_wrong_verifier_token_is_refused_and_the_delivery_retried(client: httpx.Client) -> None:
    with receiving(Receiver(TOKEN)) as receiver:
        registration = {"url": receiver.url, "verifier_token": "another-token"}
        client.post("/_sandbox/webhooks", json=registration)
        company = Company.create(client, {})
        _write(company, "vendor", {"DisplayName": "Unsigned"})
        _sent(client, 1)
        client.post("/_sandbox/webhooks", json={**registration, "verifier_token": TOKEN})
        assert [e["operation"] for e in receiver.wait_for(1)] == ["Create"]
        assert receiver.refused >= 1


def test_a_refused_delivery_is_retried_and_later_events_wait(
    client: httpx.Client, receiver: Receiver
) -> None:
    receiver.fail_next = 2
    company = Company.create(client, {})
    _write(company, "vendor", {"DisplayName": "First"})
    _sent(client, 1)
    _write(company, "vendor", {"DisplayName": "Second"})
    entities = receiver.wait_for(2)
    assert len(entities) == 2 and receiver.failed == 2
    deliveries = _sent(client, 2, settled=True)
    assert [[a["status"] for a in d["attempts"]] for d in deliveries] == [[500, 500, 200], [200]]
    first, second = (
        [e["id"] for e in d["payload"]["eventNotifications"][0]["dataChangeEvent"]["entities"]]
        for d in deliveries
    )
    assert len(first) == 1 and len(second) == 1 and first != second


def test_delivery_faults_lose_and_duplicate(client: httpx.Client, receiver: Receiver) -> None:
    company = Company.create(client, {})
    lost = {"fault": "webhook_lost", "count": 1, "realm_id": company.realm_id}
    assert client.post("/_sandbox/faults", json=lost).status_code == 201
    _write(company, "vendor", {"DisplayName": "Lost"})
    _sent(client, 1)
    twice = {"fault": "webhook_duplicate", "count": 1, "path": "/qbo/webhooks"}
    assert client.post("/_sandbox/faults", json=twice).status_code == 201
    _write(company, "vendor", {"DisplayName": "Twice"})
    entities = receiver.wait_for(2)
    assert len(entities) == 2 and receiver.bodies[0] == receiver.bodies[1]
    states = [d["state"] for d in _sent(client, 2, settled=True)]
    assert states == ["lost", "delivered"]


def test_a_removed_registration_hears_nothing_more(client: httpx.Client) -> None:
    with receiving(Receiver(TOKEN)) as receiver:
        registration = {"url": receiver.url, "verifier_token": TOKEN}
        registered = client.post("/_sandbox/webhooks", json=registration).json()
        company = Company.create(client, {})
        _write(company, "vendor", {"DisplayName": "Heard"})
        assert len(receiver.wait_for(1)) == 1
        removed = client.delete(f"/_sandbox/webhooks/{registered['registration_id']}")
        again = client.delete(f"/_sandbox/webhooks/{registered['registration_id']}")
        _write(company, "vendor", {"DisplayName": "Unheard"})
        time.sleep(0.3)  # a delivery would leave within the loop's tick

    assert (removed.status_code, again.status_code) == (204, 404)
    assert client.get("/_sandbox/webhooks").json()["registrations"] == []
    assert [e["operation"] for e in receiver.items()] == ["Create"]
