"""Crashes between any two steps, and answers lost after the ledger committed, never duplicate a
bill, an expense, a history note, an attachment or a payment — also once the ledger's memory of
repeated requests has expired (Xero's Idempotency-Key, QBO's ``requestid``): the lookups before
resending find what the first try made. For a Xero and a QuickBooks Online organisation, each on
its sandbox process; one publisher per ledger serves the module's organisations."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from uuid import UUID

import pytest
from countersign_contracts import (
    APPROVAL_REQUESTS,
    BANK_TRANSACTIONS,
    AuditAction,
    EventPayload,
    RequestAuthorised,
)
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import produce_event
from countersign_harness.publisher import (
    DOCUMENT_SECRET,
    RunningPublisher,
    publisher_settings,
    qbo_settings,
    running_publisher,
)
from countersign_harness.publisher_samples import authorised_request, document_bytes
from countersign_harness.waiting import eventually
from countersign_platform.outbound import OutboundHttp
from countersign_publisher.app import assemble

from tests.support.crash_ledgers import LedgerBooks, QboBooks, XeroBooks

pytestmark = pytest.mark.integration

BILL_CRASH_POINTS = [
    "contact:stored",
    "create_bill:sent",
    "create_bill:stored",
    "write_history:sent",
    "write_history:stored",
    "attach_original:sent",
    "attach_original:stored",
    "attach_audit_report:sent",
    "attach_audit_report:stored",
    "record_payment:sent",
    "record_payment:stored",
]
RECEIPT_CRASH_POINTS = [
    "contact:stored",
    "create_bank_transaction:sent",
    "create_bank_transaction:stored",
    "attach_original:sent",
    "attach_original:stored",
]


def _spoken(request: RequestAuthorised) -> RequestAuthorised:
    """The approver's comment over two lines (QBO keeps each note on one line of the memo)."""
    trail = [
        e.model_copy(update={"comment": "Fine by me.\nPaid  on the 5th"})
        if e.action is AuditAction.APPROVED
        else e
        for e in request.audit_trail
    ]
    return request.model_copy(update={"audit_trail": trail})


class InjectedCrash(BaseException):
    """Stands in for the process dying: nothing after it runs, not even error handling."""


class Stage:
    """One ledger's publisher (worker off: the tests run it) on the module's topics and schema."""

    def __init__(
        self,
        infra: Infrastructure,
        prefix: str,
        publisher: RunningPublisher,
        books: LedgerBooks,
        documents: DocumentServer,
    ) -> None:
        self.infra, self.prefix, self.publisher = infra, prefix, publisher
        self.books, self.documents = books, documents

    async def published(self, receipt: bool, reference: str) -> tuple[UUID, str]:
        """A new organisation's paid bill (or bank-account receipt) reached the publisher's
        queue: the organisation and its tenant or realm."""
        org, tenant = await self.books.connect(self.publisher)
        payload: EventPayload
        if receipt:
            payload = self.books.receipt(tenant, reference)
            topic, document = BANK_TRANSACTIONS, payload.document
        else:
            bill = self.books.bill(tenant, reference)
            payload, topic, document = (
                _spoken(authorised_request(bill)),
                APPROVAL_REQUESTS,
                bill.document,
            )
        self.documents.add(document.document_id, document_bytes(reference))
        await produce_event(self.infra.kafka_bootstrap_servers, self.prefix, topic, org, payload)
        await eventually(lambda: self.state(org), lambda state: state is not None)
        return org, tenant

    async def state(self, org: UUID) -> str | None:
        query = "SELECT state FROM publications WHERE organisation_id = $1"
        found = await self.publisher.runtime.pool.fetchval(query, org)
        return None if found is None else str(found)


@pytest.fixture(scope="module")
def module_documents() -> Iterator[DocumentServer]:
    with DocumentServer(DOCUMENT_SECRET) as server:
        yield server


