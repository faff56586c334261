"""Xero's batch semantics: each element is validated against the state plus what earlier
elements of the same batch will write, and every valid element is stored. With
``summarizeErrors`` absent or true, a batch with any element in error is answered 400 with only
the elements in error (the valid ones are stored all the same, and the answer does not show
them); with false, 200 with every element and its outcome."""

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
    for element in elements:
        if element.ok:
            element.commit()
    if summarize_errors and any(not e.ok for e in elements):
        return BatchResult(True, [e for e in elements if not e.ok])
    return BatchResult(False, elements)
