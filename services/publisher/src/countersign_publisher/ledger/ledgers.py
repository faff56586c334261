"""The ledgers this publisher serves, by name: each organisation's work goes to the adapter of
the ledger its connection names (ADR 0069). Every caller already knows that name — a job
reads it with its row, a sync with the connection, a supplier's resolution with its cause — so
nothing is looked up or cached here; the port itself stays one ledger's (ADR 0065)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from uuid import UUID

from countersign_publisher.ledger.errors import LedgerAuthLost
from countersign_publisher.ledger.port import Ledger

__all__ = ["HeldBack", "Ledgers"]

HeldBack = Callable[[UUID], bool]
"""Whether a ledger's budget holds the organisation's calls back now."""


class Ledgers:
    def __init__(self, adapters: Mapping[str, tuple[Ledger, HeldBack]]) -> None:
        self._adapters = dict(adapters)

    def of(self, ledger: str) -> Ledger:
        """The adapter of ``ledger`` (a ``Ledger`` contract value); ``LedgerAuthLost`` when
        this deployment has none for it: the work is parked until one is configured."""
        found = self._adapters.get(ledger)
        if found is None:
            raise LedgerAuthLost(f"no adapter for the ledger {ledger!r} here: it cannot be reached")
        return found[0]

    def held_back(self, organisation_id: UUID) -> bool:
        """Whether any ledger's budget holds the organisation's calls back now (only the one
        that served it can be)."""
        return any(held(organisation_id) for _, held in self._adapters.values())
