"""Organisations' Dext signing secrets: what a signed call is checked against, and the
operator's registration, rotation and retirement of them (``db/credentials.py``)."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_platform.sealing import Keyring

from countersign_ingest.db.credentials import DextSecrets, SecretState
from countersign_ingest.domain.refusals import NoRotation

__all__ = ["accepted_secrets", "register_secret", "retire_previous_secret", "secret_state"]


async def accepted_secrets(
    conn: asyncpg.Connection, keyring: Keyring, organisation_id: UUID
) -> list[bytes]:
    """The secrets a call of the organisation may be signed with: current first."""
    return await DextSecrets(conn, keyring).accepted(organisation_id)


async def secret_state(
    conn: asyncpg.Connection, keyring: Keyring, organisation_id: UUID
) -> SecretState:
    return await DextSecrets(conn, keyring).state(organisation_id)


async def register_secret(
    conn: asyncpg.Connection, keyring: Keyring, organisation_id: UUID, secret: bytes
) -> bool:
    """Makes ``secret`` current (the current one, if any, becomes previous); True when it is
    the organisation's first."""
    secrets = DextSecrets(conn, keyring)
    first = (await secrets.state(organisation_id)).current_since is None
    await secrets.register(organisation_id, secret)
    return first


async def retire_previous_secret(
    conn: asyncpg.Connection, keyring: Keyring, organisation_id: UUID
) -> None:
    """Ends a rotation: the previous secret stops verifying."""
    if not await DextSecrets(conn, keyring).retire_previous(organisation_id):
        raise NoRotation()
