"""A request body that does not arrive is answered 408 once <PREFIX>_BODY_TIMEOUT_S has passed,
and a client that hangs up mid-body is news at INFO, never an ERROR with a traceback: ingest and
approval as real processes, reached by a raw socket that announces a body and withholds it."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from countersign_harness.infra import Infrastructure
from countersign_harness.processes import ServiceProcess
from countersign_platform.topics import ensure_topics, wanted_topics

pytestmark = pytest.mark.integration

TIMEOUT_S = 1.0  # the services' default is 120 s; the test sets it low


@pytest.fixture(scope="module")
def services(
    infra: Infrastructure, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ServiceProcess]]:
    isolation = "t" + uuid.uuid4().hex[:10]
    logs = tmp_path_factory.mktemp("slow-bodies")
    # As a deployment does before any service starts (countersign-topics): the topics the
    # services consume exist, so their consumers find them.
    asyncio.run(
        ensure_topics(infra.kafka_bootstrap_servers, wanted_topics(1, prefix=f"{isolation}."))
    )
    started = {
        name: ServiceProcess(
            name,
            infra,
            isolation,
            logs,
            extra_env={f"{name.upper()}_BODY_TIMEOUT_S": str(TIMEOUT_S)},
        )
        for name in ("ingest", "approval")
    }
    try:
        for process in started.values():
            process.start()
        for process in started.values():
            process.wait_ready()
        yield started
    finally:
        for process in started.values():
            process.stop()


def _post(path: str, announced: int) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: countersign\r\nContent-Type: application/json\r\n"
        f"Content-Length: {announced}\r\n\r\n"
    ).encode()


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """The whole answer: the server closes the connection after a 408."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (h.split(":", 1) for h in header_lines)}
    return int(status_line.split()[1]), headers, body


PATHS = {
    "ingest": f"/v1/organisations/{uuid.uuid4()}/cost-items",
    "approval": f"/v1/organisations/{uuid.uuid4()}/requests/{uuid.uuid4()}/approve",
}


@pytest.mark.parametrize("service", PATHS)
@pytest.mark.parametrize("sent", [b"", b'{"comment": '], ids=["nothing", "a first chunk"])
def test_a_body_announced_and_withheld_is_answered_408_and_the_connection_closed(
    services: dict[str, ServiceProcess], service: str, sent: bytes
) -> None:
    process = services[service]
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", process.port), timeout=15) as sock:
        sock.sendall(_post(PATHS[service], 1000) + sent)
        status, headers, body = _answer(sock)
    took = time.monotonic() - started

    assert status == 408, body
    assert TIMEOUT_S <= took < TIMEOUT_S + 5
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["errors"] == [
        {
            "field": "body",
            "rule": "body_timeout",
            "message": f"the request body did not arrive within {TIMEOUT_S:g} s",
        }
    ]


@pytest.mark.parametrize("service", PATHS)
def test_a_client_that_hangs_up_mid_body_is_logged_at_info_without_a_traceback(
    services: dict[str, ServiceProcess], service: str
) -> None:
    process = services[service]
    log = Path(process.log_path)
    before = log.read_text().count("went away")
    with socket.create_connection(("127.0.0.1", process.port), timeout=15) as sock:
        sock.sendall(_post(PATHS[service], 1000) + b'{"comment": ')
        time.sleep(TIMEOUT_S / 4)  # the app is waiting for the rest of the body

    deadline = time.monotonic() + 10
    while log.read_text().count("went away") == before and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    gone = [line for line in lines if "went away" in line["message"]]
    assert gone and gone[-1]["level"] == "info"
    assert [line for line in lines if line["level"] in ("error", "critical")] == []
    assert "ClientDisconnect" not in log.read_text()
