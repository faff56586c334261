"""Intuit's throttles per realm at their real values (10 in flight, 40 batch requests a
minute: 429 with the gateway's ThrottleExceeded 3001), and the batch's requestid and bId."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from countersign_qbo_sandbox.harness import serve
from countersign_qbo_sandbox.settings import SandboxSettings

from sandbox.qbo.tests.qbo_http import Company, fault_code


@pytest.fixture(name="limited")
def limited_fixture() -> Iterator[httpx.Client]:
    """A sandbox with Intuit's limits on, its clock at real speed (a slow machine cannot
    stretch a burst past the minute window)."""
    with (
        serve(SandboxSettings(time_scale=1)) as url,
        httpx.Client(base_url=url, timeout=10) as client,
    ):
        yield client


def _throttled(answer: httpx.Response) -> bool:
    if answer.status_code != 429:
        return False
    error = answer.json()["fault"]["error"][0]
    return error["code"] == "3001" and "statusCode=429" in error["message"]


def _in_flight(client: httpx.Client, company: Company) -> int:
    return int(client.get("/_sandbox/stats").json()["in_flight"].get(company.realm_id, 0))


def test_the_eleventh_call_in_flight_is_429(limited: httpx.Client) -> None:
    company = Company.create(limited, {})
    hold = {"fault": "latency", "latency_ms": 2000, "path": "/preferences", "count": 10}
    assert limited.post("/_sandbox/faults", json=hold).status_code == 201
    with ThreadPoolExecutor(10) as pool:
        held = [pool.submit(company.get, "preferences") for _ in range(10)]
        deadline = time.monotonic() + 1.0
        while _in_flight(limited, company) < 10 and time.monotonic() < deadline:
            time.sleep(0.01)  # until all ten are admitted and held
        eleventh = company.get("companyinfo/" + company.realm_id)
        answers = [future.result() for future in held]
    assert _throttled(eleventh)
    assert [a.status_code for a in answers] == [200] * 10
    assert limited.get("/_sandbox/stats").json()["throttled"] == {"concurrent": 1}
    assert company.get("companyinfo/" + company.realm_id).status_code == 200


def _batch(company: Company, **params: Any) -> httpx.Response:
    items = {"BatchItemRequest": [{"bId": "1", "Query": "select * from Term"}]}
    return company.post("batch", items, **params)


def test_the_41st_batch_in_a_minute_is_429(limited: httpx.Client) -> None:
    company = Company.create(limited, {})
    statuses = [_batch(company).status_code for _ in range(40)]
    assert statuses == [200] * 40
    assert _throttled(_batch(company))
    assert company.get("preferences").status_code == 200  # other calls still go through
    limited.post("/_sandbox/clock", json={"advance_seconds": 61})
    assert _batch(company).status_code == 200


def test_batch_requestid_replays_and_ids_have_their_lengths(client: httpx.Client) -> None:
    company = Company.create(client, {})
    create = {
        "BatchItemRequest": [
            {"bId": "b1", "operation": "create", "Vendor": {"DisplayName": "Batched Once"}}
        ]
    }
    first = company.post("batch", create, requestid="r" * 36)
    again = company.post("batch", create, requestid="r" * 36)
    assert first.status_code == 200 and again.content == first.content
    found = company.query("select count(*) from Vendor where DisplayName = 'Batched Once'")
    assert found.json()["QueryResponse"]["totalCount"] == 1
    assert fault_code(company.post("batch", create, requestid="r" * 37)) == "2170"
    long_id = {"BatchItemRequest": [{**create["BatchItemRequest"][0], "bId": "b" * 11}]}
    answer = company.post("batch", long_id)
    assert answer.status_code == 400 and fault_code(answer) == "2050"
