"""Xero's batch semantics: each element is validated against the state plus what earlier
elements of the same batch will write, then the batch is committed whole (``summarizeErrors``
absent or true, refused whole if any element is in error) or element by element (false)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from countersign_xero_sandbox.model import Record

__all__ = ["BatchResult", "Element", "settle"]


@dataclass
class Element:
    record: Record
    errors: list[str]
    commit: Callable[[], None] = field(default=lambda: None)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class BatchResult:
    refused: bool
    elements: list[Element]


def settle(elements: list[Element], summarize_errors: bool) -> BatchResult:
    if summarize_errors and any(not e.ok for e in elements):
        return BatchResult(True, [e for e in elements if not e.ok])
    for element in elements:
        if element.ok:
            element.commit()
    return BatchResult(False, elements)
