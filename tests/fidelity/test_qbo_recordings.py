"""``QBO_SANDBOX_RECORD`` / ``QBO_SANDBOX_RECORD_DIR`` record as the Xero sandbox's recording does
(a file per instance, secrets redacted), and the fidelity net judges those exchanges apart from
Xero's."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from countersign_qbo_sandbox.harness import serve
from countersign_qbo_sandbox.settings import SandboxSettings

from tests.fidelity.check import main

pytestmark = pytest.mark.integration


def _traffic(root: str) -> str:
    """A company, a token and two Accounting calls (one read, one query); the realm id."""
    realm = httpx.post(f"{root}/_sandbox/companies", json={}).json()["realm_id"]
    token = httpx.post(f"{root}/_sandbox/tokens", json={"realm_id": realm}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"}
    api = f"{root}/v3/company/{realm}"
    version = {"minorversion": "75"}
    assert httpx.get(f"{api}/preferences", params=version, headers=headers).status_code == 200
    query = {**version, "query": "select * from Term"}
    assert httpx.get(f"{api}/query", params=query, headers=headers).status_code == 200
    return str(realm)


def test_the_directory_from_the_environment_gets_a_file_per_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QBO_SANDBOX_RECORD_DIR", str(tmp_path))
    with serve(SandboxSettings(time_scale=60)) as one, serve(SandboxSettings()) as other:
        realms = [_traffic(one), _traffic(other)]
    files = sorted(tmp_path.glob("qbo-sandbox-*.jsonl"))
    assert len(files) == 2
    for file in files:
        lines = [json.loads(line) for line in file.read_text().splitlines()]
        reads = [line for line in lines if line["path"].endswith("/preferences")]
        assert len(reads) == 1 and reads[0]["path"].split("/")[3] in realms
        assert reads[0]["request_headers"]["authorization"] == "Bearer <redacted>"
        (minted,) = [line for line in lines if line["path"] == "/_sandbox/tokens"]
        assert minted["response_body"]["access_token"] == "<redacted>"


def test_one_file_and_the_fidelity_net_judges_qbo_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = tmp_path / "qbo-sandbox-run.jsonl"
    with serve(SandboxSettings(record=str(recording))) as root:
        _traffic(root)
    assert main([str(tmp_path)]) == 0
    report = capsys.readouterr().out
    assert "Xero fidelity: 0 exchanges in 0 recordings" in report
    assert (
        "QBO fidelity: 4 exchanges in 1 recordings; 2 Accounting answers and 2 requests" in report
    )
    assert "1  GET /v3/company/{realmId}/preferences  200:1" in report
    assert "1  GET /v3/company/{realmId}/query  200:1" in report
