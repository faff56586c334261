"""JSON for systems that write money as JSON numbers (Xero): read with every number that has a
fraction or exponent as a ``Decimal``, write ``Decimal`` as the number it is — never through a
binary float, where ``4442`` becomes ``4442.0`` and ``0.1 + 0.2`` is not ``0.3``.

    body = dumps({"Amount": Decimal("12.30")})   # b'{"Amount":12.30}'
    loads(b'{"Total": 45.5}')                     # {'Total': Decimal('45.5')}
"""

from __future__ import annotations

import json
import re
import secrets
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "loads"]

# The standard library's encoder (in C) writes everything but a Decimal. Each Decimal is handed
# to it as a string carrying this per-process random mark and its number's position, and the
# marked strings are then replaced by the numbers themselves. No real text carries the mark.
_MARK = f"@decimal-{secrets.token_hex(12)}@"
_MARKED = re.compile(f'"{re.escape(_MARK)}(\\d+)"')


def loads(raw: bytes | str) -> Any:
    """JSON with fractions as ``Decimal``; NaN and Infinity are refused (not JSON)."""
    return json.loads(raw, parse_float=Decimal, parse_constant=_refuse_constant)


def dumps(value: Any) -> bytes:
    """Compact JSON; a ``Decimal`` is written as a plain JSON number ("12.30", never "1E+1")."""
    numbers: list[str] = []

    def number(item: object) -> str:
        if not isinstance(item, Decimal):
            raise TypeError(f"{type(item).__name__} is not JSON serializable")
        if not item.is_finite():
            raise ValueError(f"{item} cannot be written as JSON")
        numbers.append(format(item, "f"))
        return f"{_MARK}{len(numbers) - 1}"

    text = json.dumps(
        value, default=number, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    if numbers:
        text = _MARKED.sub(lambda found: numbers[int(found.group(1))], text)
    return text.encode()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")
