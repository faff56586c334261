"""Domain refusals as problem documents."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from countersign_platform.problems import Problem

from countersign_approval.domain.errors import (
    DomainRefusal,
    InvalidAction,
    NotAParticipant,
    OutOfTurn,
    OwnBill,
)
from countersign_approval.domain.lifecycle import TransitionRefused
from countersign_approval.handlers.decisions import RequestNotFound

__all__ = ["refusals_as_problems"]

_STATUS = {NotAParticipant: 403, OwnBill: 403, OutOfTurn: 409, InvalidAction: 422}


@contextlib.contextmanager
def refusals_as_problems() -> Iterator[None]:
    try:
        yield
    except RequestNotFound as missing:
        raise Problem(404, "not-found", "No such request", str(missing)) from missing
    except TransitionRefused as refused:
        raise Problem(409, "conflict", "Not possible in this state", str(refused)) from refused
    except DomainRefusal as refusal:
        status = _STATUS.get(type(refusal), 409)
        raise Problem(status, refusal.kind, "Action refused", refusal.detail) from refusal
