"""API tokens: ``csk_`` and 32 random bytes, sent as ``Authorization: Bearer``. A token is
shown once, when issued; only its SHA-256 is stored, so the table alone lets nobody in."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from countersign_approval.domain.people import Person

__all__ = ["TOKEN_PREFIX", "IssuedUser", "hash_token", "new_token"]

TOKEN_PREFIX = "csk_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedUser:
    person: Person
    token: str  # shown once; only its hash is stored

    @property
    def token_sha256(self) -> str:
        return hash_token(self.token)


def new_token(person: Person) -> IssuedUser:
    """A fresh token for ``person``."""
    return IssuedUser(person, TOKEN_PREFIX + secrets.token_urlsafe(32))
