"""Secrets at rest (Dext signing secrets, Xero tokens): sealed with AES-256-GCM.

The keyring comes from ``ENCRYPTION_KEYS`` as ``id:base64key[,id:base64key…]``; the first key
seals, every key opens, so a key is rotated by putting the new one first, re-sealing every stored
value with it (``countersign-reseal``, ``resealing.py``), and only then dropping the old one. A
sealed value names its key: ``v1.<key id>.<base64(nonce + ciphertext)>``.
The context (e.g. ``"ingest:dext-secret:<organisation>"``) is bound as associated data, so a
sealed value copied to another row or column does not open there.
"""

from __future__ import annotations

import base64
import os
import string
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["Keyring", "SealedColumn", "SealingError"]


class SealingError(ValueError):
    """The keyring is malformed, or a sealed value does not open with it."""


class Keyring:
    def __init__(self, keys: dict[str, bytes]) -> None:
        if not keys:
            raise SealingError("the keyring is empty")
        for key_id, key in keys.items():
            if len(key) != 32 or not key_id.isalnum():
                raise SealingError(f"key {key_id!r}: ids are alphanumeric, keys 32 bytes")
        self._keys = keys
        self._current = next(iter(keys))

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        keys = {}
        for entry in filter(None, (part.strip() for part in spec.split(","))):
            key_id, _, encoded = entry.partition(":")
            try:
                keys[key_id] = base64.b64decode(encoded, validate=True)
            except ValueError as exc:
                raise SealingError(f"key {key_id!r} is not base64") from exc
        return cls(keys)

    def seal(self, plaintext: bytes, context: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self._keys[self._current]).encrypt(nonce, plaintext, context.encode())
        return f"v1.{self._current}.{base64.b64encode(nonce + sealed).decode()}"

    def open(self, sealed: str, context: str) -> bytes:
        try:
            version, key_id, encoded = sealed.split(".", 2)
            key = self._keys[key_id]
            raw = base64.b64decode(encoded, validate=True)
            if version != "v1":
                raise SealingError(f"unknown sealing version {version!r}")
            return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode())
        except SealingError:
            raise
        except Exception as exc:
            raise SealingError("sealed value does not open with this keyring") from exc

    @property
    def current(self) -> str:
        """The id of the key that seals."""
        return self._current

    def needs_resealing(self, sealed: str) -> bool:
        """True when ``sealed`` was made with a key other than the current one."""
        return sealed.split(".", 2)[1:2] != [self._current]


@dataclass(frozen=True)
class SealedColumn:
    """Where a service stores sealed values, for ``countersign-reseal`` (``resealing.py``): a
    column of a table in the service's schema, the table's primary key, and the context each
    value was sealed in as a template over the row's columns, e.g.
    ``SealedColumn("xero_connections", "access_token", "organisation_id",
    "publisher:xero-access:{organisation_id}")``."""

    table: str
    column: str
    key: str
    context: str

    @property
    def context_columns(self) -> tuple[str, ...]:
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.context) if name)

    def context_of(self, row: Mapping[str, object]) -> str:
        return self.context.format(**{name: row[name] for name in self.context_columns})
