"""Organisations' Dext credentials: what a signed call is checked against and the record of its
use; an admin's issue, end of a rotation and revocation; the operator's registration of a
secret chosen elsewhere. Both paths rotate by the same rule (``domain/credentials.py``) on the
same rows (``db/credentials.py``)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
from countersign_platform.sealing import Keyring

from countersign_ingest.db.credentials import DextSecrets
from countersign_ingest.domain.credentials import (
    Credential,
    live,
    previous_valid_until,
    use_worth_recording,
)
from countersign_ingest.domain.refusals import NoCredential, NoRotation

__all__ = [
    "Accepted",
    "CredentialState",
    "Issued",
    "accepted_credentials",
    "credential_state",
    "end_rotation",
    "issue_credential",
    "record_use",
    "register_secret",
    "revoke_credential",
]

log = logging.getLogger(__name__)

SECRET_BYTES = 32  # 43 characters of base64url
RECORD_USE_TIMEOUT_S = 0.5


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Accepted:
    """A credential that verifies now, with its secret: what the signature gate tries."""

    credential: Credential
    secret: bytes


@dataclass(frozen=True)
class CredentialState:
    current: Credential | None
    previous: Credential | None  # None unless a rotation is under way


@dataclass(frozen=True)
class Issued:
    secret: str  # shown once, in the answer to the admin who issued it
    credential: Credential
    previous_valid_until: datetime | None


async def accepted_credentials(
    conn: asyncpg.Connection, keyring: Keyring, organisation_id: UUID
) -> list[Accepted]:
    """The credentials a call of the organisation may be signed with now: current first."""
    opened = await DextSecrets(conn, keyring).opened(organisation_id)
    verifying = {c.credential_id for c in live([c for c, _ in opened], _now())}
    return [Accepted(c, secret) for c, secret in opened if c.credential_id in verifying]


async def record_use(conn: asyncpg.Connection, keyring: Keyring, accepted: Accepted) -> None:
    """Notes that ``accepted`` verified a call, at most once a minute. Never fails the call and
    never waits for a lock: a use not recorded now is recorded by the next call."""
    now = _now()
    if not use_worth_recording(accepted.credential.last_used_at, now):
        return
    try:
        await DextSecrets(conn, keyring).record_use(
            accepted.credential.credential_id, now, RECORD_USE_TIMEOUT_S
        )
    except Exception as failure:  # the call it records is verified: never fail it
        log.warning(
            "could not record a Dext credential's last use: %s",
            type(failure).__name__,
            extra={"credential_id": str(accepted.credential.credential_id)},
        )


async def credential_state(
    conn: asyncpg.Connection, keyring: Keyring, organisation_id: UUID
) -> CredentialState:
    credentials = live(await DextSecrets(conn, keyring).credentials(organisation_id), _now())
    by_role = {c.role: c for c in credentials}
    return CredentialState(by_role.get("current"), by_role.get("previous"))


async def _rotate_to(
    secrets_: DextSecrets,
    organisation_id: UUID,
    secret: bytes,
    created_by: UUID | None,
    overlap: timedelta,
) -> tuple[Credential, datetime | None]:
    now = _now()
    had_current = await secrets_.current_secret(organisation_id) is not None
    until = previous_valid_until(now, overlap)
    credential = await secrets_.rotate_to(organisation_id, secret, created_by, until)
    return credential, until if had_current else None


async def issue_credential(
    conn: asyncpg.Connection,
    keyring: Keyring,
    organisation_id: UUID,
    created_by: UUID,
    overlap: timedelta,
) -> Issued:
    """A new secret, made here, becomes current; the current one, if any, verifies for
    ``overlap`` more (replacing a previous one still verifying)."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    store = DextSecrets(conn, keyring)
    async with conn.transaction():
        await store.lock(organisation_id)
        credential, until = await _rotate_to(
            store, organisation_id, secret.encode(), created_by, overlap
        )
    log.info(
        "issued a Dext credential",
        extra={
            "organisation_id": str(organisation_id),
            "credential_id": str(credential.credential_id),
            "user_id": str(created_by),
        },
    )
    return Issued(secret, credential, until)


async def register_secret(
    conn: asyncpg.Connection,
    keyring: Keyring,
    organisation_id: UUID,
    secret: bytes,
    overlap: timedelta,
) -> bool:
    """The operator's way in: ``secret``, chosen elsewhere, becomes current by the same rule as
    an issue (nothing changes when it already is). True when it is the organisation's first."""
    store = DextSecrets(conn, keyring)
    async with conn.transaction():
        await store.lock(organisation_id)
        current = await store.current_secret(organisation_id)
        if current != secret:
            await _rotate_to(store, organisation_id, secret, None, overlap)
    return current is None


async def end_rotation(conn: asyncpg.Connection, keyring: Keyring, organisation_id: UUID) -> None:
    """The previous credential stops verifying now."""
    async with conn.transaction():
        ended = await DextSecrets(conn, keyring).end_previous(organisation_id)
    if ended is None or not live([ended], _now()):
        raise NoRotation()


async def revoke_credential(
    conn: asyncpg.Connection, keyring: Keyring, organisation_id: UUID
) -> None:
    """Nothing of the organisation verifies any more, until a credential is issued again."""
    async with conn.transaction():
        revoked = await DextSecrets(conn, keyring).revoke_all(organisation_id)
    if not any(c.role == "current" for c in revoked):
        raise NoCredential()
    log.info("revoked the Dext credentials", extra={"organisation_id": str(organisation_id)})
