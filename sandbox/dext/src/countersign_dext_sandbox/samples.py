"""The sample set: what a month of a small company's Dext looks like, published as Dext would.

Every document type Dext publishes as a bill, paid and unpaid, several currencies, tax
exclusive, inclusive and none, multi-line items with two tracking categories, an expense report,
a bank-account transaction, an amended republish (version 2), an identical republish (a no-op),
a withdrawal, and a pull of the supplier list.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import jpeg, pdf, png

__all__ = ["Outcome", "Report", "cost_item", "line", "publish_samples"]

CENT = Decimal("0.01")
REQUESTER = {"user_id": "dext-u-104", "name": "Priya Natarajan", "email": "priya@example.com"}
BANK = {"code": "090", "name": "Business Current Account"}


def line(
    description: str,
    quantity: str,
    unit_amount: str,
    *,
    account_code: str = "429",
    tax_type: str = "INPUT2",
    rate: str = "0.20",
    amount_type: str = "exclusive",
    tracking: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """A line whose amounts add up the way Xero adds them."""
    amount = (Decimal(quantity) * Decimal(unit_amount)).quantize(CENT, ROUND_HALF_UP)
    if amount_type == "no_tax":
        tax = Decimal("0.00")
    elif amount_type == "inclusive":
        tax = (amount * Decimal(rate) / (1 + Decimal(rate))).quantize(CENT, ROUND_HALF_UP)
    else:
        tax = (amount * Decimal(rate)).quantize(CENT, ROUND_HALF_UP)
    return {
        "description": description,
        "quantity": quantity,
        "unit_amount": unit_amount,
        "account_code": account_code,
        "tax_type": "NONE" if amount_type == "no_tax" else tax_type,
        "tax_amount": str(tax),
        "line_amount": str(amount),
        "tracking": [{"category": c, "option": o} for c, o in tracking or []],
    }


def _totals(lines: list[dict[str, Any]], amount_type: str) -> dict[str, str]:
    amounts = sum(Decimal(x["line_amount"]) for x in lines)
    tax = sum(Decimal(x["tax_amount"]) for x in lines)
    subtotal = amounts - tax if amount_type == "inclusive" else amounts
    return {"subtotal": str(subtotal), "total_tax": str(tax), "total": str(subtotal + tax)}


def cost_item(
    dext_item_id: str,
    document_type: str,
    lines: list[dict[str, Any]],
    *,
    supplier: str | None = "Northwind Stationery Ltd",
    reference: str | None = None,
    issue: date | None = None,
    due_in_days: int | None = None,
    currency: str = "GBP",
    amount_type: str = "exclusive",
    paid_on: date | None = None,
) -> dict[str, Any]:
    """Metadata of a cost item as Dext publishes it."""
    issued = issue or date.today() - timedelta(days=3)
    item: dict[str, Any] = {
        "dext_item_id": dext_item_id,
        "document_type": document_type,
        "issue_date": issued.isoformat(),
        "currency": currency,
        "line_amount_type": amount_type,
        "lines": lines,
        **_totals(lines, amount_type),
        "payment": {"paid": False},
        "requester": REQUESTER,
        "source_url": f"https://dext.example/costs/{dext_item_id}",
    }
    if supplier is not None:
        item["supplier"] = {"name": supplier}
    if reference is not None:
        item["document_reference"] = reference
    if due_in_days is not None:
        item["due_date"] = (issued + timedelta(days=due_in_days)).isoformat()
    if paid_on is not None:
        item["payment"] = {"paid": True, "account": BANK, "paid_on": paid_on.isoformat()}
    return item


@dataclass(frozen=True)
class Outcome:
    step: str
    status_code: int
    expected: tuple[int, ...]
    detail: str

    @property
    def ok(self) -> bool:
        return self.status_code in self.expected


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    suppliers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "outcomes": [{**o.__dict__, "ok": o.ok} for o in self.outcomes],
            "suppliers": len(self.suppliers),
        }


Step = Callable[[DextClient], Awaitable[httpx.Response]]


def _steps(run: str) -> list[tuple[str, tuple[int, ...], Step]]:
    today = date.today()
    invoice_lines = [
        line(
            "Printer paper, A4, 5 boxes",
            "5",
            "21.10",
            tracking=[("Region", "North"), ("Team", "Ops")],
        ),
        line(
            "Toner cartridge, black",
            "2",
            "64.99",
            account_code="463",
            tracking=[("Region", "South")],
        ),
        line("Delivery", "1", "7.50", account_code="425"),
    ]
    invoice = cost_item(
        f"{run}-inv", "invoice", invoice_lines, reference=f"NW-{run}", due_in_days=30
    )
    amended = cost_item(
        f"{run}-inv",
        "invoice",
        [
            {**invoice_lines[0]},
            line("Toner cartridge, black", "3", "64.99", account_code="463"),
            invoice_lines[2],
        ],
        reference=f"NW-{run}",
        due_in_days=30,
    )
    receipt_lines = [line("Team lunch", "1", "54.00", account_code="420", amount_type="inclusive")]
    expenses = [
        line(
            "Train, London to Leeds",
            "1",
            "86.40",
            account_code="493",
            rate="0",
            tax_type="NONE",
            amount_type="no_tax",
            tracking=[("Region", "North")],
        ),
        line(
            "Hotel, one night",
            "1",
            "119.00",
            account_code="494",
            amount_type="no_tax",
            tracking=[("Region", "North"), ("Team", "Sales")],
        ),
        line("Taxi to client", "1", "23.80", account_code="493", amount_type="no_tax"),
    ]
    bank_lines = [
        line("Parking, monthly permit", "1", "95.00", account_code="449", amount_type="inclusive")
    ]
    bank = {
        "dext_item_id": f"{run}-bank",
        "document_type": "receipt",
        "contact": {"name": "City Parking Services"},
        "bank_account": BANK,
        "transaction_date": (today - timedelta(days=1)).isoformat(),
        "reference": f"PARK-{run}",
        "currency": "EUR",
        "line_amount_type": "inclusive",
        "lines": bank_lines,
        **_totals(bank_lines, "inclusive"),
        "requester": REQUESTER,
        "source_url": f"https://dext.example/costs/{run}-bank",
    }
    doomed = cost_item(
        f"{run}-dup", "receipt", receipt_lines, supplier="Duplicate Café", amount_type="inclusive"
    )

    def publish(meta: dict[str, Any], name: str, content: bytes) -> Step:
        return lambda dext: dext.publish_cost_item(meta, name, content)

    accepted = (202,)
    return [
        (
            "invoice, GBP, exclusive, 3 lines, tracking, unpaid, PDF",
            accepted,
            publish(invoice, f"NW-{run}.pdf", pdf("Northwind Stationery Ltd", f"Invoice NW-{run}")),
        ),
        (
            "receipt, GBP, inclusive, paid, JPEG",
            accepted,
            publish(
                cost_item(
                    f"{run}-rcpt",
                    "receipt",
                    receipt_lines,
                    supplier="The Olive Tree",
                    amount_type="inclusive",
                    paid_on=today - timedelta(days=3),
                ),
                "lunch.jpg",
                jpeg(comment=f"{run}-rcpt"),
            ),
        ),
        (
            "atm, EUR, no tax, paid, PNG",
            accepted,
            publish(
                cost_item(
                    f"{run}-atm",
                    "atm",
                    [
                        line(
                            "Cash for site float",
                            "1",
                            "200.00",
                            account_code="404",
                            amount_type="no_tax",
                        )
                    ],
                    supplier="Banco Central ATM",
                    currency="EUR",
                    amount_type="no_tax",
                    paid_on=today - timedelta(days=2),
                ),
                "atm.png",
                png(seed=1),
            ),
        ),
        (
            "other, USD, exclusive, unpaid, PDF",
            accepted,
            publish(
                cost_item(
                    f"{run}-other",
                    "other",
                    [line("Software subscription", "12", "15.00", account_code="485", rate="0")],
                    supplier="Cloudly Inc",
                    currency="USD",
                ),
                "cloudly.pdf",
                pdf("Cloudly Inc", "Annual plan"),
            ),
        ),
        (
            "statement, AUD, inclusive, PDF",
            accepted,
            publish(
                cost_item(
                    f"{run}-stmt",
                    "statement",
                    [
                        line(
                            "Freight, October",
                            "1",
                            "330.00",
                            account_code="425",
                            rate="0.10",
                            amount_type="inclusive",
                        )
                    ],
                    supplier="Southern Freight Pty",
                    currency="AUD",
                    amount_type="inclusive",
                ),
                "statement.pdf",
                pdf("Southern Freight Pty", "Statement"),
            ),
        ),
        (
            "delivery note, NZD, exclusive, PNG",
            accepted,
            publish(
                cost_item(
                    f"{run}-dn",
                    "delivery_note",
                    [line("Pallet of chairs", "4", "112.50", account_code="630", rate="0.15")],
                    supplier="Kiwi Furniture Ltd",
                    currency="NZD",
                ),
                "delivery.png",
                png(seed=2),
            ),
        ),
        (
            "mileage, GBP, no tax, JPEG",
            accepted,
            publish(
                cost_item(
                    f"{run}-mile",
                    "mileage",
                    [
                        line(
                            "Client visit, 84 miles",
                            "84",
                            "0.45",
                            account_code="493",
                            amount_type="no_tax",
                        )
                    ],
                    supplier="Mileage claim",
                    amount_type="no_tax",
                ),
                "mileage.jpg",
                jpeg(48, 24, comment=f"{run}-mile"),
            ),
        ),
        (
            "expense report, 3 expenses with tracking, PDF",
            accepted,
            publish(
                cost_item(
                    f"{run}-exp", "expense_report", expenses, supplier=None, amount_type="no_tax"
                ),
                "expenses.pdf",
                pdf("Expense report", "Priya Natarajan"),
            ),
        ),
        (
            "bank transaction, EUR, inclusive, PNG",
            accepted,
            lambda dext: dext.publish_bank_transaction(bank, "parking.png", png(seed=3)),
        ),
        (
            "republish the invoice, amended (version 2)",
            accepted,
            publish(amended, f"NW-{run}.pdf", pdf("Northwind Stationery Ltd", f"Invoice NW-{run}")),
        ),
        (
            "republish the same again (no-op)",
            (200,),
            publish(amended, f"NW-{run}.pdf", pdf("Northwind Stationery Ltd", f"Invoice NW-{run}")),
        ),
        (
            "receipt later deleted in Dext",
            accepted,
            publish(doomed, "duplicate.jpg", jpeg(24, 24, comment=f"{run}-dup")),
        ),
        (
            "withdraw the deleted receipt",
            (202,),
            lambda dext: dext.withdraw(f"{run}-dup", "Duplicate of an earlier receipt"),
        ),
        ("status of the amended invoice", (200,), lambda dext: dext.item_status(f"{run}-inv")),
    ]


async def publish_samples(dext: DextClient, run: str | None = None) -> Report:
    """Publishes the whole sample set in order, then pulls the supplier list."""
    run = run or uuid.uuid4().hex[:8]
    report = Report()
    for name, expected, step in _steps(run):
        response = await step(dext)
        report.outcomes.append(Outcome(name, response.status_code, expected, response.text[:500]))
    report.suppliers = await dext.suppliers()
    return report
