"""What approval adds to the platform runtime, built once in ``app.py``."""

from __future__ import annotations

from dataclasses import dataclass

from countersign_platform.access import SigningKeys
from countersign_platform.loops import BackgroundLoop
from countersign_platform.oidc import OidcProvider

from countersign_approval.domain.sign_in import SignInPolicy

__all__ = ["Components"]


@dataclass(frozen=True)
class Components:
    reminders: BackgroundLoop
    signing_keys: SigningKeys | None  # None without APPROVAL_SIGNING_KEYS: none are issued
    access_token_ttl_s: int
    sign_in: SignInPolicy
    oidc: OidcProvider | None  # None without APPROVAL_OIDC_ISSUER: no "sign in with …"
