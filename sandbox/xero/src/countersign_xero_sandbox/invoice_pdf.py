"""An invoice or bill as the PDF Xero answers to ``GET /Invoices/{id}`` with
``Accept: application/pdf``:

    title (Bill / Invoice and its number)
    from, to · number, reference, dates, status, currency
    lines: description, quantity, unit amount, tax, amount
    totals: subtotal, tax, total, paid, due

Not Xero's layout, only its content. The creation date is the invoice's UpdatedDateUTC, so the
same invoice always gives the same bytes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fpdf import FPDF

from countersign_xero_sandbox.amounts import unit_amount
from countersign_xero_sandbox.model import Record

__all__ = ["invoice_pdf"]

_COLUMNS = (("Description", 85), ("Quantity", 22), ("Unit", 25), ("Tax", 23), ("Amount", 25))


def _text(value: object) -> str:
    # The PDF core fonts speak Latin-1; anything outside it is shown as "?" rather than lost.
    return str(value).encode("latin-1", "replace").decode("latin-1")


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else "-"


def _row(pdf: FPDF, cells: list[str], bold: bool = False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 9)
    for (_, width), text in zip(_COLUMNS, cells, strict=True):
        shown = _text(text)
        while shown and pdf.get_string_width(shown) > width - 2:
            shown = shown[:-1]
        pdf.cell(width, 6, shown, border=1, align="L" if width == _COLUMNS[0][1] else "R")
    pdf.ln()


def invoice_pdf(organisation: Record, invoice: Record, unit_places: int) -> bytes:
    bill = invoice["Type"] == "ACCPAY"
    contact = str(invoice.get("Contact", {}).get("Name", ""))
    ours = str(organisation.get("Name", ""))
    pdf = FPDF(format="A4")
    pdf.set_creation_date(invoice["UpdatedDateUTC"])
    pdf.set_title(_text(f"{'Bill' if bill else 'Invoice'} {invoice['InvoiceNumber']}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    title = f"{'Bill' if bill else 'Invoice'} {invoice['InvoiceNumber']}".strip()
    pdf.cell(0, 10, _text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    details = [
        ("From", contact if bill else ours),
        ("To", ours if bill else contact),
        ("Number", invoice["InvoiceNumber"]),
        ("Reference", invoice.get("Reference") or ""),
        ("Date", _day(invoice.get("Date"))),
        ("Due date", _day(invoice.get("DueDate"))),
        ("Status", invoice["Status"]),
        ("Currency", invoice["CurrencyCode"]),
    ]
    for label, value in details:
        if value:
            pdf.cell(30, 6, _text(label))
            pdf.cell(0, 6, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _row(pdf, [name for name, _ in _COLUMNS], bold=True)
    for line in invoice["LineItems"]:
        _row(
            pdf,
            [
                line["Description"],
                f"{line['Quantity'].normalize():f}",
                f"{unit_amount(line['UnitAmount'], unit_places):,}",
                _money(line["TaxAmount"]),
                _money(line["LineAmount"]),
            ],
        )
    pdf.ln(4)
    totals = [
        ("Subtotal", invoice["SubTotal"]),
        ("Total tax", invoice["TotalTax"]),
        ("Total", invoice["Total"]),
        ("Amount paid", invoice["AmountPaid"]),
        ("Amount due", invoice["AmountDue"]),
    ]
    for label, amount in totals:
        pdf.set_font("Helvetica", "B" if label == "Total" else "", 10)
        pdf.cell(155, 6, label, align="R")
        pdf.cell(25, 6, f"{_money(amount)}", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
