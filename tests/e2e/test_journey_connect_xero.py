"""An organisation's admin connects its own Xero (ADR 0045), end to end: the publisher as a
process, approval issuing the admin's access token, the Xero sandbox's login and consent pages
driven as a browser drives them — and once in a real one, Debian's headless Chromium, whose
screenshots ``make screenshots`` keeps for the docs (COUNTERSIGN_SCREENSHOTS=<dir>) — and the
connection's news on ledger.connections.v1."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from countersign_contracts import LEDGER_CONNECTIONS, decode
from countersign_dext_sandbox.samples import line
from countersign_harness.kafka import read_until
from countersign_harness.organisation import Organisation, Person
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_harness.xero_consent import XeroConsent, outcome
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.wait import WebDriverWait

from tests.e2e.journeys import PEOPLE, WORKFLOW, invoice
from tests.e2e.test_journey_approval_paths import publish, settled

pytestmark = pytest.mark.e2e

REX = Person("rex@example.com", "Rex Reviewer", ("reviewer",))


async def _unconnected(pipeline: Pipeline, name: str) -> Organisation:
    return await provision_organisation(
        pipeline.endpoints, WORKFLOW, (*PEOPLE, REX), name=name, connect_xero=False
    )


async def _tenant(pipeline: Pipeline, name: str) -> str:
    async with httpx.AsyncClient(base_url=pipeline.xero.url, timeout=10) as http:
        created = await http.post("/_sandbox/tenants", json={"name": name})
    created.raise_for_status()
    tenant: str = created.json()["tenant_id"]
    return tenant


async def _connection(
    org: Organisation, method: str = "GET", email: str | None = None
) -> httpx.Response:
    token = await org.access_token(email)
    async with httpx.AsyncClient(timeout=15) as http:
        return await http.request(
            method,
            f"{org.endpoints.publisher}/v1/organisations/{org.organisation_id}/xero-connection",
            headers={"Authorization": f"Bearer {token}"},
        )


async def _news(pipeline: Pipeline, org: Organisation, count: int) -> list[dict[str, Any]]:
    topic = LEDGER_CONNECTIONS
    subject = str(org.organisation_id).encode()
    records = await read_until(
        pipeline.infra.kafka_bootstrap_servers,
        f"{pipeline.isolation}.{topic}",
        lambda found: sum(r.key == subject for r in found) >= count,
    )
    return [
        decode(topic, r.value).payload.model_dump(mode="json") for r in records if r.key == subject
    ]


async def test_an_admin_connects_xero_picks_a_tenant_and_bills_arrive_there(
    pipeline: Pipeline,
) -> None:
    org = await _unconnected(pipeline, "Consent Trading Ltd")
    other_tenant = await _tenant(pipeline, "Consent Holdings Ltd")
    consent = XeroConsent(org)
    try:
        await consent.prepare([org.tenant_id, other_tenant])
        page = await consent.connect([org.tenant_id, other_tenant])
        assert outcome(page) == "choose-tenant", page.html
        assert set(page.forms["choose-tenant"].options["tenant_id"]) == {
            org.tenant_id,
            other_tenant,
        }
        page = await consent.browser.submit(
            page, "choose-tenant", {"tenant_id": org.tenant_id}, "connect"
        )
    finally:
        await consent.aclose()
    assert (page.status, outcome(page)) == (200, "connected"), page.html
    assert "Consent Trading Ltd" in page.html
    assert "choose-tenant" not in page.forms  # nothing left to post again
    shown = (await _connection(org)).json()
    assert (shown["status"], shown["tenant_id"]) == ("connected", org.tenant_id)
    assert "token" not in str({k: v for k, v in shown.items() if k != "access_token_expires_at"})
    news = await _news(pipeline, org, 1)
    assert news[-1]["status"] == "connected" and news[-1]["tenant_id"] == org.tenant_id
    # The connection is real: an auto-approved bill reaches the chosen tenant.
    small = invoice("consent-1", line("Stamps", "2", "10.00", account_code="453"))
    assert (await publish(org, small)).status_code == 202
    reached = await settled(org, "consent-1")
    assert reached["status"] == "published", reached


async def test_a_callback_that_is_not_the_flow_s_own_is_refused_and_connects_nothing(
    pipeline: Pipeline,
) -> None:
    org = await _unconnected(pipeline, "Wrong State Ltd")
    consent = XeroConsent(org)
    try:
        await consent.prepare([org.tenant_id])
        forged = await consent.browser.open(
            f"{pipeline.xero_redirect_uri}?code=abc&state={uuid.uuid4().hex}"
        )
        missing = await consent.browser.open(f"{pipeline.xero_redirect_uri}?code=abc")
        started = (await consent.start()).json()["authorize_url"]
        page = await consent.consent(started, [org.tenant_id])
        replay = await consent.browser.open(page.url)  # the same code and state again
        cancelled_flow = (await consent.start()).json()["authorize_url"]
        cancelled = await consent.browser.submit(
            await consent.browser.open(cancelled_flow), "consent-form", {}, "cancel"
        )
    finally:
        await consent.aclose()
    assert (forged.status, outcome(forged)) == (400, "state-unknown")
    assert (missing.status, outcome(missing)) == (400, "state-missing")
    assert outcome(page) == "connected"
    assert (replay.status, outcome(replay)) == (400, "state-spent")
    assert (cancelled.status, outcome(cancelled)) == (400, "cancelled")
    assert (await _connection(org)).json()["status"] == "connected"  # untouched by the rest


async def test_a_code_issued_for_another_verifier_is_refused_by_pkce(pipeline: Pipeline) -> None:
    """A code injected into our callback (stolen, or made for another client's challenge)
    cannot be redeemed: the publisher sends its own verifier, Xero refuses the pair."""
    org = await _unconnected(pipeline, "Injected Code Ltd")
    consent = XeroConsent(org)
    try:
        await consent.prepare([org.tenant_id])
        authorize_url = (await consent.start()).json()["authorize_url"]
        state = parse_qs(urlsplit(authorize_url).query)["state"][0]
        endpoints = pipeline.endpoints
        async with httpx.AsyncClient(timeout=10) as http:
            minted = await http.post(
                f"{pipeline.xero.url}/_sandbox/authorizations",
                json={
                    "client_id": endpoints.xero_client_id,
                    "client_secret": endpoints.xero_client_secret,
                    "tenant_ids": [org.tenant_id],
                    "redirect_uri": pipeline.xero_redirect_uri,
                    "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                },
            )
        minted.raise_for_status()
        page = await consent.browser.open(
            f"{pipeline.xero_redirect_uri}?code={minted.json()['code']}&state={state}"
        )
    finally:
        await consent.aclose()
    assert (page.status, outcome(page)) == (400, "code-refused")
    assert (await _connection(org)).json()["status"] == "none"


async def test_a_tenant_that_serves_another_organisation_is_refused(pipeline: Pipeline) -> None:
    first = await _unconnected(pipeline, "First Claim Ltd")
    second = await _unconnected(pipeline, "Second Claim Ltd")
    one, two = (
        XeroConsent(first),
        XeroConsent(second),
    )
    try:
        await one.prepare([first.tenant_id])
        assert outcome(await one.connect([first.tenant_id])) == "connected"
        await two.prepare([first.tenant_id])
        refused = await two.connect([first.tenant_id])
    finally:
        await one.aclose()
        await two.aclose()
    assert (refused.status, outcome(refused)) == (409, "tenant-bound-elsewhere")
    assert (await _connection(second)).json()["status"] == "none"
    assert (await _connection(first)).json()["tenant_id"] == first.tenant_id


async def test_only_the_organisation_s_admins_start_or_end_its_connection(
    pipeline: Pipeline,
) -> None:
    org = await _unconnected(pipeline, "Gatekept Ltd")
    stranger = await _unconnected(pipeline, "Stranger Ltd")
    path = f"{pipeline.endpoints.publisher}/v1/organisations/{org.organisation_id}/xero-connection"
    callers = {
        "admin": await org.access_token(),
        "reviewer": await org.access_token(REX.email),
        "another organisation's admin": await stranger.access_token(),
        "operator": pipeline.endpoints.admin_token,
    }
    answers = {}
    async with httpx.AsyncClient(timeout=15) as http:
        for who, token in callers.items():
            auth = {"Authorization": f"Bearer {token}"}
            started = await http.post(f"{path}/authorisations", headers=auth)
            shown = await http.get(path, headers=auth)
            answers[who] = (started.status_code, shown.status_code)
        ended = {
            who: (await http.delete(path, headers={"Authorization": f"Bearer {token}"})).status_code
            for who, token in callers.items()
            if who != "admin"
        }
    assert answers == {
        "admin": (201, 200),
        "reviewer": (403, 403),
        "another organisation's admin": (404, 404),
        "operator": (401, 200),  # the operator may look, but connecting is the admins' act
    }
    assert ended == {"reviewer": 403, "another organisation's admin": 404, "operator": 401}


async def test_xero_refusing_the_grant_needs_a_reconnect_and_a_disconnect_lets_go(
    pipeline: Pipeline,
) -> None:
    org = await _unconnected(pipeline, "Revoked Ltd")
    consent = XeroConsent(org)
    endpoints = pipeline.endpoints
    try:
        await consent.prepare([org.tenant_id])
        assert outcome(await consent.connect([org.tenant_id])) == "connected"
        # The finance team removes the app in Xero; the access token then runs out.
        async with httpx.AsyncClient(base_url=pipeline.xero.url, timeout=10) as xero:
            removed = await xero.post(
                f"/_sandbox/tenants/{org.tenant_id}/disconnect",
                json={"client_id": endpoints.xero_client_id},
            )
            assert removed.status_code == 200, removed.text
            await xero.post("/_sandbox/clock", json={"advance_seconds": 31 * 60})
        token = await org.access_token()
        async with httpx.AsyncClient(timeout=30) as http:
            synced = await http.post(
                f"{endpoints.publisher}/v1/organisations/{org.organisation_id}/supplier-sync",
                headers={"Authorization": f"Bearer {token}"},
            )
        broken = (await _connection(org)).json()
        # Reconnecting through consent heals it; disconnecting then lets go at Xero too.
        assert outcome(await consent.connect([org.tenant_id])) == "connected"
        healed = (await _connection(org)).json()
        disconnected = await _connection(org, "DELETE")
    finally:
        await consent.aclose()
    assert synced.status_code == 502, synced.text
    assert (broken["status"], broken["last_error"]) == ("needs_reconnect", "invalid_grant")
    assert healed["status"] == "connected"
    assert disconnected.status_code == 200, disconnected.text
    assert disconnected.json()["status"] == "disconnected"
    assert disconnected.json()["xero_disconnected"] is True
    news = [(n["status"], n["reason"]) for n in await _news(pipeline, org, 4)]
    assert news == [
        ("connected", None),
        ("needs_reconnect", "invalid_grant"),
        ("connected", None),
        ("disconnected", None),
    ]


PNG = b"\x89PNG\r\n\x1a\n"


def _element(browser: Chrome, element_id: str) -> WebElement:
    """The element once the page that has it is there: a click that submits a form returns
    before the next page has loaded."""
    found: WebElement = WebDriverWait(browser, 15).until(
        shown.presence_of_element_located((By.ID, element_id))
    )
    return found


def _shot(browser: Chrome, folder: Path, name: str) -> None:
    path = folder / f"connect-xero-{name}.png"
    assert browser.save_screenshot(str(path))
    assert path.read_bytes().startswith(PNG)
    wanted = os.environ.get("COUNTERSIGN_SCREENSHOTS")
    if wanted:
        shutil.copy(path, Path(wanted) / path.name)


async def test_an_admin_connects_xero_in_a_browser(
    pipeline: Pipeline, chromium: Chrome, tmp_path: Path
) -> None:
    org = await provision_organisation(
        pipeline.endpoints, WORKFLOW, PEOPLE, name="Browser Trading Ltd", connect_xero=False
    )
    consent = XeroConsent(org)
    try:
        await consent.prepare([org.tenant_id])
        started = await consent.start()
    finally:
        await consent.aclose()
    assert started.status_code == 201, started.text

    chromium.get(started.json()["authorize_url"])
    assert _element(chromium, "login-form").is_displayed()
    _shot(chromium, tmp_path, "1-sign-in")
    chromium.find_element(By.NAME, "email").send_keys(consent.email)
    chromium.find_element(By.NAME, "password").send_keys(consent.password)
    chromium.find_element(By.ID, "login").click()

    box = _element(chromium, f"tenant-{org.tenant_id}")
    assert "Browser Trading Ltd" in chromium.find_element(By.ID, "organisations").text
    if not box.is_selected():
        box.click()
    _shot(chromium, tmp_path, "2-consent")
    chromium.find_element(By.ID, "allow").click()

    outcome = _element(chromium, "outcome")
    assert outcome.get_attribute("data-outcome") == "connected", chromium.page_source
    assert chromium.current_url.startswith(pipeline.xero_redirect_uri)
    assert "Browser Trading Ltd" in outcome.text
    _shot(chromium, tmp_path, "3-connected")
