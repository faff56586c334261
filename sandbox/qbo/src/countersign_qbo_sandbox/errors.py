"""The data-service faults the sandbox raises, with Intuit's codes, messages and details
(docs: "Handling common errors"; codes marked inferred in sandbox/qbo/README.md)."""

from __future__ import annotations

from dataclasses import dataclass

from countersign_qbo_sandbox.wire import Fault

__all__ = [
    "business",
    "closed_period",
    "duplicate_name",
    "invalid_enum",
    "invalid_reference",
    "not_found",
    "required",
    "stale",
    "too_long",
    "unsupported",
]


def required(element: str) -> Fault:
    return Fault(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {element} is missing in the request",
        element,
    )


def invalid_enum(element: str, value: object) -> Fault:
    return Fault(
        "2170",
        "Invalid Enumeration",
        f"Invalid Enumeration : {value} is not a valid value for {element}",
        element,
    )


def invalid_reference(element: str, entity: str, value: object) -> Fault:
    return Fault(
        "2500",
        "Invalid Reference Id",
        f"Invalid Reference Id : {entity} with Id {value} does not exist",
        element,
    )


def business(detail: str, element: str = "") -> Fault:
    return Fault(
        "6000",
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
        element,
    )


def duplicate_name(name: str) -> Fault:
    return Fault(
        "6240",
        "Duplicate Name Exists Error",
        "The name supplied already exists. : Another customer, vendor, or employee is already "
        f"using this name ({name}). Please use a different name.",
        "",
    )


def too_long(element: str, limit: int, supplied: int) -> Fault:
    return Fault(
        "2050",
        "String length is either shorter or longer than supported by specification",
        f"String length specified does not match the supported length : {element}: "
        f"Min:0 Max:{limit} supplied:{supplied}",
        element,
    )


def unsupported(detail: str) -> Fault:
    return Fault("500", "Unsupported Operation", f"Operation {detail} is not supported.", "")


@dataclass(frozen=True)
class _Fixed:
    """A fault whose detail never changes; called with the element it names."""

    code: str
    title: str
    detail: str
    element: str = ""

    def __call__(self, element: str | None = None) -> Fault:
        return Fault(
            self.code, self.title, self.detail, self.element if element is None else element
        )


not_found = _Fixed(
    "610",
    "Object Not Found",
    "Object Not Found : Something you're trying to use has been made inactive. Check the "
    "fields with accounts, customers, items, vendors or employees.",
)
stale = _Fixed(
    "5010",
    "Stale Object Error",
    "Stale Object Error : You and another user were working on this at the same time. "
    "The other user finished before you did, so your work was not saved.",
    "SyncToken",
)
closed_period = _Fixed(
    "6210",
    "Account Period Closed",
    "The account period has closed and the transaction cannot be created or changed "
    "on or before the closing date.",
    "TxnDate",
)
