"""Xero's ``where`` filter language (the subset clients use) and list paging.

where   := or
or      := and (("OR" | "||") and)*
and     := unary (("AND" | "&&") unary)*
unary   := "(" or ")" | path op literal | path "." method "(" literal ")"
literal := "text" | number | guid("…") | DateTime(y, m, d[, h, m, s]) | null | true | false

Xero parses ``where`` with .NET's Dynamic LINQ (its messages are that library's: "Syntax error",
"Unterminated string literal", "Character literal must contain exactly one character"). A
string literal keeps its text as sent, any script included; the only escape is a doubled quote
(``"Say ""Hi"" Ltd"`` is ``Say "Hi" Ltd``), and a backslash is an ordinary character.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from countersign_xero_sandbox.model import Record

__all__ = ["Predicate", "QueryError", "page_of", "parse_where"]

Predicate = Callable[[Record], bool]


class QueryError(ValueError):
    """The filter cannot be parsed (Xero answers 400 QueryParseException)."""


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"]|"")*")
    | (?P<character>'(?:[^']|'')*')
    | (?P<op>==|!=|>=|<=|>|<|&&|\|\||\(|\)|,|\.)
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].lstrip().startswith('"'):
                raise QueryError("Unterminated string literal")
            raise QueryError(f"cannot read the filter at: {text[position:]!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


def _field(record: Record, path: list[str]) -> Any:
    value: Any = record
    for part in path:
        if not isinstance(value, dict):
            return None
        key = next((k for k in value if k.casefold() == part.casefold()), None)
        value = value.get(key) if key is not None else None
    return value


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold(), right.casefold()
    if isinstance(left, datetime) and isinstance(right, date) and not isinstance(right, datetime):
        return left, datetime(right.year, right.month, right.day, tzinfo=UTC)
    if isinstance(left, date) and isinstance(right, datetime) and not isinstance(left, datetime):
        return datetime(left.year, left.month, left.day, tzinfo=UTC), right
    if isinstance(left, (Decimal, int, float)) and isinstance(right, (Decimal, int, float)):
        return Decimal(str(left)), Decimal(str(right))
    if isinstance(left, bool) or isinstance(right, bool):
        return left, right
    return left, right


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a is not None and b is not None and a > b,
    ">=": lambda a, b: a is not None and b is not None and a >= b,
    "<": lambda a, b: a is not None and b is not None and a < b,
    "<=": lambda a, b: a is not None and b is not None and a <= b,
}
_METHODS: dict[str, Callable[[str, str], bool]] = {
    "contains": lambda a, b: b in a,
    "startswith": lambda a, b: a.startswith(b),
    "endswith": lambda a, b: a.endswith(b),
}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1].upper() != value.upper()):
            raise QueryError(f"expected {value or 'more'} in the filter")
        self.position += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.parse_or()
        if self.peek() is not None:
            raise QueryError(f"unexpected {self.peek()} in the filter")
        return predicate

    def parse_or(self) -> Predicate:
        parts = [self.parse_and()]
        while (token := self.peek()) and token[1].upper() in {"OR", "||"}:
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def parse_and(self) -> Predicate:
        parts = [self.parse_unary()]
        while (token := self.peek()) and token[1].upper() in {"AND", "&&"}:
            self.take()
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def parse_unary(self) -> Predicate:
        if self.peek() == ("op", "("):
            self.take("(")
            inner = self.parse_or()
            self.take(")")
            return inner
        kind, word = self.take()
        if kind != "word":
            raise QueryError(f"expected a field name, found {word!r}")
        path = [word]
        while self.peek() == ("op", "."):
            self.take(".")
            path.append(self.take()[1])
        if path[-1].casefold() in _METHODS and self.peek() == ("op", "("):
            method = _METHODS[path.pop().casefold()]
            self.take("(")
            needle = self.literal()
            self.take(")")
            field_path = list(path)
            return lambda r: method(
                str(_field(r, field_path) or "").casefold(), str(needle).casefold()
            )
        operator = self.take()[1]
        if operator not in _OPERATORS:
            raise QueryError(f"unknown operator {operator!r}")
        compare = _OPERATORS[operator]
        value = self.literal()
        return lambda r: compare(*_comparable(_field(r, path), value))

    def literal(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return text[1:-1].replace('""', '"')
        if kind == "character":
            # Dynamic LINQ reads 'x' as a Char, which no text field compares with.
            if len(text[1:-1].replace("''", "'")) != 1:
                raise QueryError("Character literal must contain exactly one character")
            raise QueryError(f"the character literal {text} cannot be compared with text")
        if kind == "number":
            return Decimal(text)
        word = text.casefold()
        if word in {"null", "true", "false"}:
            return {"null": None, "true": True, "false": False}[word]
        if word == "guid":
            self.take("(")
            value = self.literal()
            self.take(")")
            return str(value)
        if word == "datetime":
            self.take("(")
            parts = [int(self.take()[1])]
            while self.peek() == ("op", ","):
                self.take(",")
                parts.append(int(self.take()[1]))
            self.take(")")
            if len(parts) == 3:
                return date(parts[0], parts[1], parts[2])
            hour, minute, second = [*parts[3:], 0, 0, 0][:3]
            return datetime(parts[0], parts[1], parts[2], hour, minute, second, tzinfo=UTC)
        raise QueryError(f"unknown value {text!r} in the filter")


def parse_where(text: str) -> Predicate:
    try:
        return _Parser(text).parse()
    except (ValueError, IndexError) as exc:
        raise QueryError(str(exc)) from exc


def page_of(
    records: list[Record], page: str | None, page_size: str | None
) -> tuple[list[Record], dict[str, int] | None]:
    """Without ``page`` every record and no pagination block; with it, one page."""
    if page is None:
        return records, None
    try:
        number = max(1, int(page))
        size = int(page_size) if page_size else 100
    except ValueError as exc:
        raise QueryError("page and pageSize must be whole numbers") from exc
    if not 1 <= size <= 1000:
        raise QueryError("pageSize must be between 1 and 1000")
    start = (number - 1) * size
    count = len(records)
    block = {
        "page": number,
        "pageSize": size,
        "pageCount": (count + size - 1) // size,
        "itemCount": count,
    }
    return records[start : start + size], block
