"""What the journey tests share besides their fixtures (in ``conftest.py``): the organisation's
workflow and people, and cost items whose accounts exist in the Xero sandbox's default tenant."""

from __future__ import annotations

import hashlib
from typing import Any

from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.organisation import Organisation, Person
from countersign_harness.waiting import eventually

__all__ = [
    "ANN",
    "PEOPLE",
    "WORKFLOW",
    "archive_in_xero",
    "invoice",
    "original",
    "sha256",
]

ANN = "ann@example.com"
PEOPLE = (Person(ANN, "Ann Approver", ("approver",)),)
# Bills under 50.00 need nobody; every other bill needs Ann, the budget holder.
WORKFLOW: dict[str, Any] = {
    "name": "Bill creation, review and approval",
    "auto_approval": [{"conditions": [{"field": "total", "operator": "<", "amount": "50"}]}],
    "steps": [{"name": "Budget holder", "approvers": [{"approver": ANN}]}],
    "default_approver": "ada@example.com",
}


def invoice(
    item: str,
    *lines: dict[str, Any],
    supplier: str = "Northwind Stationery Ltd",
    **options: Any,
) -> dict[str, Any]:
    """An invoice as Dext publishes it; by default 126.60 of printer paper, above the
    auto-approval threshold."""
    chosen = list(lines) or [line("Printer paper, A4, 5 boxes", "5", "21.10", account_code="461")]
    return cost_item(
        item,
        "invoice",
        chosen,
        supplier=supplier,
        reference=f"INV-{item}",
        due_in_days=30,
        **options,
    )


def original(item: str) -> bytes:
    return pdf("Northwind Stationery Ltd", f"Invoice INV-{item}")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def archive_in_xero(org: Organisation, code: str) -> None:
    """Someone archives account ``code`` in the organisation's Xero — after the master data read
    at connect (Dext's drop-down offers the account as active), as in life: the archive is news
    only to a later read, never to the first one racing it."""
    async with org.dext() as dext:
        await eventually(
            lambda: dext.pull("accounts"),
            lambda found: any(a["code"] == code and a["status"] == "ACTIVE" for a in found),
            timeout_s=60,
        )
    account = f"/_sandbox/tenants/{org.tenant_id}/accounts/{code}"
    org.xero_control("PATCH", account, {"Status": "ARCHIVED"})
