"""Connecting a ledger as a web app does: OAuth2 authorization code (RFC 6749 §4.1) and
``state``, with PKCE S256 (RFC 7636) for Xero. The pure parts: the challenge, the consent URL,
what a callback's ``state`` allows, and what the tenants the consent reached allow.

    Xero: start ─▶ consent URL (state, challenge) ─▶ Xero's login and consent ─▶ callback (code,
          state) ─▶ state known, unspent, in time? ─▶ code + verifier ─▶ token set ─▶ tenants of
          this consent ─▶ one: connected │ several: the admin picks one │ none: refused
    QBO:  start ─▶ consent URL (state) ─▶ Intuit's consent, which chooses the company ─▶
          callback (code, state, realmId) ─▶ state checked as above ─▶ code ─▶ token set ─▶
          the realm's company ─▶ connected
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlencode
from uuid import UUID

from countersign_publisher.domain.connection import Tenant

__all__ = [
    "Authorisation",
    "Ending",
    "Failure",
    "authorize_url",
    "pkce_challenge",
    "state_hash",
    "why_not_usable",
]


class Failure(StrEnum):
    """Why a flow ended without a connection; each is shown to the person in their browser."""

    STATE_MISSING = "state-missing"
    STATE_UNKNOWN = "state-unknown"
    STATE_SPENT = "state-spent"
    STATE_EXPIRED = "state-expired"
    CANCELLED = "cancelled"  # the person chose Cancel on Xero's consent page
    XERO_ERROR = "xero-error"  # Xero sent the browser back with another error
    CODE_REFUSED = "code-refused"  # invalid_grant: a replayed or forged code, a PKCE mismatch
    NO_TENANT = "no-tenant"
    NOT_OFFERED = "tenant-not-offered"
    TENANT_TAKEN = "tenant-bound-elsewhere"
    OTHER_LEDGER = "other-ledger-connected"  # disconnect the ledger connected first (ADR 0069)


class Ending(StrEnum):
    CONNECTED = "connected"
    CHOOSE = "choose-tenant"


@dataclass(frozen=True)
class Authorisation:
    """One flow in flight, as stored (the state itself is never stored, only its hash)."""

    state_hash: str
    organisation_id: UUID
    started_by: UUID
    redirect_uri: str
    expires_at: datetime
    called_back: bool
    ended: bool
    tenants: tuple[Tenant, ...]  # while the admin picks one
    ledger: str = "xero"  # where the consent was asked, and the code is redeemed


def pkce_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636 §4.2, S256)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def authorize_url(
    base: str, *, client_id: str, redirect_uri: str, scope: str, state: str, challenge: str | None
) -> str:
    """The consent URL; without ``challenge`` no PKCE (Intuit documents none)."""
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
    }
    if challenge is not None:
        query |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return f"{base}?{urlencode(query)}"


def why_not_usable(flow: Authorisation | None, now: datetime, *, choosing: bool) -> Failure | None:
    """Why this state cannot go on (a callback, or ``choosing`` a tenant after one), if not."""
    if flow is None:
        return Failure.STATE_UNKNOWN
    if flow.ended or (flow.called_back and not choosing) or (choosing and not flow.tenants):
        return Failure.STATE_SPENT
    if flow.expires_at <= now:
        return Failure.STATE_EXPIRED
    return None
