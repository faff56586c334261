"""Repeating invoice templates (``/RepeatingInvoices``) and the bills and invoices they make.

A template holds a document's contact, lines and currency with a ``Schedule`` (every Period
WEEKLY or MONTHLY units from StartDate, due per DueDate/DueDateType). Its ``Status`` is how
Xero saves it (DRAFT: "Save as draft", AUTHORISED: "Approve"; ``ApprovedForSending`` is
"Approve for sending", sales invoices only) and what each invoice it makes becomes. Xero makes
those invoices on its own schedule; the sandbox makes the next one when a test asks
(``run_template``, ``POST /_sandbox/tenants/{id}/repeating-invoices/{id}/run``): an invoice
like any other, plus the template's ``RepeatingInvoiceID``, and NextScheduledDate moves on.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any

from countersign_xero_sandbox.batches import Element
from countersign_xero_sandbox.dates import parse_date
from countersign_xero_sandbox.documents import PendingContacts, check_common, resolve_contact
from countersign_xero_sandbox.invoices import prepare_invoice
from countersign_xero_sandbox.line_items import LINE_AMOUNT_TYPES, build_lines
from countersign_xero_sandbox.model import Record, Tenant, new_id

__all__ = ["due_date", "prepare_template", "run_template"]

UNITS = {"WEEKLY", "MONTHLY"}
DUE_TYPES = {
    "DAYSAFTERBILLDATE",
    "DAYSAFTERBILLMONTH",
    "DAYSAFTERINVOICEDATE",
    "DAYSAFTERINVOICEMONTH",
    "OFCURRENTMONTH",
    "OFFOLLOWINGMONTH",
}
STATUSES = {"DRAFT", "AUTHORISED"}
FLAGS = ("ApprovedForSending", "SendCopy", "MarkAsSent", "IncludePDF")


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def due_date(day: date, number: int, kind: str) -> date:
    """An invoice's DueDate from its Date and the schedule's payment terms."""
    if kind in ("DAYSAFTERBILLDATE", "DAYSAFTERINVOICEDATE"):
        return day + timedelta(days=number)
    if kind in ("DAYSAFTERBILLMONTH", "DAYSAFTERINVOICEMONTH"):
        return _month_end(day) + timedelta(days=number)
    month = day if kind == "OFCURRENTMONTH" else _add_months(day.replace(day=1), 1)
    return month.replace(day=min(max(number, 1), _month_end(month).day))


def _schedule(raw: Any, now: datetime, errors: list[str]) -> Record:
    if not isinstance(raw, dict):
        errors.append("A repeating invoice needs a Schedule.")
        return {}
    period, unit = raw.get("Period"), str(raw.get("Unit") or "")
    due, due_type = raw.get("DueDate"), str(raw.get("DueDateType") or "")
    if not isinstance(period, int) or period < 1:
        errors.append("Schedule Period must be a whole number of at least 1.")
    if unit not in UNITS:
        errors.append("Schedule Unit must be WEEKLY or MONTHLY.")
    if not isinstance(due, int) or due < 0:
        errors.append("Schedule DueDate must be a whole number.")
    if due_type not in DUE_TYPES:
        errors.append(f"Schedule DueDateType must be one of {', '.join(sorted(DUE_TYPES))}.")
    try:
        start = parse_date(raw["StartDate"]) if raw.get("StartDate") else now.date()
        end = parse_date(raw["EndDate"]) if raw.get("EndDate") else None
    except ValueError:
        errors.append("Schedule StartDate and EndDate must be dates.")
        start, end = now.date(), None
    return {"Period": period, "Unit": unit, "DueDate": due, "DueDateType": due_type,
            "StartDate": start, "EndDate": end, "NextScheduledDate": start}  # fmt: skip


def prepare_template(tenant: Tenant, raw: Any, now: datetime, pending: PendingContacts) -> Element:
    """Validates one template of a ``PUT``/``POST /RepeatingInvoices`` and returns its commit."""
    if not isinstance(raw, dict):
        return Element({}, ["A repeating invoice must be a JSON object."])
    errors: list[str] = []
    kind = str(raw.get("Type") or "")
    if kind not in {"ACCPAY", "ACCREC"}:
        errors.append("Type must be ACCPAY or ACCREC.")
    status = str(raw.get("Status") or "DRAFT")
    if status not in STATUSES:
        errors.append("Status must be DRAFT or AUTHORISED.")
    contact = resolve_contact(tenant, raw.get("Contact"), pending, now, errors)
    currency = check_common(tenant, raw, None, errors)
    amount_types = str(raw.get("LineAmountTypes") or "Exclusive")
    lines = build_lines(tenant, raw.get("LineItems", []), amount_types, True, 2, errors)
    if not lines.items:
        errors.append("At least one line item is required.")
    template_id = new_id()
    record: Record = {
        "Schedule": _schedule(raw.get("Schedule"), now, errors),
        "RepeatingInvoiceID": template_id,
        "Type": kind,
        "Reference": str(raw.get("Reference") or "") if kind == "ACCREC" else "",
        "HasAttachments": False,
        **{flag: bool(raw.get(flag, False)) for flag in FLAGS},
        "ID": template_id,
        "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]} if contact else {},
        "Status": status,
        "LineAmountTypes": amount_types if amount_types in LINE_AMOUNT_TYPES else "Exclusive",
        "LineItems": lines.items,
        "SubTotal": lines.sub_total,
        "TotalTax": lines.total_tax,
        "Total": lines.total,
        "CurrencyCode": currency,
    }

    def commit() -> None:
        if contact is not None and contact["ContactID"] not in tenant.contacts:
            tenant.contacts[contact["ContactID"]] = contact
        tenant.repeating_invoices[template_id] = record

    return Element(record, errors, commit)


def _next(schedule: Record) -> date:
    """The date after ``NextScheduledDate``: monthly ones keep the start's day of the month
    where the month has it (31 May, 30 June, 31 July), weekly ones the weekday."""
    day: date = schedule["NextScheduledDate"]
    if schedule["Unit"] == "WEEKLY":
        return day + timedelta(weeks=schedule["Period"])
    month = _add_months(day.replace(day=1), schedule["Period"])
    return month.replace(day=min(schedule["StartDate"].day, _month_end(month).day))


def run_template(tenant: Tenant, template: Record, now: datetime) -> Element:
    """The next invoice of ``template`` (dated its NextScheduledDate), as Xero makes it: the
    template's Status (AUTHORISED also when ApprovedForSending), its RepeatingInvoiceID."""
    schedule = template["Schedule"]
    day: date = schedule["NextScheduledDate"]
    approved = template["Status"] == "AUTHORISED" or template["ApprovedForSending"]
    raw = {
        "Type": template["Type"],
        "Contact": {"ContactID": template["Contact"]["ContactID"]},
        "Date": day.isoformat(),
        "DueDate": due_date(day, schedule["DueDate"], schedule["DueDateType"]).isoformat(),
        "Status": "AUTHORISED" if approved else "DRAFT",
        "LineAmountTypes": template["LineAmountTypes"],
        "LineItems": [
            {k: v for k, v in line.items() if k not in ("LineItemID", "ValidationErrors")}
            for line in template["LineItems"]
        ],
        "CurrencyCode": template["CurrencyCode"],
        "Reference": template["Reference"],
    }
    element = prepare_invoice(tenant, raw, now, PendingContacts(), None, 4)
    if element.ok:
        element.record["RepeatingInvoiceID"] = template["RepeatingInvoiceID"]
        stored = element.commit

        def commit() -> None:
            stored()
            schedule["NextScheduledDate"] = _next(schedule)

        element.commit = commit
    return element
