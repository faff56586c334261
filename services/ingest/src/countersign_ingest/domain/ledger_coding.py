"""A Dext item's coding checked against what the organisation's ledger (Xero, QuickBooks Online)
accepts, at intake, before anyone approves (issue 17): the rules of
``countersign_contracts.MasterData`` applied to the item's lines and payment account, each
finding named by its field in the publication (``metadata.…``).

Before the ledger has been read once there is nothing to check against: the publisher's own
check (the ledger's answer) is the only one then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from countersign_contracts import (
    Ledger,
    MasterData,
    currency_issues,
    ledger_uuid,
    lines_coding_issues,
    payment_account_issues,
)

from countersign_ingest.domain.metadata import BankTransactionMetadata, CostItemMetadata
from countersign_ingest.domain.rules import Violation

__all__ = ["coding_violations", "ledger_of_accounts"]


def ledger_of_accounts(organisation_id: UUID, accounts: Iterable[Mapping[str, Any]]) -> Ledger:
    """The ledger the kept accounts were read from. Ingest keeps the master data's entries,
    not the event's ``ledger``; the entries say it all the same: a QuickBooks Online account's
    ``account_id`` is ``ledger_uuid`` of its ``ledger_account_id`` (ADR 0068), a Xero one's is
    its id itself."""
    for account in accounts:
        qbo_id = account.get("ledger_account_id")
        if qbo_id and account.get("account_id") == str(
            ledger_uuid(Ledger.QBO, organisation_id, "account", str(qbo_id))
        ):
            return Ledger.QBO
    return Ledger.XERO


def coding_violations(
    meta: CostItemMetadata | BankTransactionMetadata, ledger: MasterData
) -> list[Violation]:
    """Every line and account of ``meta`` that the organisation's ledger would refuse."""
    found = currency_issues(ledger, meta.currency, "metadata.currency")
    found += lines_coding_issues(ledger, meta.lines, "metadata.lines")
    paid_from, where = (
        (meta.bank_account, "metadata.bank_account.code")
        if isinstance(meta, BankTransactionMetadata)
        else (meta.payment.account if meta.payment.paid else None, "metadata.payment.account.code")
    )
    if paid_from is not None and paid_from.code is not None:  # an id alone: the ledger checks
        found += payment_account_issues(ledger, paid_from.code, where)
    return [Violation(i.field, i.rule, i.message) for i in found]
