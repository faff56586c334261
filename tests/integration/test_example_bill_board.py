"""The downstream consumer example (examples/bill-board) as a team downstream would run it: in
a virtual environment of its own holding only the contracts wheel (`make contracts-wheel`),
the example and their dependencies, reading approval.requests.v1 and
ledger.publications.v1 from the real broker. It keeps a table of bills by status, tolerantly:
a field and an event type it does not know are skipped, a redelivery changes nothing, and a
bill's news from the two topics lands right whatever order they are read in."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from countersign_contracts import (
    APPROVAL_REQUESTS,
    LEDGER_PUBLICATIONS,
    Actor,
    ActorKind,
    BillCreated,
    EventPayload,
    PublicationCompleted,
    PublicationKind,
    RequestOpened,
    RequestRejected,
    WorkflowRef,
    XeroInvoiceStatus,
    encode,
    kafka_headers,
    new_envelope,
)
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import login_environment, produce
from countersign_harness.publisher_samples import authorised_request, sample_bill

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
_SECURITY = {"KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SSL_CAFILE"}
PRODUCERS = {APPROVAL_REQUESTS: "approval", LEDGER_PUBLICATIONS: "publisher"}


def _installed(venv: Path) -> dict[str, str]:
    """The example's own environment, built as a downstream team would from the wheel."""
    subprocess.run(["make", "-s", "contracts-wheel"], cwd=REPO, check=True, capture_output=True)
    subprocess.run(["uv", "venv", "-q", "--python", "3.11", str(venv)], check=True)
    install = ["uv", "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
               "--find-links", str(REPO / "dist"), "-c", str(REPO / "requirements.txt"),
               str(REPO / "examples" / "bill-board")]  # fmt: skip
    subprocess.run(install, check=True, cwd=REPO)
    listed = subprocess.run(
        ["uv", "pip", "list", "--format", "json", "--python", str(venv / "bin" / "python")],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return {p["name"]: p["version"] for p in json.loads(listed.stdout)}


def _reader_environment(bootstrap: str, prefix: str, group: str) -> dict[str, str]:
    """How the broker is reached, as the example's own principal (``bill-board``), granted
    READ on its two topics and its group the way an operator would: ``countersign-topics
    --reader``, with the admin's credentials this test process holds. On a broker without
    our users (plaintext, one's own) the example connects as the environment says."""
    env = {k: v for k, v in os.environ.items() if k in _SECURITY}
    login = login_environment("bill-board")
    if not login:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: the broker has no users of ours; the example runs as its own")
        return env
    grant = [str(REPO / ".venv" / "bin" / "countersign-topics"), "--bootstrap", bootstrap,
             "--prefix", prefix, "--reader", "User:bill-board", "--group", group,
             "--topic", APPROVAL_REQUESTS, "--topic", LEDGER_PUBLICATIONS]  # fmt: skip
    granted = subprocess.run(grant, check=True, capture_output=True, text=True).stdout
    assert "3 ACLs granted" in granted, granted
    return env | login


async def _board(run: list[str], idle_s: str, env: dict[str, str]) -> Any:
    """The example run until the topics stayed quiet ``idle_s`` seconds."""
    command = [*run, "--until-idle", idle_s]
    return await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True)


def _record(topic: str, org: uuid.UUID, payload: EventPayload) -> tuple[bytes, bytes, Any]:
    envelope = new_envelope(
        payload, producer=PRODUCERS[topic], organisation_id=org, correlation_id=uuid.uuid4()
    )
    headers = [(k, v.encode()) for k, v in kafka_headers(envelope).items()]
    return envelope.subject_id.encode(), encode(envelope), headers


def _newer(record: tuple[bytes, bytes, Any], **more: Any) -> tuple[bytes, bytes, Any]:
    """The record as a later minor version might write it: fields this one does not know."""
    key, value, headers = record
    message = json.loads(value)
    message["payload"].update(more)
    return key, json.dumps(message).encode(), headers


def _opened(request_id: uuid.UUID, reference: str) -> RequestOpened:
    authorised = authorised_request(sample_bill(reference), request_id)
    fields = authorised.model_dump(include={"request_id", "dext_item_id", "item_version", "bill"})
    return RequestOpened(**fields, workflow=authorised.workflow, opened_at=datetime.now(UTC))


