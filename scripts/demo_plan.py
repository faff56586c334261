"""What the demo does: the demo organisation's people and workflow, and the twenty items Dext
publishes with what each approver will decide and the state each item must end in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from countersign_dext_sandbox.samples import REQUESTER, cost_item, line
from countersign_harness.organisation import Person

__all__ = ["PEOPLE", "PLAN", "RACES", "WORKFLOW", "Item"]

PEOPLE = (
    Person("rex@example.com", "Rex Reviewer", ("reviewer",)),
    Person("ann@example.com", "Ann North", ("approver",)),
    Person("bob@example.com", "Bob South", ("approver",)),
    Person("dan@example.com", "Dan Finance", ("approver",)),
    Person("eve@example.com", "Eve Finance", ("approver",)),
)

# A review, then the budget holder chosen by region, then finance (Dan from 1,000, else Eve);
# bills under 50.00 need nobody.
WORKFLOW: dict[str, Any] = {
    "name": "Bill creation, review and approval",
    "review": {"reviewers": ["rex@example.com"]},
    "auto_approval": [{"conditions": [{"field": "total", "operator": "<", "amount": "50"}]}],
    "steps": [
        {
            "name": "Budget holder",
            "completion": "any",
            "approvers": [
                {
                    "approver": "ann@example.com",
                    "rules": [
                        {
                            "conditions": [
                                {"field": "tracking", "category": "Region", "values": ["North"]}
                            ]
                        }
                    ],
                },
                {
                    "approver": "bob@example.com",
                    "rules": [
                        {
                            "conditions": [
                                {
                                    "field": "tracking",
                                    "category": "Region",
                                    "match": "does_not_match",
                                    "values": ["North"],
                                }
                            ]
                        }
                    ],
                },
            ],
            "default_approver": "bob@example.com",
        },
        {
            "name": "Finance",
            "completion": "any",
            "approvers": [
                {
                    "approver": "dan@example.com",
                    "rules": [
                        {"conditions": [{"field": "total", "operator": ">=", "amount": "1000"}]}
                    ],
                }
            ],
            "default_approver": "eve@example.com",
        },
    ],
    "decision_policy": "each_step",
    "default_approver": "ada@example.com",
}


@dataclass
class Item:
    """One item of the demo: its metadata, the path it should take and the state it must end in.

    ``reject_at``: the step whose approver rejects it (with ``reason``); ``republish``: the
    metadata of version 2, published after the rejection and then approved; ``withdraw``: Dext
    deletes it while it waits for approval; ``race``: Dext withdraws it (``"withdraw"``) or
    republishes ``republish`` (``"republish"``) at the moment the approver of step ``race_at``
    (the last) approves — it may end either way (ADR 0024), but Dext's status must agree with
    Xero."""

    metadata: dict[str, Any]
    path: str
    expected: str
    bank: bool = False
    reject_at: str | None = None
    reason: str = ""
    republish: dict[str, Any] | None = None
    withdraw: bool = False
    race: str | None = None
    race_at: str = "Finance"
    acted: set[str] = field(default_factory=set)

    @property
    def dext_item_id(self) -> str:
        return str(self.metadata["dext_item_id"])


def _north(description: str, qty: str, unit: str, account: str = "461") -> dict[str, Any]:
    return line(description, qty, unit, account_code=account, tracking=[("Region", "North")])


def _south(description: str, qty: str, unit: str, account: str = "453") -> dict[str, Any]:
    return line(
        description,
        qty,
        unit,
        account_code=account,
        tracking=[("Region", "South"), ("Department", "Operations")],
    )


def _invoice(item: str, supplier: str, *lines: dict[str, Any], **options: Any) -> dict[str, Any]:
    return cost_item(
        item, "invoice", list(lines), supplier=supplier, reference=item.upper(), due_in_days=30,
        **options,
    )  # fmt: skip


def _bank(item: str, contact: str, account: str, amount: str) -> dict[str, Any]:
    lines = [line(f"{contact}, card payment", "1", amount, account_code="493")]
    tax, total = lines[0]["tax_amount"], lines[0]["line_amount"]
    return {
        "dext_item_id": item,
        "document_type": "receipt",
        "contact": {"name": contact},
        "bank_account": {"code": account},
        "transaction_date": (date.today() - timedelta(days=2)).isoformat(),
        "reference": item.upper(),
        "currency": "GBP",
        "line_amount_type": "exclusive",
        "lines": lines,
        "subtotal": total,
        "total_tax": tax,
        "total": str(Decimal(total) + Decimal(tax)),
        "requester": REQUESTER,
        "source_url": f"https://dext.example/costs/{item}",
    }


def _plan(run: str) -> list[Item]:
    paid = date.today() - timedelta(days=1)
    euro = _invoice(f"{run}-eur", "Lyon Papeterie SA", _north("Archive boxes", "40", "3.90"),
                    currency="EUR")  # fmt: skip
    euro["exchange_rate"] = "1.17"
    expenses = [
        line("Train, London to Leeds", "1", "86.40", account_code="493", amount_type="no_tax"),
        line("Hotel, one night", "1", "119.00", account_code="493", amount_type="no_tax"),
        line("Taxi to client", "1", "23.80", account_code="493", amount_type="no_tax"),
    ]
    approve, authorised, paid_state = "review → approve", "AUTHORISED", "PAID"
    return [
        Item(_invoice(f"{run}-paper", "Northwind Stationery Ltd",
                      _north("Printer paper, A4", "5", "21.10")), approve, authorised),
        Item(_invoice(f"{run}-toner", "Southside Office Ltd",
                      _south("Toner cartridges", "3", "64.99")), approve, authorised),
        Item(_invoice(f"{run}-laptop", "Northwind Computers Ltd",
                      _north("Laptop", "1", "1249.00", "453")), "review → 2 steps", authorised),
        Item(_invoice(f"{run}-coffee", "Bean There Ltd",
                      _north("Coffee beans", "2", "12.50", "453")), "auto-approved", authorised),
        Item(_invoice(f"{run}-stamps", "Royal Mail",
                      _south("Stamps", "1", "8.40", "453")), "auto-approved", authorised),
        Item(_invoice(f"{run}-chairs", "Seat Co Ltd", _south("Office chairs", "4", "119.00"),
                      paid_on=paid), "approve, paid in Dext", paid_state),
        Item(_invoice(f"{run}-desk", "Desk Co Ltd", _north("Standing desk", "1", "420.00", "453"),
                      paid_on=paid), "approve, paid in Dext", paid_state),
        Item(_invoice(f"{run}-dinner", "The Grill", _north("Team dinner", "1", "240.00", "493")),
             "rejected", "rejected", reject_at="Budget holder", reason="Not a business expense"),
        Item(_invoice(f"{run}-dup", "Northwind Stationery Ltd",
                      _north("Printer paper, A4", "5", "21.10")),
             "rejected", "rejected", reject_at="Budget holder", reason="Duplicate of NW-1002"),
        Item(_invoice(f"{run}-cable", "Cable Works Ltd", _south("HDMI cables", "10", "9.50")),
             "rejected → republished → approve", authorised, reject_at="Budget holder",
             reason="Quantity is 8, not 10",
             republish=_invoice(f"{run}-cable", "Cable Works Ltd",
                                _south("HDMI cables", "8", "9.50"))),
        Item(_invoice(f"{run}-banner", "Print Fast Ltd", _south("Banner", "1", "180.00", "400")),
             "withdrawn in Dext", "withdrawn", withdraw=True),
        Item(_bank(f"{run}-parking", "City Parking Services", "090", "95.00"),
             "bank account → Spend Money", "SPEND", bank=True),
        Item(_bank(f"{run}-fuel", "Fuel Stop", "091", "62.30"),
             "bank account → Spend Money", "SPEND", bank=True),
        Item(cost_item(f"{run}-expenses", "expense_report", expenses, supplier=None,
                       amount_type="no_tax"), "expense report → approve", authorised),
        Item(euro, "EUR bill → approve", authorised),
        Item(_invoice(f"{run}-ads", "Ad Network Ltd", _south("Online advertising", "1", "300.00",
                                                            "400")), approve, authorised),
        Item(_invoice(f"{run}-cover", "Safe Insurance plc",
                      _north("Annual cover", "1", "2400.00", "433")),
             "rejected at finance", "rejected", reject_at="Finance",
             reason="Renewal not agreed yet"),
        Item(_invoice(f"{run}-print", "Print Fast Ltd", _north("Business cards", "500", "0.12")),
             approve, authorised),
        Item(_invoice(f"{run}-van", "Van Hire Ltd", _south("Van hire", "2", "85.00", "493")),
             approve, authorised),
        Item(_invoice(f"{run}-milk", "Dairy Direct", _north("Milk", "6", "1.20", "453")),
             "auto-approved", authorised),
    ]  # fmt: skip


PLAN = _plan


def _races(run: str) -> list[Item]:
    """Dext acting while the last approver approves: a withdrawal and a new version."""
    return [
        Item(_invoice(f"{run}-race-wd", "Race Supplies Ltd", _north("Folders", "12", "4.50")),
             "approved as Dext withdraws", "race", race="withdraw"),
        Item(_invoice(f"{run}-race-rp", "Race Supplies Ltd", _south("Pens", "30", "1.80")),
             "approved as Dext republishes", "race", race="republish",
             republish=_invoice(f"{run}-race-rp", "Race Supplies Ltd",
                                _south("Pens", "25", "1.80"))),
    ]  # fmt: skip


RACES = _races
