"""``XERO_SANDBOX_RECORD_DIR``: what lets the fidelity net see every sandbox a test starts."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from countersign_xero_sandbox.harness import provision, serve
from countersign_xero_sandbox.settings import SandboxSettings

pytestmark = pytest.mark.integration


def test_each_instance_records_into_a_file_of_its_own(tmp_path: Path) -> None:
    settings = SandboxSettings(record_dir=str(tmp_path))
    with serve(settings) as one, serve(settings) as other:
        for root in (one, other):
            org = provision(root)
            answer = httpx.get(
                f"{root}/api.xro/2.0/Organisation",
                headers={
                    "Authorization": f"Bearer {org['token']['access_token']}",
                    "xero-tenant-id": org["tenant_id"],
                },
            )
            assert answer.status_code == 200
    files = sorted(tmp_path.glob("xero-sandbox-*.jsonl"))
    assert len(files) == 2
    for file in files:
        lines = [json.loads(line) for line in file.read_text().splitlines()]
        organisation = [line for line in lines if line["path"] == "/api.xro/2.0/Organisation"]
        assert len(organisation) == 1
        assert organisation[0]["status"] == 200
        assert organisation[0]["response_body"]["Organisations"]


def test_the_directory_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XERO_SANDBOX_RECORD_DIR", str(tmp_path))
    with serve(SandboxSettings(time_scale=60)) as root:
        httpx.get(f"{root}/_sandbox/health")
    (file,) = tmp_path.glob("xero-sandbox-*.jsonl")
    assert json.loads(file.read_text())["path"] == "/_sandbox/health"
