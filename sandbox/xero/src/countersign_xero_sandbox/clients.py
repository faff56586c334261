"""The apps registered with the identity server: client id, secret, name and redirect URIs.

An app is registered by ``POST /_sandbox/clients`` (with its redirect URIs, as in Xero's
developer portal) or implicitly by the first ``/_sandbox/authorizations`` or ``/_sandbox/tokens``
call naming it (no redirect URIs: such an app cannot send a browser to the authorize page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["MAX_REDIRECT_URIS", "Client", "ClientConflict", "Clients", "redirect_uri_problem"]

MAX_REDIRECT_URIS = 50  # Xero's OAuth 2.0 FAQ: "You can use up to 50 redirect URIs for your app."
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class ClientConflict(Exception):
    """The client id is registered with another secret."""


@dataclass
class Client:
    client_id: str
    secret: str
    name: str
    redirect_uris: list[str] = field(default_factory=list)

    def redirects_to(self, uri: str | None) -> bool:
        """Exact string comparison, as RFC 6749 §3.1.2.3 asks when full URIs are registered and
        Xero's FAQ states (no wildcards)."""
        return uri is not None and uri in self.redirect_uris


def redirect_uri_problem(uri: object) -> str | None:
    """Why ``uri`` cannot be registered, or None: absolute, no fragment (RFC 6749 §3.1.2), no
    wildcard, https unless the host is this machine (Xero: "All redirect URIs must be https with
    the exception of localhost")."""
    if not isinstance(uri, str) or not uri:
        return "a redirect URI must be a non-empty string"
    parts = urlsplit(uri)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"{uri!r} is not an absolute http(s) URI"
    if parts.fragment or "#" in uri:
        return f"{uri!r} has a fragment"
    if "*" in uri:
        return f"{uri!r} has a wildcard"
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        return f"{uri!r} must be https (http only for localhost)"
    return None


@dataclass
class Clients:
    known: dict[str, Client] = field(default_factory=dict)

    def get(self, client_id: str | None) -> Client | None:
        return self.known.get(client_id or "")

    def register(self, client_id: str, secret: str) -> Client:
        """The app a control call names; registered on first sight, with no redirect URIs."""
        client = self.known.setdefault(client_id, Client(client_id, secret, client_id))
        if client.secret != secret:
            raise ClientConflict(f"client {client_id} is registered with another secret")
        return client

    def register_app(
        self, client_id: str, secret: str, redirect_uris: list[str], name: str | None = None
    ) -> Client:
        """Registers (or, with the same secret, updates) an app as the developer portal does."""
        client = self.register(client_id, secret)
        client.redirect_uris = list(dict.fromkeys(redirect_uris))
        client.name = name or client_id
        return client

    def authenticate(self, client_id: str, secret: str) -> bool:
        client = self.known.get(client_id)
        return bool(client_id) and client is not None and client.secret == secret
