"""The QBO fidelity net itself: it accepts what QBO documents and names each planted drift by
operation, side, field and rule. No sandbox and no infrastructure: exchanges are built here."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from countersign_xero_sandbox.recording import _body

from tests.fidelity.check import check_qbo_exchanges, main
from tests.fidelity.recordings import PUBLISHER_AGENT, Exchange

API = "/v3/company/9341453000000001"
CLIENT = {
    "user-agent": "python-quickbooks V3 library",
    "authorization": "Bearer <redacted>",
    "accept": "application/json",
    "content-type": "application/json",
}
PUBLISHER = {**CLIENT, "user-agent": f"{PUBLISHER_AGENT}0.1.0"}
TIME = "2026-05-01T09:00:00.000-07:00"
META = {"CreateTime": TIME, "LastUpdatedTime": TIME}
LINE = {
    "Amount": 100.25,
    "DetailType": "AccountBasedExpenseLineDetail",
    "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "5"}, "TaxCodeRef": {"value": "NON"}},
}
BILL: dict[str, Any] = {
    "VendorRef": {"value": "22", "name": "Acme"},
    "TxnDate": "2026-05-01",
    "DueDate": "2026-05-31",
    "DocNumber": "SUP-1",
    "CurrencyRef": {"value": "USD"},
    "Line": [LINE],
}
BILL_ANSWER = {
    "Bill": {
        **BILL,
        "Id": "23",
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "Line": [{**LINE, "Id": "1", "LineNum": 1}],
        "TotalAmt": 100.25,
        "Balance": 100.25,
        "MetaData": META,
    },
    "time": TIME,
}
PAYMENT: dict[str, Any] = {
    "VendorRef": {"value": "22"},
    "PayType": "Check",
    "TotalAmt": 100.25,
    "CheckPayment": {"BankAccountRef": {"value": "1"}},
    "Line": [{"Amount": 100.25, "LinkedTxn": [{"TxnId": "23", "TxnType": "Bill"}]}],
}


def exchange(
    answer: Any = None,
    *,
    method: str = "POST",
    path: str = "bill",
    query: str = "minorversion=75",
    request: Any = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> Exchange:
    return Exchange(
        source="qbo-sandbox-test.jsonl:1",
        method=method,
        path=f"{API}/{path}",
        query=query,
        request_headers=headers if headers is not None else CLIENT,
        request_body=request,
        status=status,
        response_headers={"content-type": content_type},
        response_body=answer,
    )


def found(*exchanges: Exchange) -> set[tuple[str, str, str, str]]:
    findings, _ = check_qbo_exchanges(exchanges)
    return {(f.operation, f.side, f.path, f.rule) for f in findings}


def rules(*exchanges: Exchange) -> set[tuple[str, str]]:
    return {(path, rule) for _, _, path, rule in found(*exchanges)}


def test_a_documented_bill_and_payment_pass() -> None:
    paid = {"BillPayment": {**PAYMENT, "Id": "24", "SyncToken": "0", "domain": "QBO"}}
    paid["BillPayment"]["MetaData"] = META
    assert (
        found(
            exchange(BILL_ANSWER, request=BILL, headers=PUBLISHER),
            exchange({**paid, "time": TIME}, path="billpayment", request=PAYMENT),
        )
        == set()
    )


def test_a_bill_with_a_field_the_sdk_does_not_know_is_drift() -> None:
    request = {**BILL, "Total": 100.25}
    assert found(exchange(BILL_ANSWER, request=request, headers=PUBLISHER)) == {
        (
            "POST /v3/company/{realmId}/bill",
            "publisher request",
            "$.Total",
            "field python-quickbooks' Bill does not know",
        )
    }


def test_bill_lines_refs_dates_and_lengths_are_held_to_the_reference() -> None:
    bad_line = {"Amount": "100.25", "DetailType": "AccountBasedExpenseLineDetail"}
    request = {**BILL, "VendorRef": None, "DocNumber": "X" * 22, "TxnDate": "01/05/2026"}
    request["Line"] = [bad_line, {**LINE, "DetailType": "SalesItemLineDetail"}]
    request["GlobalTaxCalculation"] = "Inclusive"
    assert rules(exchange(BILL_ANSWER, request=request)) >= {
        ("$.VendorRef", "required reference missing"),
        ("$.DocNumber", "longer than 21 characters"),
        ("$.TxnDate", "not a date yyyy-mm-dd"),
        ("$.Line[*].Amount", "an amount is a JSON number"),
        (
            "$.Line[*].AccountBasedExpenseLineDetail",
            "the detail object DetailType names is missing",
        ),
        (
            "$.Line[*].DetailType",
            "not one of AccountBasedExpenseLineDetail, ItemBasedExpenseLineDetail",
        ),
        ("$.GlobalTaxCalculation", "not one of TaxExcluded, TaxInclusive, NotApplicable"),
    }


def test_a_bill_payment_without_its_account_or_link_is_drift() -> None:
    request = copy.deepcopy(PAYMENT)
    request["CheckPayment"] = {"PrintStatus": "NotSet"}
    request["Line"][0]["LinkedTxn"][0]["TxnType"] = "Invoice"
    card = {**PAYMENT, "PayType": "CreditCard", "TotalAmt": None}
    assert rules(
        exchange(path="billpayment", request=request, status=200),
        exchange(path="billpayment", request=card, status=200),
    ) >= {
        ("$.CheckPayment.BankAccountRef", "required reference missing"),
        ("$.Line[*].LinkedTxn[*].TxnType", "not one of Bill, VendorCredit, JournalEntry"),
        ("$.CreditCardPayment", "required with PayType CreditCard"),
        ("$.TotalAmt", "required amount missing"),
    }


def test_purchase_and_vendor_rules() -> None:
    purchase = {"PaymentType": "Cheque", "Line": [LINE], "EntityRef": {"value": "2", "type": "X"}}
    vendor = {"DisplayName": "Acme: Ltd"}
    assert rules(
        exchange(path="purchase", request=purchase), exchange(path="vendor", request=vendor)
    ) >= {
        ("$.PaymentType", "not one of Cash, Check, CreditCard"),
        ("$.AccountRef", "required reference missing"),
        ("$.EntityRef.type", "not one of Vendor, Customer, Employee"),
        ("$.DisplayName", "a name may not hold ':', a tab or a new line"),
    }


def test_an_update_needs_its_sync_token_as_read() -> None:
    update = {**BILL, "Id": "23", "SyncToken": "v1"}
    assert ("$.SyncToken", "SyncToken is a string of digits") in rules(exchange(request=update))


def test_batches_are_limited_and_each_item_is_checked() -> None:
    items = [{"bId": str(n), "operation": "create", "Bill": BILL} for n in range(31)]
    items[1] = {"bId": "0", "operation": "upsert", "Bill": {**BILL, "Bogus": 1}}
    batch = {"BatchItemRequest": items}
    assert rules(
        exchange(path="batch", request=batch, query="minorversion=75&requestid=" + "r" * 37)
    ) >= {
        ("$.BatchItemRequest", "more than 30 items"),
        ("$.BatchItemRequest[*].bId", "bId repeated in the batch"),
        ("$.BatchItemRequest[*].operation", "not create, update or delete"),
        ("$.BatchItemRequest[*].Bill.Bogus", "field python-quickbooks' Bill does not know"),
        ("query ?requestid", "requestid is 1 to 36 characters"),
    }


def test_headers_parameters_and_query_statements() -> None:
    bare = {"authorization": "Basic <redacted>", "content-type": "application/json"}
    statement = "select * from Bill where DocNumber = 'A' or DocNumber = 'B'"
    assert rules(
        exchange(request=BILL, headers=bare, query="requestid=" + "r" * 51 + "&format=json"),
        exchange(
            path="query", request=statement, headers={**CLIENT, "content-type": "application/text"}
        ),
        exchange(
            method="GET",
            path="query",
            query="minorversion=75&query=select+*+from+Bill+maxresults+5000",
        ),
    ) >= {
        ("header Authorization", "not a Bearer token"),
        ("header Accept", "does not ask for JSON"),
        ("query ?minorversion", "minorversion missing"),
        ("query ?requestid", "requestid is 1 to 50 characters"),
        ("query ?format", "query parameter not documented here"),
        ("query ?query", "not a statement of the documented query grammar"),
        ("query ?query", "MAXRESULTS is 1 to 1000"),
    }


def test_an_upload_names_its_parts_and_links_a_bill_or_purchase() -> None:
    meta = {
        "AttachableRef": [{"EntityRef": {"type": "Invoice", "value": "9"}}],
        "FileName": "a.pdf",
    }
    parts = [
        {"name": "file_metadata_01", "content_type": "application/json", "body": meta},
        {"name": "file_content_1", "content_type": "application/pdf", "body": {"bytes": 3}},
    ]
    headers = {**CLIENT, "content-type": "multipart/form-data; boundary=B"}
    upload = exchange(path="upload", request={"parts": parts}, headers=headers)
    assert rules(upload) >= {
        ("$.parts[*].name", "not file_metadata_NN or file_content_NN"),
        ("$.parts[*].body", "file_metadata without its file_content"),
        ("$.parts[*].body.AttachableRef[*].EntityRef.type", "not one of Bill, Purchase"),
    }


def test_answers_entity_fault_and_query_shapes() -> None:
    bill = copy.deepcopy(BILL_ANSWER)
    bill["Bill"].update(Id=23, TotalAmt="100.25", Invented=True)
    del bill["Bill"]["MetaData"]
    fault = {"Fault": {"Error": [{"Message": "Stale", "Detail": "x"}], "type": "Validation"}}
    page = {"QueryResponse": {"Bill": [BILL_ANSWER["Bill"]], "startPosition": 0, "maxResults": 2}}
    assert rules(
        exchange(bill, request=BILL),
        exchange({**fault, "time": TIME}, request=BILL, status=400),
        exchange(
            {**page, "time": TIME},
            method="GET",
            path="query",
            query="minorversion=75&query=select+*+from+Bill",
        ),
    ) >= {
        ("$.Bill.Id", "Id is a string of digits"),
        ("$.Bill.TotalAmt", "an amount is a JSON number"),
        ("$.Bill.Invented", "field python-quickbooks' Bill does not know"),
        ("$.Bill.MetaData", "MetaData {CreateTime, LastUpdatedTime} missing"),
        ("$.Fault.Error[*].code", "code is a string of digits"),
        (
            "$.Fault.type",
            "not one of ValidationFault, SystemFault, AuthenticationFault, AuthorizatonFault",
        ),
        ("$.QueryResponse.startPosition", "startPosition is an integer ≥ 1"),
        ("$.QueryResponse.maxResults", "maxResults is the number returned"),
    }


def test_refused_or_marked_requests_are_not_judged_and_unknown_calls_are_listed() -> None:
    fault = {
        "Fault": {
            "Error": [{"Message": "M", "code": "2020", "element": ""}],
            "type": "ValidationFault",
        },
        "time": TIME,
    }
    off_spec = {**CLIENT, "x-countersign-off-spec": "minorversion absent"}
    findings, tally = check_qbo_exchanges(
        [
            exchange(fault, request={"Bogus": 1}, status=400),
            exchange(BILL_ANSWER, request=BILL, query="", headers=off_spec),
            exchange({"Estimate": {}}, path="estimate"),
        ]
    )
    assert len(findings) == 0 and tally.off_spec == 1 and tally.requests == 0
    assert tally.unchecked == {"POST /v3/company/{realmId}/estimate": 1}


def test_the_step_fails_on_qbo_drift_and_passes_a_clean_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def line(answer: Any, request: Any) -> str:
        return json.dumps(
            {
                "method": "POST",
                "path": f"{API}/bill",
                "query": "minorversion=75",
                "request_headers": PUBLISHER,
                "request_body": request,
                "status": 200,
                "response_headers": {"content-type": "application/json"},
                "response_body": answer,
            }
        )

    clean, drifting = tmp_path / "clean", tmp_path / "drifting"
    clean.mkdir(), drifting.mkdir()
    (clean / "qbo-sandbox-1.jsonl").write_text(line(BILL_ANSWER, BILL) + "\n")
    (drifting / "qbo-sandbox-1.jsonl").write_text(line(BILL_ANSWER, {**BILL, "Total": 1}) + "\n")
    assert main([str(clean)]) == 0
    assert "no drift" in capsys.readouterr().out
    assert main([str(clean), "--require-recordings"]) == 1  # no Xero recording: not wired
    assert main([str(drifting)]) == 1
    report = capsys.readouterr().out
    assert "QBO DRIFT: 1 findings (1 occurrences)" in report
    assert "POST /v3/company/{realmId}/bill  [publisher request]  $.Total" in report
    assert "$.Total = 1  (qbo-sandbox-1.jsonl:1)" in report


def test_the_recorder_keeps_multipart_parts_and_query_text() -> None:
    raw = (
        b'--B\nContent-Disposition: form-data; name="file_metadata_01"\n'
        b'Content-Type: application/json\n\n{"FileName": "a.pdf"}\n--B\n'
        b'Content-Disposition: form-data; name="file_content_01"; filename="a.pdf"\n'
        b"Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERg==\n--B--\n"
    )
    parts = _body(raw, "multipart/form-data; boundary=B")["parts"]
    assert [(p["name"], p["content_type"]) for p in parts] == [
        ("file_metadata_01", "application/json"),
        ("file_content_01", "application/pdf"),
    ]
    assert parts[0]["body"] == {"FileName": "a.pdf"} and parts[1]["body"]["bytes"] == 4
    assert _body(b"select * from Bill", "application/text") == "select * from Bill"


def test_a_body_the_gateway_refused_unread_is_not_judged_but_a_missing_one_is() -> None:
    refused = {"fault": {"error": [{"message": "m", "code": "3200"}], "type": "AUTHENTICATION"}}
    unread = exchange(refused, path="vendor", request=None, status=401, headers=PUBLISHER)
    missing = exchange({"Vendor": {}}, path="vendor", request=None, headers=PUBLISHER)

    assert ("$", "a Vendor body is a JSON object") not in rules(unread)
    assert ("$", "a Vendor body is a JSON object") in rules(missing)
