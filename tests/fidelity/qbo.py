"""What the QBO sandbox served in a run, counted by operation: the start of a QBO fidelity net.
Only counted and listed for now; checking the answers against Intuit's documented shapes (as
``checks`` does for Xero) is a later task (sandbox/qbo/README.md, "Not yet built")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from tests.fidelity.recordings import Exchange

__all__ = ["operation", "summary"]

_ACCOUNTING = re.compile(r"/v3/company/[^/]+/(?P<segment>[^/]+)(?P<id>/[^/]+)?/?")


def operation(exchange: Exchange) -> str:
    """``METHOD path`` with the realm and ids as placeholders: ``GET …/bill/{id}``."""
    found = _ACCOUNTING.fullmatch(exchange.path)
    if found is None:
        return f"{exchange.method} {exchange.path}"
    path = f"/v3/company/{{realmId}}/{found['segment'].lower()}"
    return f"{exchange.method} {path}" + ("/{id}" if found["id"] else "")


def summary(exchanges: Iterable[Exchange]) -> str:
    """One line per operation (count, statuses), Accounting API first."""
    counts: Counter[str] = Counter()
    statuses: dict[str, Counter[int | None]] = {}
    for exchange in exchanges:
        name = operation(exchange)
        counts[name] += 1
        statuses.setdefault(name, Counter())[exchange.status] += 1
    order = sorted(counts, key=lambda n: (not n.split(" ")[1].startswith("/v3/"), n))
    return "\n".join(
        f"  {counts[name]:6d}  {name}  "
        + " ".join(f"{status}:{n}" for status, n in sorted(statuses[name].items(), key=str))
        for name in order
    )
