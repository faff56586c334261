"""Violations grouped into findings — one per operation, side, field and rule, with a count and
the first few occurrences — and the report ``make test`` prints."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from tests.fidelity.schemas import JsonPath, Violation

__all__ = ["Finding", "Findings", "Side", "render_path"]

# "request": a QBO request of another client (python-quickbooks, a test) the sandbox accepted.
Side = Literal["answer", "publisher request", "request"]


def render_path(path: JsonPath, *, concrete: bool = True) -> str:
    """``$.Invoices[0].DueDate`` (``[*]`` when not ``concrete``); query parameters (whose
    path starts with ``?name``) as ``query ?name``, headers (``header Name``) as they are."""
    if path and isinstance(path[0], str) and path[0].startswith("?"):
        return f"query {path[0]}"
    if path and isinstance(path[0], str) and path[0].startswith("header "):
        return path[0]
    text = "$"
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]" if concrete else "[*]"
        else:
            text += f".{part}"
    return text


@dataclass
class Finding:
    operation: str  # "PUT /Invoices"
    side: Side
    path: str  # "$.Invoices[*].DueDate"
    rule: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


class Findings:
    def __init__(self, examples_per_finding: int = 3) -> None:
        self._limit = examples_per_finding
        self._found: dict[tuple[str, Side, str, str], Finding] = {}

    def add(self, operation: str, side: Side, violation: Violation, source: str) -> None:
        path = render_path(violation.path, concrete=False)
        key = (operation, side, path, violation.rule)
        finding = self._found.setdefault(key, Finding(operation, side, path, violation.rule))
        finding.count += 1
        if len(finding.examples) < self._limit:
            example = f"{render_path(violation.path)} = {violation.detail}  ({source})"
            finding.examples.append(example)

    def add_all(self, operation: str, side: Side, found: Iterable[Violation], source: str) -> None:
        for violation in found:
            self.add(operation, side, violation, source)

    def __iter__(self) -> Iterator[Finding]:
        return iter(sorted(self._found.values(), key=lambda f: (f.operation, f.side, f.path)))

    def __len__(self) -> int:
        return len(self._found)

    def report(self) -> str:
        blocks = []
        for finding in self:
            lines = [
                f"{finding.operation}  [{finding.side}]  {finding.path}",
                f"  rule: {finding.rule}",
                f"  seen {finding.count} time{'s' if finding.count != 1 else ''}, e.g.",
                *(f"    {example}" for example in finding.examples),
            ]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)
