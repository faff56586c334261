"""JSON for systems that write money as JSON numbers (Xero): read with every number that has a
fraction or exponent as a ``Decimal``, write ``Decimal`` as the number it is — never through a
binary float, where ``4442`` becomes ``4442.0`` and ``0.1 + 0.2`` is not ``0.3``.

    body = dumps({"Amount": Decimal("12.30")})   # b'{"Amount":12.30}'
    loads(b'{"Total": 45.5}')                     # {'Total': Decimal('45.5')}
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "loads"]


def loads(raw: bytes | str) -> Any:
    """JSON with fractions as ``Decimal``; NaN and Infinity are refused (not JSON)."""
    return json.loads(raw, parse_float=Decimal, parse_constant=_refuse_constant)


def dumps(value: Any) -> bytes:
    """Compact JSON; a ``Decimal`` is written as a plain JSON number ("12.30", never "1E+1")."""
    return "".join(_encode(value)).encode()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be written as JSON")
        yield format(value, "f")
    elif isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys are strings, not {type(key).__name__}")
            yield ("," if index else "") + json.dumps(key, ensure_ascii=False) + ":"
            yield from _encode(item)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _encode(item)
        yield "]"
    elif isinstance(value, float):
        raise TypeError("a float has no exact decimal value: pass a Decimal")
    else:
        yield json.dumps(value, ensure_ascii=False)
