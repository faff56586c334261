"""The sandboxes' recordings (``XERO_SANDBOX_RECORD`` / ``_RECORD_DIR``, and the QBO sandbox's
``QBO_SANDBOX_RECORD`` / ``_RECORD_DIR``): one JSON line per HTTP exchange, as written by
``countersign_xero_sandbox.recording``. The QBO sandbox's files (``qbo-sandbox-*.jsonl``) are
kept apart: the Xero checks never see them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["PUBLISHER_AGENT", "QBO_PREFIX", "Exchange", "Recordings", "read_recordings"]

# The publisher's XeroClient sends `User-Agent: countersign-publisher/<version>`; tests that
# call the sandbox by hand (httpx, the SDK: `xero-python (…)`) never do.
PUBLISHER_AGENT = "countersign-publisher/"
QBO_PREFIX = "qbo-sandbox-"


@dataclass(frozen=True)
class Exchange:
    source: str  # "<file>:<line>", to find the raw record
    method: str
    path: str
    query: str
    request_headers: Mapping[str, str]
    request_body: Any
    status: int | None
    response_headers: Mapping[str, str]
    response_body: Any

    @property
    def from_publisher(self) -> bool:
        return self.request_headers.get("user-agent", "").startswith(PUBLISHER_AGENT)

    @property
    def request_is_json(self) -> bool:
        return "json" in self.request_headers.get("content-type", "")

    @property
    def cut_short(self) -> bool:
        """The answer promised a body and the connection broke first (the sandbox's
        ``drop_after_commit`` fault): no client ever read it, so there is nothing to judge."""
        promised = self.response_headers.get("content-length", "0")
        return self.response_body is None and promised.isdigit() and int(promised) > 0

    @property
    def response_is_json(self) -> bool:
        return "json" in self.response_headers.get("content-type", "")


@dataclass
class Recordings:
    exchanges: list[Exchange] = field(default_factory=list)
    files: int = 0
    qbo: list[Exchange] = field(default_factory=list)
    qbo_files: int = 0
    # Lines that are not JSON: a sandbox killed mid-write leaves at most one per file.
    unreadable: list[str] = field(default_factory=list)


def _exchange(source: str, line: Mapping[str, Any]) -> Exchange:
    return Exchange(
        source=source,
        method=line["method"],
        path=line["path"],
        query=line.get("query", ""),
        request_headers={k.lower(): v for k, v in line.get("request_headers", {}).items()},
        request_body=line.get("request_body"),
        status=line.get("status"),
        response_headers={k.lower(): v for k, v in line.get("response_headers", {}).items()},
        response_body=line.get("response_body"),
    )


def _lines(file: Path) -> Iterator[tuple[int, str]]:
    with file.open(encoding="utf-8") as lines:
        yield from enumerate(lines, start=1)


def read_recordings(paths: Iterable[Path]) -> Recordings:
    """Every exchange in the given files, and in the ``*.jsonl`` files of given directories."""
    files = sorted(
        file
        for path in paths
        for file in (sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    )
    qbo = [file for file in files if file.name.startswith(QBO_PREFIX)]
    found = Recordings(files=len(files) - len(qbo), qbo_files=len(qbo))
    for file in files:
        into = found.qbo if file in qbo else found.exchanges
        for number, text in _lines(file):
            source = f"{file.name}:{number}"
            try:
                into.append(_exchange(source, json.loads(text)))
            except (ValueError, KeyError, AttributeError):
                found.unreadable.append(source)
    return found
