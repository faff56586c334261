"""The dispatching ledger (ADR 0069): each organisation's calls go to the adapter its
connection row names, the choice kept per organisation until its connection changes, and
``held_back`` asks that ledger's scheduler."""

import uuid
from typing import Any, cast
from uuid import UUID

import pytest
from countersign_publisher.adapters.ledgers import LedgerByConnection
from countersign_publisher.adapters.xero_client import XeroClient
from countersign_publisher.adapters.xero_ledger import XeroLedger
from countersign_publisher.adapters.xero_limits import CallScheduler, Limits
from countersign_publisher.ledger.errors import LedgerAuthLost
from countersign_publisher.ledger.port import Ledger
from countersign_publisher.ledger.values import LedgerContact

XERO_ORG, QBO_ORG = uuid.uuid4(), uuid.uuid4()
VENDOR = LedgerContact("56", "Acme", "ACTIVE", None, True, {"Id": "56"})


class FakeXero:
    """The Xero client calls the adapter makes, answered with no contacts."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    async def contacts_named(self, organisation_id: UUID, name: str) -> list[Any]:
        self.sent.append(("contacts_named", organisation_id))
        return []


class StandInQbo:
    """A second ledger: only the call the test makes."""

    name, title = "qbo", "QuickBooks Online"

    def __init__(self) -> None:
        self.asked: list[UUID] = []

    async def contacts_named(self, organisation_id: UUID, name: str) -> list[LedgerContact]:
        self.asked.append(organisation_id)
        return [VENDOR]

    def supplier(self, organisation_id: UUID, details: dict[str, Any]) -> Any:
        return ("qbo supplier", details["Id"])


class Rows:
    """The connection rows' ``ledger``, counting the reads."""

    def __init__(self, ledgers: dict[UUID, str]) -> None:
        self.ledgers, self.reads = ledgers, 0

    async def __call__(self, organisation_id: UUID) -> str | None:
        self.reads += 1
        return self.ledgers.get(organisation_id)


def _dispatch(rows: Rows, qbo_scheduler: CallScheduler | None = None) -> tuple[
    LedgerByConnection, FakeXero, StandInQbo
]:  # fmt: skip
    xero, qbo = FakeXero(), StandInQbo()
    ledgers = {
        "xero": (cast(Ledger, XeroLedger(cast(XeroClient, xero))), CallScheduler(Limits())),
        "qbo": (cast(Ledger, qbo), qbo_scheduler or CallScheduler(Limits())),
    }
    return LedgerByConnection(ledgers, rows), xero, qbo


async def test_each_organisations_calls_go_to_the_ledger_its_connection_names() -> None:
    dispatch, xero, qbo = _dispatch(Rows({XERO_ORG: "xero", QBO_ORG: "qbo"}))
    assert await dispatch.contacts_named(QBO_ORG, "Acme") == [VENDOR]
    assert await dispatch.contacts_named(XERO_ORG, "Acme") == []
    assert qbo.asked == [QBO_ORG]
    assert xero.sent == [("contacts_named", XERO_ORG)]


async def test_an_organisation_without_a_connection_row_is_the_default_ledgers() -> None:
    dispatch, xero, qbo = _dispatch(Rows({}))
    await dispatch.contacts_named(XERO_ORG, "Acme")
    assert xero.sent == [("contacts_named", XERO_ORG)] and qbo.asked == []


async def test_the_choice_is_read_once_and_again_after_the_connection_changed() -> None:
    rows = Rows({QBO_ORG: "xero"})
    dispatch, xero, qbo = _dispatch(rows)
    await dispatch.contacts_named(QBO_ORG, "Acme")
    await dispatch.contacts_named(QBO_ORG, "Acme")
    assert rows.reads == 1
    rows.ledgers[QBO_ORG] = "qbo"  # disconnected from Xero, connected to QBO
    dispatch.forget(QBO_ORG)
    assert await dispatch.contacts_named(QBO_ORG, "Acme") == [VENDOR]
    assert rows.reads == 2 and qbo.asked == [QBO_ORG] and len(xero.sent) == 2


async def test_a_kept_choice_is_read_again_once_it_is_old() -> None:
    rows = Rows({QBO_ORG: "qbo"})
    xero_ledger = cast(Ledger, XeroLedger(cast(XeroClient, FakeXero())))
    dispatch = LedgerByConnection(
        {"xero": (xero_ledger, CallScheduler(Limits()))}, rows, remember_s=0.0
    )
    for _ in range(2):
        with pytest.raises(LedgerAuthLost, match="no adapter for ledger 'qbo'"):
            await dispatch.contacts_named(QBO_ORG, "Acme")
    assert rows.reads == 2


async def test_held_back_asks_the_scheduler_of_the_organisations_ledger() -> None:
    full = CallScheduler(Limits(per_minute=1, minute_s=60.0))
    async with full.call(str(QBO_ORG)):
        pass  # its one call this minute: held back until the minute has room
    dispatch, _, _ = _dispatch(Rows({QBO_ORG: "qbo", XERO_ORG: "xero"}), full)
    assert dispatch.held_back(QBO_ORG)  # before any lookup: whichever scheduler served it
    await dispatch.contacts_named(QBO_ORG, "Acme")
    await dispatch.contacts_named(XERO_ORG, "Acme")
    assert dispatch.held_back(QBO_ORG)
    assert not dispatch.held_back(XERO_ORG)


def test_calls_naming_no_organisation_answer_as_the_default_ledger() -> None:
    dispatch, _, _ = _dispatch(Rows({}))
    assert dispatch.name == "xero" and dispatch.title == "Xero"


async def test_a_supplier_is_read_by_the_ledger_last_chosen_for_the_organisation() -> None:
    dispatch, _, _ = _dispatch(Rows({QBO_ORG: "qbo"}))
    await dispatch.contacts_named(QBO_ORG, "Acme")  # the sync reads the contacts first
    assert dispatch.supplier(QBO_ORG, {"Id": "56"}) == ("qbo supplier", "56")
