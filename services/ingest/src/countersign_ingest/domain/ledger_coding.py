"""A Dext item's coding checked against what Xero accepts, at intake, before anyone approves
(issue 17): the rules of ``countersign_contracts.MasterData`` applied to the item's lines and
payment account, each finding named by its field in the publication (``metadata.…``).

Before the ledger has been read once there is nothing to check against: the publisher's own
check (Xero's answer) is the only one then.
"""

from __future__ import annotations

from countersign_contracts import (
    MasterData,
    currency_issues,
    line_coding_issues,
    payment_account_issues,
)

from countersign_ingest.domain.metadata import BankTransactionMetadata, CostItemMetadata
from countersign_ingest.domain.rules import Violation

__all__ = ["coding_violations"]


def coding_violations(
    meta: CostItemMetadata | BankTransactionMetadata, ledger: MasterData
) -> list[Violation]:
    """Every line and account of ``meta`` that the organisation's Xero would refuse."""
    found = currency_issues(ledger, meta.currency, "metadata.currency")
    for n, line in enumerate(meta.lines):
        found += line_coding_issues(ledger, line, f"metadata.lines[{n}]")
    paid_from, where = (
        (meta.bank_account, "metadata.bank_account.code")
        if isinstance(meta, BankTransactionMetadata)
        else (meta.payment.account if meta.payment.paid else None, "metadata.payment.account.code")
    )
    if paid_from is not None and paid_from.code is not None:  # an id alone: Xero checks it
        found += payment_account_issues(ledger, paid_from.code, where)
    return [Violation(i.field, i.rule, i.message) for i in found]