async def test_the_example_keeps_bills_by_status_from_the_broker_as_a_tolerant_reader(
    infra: Infrastructure, isolation: str, tmp_path: Path
) -> None:
    org = uuid.uuid4()
    paid, refused, waiting = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    authorised = authorised_request(sample_bill("BB-1"), paid)
    invoice_id = uuid.uuid4()
    publication = {"publication_id": uuid.uuid4(), "kind": PublicationKind.BILL,
                   "request_id": paid, "dext_item_id": authorised.dext_item_id,
                   "item_version": 1}  # fmt: skip
    ledger = [
        _record(LEDGER_PUBLICATIONS, org, BillCreated(
            **publication, xero_invoice_id=invoice_id, xero_status=XeroInvoiceStatus.AUTHORISED,
            xero_contact_id=uuid.uuid4(), invoice_number="BB-1", currency="GBP",
            total=Decimal("126.60"),
        )),
        _record(LEDGER_PUBLICATIONS, org, PublicationCompleted(
            **publication, xero_invoice_id=invoice_id, xero_status="AUTHORISED"
        )),
    ]  # fmt: skip
    ann = Actor(kind=ActorKind.USER, user_id=uuid.uuid4(), name="Ann North", role="approver")
    rejection = RequestRejected(
        request_id=refused, dext_item_id="dext-BB-2", item_version=1,
        workflow=WorkflowRef(workflow_id=uuid.uuid4(), version=1, name="Bills"),
        rejected_by=ann, reason="Not ours", rejected_at=datetime.now(UTC),
    )  # fmt: skip
    opened_waiting = _record(APPROVAL_REQUESTS, org, _opened(waiting, "BB-3"))
    unknown_type = _newer(opened_waiting)
    unknown_value = json.loads(unknown_type[1])
    unknown_value["event_type"] = "RequestSentToTheMoon"  # an event type added after 1.10
    requests = [
        _record(APPROVAL_REQUESTS, org, _opened(paid, "BB-1")),
        _record(APPROVAL_REQUESTS, org, authorised),
        _record(APPROVAL_REQUESTS, org, _opened(refused, "BB-2")),
        _record(APPROVAL_REQUESTS, org, rejection),
        _newer(opened_waiting, priority="high", tags=["rent"]),
        opened_waiting,  # redelivered
        (unknown_type[0], json.dumps(unknown_value).encode(), unknown_type[2]),
    ]
    # The ledger's news first: it may well be read before the request it is about.
    await produce(infra.kafka_bootstrap_servers, f"{isolation}.{LEDGER_PUBLICATIONS}", ledger)
    await produce(infra.kafka_bootstrap_servers, f"{isolation}.{APPROVAL_REQUESTS}", requests)

    packages = await asyncio.to_thread(_installed, tmp_path / "venv")
    group = f"{isolation}-board"
    env = {
        "PATH": "/usr/bin:/bin",
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": f"{isolation}.",
        "BILL_BOARD_GROUP": group,
        # Its own read-only principal on the local stack's broker (TLS and SCRAM, ADR 0063).
        **_reader_environment(infra.kafka_bootstrap_servers, f"{isolation}.", group),
    }
    run = [str(tmp_path / "venv" / "bin" / "bill-board"), "--db", str(tmp_path / "board.db")]
    first = await _board(run, "5", env)
    again = await _board(run, "2", env)

    assert first.returncode == 0, first.stderr
    ours = {name for name in packages if name.startswith("countersign")}
    assert ours == {"countersign-contracts", "countersign-bill-board"}
    board = json.loads(first.stdout)
    assert board["read"] == len(ledger) + len(requests)
    by_status = {s: [r["request_id"] for r in rows] for s, rows in board["by_status"].items()}
    assert by_status == {
        "in_xero": [str(paid)],
        "rejected": [str(refused)],
        "awaiting_approval": [str(waiting)],
    }
    [bill] = board["by_status"]["in_xero"]
    assert (bill["xero_invoice_id"], bill["supplier"], bill["total"]) == (
        str(invoice_id),
        authorised.bill.supplier.name,
        str(authorised.bill.total),
    )
    assert "RequestSentToTheMoon" in first.stderr  # skipped, said so, not stopped
    # Its offsets were committed after the board: a second run reads nothing again.
    assert json.loads(again.stdout)["read"] == 0
    assert json.loads(again.stdout)["by_status"] == board["by_status"]
