"""Ingest's SQL, one module per aggregate: items and their versions, original documents, the
supplier directory, and Dext credentials (secrets and the signatures already accepted)."""

from __future__ import annotations

import asyncpg

__all__ = ["Repository"]


class Repository:
    """SQL on the caller's connection, so the caller's transaction (if any) covers it."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
