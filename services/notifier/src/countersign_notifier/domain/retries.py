"""How often a mail is tried: at once, then after a doubling wait, at most ``max_attempts``
times in all; then it is given up (``failed``, with the last error) and an operator looks."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff_s: float  # the wait after the first failed try
    max_backoff_s: float

    def gives_up(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def wait_s(self, attempts: int) -> float:
        """The wait after the ``attempts``-th failed try."""
        return float(min(self.max_backoff_s, self.backoff_s * 2 ** max(0, attempts - 1)))
