"""How any ledger's HTTP answers are read, whatever the ledger: a call that got no answer, and
a body that may not be JSON."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from countersign_platform.outbound import HttpResponse, HttpTimeout, HttpUnreachable

__all__ = ["json_or_none", "unanswered_as"]


@contextlib.contextmanager
def unanswered_as(transient: Callable[[str], BaseException], title: str) -> Iterator[None]:
    """A call that never got an answer is transient (``transient``, naming the ledger by its
    ``title``): the same call may work later."""
    try:
        yield
    except HttpTimeout as exc:
        raise transient(f"{title} did not answer in time") from exc
    except HttpUnreachable as exc:
        raise transient(f"{title} could not be reached ({exc})") from exc


def json_or_none(response: HttpResponse) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
