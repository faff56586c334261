"""App ↔ tenant connections, each owned by the user who authorised it.

A token is tied to a user, and a user to their connections (Xero, XeroAPI/xero-ruby#85: "A token
is tied to a user, and a user is tied to the connections"): a token reaches the tenants its app
and its user have connected, whichever authorisation connected them. Connections made by the
control API belong to no sandbox user (``ANONYMOUS``); the control API's tokens reach all of them.

Connecting a tenant already connected by the same app and user updates that connection: it takes
the new authorisation's ``authEventId`` and a new ``updatedDateUtc``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from countersign_xero_sandbox.model import new_id

__all__ = ["ANONYMOUS", "Connection", "Connections"]

ANONYMOUS = ""


@dataclass
class Connection:
    id: str
    client_id: str
    tenant_id: str
    tenant_name: str
    auth_event_id: str
    created: datetime
    updated: datetime
    user_id: str = ANONYMOUS


@dataclass
class Connections:
    by_id: dict[str, Connection] = field(default_factory=dict)

    def values(self) -> list[Connection]:
        return list(self.by_id.values())

    def get(self, connection_id: str) -> Connection | None:
        return self.by_id.get(connection_id)

    def connect(
        self, client_id: str, user_id: str, tenant_id: str, name: str, event: str, now: datetime
    ) -> Connection:
        for connection in self.of(client_id, user_id):
            if connection.tenant_id == tenant_id:
                connection.updated, connection.auth_event_id = now, event
                return connection
        connection = Connection(new_id(), client_id, tenant_id, name, event, now, now, user_id)
        self.by_id[connection.id] = connection
        return connection

    def of(self, client_id: str, user_id: str) -> list[Connection]:
        """The connections a token of this app and user sees."""
        return [c for c in self.by_id.values() if c.client_id == client_id and c.user_id == user_id]

    def reaches(self, client_id: str, user_id: str, tenant_id: str) -> bool:
        return any(c.tenant_id == tenant_id for c in self.of(client_id, user_id))

    def of_tenant(self, client_id: str, tenant_id: str) -> list[Connection]:
        """Every connection of the app to the tenant, whoever authorised it."""
        return [
            c for c in self.by_id.values() if c.client_id == client_id and c.tenant_id == tenant_id
        ]

    def remove(self, removed: list[Connection]) -> set[str]:
        """Removes the connections; answers the authorisations left without any connection."""
        for connection in removed:
            self.by_id.pop(connection.id, None)
        left = {c.auth_event_id for c in self.by_id.values()}
        return {c.auth_event_id for c in removed} - left
