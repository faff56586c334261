"""What approval adds to the platform runtime, built once in ``app.py``."""

from __future__ import annotations

from dataclasses import dataclass

from countersign_platform.access import SigningKeys
from countersign_platform.loops import BackgroundLoop

__all__ = ["Components"]


@dataclass(frozen=True)
class Components:
    reminders: BackgroundLoop
    signing_keys: SigningKeys | None  # None without APPROVAL_SIGNING_KEYS: none are issued
    access_token_ttl_s: int
