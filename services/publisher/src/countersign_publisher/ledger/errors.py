"""How a ledger call (or a step's own input, such as the original file) fails, in the terms the
retry policy decides by. Each adapter raises its own subclasses (``XeroError``…).

LedgerError
 ├── LedgerRefused       the ledger refused the content (messages say why): failed, a person
 │    │                  must fix the cause; the same request cannot succeed
 │    └── LedgerUnsupported   this ledger has no such operation (e.g. via-ledger approval)
 ├── LedgerNotFound      the record is not there (any more): failed
 ├── LedgerAuthLost      the connection needs attention: parked at once
 ├── LedgerRateLimited   wait ``retry_after_s``: postponed, the try not counted
 └── LedgerTransient     no answer, or a server error: tried again later, parked when tries run out
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "LedgerAuthLost",
    "LedgerError",
    "LedgerNotFound",
    "LedgerRateLimited",
    "LedgerRefused",
    "LedgerTransient",
    "LedgerUnsupported",
]


class LedgerError(Exception):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def messages(self) -> list[str]:
        return [str(self)]


class LedgerRefused(LedgerError):
    DEFAULT = "the ledger refused the request"

    def __init__(self, messages: Sequence[str], *, status: int | None = 400) -> None:
        self._messages = list(messages) or [self.DEFAULT]
        super().__init__("; ".join(self._messages), status=status)

    @property
    def messages(self) -> list[str]:
        return list(self._messages)


class LedgerUnsupported(LedgerRefused):
    def __init__(self, ledger: str, operation: str) -> None:
        super().__init__([f"{operation} is not supported by this ledger ({ledger})"], status=None)


class LedgerNotFound(LedgerError):
    pass


class LedgerAuthLost(LedgerError):
    pass


class LedgerRateLimited(LedgerError):
    def __init__(self, problem: str, retry_after_s: float) -> None:
        super().__init__(f"rate limited ({problem}); retry after {retry_after_s}s", status=429)
        self.problem = problem
        self.retry_after_s = retry_after_s


class LedgerTransient(LedgerError):
    pass
