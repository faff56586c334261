"""After a full run as real processes (tests/security/full_run.py): no secret value reaches any
log, and the secrets the services keep are sealed at rest, opening only with the keyring."""

from __future__ import annotations

import base64
import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from countersign_harness.infra import Infrastructure
from countersign_platform.sealing import Keyring, SealingError

from tests.security.full_run import FullRun, run_everything

pytestmark = pytest.mark.e2e

# Secrets whose values the test never sees (a document link the publisher signs for itself, a
# signature or token in a header) are recognised by their shape instead.
SECRET_SHAPES = {
    "document link signature": re.compile(r"signature=[0-9a-f]{64}"),
    "Dext signature": re.compile(r"v1=[0-9a-f]{64}"),
    "bearer token": re.compile(r"Bearer\s+[A-Za-z0-9_\-.]{8,}"),
    "sealed value": re.compile(r"v1\.k1\.[A-Za-z0-9+/=]{16,}"),
}


@pytest.fixture(scope="module")
def full_run(infra: Infrastructure) -> Iterator[FullRun]:
    isolation = "s" + os.urandom(5).hex()
    with tempfile.TemporaryDirectory(prefix="countersign-security-") as logs:
        yield run_everything(infra, isolation, Path(logs))


def test_the_run_used_every_credential_it_names(full_run: FullRun) -> None:
    """Guards the other tests: a run that skipped a step would make them pass vacuously."""
    assert [p["state"] for p in full_run.outcome["publications"]] == ["completed"]
    assert len(full_run.outcome["invoices"]) == 1
    logs = full_run.logs()
    assert {"ingest.log", "approval.log", "publisher.log", "xero-sandbox.log"} <= set(logs)
    assert all(logs[name] for name in ("ingest.log", "approval.log", "publisher.log"))
    assert "refused a Dext call" in logs["ingest.log"]
    assert "publication step create_bill failed" in logs["publisher.log"]


def test_no_secret_or_token_appears_in_any_log(full_run: FullRun) -> None:
    secrets = full_run.secrets
    assert secrets["Xero access token (refreshed)"] != secrets["Xero access token (minted)"]
    leaks = [
        f"{name} in {log}"
        for log, text in full_run.logs().items()
        for name, value in secrets.items()
        if value in text
    ]
    shaped = [
        f"{name} in {log}: {match.group(0)[:24]}…"
        for log, text in full_run.logs().items()
        for name, shape in SECRET_SHAPES.items()
        for match in shape.finditer(text)
    ]
    assert leaks + shaped == []


def test_no_secret_appears_on_a_public_page(full_run: FullRun) -> None:
    pages = full_run.outcome["public pages"]
    assert "countersign_http_request_seconds" in pages["publisher/metrics"]
    leaks = [
        f"{name} on {page}"
        for page, text in pages.items()
        for name, value in full_run.secrets.items()
        if value in text
    ]
    assert leaks == []


async def test_no_secret_is_in_any_event_the_services_emitted(full_run: FullRun) -> None:
    """Events stay on the brokers for days and reach consumers outside Countersign."""
    events: list[str] = []
    emitted = {}
    query = "SELECT topic, headers::text, payload::text FROM outbox"
    for service in ("ingest", "approval", "publisher"):
        rows = await full_run.rows(service, query)
        emitted[service] = len(rows)
        events += [" ".join(row.values()) for row in rows]
    assert all(emitted.values()), emitted
    leaks = [name for name, value in full_run.secrets.items() if any(value in e for e in events)]
    assert leaks == []


async def test_xero_tokens_are_sealed_at_rest(full_run: FullRun) -> None:
    rows = await full_run.rows(
        "publisher", "SELECT organisation_id, access_token, refresh_token FROM xero_connections"
    )
    assert len(rows) == 2  # one connected with a token set, one with an authorization code
    raw = " ".join(str(value) for row in rows for value in row.values())
    tokens = [value for name, value in full_run.secrets.items() if name.startswith("Xero ")]
    # Access and refresh tokens minted, refreshed and got by code; the code; the client secret.
    assert len(tokens) == 8
    assert [name for name, value in full_run.secrets.items() if value in raw] == []
    keyring = full_run.keyring
    for row in rows:
        for which in ("access", "refresh"):
            sealed = row[f"{which}_token"]
            context = f"publisher:xero-{which}:{row['organisation_id']}"
            assert keyring.open(sealed, context)
            with pytest.raises(SealingError):
                _other_keyring().open(sealed, context)
            with pytest.raises(SealingError):
                keyring.open(sealed, f"publisher:xero-{which}:{uuid.uuid4()}")


async def test_the_dext_secret_is_sealed_at_rest(full_run: FullRun) -> None:
    rows = await full_run.rows("ingest", "SELECT organisation_id, role, sealed FROM dext_secrets")
    assert [r["role"] for r in rows] == ["current"]
    sealed = rows[0]["sealed"]
    assert full_run.dext_secret not in sealed
    assert base64.b64encode(full_run.dext_secret.encode()).decode() not in sealed
    context = f"ingest:dext-secret:{full_run.organisation_id}"
    assert full_run.keyring.open(sealed, context).decode() == full_run.dext_secret
    with pytest.raises(SealingError):
        _other_keyring().open(sealed, context)


def _other_keyring() -> Keyring:
    """A keyring with the same key id but another key: what a stolen database dump meets."""
    return Keyring.parse("k1:" + base64.b64encode(os.urandom(32)).decode())
