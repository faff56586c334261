"""The Xero sandbox's wire behaviour over real HTTP: authentication shapes, idempotency, rate
limits under a time scale, OAuth2 rotation, connections, faults and the recording."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from countersign_xero_sandbox.harness import control, provision, serve
from countersign_xero_sandbox.settings import SandboxSettings

pytestmark = pytest.mark.integration

SCALE = 60.0


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with serve(SandboxSettings(time_scale=SCALE)) as url:
        yield url


@pytest.fixture(autouse=True)
def fresh(sandbox_url: str) -> None:
    control(sandbox_url, "POST", "/_sandbox/reset")


def accounting(url: str, org: dict[str, Any], token: str | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=f"{url}/api.xro/2.0",
        headers={
            "Authorization": f"Bearer {token or org['token']['access_token']}",
            "xero-tenant-id": org["tenant_id"],
            "Accept": "application/json",
        },
    )


BILL = {
    "Invoices": [
        {
            "Type": "ACCPAY",
            "Contact": {"Name": "Acme Ltd"},
            "Date": "2026-05-01",
            "Status": "AUTHORISED",
            "LineItems": [
                {"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": "429"}
            ],
        }
    ]
}


def invoices_in(url: str, org: dict[str, Any]) -> list[dict[str, Any]]:
    state = control(url, "GET", f"/_sandbox/tenants/{org['tenant_id']}/state")
    invoices: list[dict[str, Any]] = state["invoices"]
    return invoices


def test_xero_sandbox_refuses_calls_without_token_or_tenant(sandbox_url: str) -> None:
    org = provision(sandbox_url)
    base = f"{sandbox_url}/api.xro/2.0/Invoices"
    no_token = httpx.get(base, headers={"xero-tenant-id": org["tenant_id"]})
    assert no_token.status_code == 401
    assert (no_token.json()["Title"], no_token.json()["Status"]) == ("Unauthorized", 401)
    assert no_token.json()["Type"] is None  # the gateway's problem shape does send null
    bearer = {"Authorization": f"Bearer {org['token']['access_token']}"}
    for tenant_headers in ({}, {"xero-tenant-id": "7d6c1b1e-0000-4000-8000-000000000000"}):
        refused = httpx.get(base, headers={**bearer, **tenant_headers})
        assert refused.status_code == 403
        assert refused.json()["Detail"] == "AuthenticationUnsuccessful"
    other = provision(sandbox_url, client_id="another-app", client_secret="x")
    not_connected = httpx.get(base, headers={**bearer, "xero-tenant-id": other["tenant_id"]})
    assert not_connected.status_code == 403
    with accounting(sandbox_url, org) as api:
        missing = api.get("/Invoices/5b8a4f7e-0000-4000-8000-000000000000")
        assert missing.status_code == 404
        assert api.get("/Invoices", headers={"Accept": "application/xml"}).status_code == 406


def test_xero_sandbox_idempotency_replays_the_first_answer_and_refuses_a_changed_request(
    sandbox_url: str,
) -> None:
    org = provision(sandbox_url)
    key = {"Idempotency-Key": "publish-1-bill"}
    with accounting(sandbox_url, org) as api:
        first = api.put("/Invoices", json=BILL, headers=key)
        again = api.put("/Invoices", json=BILL, headers=key)
        assert first.status_code == again.status_code == 200
        assert again.content == first.content
        assert again.headers["Idempotent-Replayed"] == "true"
        assert len(invoices_in(sandbox_url, org)) == 1

        changed = api.put(
            "/Invoices",
            json={"Invoices": [{**BILL["Invoices"][0], "Url": "https://a.example"}]},
            headers=key,
        )
        assert changed.status_code == 400
        assert (
            "different request" in changed.json()["Elements"][0]["ValidationErrors"][0]["Message"]
        )

        refused = api.put(
            "/Invoices",
            json={"Invoices": [{**BILL["Invoices"][0], "CurrencyCode": "JPY"}]},
            headers={"Idempotency-Key": "bad-1"},
        )
        replayed_error = api.put(
            "/Invoices",
            json={"Invoices": [{**BILL["Invoices"][0], "CurrencyCode": "JPY"}]},
            headers={"Idempotency-Key": "bad-1"},
        )
        assert refused.status_code == replayed_error.status_code == 400
        assert replayed_error.headers["Idempotent-Replayed"] == "true"

        too_long = api.put("/Invoices", json=BILL, headers={"Idempotency-Key": "k" * 129})
        assert too_long.status_code == 400

        # After six sandbox minutes the key is forgotten: the same request creates again.
        control(sandbox_url, "POST", "/_sandbox/clock", {"advance_seconds": 361})
        late = api.put("/Invoices", json=BILL, headers=key)
        assert late.status_code == 200 and "Idempotent-Replayed" not in late.headers
        assert len(invoices_in(sandbox_url, org)) == 2


def test_xero_sandbox_minute_limit_answers_429_with_retry_after_and_recovers(
    sandbox_url: str,
) -> None:
    org = provision(sandbox_url)
    control(sandbox_url, "PUT", "/_sandbox/limits", {"minute": 3})
    with accounting(sandbox_url, org) as api:
        remaining = [api.get("/Organisation").headers["X-MinLimit-Remaining"] for _ in range(3)]
        assert remaining == ["2", "1", "0"]
        refused = api.get("/Organisation")
        assert refused.status_code == 429
        assert refused.headers["X-Rate-Limit-Problem"] == "minute"
        retry_after = int(refused.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        assert refused.headers["X-DayLimit-Remaining"] == str(5000 - 3)
        # Retry-After is in sandbox seconds: at scale 60 that is a sixtieth in real seconds.
        time.sleep(retry_after / SCALE + 0.1)
        assert api.get("/Organisation").status_code == 200
    stats = control(sandbox_url, "GET", "/_sandbox/stats")
    assert stats["rate_limited_by_problem"] == {"minute": 1}


def test_xero_sandbox_day_and_app_limits_name_their_problem(sandbox_url: str) -> None:
    org = provision(sandbox_url)
    control(sandbox_url, "PUT", "/_sandbox/limits", {"day": 2})
    with accounting(sandbox_url, org) as api:
        api.get("/Organisation")
        api.get("/Organisation")
        refused = api.get("/Organisation")
        assert (refused.status_code, refused.headers["X-Rate-Limit-Problem"]) == (429, "day")
    control(sandbox_url, "PUT", "/_sandbox/limits", {"day": 5000, "app_minute": 1})
    second = provision(sandbox_url)
    with accounting(sandbox_url, second) as api:
        # The first tenant's three calls already used the app's minute.
        refused = api.get("/Organisation")
        assert (refused.status_code, refused.headers["X-Rate-Limit-Problem"]) == (429, "appminute")
        assert refused.headers["X-AppMinLimit-Remaining"] == "0"
    control(sandbox_url, "PUT", "/_sandbox/limits", {"enabled": False})
    with accounting(sandbox_url, second) as api:
        assert api.get("/Organisation").status_code == 200


def test_xero_sandbox_sixth_concurrent_call_is_refused(sandbox_url: str) -> None:
    org = provision(sandbox_url)
    control(
        sandbox_url,
        "POST",
        "/_sandbox/faults",
        {"fault": "latency", "latency_ms": 1500, "path": "^/Organisation$"},
    )
    with ThreadPoolExecutor(max_workers=6) as pool:

        def call(_: int) -> httpx.Response:
            with accounting(sandbox_url, org) as api:
                return api.get("/Organisation", timeout=10)

        answers = list(pool.map(call, range(6)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(200) == 5 and statuses.count(429) == 1
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.headers["X-Rate-Limit-Problem"] == "concurrent"


def test_xero_sandbox_refresh_tokens_rotate_with_a_grace_period(sandbox_url: str) -> None:
    tenant = control(sandbox_url, "POST", "/_sandbox/tenants", {})
    code = control(
        sandbox_url,
        "POST",
        "/_sandbox/authorizations",
        {
            "client_id": "app",
            "client_secret": "s3cret",
            "tenant_ids": [tenant["tenant_id"]],
            "redirect_uri": "https://countersign.example/callback",
        },
    )["code"]
    basic = {"Authorization": "Basic " + base64.b64encode(b"app:s3cret").decode()}
    token_url = f"{sandbox_url}/connect/token"
    first = httpx.post(
        token_url,
        headers=basic,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://countersign.example/callback",
        },
    )
    assert first.status_code == 200
    tokens = first.json()
    assert (tokens["expires_in"], tokens["token_type"]) == (1800, "Bearer")
    reused_code = httpx.post(
        token_url,
        headers=basic,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://countersign.example/callback",
        },
    )
    assert reused_code.json() == {"error": "invalid_grant"}

    def refresh(token: str) -> httpx.Response:
        return httpx.post(
            token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": token,
                "client_id": "app",
                "client_secret": "s3cret",
            },
        )

    rotated = refresh(tokens["refresh_token"]).json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    # A lost answer can be recovered: the used token returns the same successor in the grace.
    assert refresh(tokens["refresh_token"]).json()["refresh_token"] == rotated["refresh_token"]
    wrong_secret = httpx.post(
        token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": "app",
            "client_secret": "nope",
            "refresh_token": rotated["refresh_token"],
        },
    )
    assert wrong_secret.json() == {"error": "invalid_client"}

    control(sandbox_url, "POST", "/_sandbox/clock", {"advance_seconds": 1801})
    late = refresh(tokens["refresh_token"])
    assert (late.status_code, late.json()) == (400, {"error": "invalid_grant"})
    org = {"tenant_id": tenant["tenant_id"], "token": rotated}
    with accounting(sandbox_url, org) as api:
        expired = api.get("/Organisation")
        assert expired.status_code == 401
        assert expired.json()["Detail"].startswith("TokenExpired")
    fresh = refresh(rotated["refresh_token"]).json()
    with accounting(sandbox_url, org, fresh["access_token"]) as api:
        assert api.get("/Organisation").status_code == 200


def test_xero_sandbox_connections_list_and_disconnect(sandbox_url: str) -> None:
    org = provision(sandbox_url)
    bearer = {"Authorization": f"Bearer {org['token']['access_token']}"}
    listed = httpx.get(f"{sandbox_url}/connections", headers=bearer).json()
    assert [(c["tenantId"], c["tenantType"]) for c in listed] == [
        (org["tenant_id"], "ORGANISATION")
    ]
    gone = httpx.delete(f"{sandbox_url}/connections/{listed[0]['id']}", headers=bearer)
    assert gone.status_code == 204
    with accounting(sandbox_url, org) as api:
        assert api.get("/Organisation").status_code == 403


def test_xero_sandbox_dropped_answer_after_commit_is_replayed_by_idempotency(
    sandbox_url: str,
) -> None:
    org = provision(sandbox_url)
    control(
        sandbox_url,
        "POST",
        "/_sandbox/faults",
        {"fault": "drop_after_commit", "method": "PUT", "path": "^/Invoices$", "count": 1},
    )
    key = {"Idempotency-Key": "bill-after-drop"}
    with accounting(sandbox_url, org) as api:
        with pytest.raises(httpx.TransportError):
            api.put("/Invoices", json=BILL, headers=key)
        stored = invoices_in(sandbox_url, org)
        assert len(stored) == 1
        retried = api.put("/Invoices", json=BILL, headers=key)
        assert retried.status_code == 200
        assert retried.json()["Invoices"][0]["InvoiceID"] == stored[0]["InvoiceID"]
    assert len(invoices_in(sandbox_url, org)) == 1


def test_xero_sandbox_injected_error_stores_nothing_and_is_not_remembered(sandbox_url: str) -> None:
    org = provision(sandbox_url)
    rule = control(
        sandbox_url,
        "POST",
        "/_sandbox/faults",
        {"fault": "error", "status": 503, "path": "^/Invoices$", "count": 1},
    )
    key = {"Idempotency-Key": "bill-after-503"}
    with accounting(sandbox_url, org) as api:
        assert api.put("/Invoices", json=BILL, headers=key).status_code == 503
        assert invoices_in(sandbox_url, org) == []
        assert api.put("/Invoices", json=BILL, headers=key).status_code == 200
    assert len(invoices_in(sandbox_url, org)) == 1
    listed = control(sandbox_url, "GET", "/_sandbox/faults")
    assert [(r["fault_id"], r["remaining"], r["injected"]) for r in listed] == [
        (rule["fault_id"], 0, 1)
    ]


def test_xero_sandbox_timeout_fault_leaves_the_client_without_an_answer(sandbox_url: str) -> None:
    org = provision(sandbox_url)
    control(
        sandbox_url,
        "POST",
        "/_sandbox/faults",
        {"fault": "timeout", "seconds": 5, "path": "^/Invoices$", "count": 1},
    )
    with accounting(sandbox_url, org) as api, pytest.raises(httpx.TimeoutException):
        api.put("/Invoices", json=BILL, timeout=0.5)
    assert invoices_in(sandbox_url, org) == []


def test_xero_sandbox_records_every_exchange_without_secrets(tmp_path: Path) -> None:
    record = tmp_path / "xero.jsonl"
    with serve(SandboxSettings(time_scale=SCALE, record=str(record))) as url:
        org = provision(url)
        with accounting(url, org) as api:
            api.put("/Invoices", json=BILL)
        httpx.post(
            f"{url}/connect/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": org["token"]["refresh_token"],
                "client_id": "countersign",
                "client_secret": "countersign-secret",
            },
        )
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    put = next(line for line in lines if line["path"] == "/api.xro/2.0/Invoices")
    assert put["request_headers"]["authorization"] == "Bearer <redacted>"
    assert put["status"] == 200 and put["response_body"]["Invoices"][0]["Type"] == "ACCPAY"
    refresh = next(line for line in lines if line["path"] == "/connect/token")
    assert refresh["request_body"]["refresh_token"] == "<redacted>"
    assert refresh["response_body"]["access_token"] == "<redacted>"
    text = record.read_text()
    assert org["token"]["access_token"] not in text
    assert org["token"]["refresh_token"] not in text


def test_xero_sandbox_reads_and_writes_amounts_as_exact_decimals(sandbox_url: str) -> None:
    org = provision(sandbox_url)
    # A hand-written body: the rate has more digits than a float holds, the amount more than
    # a float's 17 significant digits. Both must come back digit for digit.
    body = (
        '{"Invoices":[{"Type":"ACCPAY","Contact":{"Name":"Exact Ltd"},"Date":"2026-05-01",'
        '"CurrencyCode":"USD","CurrencyRate":0.123456789012345678,"LineAmountTypes":"NoTax",'
        '"LineItems":[{"Description":"x","Quantity":1,"UnitAmount":1234567890123456.78,'
        '"AccountCode":"429"}]}]}'
    )
    with accounting(sandbox_url, org) as api:
        answer = api.put("/Invoices", content=body, headers={"Content-Type": "application/json"})
        assert answer.status_code == 200
        assert '"CurrencyRate":0.123456789012345678' in answer.text
        assert '"Total":1234567890123456.78' in answer.text
        assert '"LineAmount":1234567890123456.78' in answer.text
        not_a_number = api.put(
            "/Invoices",
            content=body.replace("1234567890123456.78", "NaN"),
            headers={"Content-Type": "application/json"},
        )
        assert not_a_number.status_code == 400
        assert not_a_number.json()["Type"] == "PostDataInvalidException"
