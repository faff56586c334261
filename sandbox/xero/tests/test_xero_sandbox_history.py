"""The Xero sandbox's history and notes (``/Invoices/{id}/History``) over real HTTP: notes
added and read back with their User, DateUTC and Changes, Xero's own records beside them, the
Details limit, idempotency and rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from countersign_xero_sandbox.harness import control, provision, serve
from countersign_xero_sandbox.settings import SandboxSettings

from sandbox.xero.tests.xero_http import accounting_client, bill, messages

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", name="sandbox_url")
def sandbox_url_fixture() -> Iterator[str]:
    # Limits on: a module of its own, so the rate-limit test can lower them.
    with serve(SandboxSettings(time_scale=60)) as url:
        yield url


def _new_bill(api: httpx.Client) -> str:
    answer = api.put("/Invoices", json={"Invoices": [bill()]})
    assert answer.status_code == 200
    return str(answer.json()["Invoices"][0]["InvoiceID"])


def _notes(api: httpx.Client, invoice_id: str) -> list[dict[str, Any]]:
    answer = api.get(f"/Invoices/{invoice_id}/History")
    assert answer.status_code == 200
    return [r for r in answer.json()["HistoryRecords"] if r["Changes"] == "Note"]


def test_xero_sandbox_history_notes_are_added_and_read_back_newest_first(
    api: httpx.Client,
) -> None:
    invoice_id = _new_bill(api)
    added = api.put(
        f"/Invoices/{invoice_id}/History",
        json={"HistoryRecords": [{"Details": "Approved by Ann"}, {"Details": "Approved by Bo"}]},
    )
    assert added.status_code == 200
    created = added.json()["HistoryRecords"]
    assert [r["Details"] for r in created] == ["Approved by Ann", "Approved by Bo"]
    assert all(r["ValidationErrors"] == [] and r["DateUTC"].startswith("/Date(") for r in created)

    api.put(f"/Invoices/{invoice_id}/Attachments/scan.pdf", content=b"%PDF-1.4 x")
    history = api.get(f"/Invoices/{invoice_id}/History").json()["HistoryRecords"]
    # Newest first, as Xero's examples list them; Xero's own records beside the notes.
    assert [r["Changes"] for r in history] == ["Attached a file", "Note", "Note", "Approved"]
    assert {r["User"] for r in history} == {"System Generated"}
    assert history[0]["Details"].startswith("Attached the file scan.pdf through the Xero API")
    assert history[3]["Details"].startswith("Received through the Xero API from")
    assert all(
        set(r) == {"Changes", "DateUTCString", "DateUTC", "User", "Details"} for r in history
    )
    # The invoice number names the bill as well as its id.
    assert _notes(api, "SUP-1") == _notes(api, invoice_id)


def test_xero_sandbox_history_refuses_the_whole_request_for_one_bad_note(
    api: httpx.Client,
) -> None:
    invoice_id = _new_bill(api)
    at_limit, over = "x" * 2500, "y" * 2501
    refused = api.put(
        f"/Invoices/{invoice_id}/History",
        json={"HistoryRecords": [{"Details": at_limit}, {"Details": over}, {"Details": " "}]},
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["Type"] == "ValidationException"
    first, second, third = body["Elements"]
    assert messages(first) == []
    assert messages(second) == ["The Details field must not be longer than 2500 characters."]
    assert messages(third) == ["The Details field is mandatory for each history record."]
    assert _notes(api, invoice_id) == []

    assert (
        api.put(f"/Invoices/{invoice_id}/History", json={"HistoryRecords": []}).json()["Type"]
        == "PostDataInvalidException"
    )
    unknown = api.put(
        "/Invoices/00000000-0000-0000-0000-000000000001/History",
        json={"HistoryRecords": [{"Details": "x"}]},
    )
    assert unknown.status_code == 404
    assert (
        api.put(
            f"/Invoices/{invoice_id}/History", json={"HistoryRecords": [{"Details": at_limit}]}
        ).status_code
        == 200
    )


def test_xero_sandbox_history_honours_idempotency_keys_and_counts_against_limits(
    sandbox_url: str,
) -> None:
    org = provision(sandbox_url)
    with accounting_client(sandbox_url, org) as api:
        invoice_id = _new_bill(api)
        note = {"HistoryRecords": [{"Details": "Approved by Ann"}]}
        key = {"Idempotency-Key": "history-1"}
        first = api.put(f"/Invoices/{invoice_id}/History", json=note, headers=key)
        again = api.put(f"/Invoices/{invoice_id}/History", json=note, headers=key)
        assert first.status_code == again.status_code == 200
        assert again.headers["Idempotent-Replayed"] == "true"
        assert len(_notes(api, invoice_id)) == 1
        other = {"HistoryRecords": [{"Details": "Approved by Bo"}]}
        assert (
            api.put(f"/Invoices/{invoice_id}/History", json=other, headers=key).status_code == 400
        )

        control(sandbox_url, "PUT", "/_sandbox/limits", {"minute": 1})
        limited = api.put(f"/Invoices/{invoice_id}/History", json=other)
        assert limited.status_code == 429
        assert limited.headers["X-Rate-Limit-Problem"] == "minute"
        control(sandbox_url, "PUT", "/_sandbox/limits", {"minute": 60})
    assert len(_notes(accounting_client(sandbox_url, org), invoice_id)) == 1


@pytest.fixture(name="api")
def api_fixture(sandbox_url: str) -> Iterator[httpx.Client]:
    with accounting_client(sandbox_url, provision(sandbox_url)) as client:
        yield client
