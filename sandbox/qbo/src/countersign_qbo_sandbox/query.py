"""Intuit's query language: ``SELECT * | count(*) FROM E [WHERE c AND …] [ORDERBY f [ASC|DESC]]
[STARTPOSITION n] [MAXRESULTS n]`` with =, <, >, <=, >=, LIKE ('%' only) and IN (…). Only an
entity's filterable fields may be filtered or ordered on (QueryValidationError otherwise)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from countersign_qbo_sandbox.wire import Fault

__all__ = ["FILTERABLE", "Condition", "Query", "parse"]

_META = ("MetaData.CreateTime", "MetaData.LastUpdatedTime", "Id")
_NAMED = ("Name", "Active", "FullyQualifiedName", *_META)
FILTERABLE: dict[str, tuple[str, ...]] = {
    "Vendor": (
        "DisplayName",
        "GivenName",
        "FamilyName",
        "CompanyName",
        "Active",
        "Balance",
        "PrimaryEmailAddr",
        *_META,
    ),
    "Bill": (
        "DocNumber",
        "TxnDate",
        "DueDate",
        "VendorRef",
        "APAccountRef",
        "TotalAmt",
        "Balance",
        *_META,
    ),
    "BillPayment": ("DocNumber", "TxnDate", "VendorRef", "PayType", "TotalAmt", *_META),
    "Purchase": (
        "DocNumber",
        "TxnDate",
        "PaymentType",
        "AccountRef",
        "EntityRef",
        "TotalAmt",
        *_META,
    ),
    "Account": ("AccountType", "AccountSubType", "Classification", "CurrentBalance", *_NAMED),
    "TaxCode": ("Name", "Active", "Id"),
    "TaxRate": ("Name", "Active", "Id"),
    "Class": _NAMED,
    "Department": _NAMED,
    "Term": ("Name", "Active", "Id", *_META[:2]),
    "CompanyCurrency": ("Code", "Name", "Active", *_META),
    "Attachable": (
        "AttachableRef.EntityRef.Type",
        "AttachableRef.EntityRef.value",
        "FileName",
        "Category",
        *_META,
    ),
    "CompanyInfo": ("Id",),
    "Preferences": ("Id",),
}
OPERATORS = ("<=", ">=", "=", "<", ">")
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:\\.|[^'\\])*')|(?P<op><=|>=|!=|=|<|>)|(?P<punct>[(),*])"
    r"|(?P<word>[A-Za-z_][\w.]*)|(?P<number>-?\d+(?:\.\d+)?))"
)
MAX_RESULTS = 1000


def parser_error(detail: str) -> Fault:
    return Fault("4000", "Error parsing query", f"QueryParserError: {detail}", "")


def validation_error(detail: str) -> Fault:
    return Fault("4001", "Invalid query", f"QueryValidationError: {detail}", "")


@dataclass
class Condition:
    field: str
    op: str  # "=", "<", ">", "<=", ">=", "LIKE", "IN"
    values: list[Any]


@dataclass
class Query:
    entity: str
    count: bool = False
    where: list[Condition] = field(default_factory=list)
    order_by: str | None = None
    descending: bool = False
    start: int = 1
    max_results: int = 100


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    position, text = 0, text.strip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise parser_error(
                f"Encountered unexpected text at position {position}: "
                f"{text[position : position + 20]!r}"
            )
        kind = found.lastgroup or ""
        value: Any = found.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
        position = found.end()
    return out


class _Reader:
    def __init__(self, tokens: list[tuple[str, Any]]) -> None:
        self.tokens, self.at = tokens, 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise parser_error("Encountered end of query")
        self.at += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token and token[0] == "word" and str(token[1]).upper() == word:
            self.at += 1
            return True
        return False

    def expect(self, kind: str, value: str | None = None) -> Any:
        token = self.take()
        if token[0] != kind or (value is not None and str(token[1]).upper() != value):
            raise parser_error(f"Encountered {token[1]!r}, expected {value or kind}")
        return token[1]

    def literal(self) -> Any:
        kind, value = self.take()
        if kind == "string":
            return value
        if kind == "number":
            return value
        if kind == "word" and str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise parser_error(f"Encountered {value!r}, expected a value")


def _field(entity: str, name: str) -> str:
    for known in FILTERABLE[entity]:
        if known.lower() == name.lower():
            return known
    raise validation_error(f"property '{name}' is not queryable")


def _condition(reader: _Reader, entity: str) -> Condition:
    name = _field(entity, reader.expect("word"))
    kind, op = reader.take()
    if kind == "op" and op in OPERATORS:
        return Condition(name, op, [reader.literal()])
    if kind == "word" and str(op).upper() == "LIKE":
        return Condition(name, "LIKE", [reader.literal()])
    if kind == "word" and str(op).upper() == "IN":
        reader.expect("punct", "(")
        values = [reader.literal()]
        while reader.peek() == ("punct", ","):
            reader.take()
            values.append(reader.literal())
        reader.expect("punct", ")")
        return Condition(name, "IN", values)
    raise parser_error(f"Encountered {op!r}, expected an operator")


def _number(reader: _Reader, what: str) -> int:
    raw = reader.expect("number")
    if not str(raw).isdigit() or int(raw) < 1:
        raise parser_error(f"{what} must be a positive integer")
    return int(raw)


def parse(text: str) -> Query:
    reader = _Reader(_tokens(text))
    reader.expect("word", "SELECT")
    count = False
    if reader.keyword("COUNT"):
        reader.expect("punct", "(")
        reader.expect("punct", "*")
        reader.expect("punct", ")")
        count = True
    else:
        reader.expect("punct", "*")
    reader.expect("word", "FROM")
    name = str(reader.expect("word"))
    entity = next((e for e in FILTERABLE if e.lower() == name.lower()), None)
    if entity is None:
        raise parser_error(f"Invalid context declaration : {name}")
    query = Query(entity, count)
    if reader.keyword("WHERE"):
        query.where.append(_condition(reader, entity))
        while reader.keyword("AND"):
            query.where.append(_condition(reader, entity))
    if reader.keyword("ORDERBY"):
        query.order_by = _field(entity, reader.expect("word"))
        query.descending = reader.keyword("DESC") or (reader.keyword("ASC") and False)
    if reader.keyword("STARTPOSITION"):
        query.start = _number(reader, "STARTPOSITION")
    if reader.keyword("MAXRESULTS"):
        query.max_results = min(_number(reader, "MAXRESULTS"), MAX_RESULTS)
    if reader.peek() is not None:
        raise parser_error(f"Encountered {reader.peek()[1]!r} after the end of the query")  # type: ignore[index]
    return query