@pytest.fixture(scope="module", params=["xero", "qbo"])
async def stage(
    request: pytest.FixtureRequest, infra: Infrastructure, module_documents: DocumentServer
) -> AsyncIterator[Stage]:
    prefix = "t" + uuid.uuid4().hex[:10]
    ledger = {}
    if request.param == "qbo":
        qbo = request.getfixturevalue("qbo_sandbox")
        books: LedgerBooks = QboBooks(qbo)
        ledger = qbo_settings(qbo)
    else:
        books = XeroBooks(request.getfixturevalue("xero_sandbox"))
    xero = books.sandbox if isinstance(books, XeroBooks) else None
    # Each dropped answer is one failed try: room for all of them before parking.
    settings = publisher_settings(
        infra.database_url_for("publisher"),
        infra.kafka_bootstrap_servers,
        prefix,
        xero,
        module_documents.url,
        worker_enabled=False,
        worker_max_attempts=8,
        **ledger,
    )
    async with running_publisher(settings) as publisher:
        yield Stage(infra, prefix, publisher, books, module_documents)


async def worker_crashed_then_resumed(
    publisher: RunningPublisher,
    crash_at: str,
    forget: Callable[[], None],
    state: Callable[[], Awaitable[str | None]],
) -> str:
    """The publisher's worker dies at ``crash_at``; once the ledger forgot every repeated-request
    key it saw (``forget``), a successor takes the job on. The publication's ``state`` then."""

    def crash(point: str) -> None:
        if point == crash_at:
            raise InjectedCrash(point)

    runtime, settings = publisher.runtime, publisher.parts.settings
    http = OutboundHttp(timeout_s=10)
    try:
        doomed = assemble(runtime, settings, http, crash)
        with pytest.raises(InjectedCrash):
            await doomed.worker.run_until_idle()
        forget()
        successor = assemble(runtime, settings, http)

        async def resume() -> str | None:
            await successor.worker.run_until_idle()  # nothing is due while the lease holds
            return await state()

        return str(await eventually(resume, lambda found: found == "completed", timeout_s=30))
    finally:
        await http.aclose()


async def crashed_then_resumed(stage: Stage, org: UUID, tenant: str, crash_at: str) -> str:
    """``worker_crashed_then_resumed`` for the organisation's publication on the stage."""
    return await worker_crashed_then_resumed(
        stage.publisher, crash_at, lambda: stage.books.forget(tenant), lambda: stage.state(org)
    )


@pytest.mark.parametrize("crash_at", BILL_CRASH_POINTS)
async def test_a_crash_at_any_step_of_a_bill_resumes_without_duplicates(
    stage: Stage, crash_at: str
) -> None:
    org, tenant = await stage.published(False, f"INV-C-{crash_at}")
    assert await crashed_then_resumed(stage, org, tenant, crash_at) == "completed"
    stage.books.assert_bill_once(tenant)


@pytest.mark.parametrize("crash_at", RECEIPT_CRASH_POINTS)
async def test_a_crash_at_any_step_of_a_receipt_resumes_without_duplicates(
    stage: Stage, crash_at: str
) -> None:
    org, tenant = await stage.published(True, f"RCPT-C-{crash_at}")
    assert await crashed_then_resumed(stage, org, tenant, crash_at) == "completed"
    stage.books.assert_receipt_once(tenant)


@pytest.mark.parametrize("receipt", [False, True], ids=["bill", "receipt"])
async def test_answers_dropped_after_the_ledger_committed_never_duplicate(
    stage: Stage, receipt: bool
) -> None:
    books = stage.books
    org, tenant = await stage.published(receipt, "RCPT-DROP" if receipt else "INV-DROP")
    injected_before = books.faults_injected()
    dropped = books.drop_answers(tenant, receipt)
    worker = stage.publisher.parts.worker

    async def resume() -> str | None:
        await worker.run_until_idle()
        books.forget(tenant)
        return await stage.state(org)

    final = await eventually(resume, lambda state: state == "completed", timeout_s=30)
    assert final == "completed"
    assert books.faults_injected() - injected_before == dropped
    if receipt:
        books.assert_receipt_once(tenant)
    else:
        books.assert_bill_once(tenant)
