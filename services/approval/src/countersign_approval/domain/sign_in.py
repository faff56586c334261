"""Signing people in through the web app (ADR 0048): which services may ask (the clients),
the secrets of e-mailed links and of sessions, and how long each lasts.

    sign-in link code   csl_ + 32 random bytes   single use, code_ttl_s (15 min)
    session             css_ + 32 random bytes   ends after idle_s unused (2 h), max_s after
                                                 sign-in (12 h), at sign-out, or when its user
                                                 is removed

Only each secret's SHA-256 is stored (``tokens.hash_token``), as for API tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from countersign_approval.domain.people import Person

__all__ = [
    "CODE_PREFIX",
    "SESSION_PREFIX",
    "Clients",
    "OpenedSession",
    "SignInLink",
    "SignInMethod",
    "SignInPolicy",
    "new_secret",
]

CODE_PREFIX = "csl_"
SESSION_PREFIX = "css_"
_CLIENT = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class SignInMethod(StrEnum):
    LINK = "link"
    OIDC = "oidc"


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Clients:
    """The services that may ask for sign-ins, each by name and the SHA-256 of its secret."""

    hashes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, spec: str) -> Clients:
        """From ``name:sha256-hex[,name:sha256-hex…]``; ``ValueError`` naming the entry."""
        hashes: dict[str, str] = {}
        for entry in filter(None, (part.strip() for part in spec.split(","))):
            name, colon, digest = entry.partition(":")
            if not colon or not _CLIENT.match(name) or not _SHA256.match(digest.lower()):
                raise ValueError(f"client {name!r}: each client is name:sha256-hex-of-secret")
            if name in hashes:
                raise ValueError(f"client {name!r} is given twice")
            hashes[name] = digest.lower()
        return cls(hashes)

    def authenticate(self, name: str, secret: str) -> bool:
        """Whether ``secret`` is the client's, compared in constant time."""
        expected = self.hashes.get(name, "0" * 64)
        given = hashlib.sha256(secret.encode()).hexdigest()
        return hmac.compare_digest(expected, given) and name in self.hashes


@dataclass(frozen=True)
class SignInPolicy:
    clients: Clients
    code_ttl_s: int
    idle_s: int
    max_s: int
    links_per_window: int = 5  # per person within code_ttl_s


@dataclass(frozen=True)
class SignInLink:
    """One organisation where the address is a user's, and the code that signs them in."""

    organisation_id: UUID
    organisation_name: str
    person: Person
    code: str  # handed to the client only, never logged
    expires_at: datetime


@dataclass(frozen=True)
class OpenedSession:
    token: str  # handed to the client only, never logged
    session_id: UUID
    organisation_id: UUID
    person: Person
    method: SignInMethod
    expires_at: datetime
