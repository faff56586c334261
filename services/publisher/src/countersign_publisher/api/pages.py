"""The pages a person's browser is shown when a ledger (Xero, QuickBooks Online) sends it back:
connected, pick a tenant (Xero), or why not. Plain HTML forms that work without JavaScript;
every value is escaped.

Elements a test (or a person) drives: ``form#choose-tenant`` with radio inputs
``name="tenant_id"`` and a hidden ``name="state"``, submitted by ``button#connect``; the
outcome in ``#outcome`` with ``data-outcome`` (``connected``, ``choose-tenant`` or a
``Failure`` value).
"""

from __future__ import annotations

from html import escape

from countersign_contracts import ledger_title
from fastapi.responses import HTMLResponse

from countersign_publisher.domain.authorisation import Ending, Failure
from countersign_publisher.domain.connection import Tenant
from countersign_publisher.handlers.connecting import Outcome

__all__ = ["outcome_page"]

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;"
    "color:#1d2433}h1{font-size:1.4rem}label{display:block;margin:.5rem 0}"
    "button{padding:.5rem 1.2rem;font-size:1rem}.refused{color:#a3191f}"
)

_FAILURES: dict[Failure, tuple[int, str, str]] = {
    Failure.STATE_MISSING: (400, "This link is incomplete", "Start connecting again."),
    Failure.STATE_UNKNOWN: (400, "This link is not ours", "Start connecting again."),
    Failure.STATE_SPENT: (400, "This link was already used", "Start connecting again."),
    Failure.STATE_EXPIRED: (400, "This link has expired", "Start connecting again."),
    Failure.CANCELLED: (400, "{ledger} was not connected", "You cancelled on {ledger}'s page."),
    Failure.XERO_ERROR: (502, "{ledger} did not complete", "{ledger} refused or did not answer."),
    Failure.CODE_REFUSED: (400, "{ledger} refused the sign-in", "Start connecting again."),
    Failure.NO_TENANT: (400, "No {ledger} organisation chosen", "Choose one on {ledger}'s page."),
    Failure.NOT_OFFERED: (400, "Choose one of the organisations shown", "Try again."),
    Failure.TENANT_TAKEN: (
        409,
        "This {ledger} organisation is connected elsewhere",
        "It serves another Countersign organisation: disconnect it there first.",
    ),
    Failure.OTHER_LEDGER: (
        409,
        "{ledger} was not connected",
        "This organisation is connected to {other}: disconnect it first, then connect again.",
    ),
}


def _page(status: int, outcome: str, title: str, body: str) -> HTMLResponse:
    html = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · Countersign</title><style>{_STYLE}</style></head><body>"
        f'<main id=outcome data-outcome="{escape(outcome)}"><h1>{escape(title)}</h1>{body}'
        "</main></body></html>"
    )
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return HTMLResponse(html, status_code=status, headers=headers)


def _choices(state: str, tenants: tuple[Tenant, ...]) -> str:
    options = "".join(
        f'<label><input type=radio name=tenant_id value="{escape(t.tenant_id)}"'
        f"{' checked' if i == 0 else ''}> {escape(t.tenant_name or t.tenant_id)}</label>"
        for i, t in enumerate(tenants)
    )
    return (
        "<p>Xero gave access to several organisations. Countersign publishes bills into one:"
        " choose it.</p>"
        f'<form id=choose-tenant method=post action="tenant">{options}'
        f'<input type=hidden name=state value="{escape(state)}">'
        "<button id=connect type=submit>Connect</button></form>"
    )


def outcome_page(outcome: Outcome, state: str) -> HTMLResponse:
    ledger = ledger_title(outcome.ledger)
    if outcome.ending is Ending.CONNECTED and outcome.tenant is not None:
        name = escape(outcome.tenant.tenant_name or outcome.tenant.tenant_id)
        body = f"<p>Countersign now publishes approved bills into <b>{name}</b>.</p>"
        return _page(200, Ending.CONNECTED.value, f"{ledger} is connected", body)
    if outcome.ending is Ending.CHOOSE:
        body = _choices(state, outcome.tenants)
        return _page(200, Ending.CHOOSE.value, "Choose the Xero organisation", body)
    failure = outcome.failure or Failure.STATE_UNKNOWN
    status, title, advice = _FAILURES[failure]
    other = ledger_title(outcome.other_ledger) if outcome.other_ledger else "another ledger"
    title, advice = (text.format(ledger=ledger, other=other) for text in (title, advice))
    body = f"<p class=refused>{escape(advice)}</p>"
    if failure is Failure.NOT_OFFERED and outcome.tenants:
        body += _choices(state, outcome.tenants)
    return _page(status, failure.value, title, body)
