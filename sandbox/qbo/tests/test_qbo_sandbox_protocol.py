"""OAuth2 (rotation, revocation, the gateway's 401), minorversion, requestid replay, the query
language, upload and download, and the throttles."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
from countersign_qbo_sandbox.harness import serve
from countersign_qbo_sandbox.settings import SandboxSettings

from sandbox.qbo.tests.qbo_http import OFF_SPEC, Company, bill, fault_code

BASIC = {"Authorization": "Basic " + base64.b64encode(b"app:app-secret").decode()}


def _connected(client: httpx.Client, company: Company) -> dict[str, Any]:
    client.post(
        "/_sandbox/apps",
        json={
            "client_id": "app",
            "client_secret": "app-secret",
            "redirect_uris": ["http://127.0.0.1:9/cb"],
        },
    )
    page = client.get(
        "/connect/oauth2",
        params={
            "client_id": "app",
            "response_type": "code",
            "scope": "com.intuit.quickbooks.accounting",
            "state": "s1",
            "redirect_uri": "http://127.0.0.1:9/cb",
        },
    )
    assert page.status_code == 200 and company.realm_id in page.text
    answer = client.post(
        "/connect/oauth2/consent",
        data={
            "client_id": "app",
            "redirect_uri": "http://127.0.0.1:9/cb",
            "state": "s1",
            "scope": "com.intuit.quickbooks.accounting",
            "realm_id": company.realm_id,
            "decision": "connect",
        },
    )
    query = httpx.URL(answer.headers["location"]).params
    assert query["state"] == "s1" and query["realmId"] == company.realm_id
    tokens = client.post(
        "/oauth2/v1/tokens/bearer",
        headers=BASIC,
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": "http://127.0.0.1:9/cb",
        },
    ).json()
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 3600
    return dict(tokens)


def _refresh(client: httpx.Client, token: str) -> httpx.Response:
    return client.post(
        "/oauth2/v1/tokens/bearer",
        headers=BASIC,
        data={"grant_type": "refresh_token", "refresh_token": token},
    )


def test_refresh_token_rotates_after_a_day_and_the_old_one_is_invalid_grant(
    client: httpx.Client, company: Company
) -> None:
    first = _connected(client, company)
    same = _refresh(client, first["refresh_token"]).json()
    assert same["refresh_token"] == first["refresh_token"]
    client.post("/_sandbox/clock", json={"advance_seconds": 86400})
    rotated = _refresh(client, first["refresh_token"]).json()
    assert rotated["refresh_token"] != first["refresh_token"]
    old = _refresh(client, first["refresh_token"])
    assert old.status_code == 400 and old.json() == {"error": "invalid_grant"}


def test_expired_access_token_gets_the_gateway_401(client: httpx.Client, company: Company) -> None:
    client.post("/_sandbox/clock", json={"advance_seconds": 3601})
    answer = company.get("preferences")
    error = answer.json()["fault"]["error"][0]
    assert answer.status_code == 401 and error["code"] == "3200"
    assert answer.json()["fault"]["type"] == "AUTHENTICATION"


def test_revoked_token_is_401(client: httpx.Client, company: Company) -> None:
    tokens = _connected(client, company)
    revoked = client.post(
        "/v2/oauth2/tokens/revoke", headers=BASIC, json={"token": tokens["refresh_token"]}
    )
    assert revoked.status_code == 200
    assert _refresh(client, tokens["refresh_token"]).status_code == 400
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get(company.url("preferences"), headers=headers).status_code == 401


def test_minorversion_absent_or_old_is_served_junk_is_a_fault(company: Company) -> None:
    # Off the documented shape on purpose: the fidelity net leaves this request unjudged.
    headers = {**company.headers, OFF_SPEC: "minorversion absent"}
    assert company.client.get(company.url("preferences"), headers=headers).status_code == 200
    assert company.get("preferences", minorversion=4).status_code == 200
    junk = company.get("preferences", minorversion="abc")
    assert junk.status_code == 400 and "Fault" in junk.json()


def test_repeated_requestid_replays_the_first_answer(
    company: Company, vendor: dict[str, Any]
) -> None:
    first = company.post("bill", bill(company, vendor["Id"]), requestid="r-1")
    again = company.post("bill", bill(company, vendor["Id"], DocNumber="OTHER"), requestid="r-1")
    assert again.json()["Bill"]["Id"] == first.json()["Bill"]["Id"]
    count = company.query("select count(*) from Bill").json()["QueryResponse"]["totalCount"]
    assert count == 1
    too_long = company.post("bill", bill(company, vendor["Id"]), requestid="x" * 51)
    assert too_long.status_code == 400


def test_a_requestid_runs_again_once_forgotten_or_past_its_retention(
    client: httpx.Client, company: Company, vendor: dict[str, Any]
) -> None:
    def posted(number: str, request_id: str) -> str:
        answer = company.post(
            "bill", bill(company, vendor["Id"], DocNumber=number), requestid=request_id
        )
        return str(answer.json()["Bill"]["Id"])

    first = posted("R-1", "kept-1")
    assert posted("R-2", "kept-1") == first  # remembered: replayed
    other = Company.create(client, {"name": "Elsewhere"})
    assert client.delete("/_sandbox/requestids", params={"realm_id": other.realm_id}).json() == {
        "forgotten": 0
    }
    assert posted("R-3", "kept-1") == first  # another realm's forgetting is not this one's
    forgotten = client.delete("/_sandbox/requestids", params={"realm_id": company.realm_id})
    assert forgotten.json() == {"forgotten": 1}
    again = posted("R-4", "kept-1")
    assert again != first  # run again: a second bill
    client.post("/_sandbox/clock", json={"advance_seconds": 86400 - 60})
    company.token = client.post("/_sandbox/tokens", json={"realm_id": company.realm_id}).json()
    assert posted("R-5", "kept-1") == again  # within the day: still remembered
    client.post("/_sandbox/clock", json={"advance_seconds": 120})
    assert posted("R-6", "kept-1") not in (first, again)  # a day after: run again
    numbers = company.query("select * from Bill").json()["QueryResponse"]["Bill"]
    assert sorted(b["DocNumber"] for b in numbers) == ["R-1", "R-4", "R-6"]


def test_query_filters_orders_pages_and_refuses_unfilterable_fields(company: Company) -> None:
    for name in ("O'Brien Ltd", "Zeta Co", "Alpha Co"):
        company.post("vendor", {"DisplayName": name})
    found = company.query(r"select * from Vendor where DisplayName = 'O\'Brien Ltd'").json()
    assert [v["DisplayName"] for v in found["QueryResponse"]["Vendor"]] == ["O'Brien Ltd"]
    like = company.get(
        "query",
        query="SELECT * FROM Vendor WHERE DisplayName LIKE '%Co' "
        "ORDERBY DisplayName DESC STARTPOSITION 1 MAXRESULTS 1",
    ).json()
    assert like["QueryResponse"]["Vendor"][0]["DisplayName"] == "Zeta Co"
    assert like["QueryResponse"]["maxResults"] == 1
    within = company.query("select * from Account where AccountType in ('Bank', 'Credit Card')")
    assert {a["Name"] for a in within.json()["QueryResponse"]["Account"]} == {
        "Checking",
        "Savings",
        "Visa",
    }
    assert (
        company.query("select * from Vendor where DisplayName = 'Nobody'").json()["QueryResponse"]
        == {}
    )
    assert fault_code(company.query("select * from Vendor where Notes = 'x'")) == "4001"
    assert fault_code(company.query("select from Vendor")) == "4000"


def test_upload_pairs_metadata_and_base64_content_and_downloads(
    company: Company, vendor: dict[str, Any]
) -> None:
    created = company.post("bill", bill(company, vendor["Id"])).json()["Bill"]
    link = {"EntityRef": {"type": "Bill", "value": created["Id"]}}
    meta = json.dumps(
        {"AttachableRef": [link], "FileName": "inv.pdf", "ContentType": "application/pdf"}
    )
    body = (
        '--B\nContent-Disposition: form-data; name="file_metadata_01"\n'
        f"Content-Type: application/json\n\n{meta}\n\n--B\n"
        'Content-Disposition: form-data; name="file_content_01"\nContent-Type: application/pdf\n'
        f"Content-Transfer-Encoding: base64\n\n{base64.b64encode(b'%PDF-1 x').decode()}\n\n--B--\n"
    )
    answer = company.client.post(
        company.url("upload"),
        params={"minorversion": 75},
        content=body.encode(),
        headers={**company.headers, "Content-Type": "multipart/form-data; boundary=B"},
    )
    attachable = answer.json()["AttachableResponse"][0]["Attachable"]
    assert (
        attachable["Size"] == 8
        and attachable["AttachableRef"][0]["EntityRef"]["value"] == created["Id"]
    )
    url = company.get(f"download/{attachable['Id']}").text
    assert httpx.get(url).content == b"%PDF-1 x"
    linked = company.query(
        "select * from attachable where AttachableRef.EntityRef.Type = 'bill' "
        f"and AttachableRef.EntityRef.value = '{created['Id']}'"
    ).json()
    assert [a["Id"] for a in linked["QueryResponse"]["Attachable"]] == [attachable["Id"]]


def test_over_the_minute_limit_is_429_throttle_exceeded() -> None:
    with serve(SandboxSettings(minute_limit=3)) as url, httpx.Client(base_url=url) as client:
        company = Company.create(client, {})
        statuses = [company.get("preferences").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        error = company.get("preferences").json()["fault"]["error"][0]
        assert error["code"] == "3001" and "ThrottleExceeded" in error["message"]


def test_batch_over_the_item_limit_is_refused(company: Company) -> None:
    items = [{"bId": str(i), "Query": "select * from Term"} for i in range(31)]
    assert company.post("batch", {"BatchItemRequest": items}).status_code == 400
    answer = company.post("batch", {"BatchItemRequest": items[:2]}).json()
    assert [item["bId"] for item in answer["BatchItemResponse"]] == ["0", "1"]
