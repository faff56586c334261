"""Each organisation's work goes to the adapter of the ledger its connection names."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from countersign_publisher.adapters.qbo_ledger import QboLedger
from countersign_publisher.adapters.xero_ledger import XeroLedger
from countersign_publisher.ledger.errors import LedgerAuthLost
from countersign_publisher.ledger.ledgers import Ledgers

HELD = uuid4()


def _ledgers() -> tuple[Ledgers, XeroLedger, QboLedger]:
    xero = XeroLedger.__new__(XeroLedger)
    qbo = QboLedger.__new__(QboLedger)

    def qbo_holds(organisation_id: UUID) -> bool:
        return organisation_id == HELD

    return Ledgers({"xero": (xero, lambda _: False), "qbo": (qbo, qbo_holds)}), xero, qbo


def test_the_adapter_is_the_one_the_connection_names() -> None:
    ledgers, xero, qbo = _ledgers()

    assert ledgers.of("xero") is xero
    assert ledgers.of("qbo") is qbo
    assert (ledgers.of("qbo").max_batch, ledgers.of("xero").max_batch) == (30, 50)


def test_a_ledger_without_an_adapter_here_parks_the_work() -> None:
    ledgers, _, _ = _ledgers()

    with pytest.raises(LedgerAuthLost, match="'sage'"):
        ledgers.of("sage")


def test_an_organisation_is_held_back_when_its_ledgers_budget_holds_it() -> None:
    ledgers, _, _ = _ledgers()

    assert ledgers.held_back(HELD)
    assert not ledgers.held_back(uuid4())
