"""The fidelity checker itself: it accepts what Xero would send and names each planted drift by
operation, JSON path and rule. No sandbox and no infrastructure: exchanges are built here."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from xero_python.api_client import Configuration

from tests.fidelity.check import check_exchanges, main
from tests.fidelity.findings import Finding
from tests.fidelity.recordings import PUBLISHER_AGENT, Exchange
from tests.fidelity.schemas import SchemaBook

INVOICE_ID = "3c5f2f4e-6a0b-4d8e-9b57-1f2d3c4b5a69"
CONTACT_ID = "a3675fc4-f8dd-4f03-ba5b-f1870566bcd7"
PUBLISHER = {"user-agent": f"{PUBLISHER_AGENT}0.1.0", "content-type": "application/json"}
BY_HAND = {"user-agent": "python-httpx/0.28.1", "content-type": "application/json"}

# A bill as Xero answers `PUT /Invoices?summarizeErrors=false` (shapes from the spec's examples).
GOOD_BILL: dict[str, Any] = {
    "Type": "ACCPAY",
    "InvoiceID": INVOICE_ID,
    "InvoiceNumber": "SUP-1",
    "Contact": {"ContactID": CONTACT_ID, "Name": "Acme Ltd", "HasValidationErrors": False},
    "Date": "/Date(1777593600000+0000)/",
    "DateString": "2026-05-01T00:00:00",
    "DueDate": "/Date(1780185600000+0000)/",
    "DueDateString": "2026-05-31T00:00:00",
    "Status": "AUTHORISED",
    "LineAmountTypes": "Exclusive",
    "LineItems": [
        {
            "Description": "Printer paper",
            "Quantity": 1.0,
            "UnitAmount": 100.0,
            "AccountCode": "429",
            "TaxType": "INPUT2",
            "TaxAmount": 20.0,
            "LineAmount": 100.0,
            "ValidationErrors": [],
        }
    ],
    "SubTotal": 100.0,
    "TotalTax": 20.0,
    "Total": 120.0,
    "AmountDue": 120.0,
    "AmountPaid": 0.0,
    "CurrencyCode": "GBP",
    "CurrencyRate": 1.0,
    "HasAttachments": False,
    "UpdatedDateUTC": "/Date(1777640000000+0000)/",
    "HasErrors": False,
    "StatusAttributeString": "OK",
    "ValidationErrors": [],
}
ENVELOPE = {
    "Id": "900c500b-e83c-4ce2-902a-b8ba04751748",
    "Status": "OK",
    "ProviderName": "Countersign",
    "DateTimeUTC": "/Date(1777640000000)/",
}
# What the publisher sends for that bill (xero_mapping.xero_bill).
GOOD_REQUEST: dict[str, Any] = {
    "Invoices": [
        {
            "Type": "ACCPAY",
            "Status": "AUTHORISED",
            "Contact": {"ContactID": CONTACT_ID},
            "InvoiceNumber": "SUP-1",
            "Date": "2026-05-01",
            "DueDate": "2026-05-31",
            "CurrencyCode": "GBP",
            "LineAmountTypes": "Exclusive",
            "LineItems": [
                {
                    "Description": "Printer paper",
                    "Quantity": 1.0,
                    "UnitAmount": 100.0,
                    "AccountCode": "429",
                    "TaxType": "INPUT2",
                    "TaxAmount": 20.0,
                    "LineAmount": 100.0,
                }
            ],
            "Url": "https://countersign.example/documents/1",
        }
    ]
}


def exchange(
    answer: Any,
    *,
    method: str = "PUT",
    path: str = "/api.xro/2.0/Invoices",
    status: int = 200,
    request: Any = None,
    headers: dict[str, str] = BY_HAND,
    query: str = "summarizeErrors=false",
    content_type: str = "application/json; charset=utf-8",
) -> Exchange:
    return Exchange(
        source="test.jsonl:1",
        method=method,
        path=path,
        query=query,
        request_headers=headers,
        request_body=request,
        status=status,
        response_headers={"content-type": content_type},
        response_body=answer,
    )


def bills(*bill: dict[str, Any]) -> dict[str, Any]:
    return {**ENVELOPE, "Invoices": list(bill)}


def with_bill(**changes: Any) -> dict[str, Any]:
    bill = copy.deepcopy(GOOD_BILL)
    for key, value in changes.items():
        bill[key] = value
    return bills(bill)


def found(*exchanges: Exchange) -> set[tuple[str, str, str, str]]:
    findings, _ = check_exchanges(exchanges)
    return {(f.operation, f.side, f.path, f.rule) for f in findings}


def only(*exchanges: Exchange) -> list[Finding]:
    findings, _ = check_exchanges(exchanges)
    return list(findings)


def test_a_known_good_exchange_is_accepted() -> None:
    assert found(exchange(bills(GOOD_BILL), request=GOOD_REQUEST, headers=PUBLISHER)) == set()


def test_a_known_good_validation_exception_is_accepted() -> None:
    error = {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        # Elements echo the submitted bill: the allowlist's reason for Element being open.
        "Elements": [{**GOOD_REQUEST["Invoices"][0], "ValidationErrors": [{"Message": "No"}]}],
    }
    assert found(exchange(error, status=400)) == set()


def test_a_null_due_date_is_named_by_the_schema_and_by_the_sdk() -> None:
    assert found(exchange(with_bill(DueDate=None))) == {
        (
            "PUT /Invoices",
            "answer",
            "$.Invoices[*].DueDate",
            "null where the schema allows only string (not nullable)",
        ),
        (
            "PUT /Invoices",
            "answer",
            "$.Invoices[*].DueDate",
            "the SDK cannot read it as date[ms-format]",
        ),
    }


def test_an_undeclared_property_is_drift() -> None:
    assert found(exchange(with_bill(PaidOnString="2026-05-01"))) == {
        (
            "PUT /Invoices",
            "answer",
            "$.Invoices[*].PaidOnString",
            "property not declared by Invoice",
        )
    }


def test_a_nested_undeclared_property_names_its_schema() -> None:
    contact = {"ContactID": CONTACT_ID, "Name": "Acme Ltd", "HasErrors": False}
    assert found(exchange(with_bill(Contact=contact))) == {
        (
            "PUT /Invoices",
            "answer",
            "$.Invoices[*].Contact.HasErrors",
            "property not declared by Contact",
        )
    }


def test_a_number_sent_as_a_string_is_drift() -> None:
    assert found(exchange(with_bill(Total="120.00"))) == {
        ("PUT /Invoices", "answer", "$.Invoices[*].Total", "expected number, got string")
    }


def test_a_malformed_ms_date_is_drift() -> None:
    assert found(exchange(with_bill(Date="2026-05-01"))) == {
        ("PUT /Invoices", "answer", "$.Invoices[*].Date", "not an MS-JSON date /Date(ms±hhmm)/"),
        (
            "PUT /Invoices",
            "answer",
            "$.Invoices[*].Date",
            "the SDK cannot read it as date[ms-format]",
        ),
    }


def test_an_ms_date_with_a_broken_offset_is_drift() -> None:
    assert (
        "PUT /Invoices",
        "answer",
        "$.Invoices[*].UpdatedDateUTC",
        "not an MS-JSON date /Date(ms±hhmm)/",
    ) in found(exchange(with_bill(UpdatedDateUTC="/Date(1777640000000+00)/")))


def test_a_status_the_sdk_refuses_is_named_at_its_field() -> None:
    found_here = found(exchange(with_bill(Status="APPROVED")))
    assert (
        "PUT /Invoices",
        "answer",
        "$.Invoices[*].Status",
        "the SDK cannot read it as Invoice",
    ) in found_here
    assert any(rule.startswith("not one of the enum values") for *_, rule in found_here)


def test_a_publisher_request_with_a_field_the_schema_lacks_is_drift() -> None:
    request = copy.deepcopy(GOOD_REQUEST)
    request["Invoices"][0]["LineItems"][0]["NetAmount"] = 100.0
    assert found(exchange(bills(GOOD_BILL), request=request, headers=PUBLISHER)) == {
        (
            "PUT /Invoices",
            "publisher request",
            "$.Invoices[*].LineItems[*].NetAmount",
            "property not declared by LineItem",
        )
    }


def test_requests_the_tests_write_by_hand_are_not_judged() -> None:
    request = {"Invoices": [{"Type": "NOT-A-TYPE", "Total": "x", "Bogus": 1}]}
    assert found(exchange(bills(GOOD_BILL), request=request, headers=BY_HAND)) == set()


def test_a_publisher_query_parameter_the_operation_lacks_is_drift() -> None:
    odd_query = "summarizeErrors=no&includeEverything=true"
    assert found(
        exchange(bills(GOOD_BILL), request=GOOD_REQUEST, headers=PUBLISHER, query=odd_query)
    ) == {
        (
            "PUT /Invoices",
            "publisher request",
            "query ?summarizeErrors",
            "expected boolean (true or false)",
        ),
        (
            "PUT /Invoices",
            "publisher request",
            "query ?includeEverything",
            "query parameter not declared",
        ),
    }


def test_publisher_request_dates_may_be_iso_but_not_anything() -> None:
    request = copy.deepcopy(GOOD_REQUEST)
    request["Invoices"][0]["DueDate"] = "31/05/2026"
    assert found(exchange(bills(GOOD_BILL), request=request, headers=PUBLISHER)) == {
        (
            "PUT /Invoices",
            "publisher request",
            "$.Invoices[*].DueDate",
            "not a date Xero reads (/Date(ms)/, YYYY-MM-DD or ISO datetime)",
        )
    }


def test_envelope_fields_are_allowed_in_answers_only() -> None:
    request = {**ENVELOPE, **GOOD_REQUEST}
    assert found(exchange(bills(GOOD_BILL), request=request, headers=PUBLISHER)) == {
        ("PUT /Invoices", "publisher request", f"$.{name}", "property not declared by Invoices")
        for name in ENVELOPE
    }


def test_an_undeclared_status_and_an_unknown_operation_are_drift() -> None:
    assert found(
        exchange(bills(GOOD_BILL), status=201),
        exchange({"Things": []}, method="GET", path=f"/api.xro/2.0/Things/{INVOICE_ID}"),
    ) == {
        ("PUT /Invoices", "answer", "$", "status 201 not declared (declared: 200, 400)"),
        (
            "GET /Things/{id} (not in the spec)",
            "answer",
            "$",
            "answered 2xx to an operation the spec does not have",
        ),
    }


def test_a_400_must_be_a_json_error() -> None:
    not_json = exchange("Bad things", status=400, content_type="text/plain")
    wrong_shape = exchange({"ErrorNumber": "ten", "Type": "ValidationException"}, status=400)
    assert found(not_json, wrong_shape) == {
        ("PUT /Invoices", "answer", "$", "400 answer is not a JSON Error"),
        ("PUT /Invoices", "answer", "$.ErrorNumber", "expected integer, got string"),
        ("PUT /Invoices", "answer", "$.ErrorNumber", "the SDK cannot read it as int"),
    }


def test_attachments_are_told_apart_by_file_name_and_by_id() -> None:
    base = f"/api.xro/2.0/Invoices/{INVOICE_ID}/Attachments"
    attachment = {
        "AttachmentID": CONTACT_ID,
        "FileName": "bill.pdf",
        "Url": f"https://api.xero.com{base}/bill.pdf",
        "MimeType": "application/pdf",
        "ContentLength": 3,
        "Invented": True,
    }
    by_name = exchange({**ENVELOPE, "Attachments": [attachment]}, path=f"{base}/bill.pdf", query="")
    by_id = exchange(
        b"pdf", method="GET", path=f"{base}/{CONTACT_ID}", content_type="application/pdf"
    )
    assert found(by_name, by_id) == {
        (
            "PUT /Invoices/{InvoiceID}/Attachments/{FileName}",
            "answer",
            "$.Attachments[*].Invented",
            "property not declared by Attachment",
        )
    }


def test_an_answer_a_fault_cut_short_is_skipped() -> None:
    cut = Exchange(
        source="test.jsonl:1",
        method="PUT",
        path="/api.xro/2.0/Invoices",
        query="",
        request_headers=BY_HAND,
        request_body=None,
        status=200,
        response_headers={"content-type": "application/json", "content-length": "64"},
        response_body=None,
    )
    findings, tally = check_exchanges([cut])
    assert len(findings) == 0 and tally.cut_short == 1 and tally.answers == 0


def test_nullable_is_honoured_and_x_extensions_are_ignored() -> None:
    spec = {
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "x-objectArrayKey": "things",
                    "properties": {
                        "When": {"type": "string", "nullable": True, "x-is-msdate": True},
                        "Kind": {"type": "string", "enum": ["A", "B"], "nullable": True},
                        "Count": {"type": "integer", "x-is-money": True},
                    },
                }
            }
        }
    }
    book = SchemaBook(spec)
    ref = "#/components/schemas/Thing"
    assert book.check(ref, {"When": None, "Kind": None, "Count": 1}, "response") == []
    broken = book.check(ref, {"When": "soon", "Kind": "C", "Count": None}, "response")
    assert [(v.path, v.rule) for v in broken] == [
        (("Count",), "null where the schema allows only integer (not nullable)"),
        (("Kind",), "not one of the enum values (A, B, None)"),
        (("When",), "not an MS-JSON date /Date(ms±hhmm)/"),
    ]


def test_the_report_names_operation_path_rule_and_count_with_bounded_examples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = tmp_path / "xero-sandbox-1.jsonl"
    line = {
        "method": "PUT",
        "path": "/api.xro/2.0/Invoices",
        "query": "",
        "request_headers": BY_HAND,
        "request_body": None,
        "status": 200,
        "response_headers": {"content-type": "application/json"},
        "response_body": with_bill(DueDate=None),
    }
    recording.write_text("\n".join(json.dumps(line) for _ in range(5)) + "\n")
    assert main([str(tmp_path), "--examples", "2"]) == 1
    report = capsys.readouterr().out
    assert "PUT /Invoices  [answer]  $.Invoices[*].DueDate" in report
    assert "rule: null where the schema allows only string (not nullable)" in report
    assert "seen 5 times" in report
    # Two findings (schema, SDK), two examples each: lines 1 and 2, never 3 to 5.
    assert report.count("    $.Invoices[0].DueDate = ") == 4
    assert "(xero-sandbox-1.jsonl:2)" in report and "(xero-sandbox-1.jsonl:3)" not in report


def test_clean_recordings_pass_and_no_recordings_fail_when_required(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main([str(empty)]) == 0
    assert main([str(empty), "--require-recordings"]) == 1
    clean = tmp_path / "clean.jsonl"
    line = {
        "method": "PUT",
        "path": "/api.xro/2.0/Invoices",
        "query": "",
        "request_headers": PUBLISHER,
        "request_body": GOOD_REQUEST,
        "status": 200,
        "response_headers": {"content-type": "application/json"},
        "response_body": bills(GOOD_BILL),
    }
    clean.write_text(json.dumps(line) + "\n")
    assert main([str(clean)]) == 0
    assert "no drift" in capsys.readouterr().out
    # A whole run records both sandboxes: Xero's alone means QBO's recording is not wired.
    assert main([str(clean), "--require-recordings"]) == 1


def test_reading_answers_leaves_the_sdks_shared_configuration_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # xero-python hands every Configuration(...) a copy of the first one built in the process;
    # a checker that built one would silently change the clients of the SDK tests after it.
    monkeypatch.setattr(Configuration, "_default", None)
    assert found(exchange(with_bill(DueDate=None)))
    assert Configuration._default is None


def test_an_invoice_pdf_asked_for_by_accept_is_judged_as_the_pdf_operation() -> None:
    def download(accept: str) -> Exchange:
        return exchange(
            None,
            method="GET",
            path=f"/api.xro/2.0/Invoices/{INVOICE_ID}",
            query="",
            headers={"user-agent": "xero-python (15.2.0)", "accept": accept},
            content_type="application/pdf",
        )

    assert found(download("application/pdf")) == set()
    assert found(download("application/json")) == {
        (
            "GET /Invoices/{InvoiceID}",
            "answer",
            "$",
            "answer is not JSON (the spec declares application/json)",
        )
    }
