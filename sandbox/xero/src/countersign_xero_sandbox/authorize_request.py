"""Checking ``GET /identity/connect/authorize`` before anyone logs in (RFC 6749 §4.1.1,
RFC 7636 §4.3), in the order RFC 6749 §4.1.2.1 asks:

    client_id unknown, redirect_uri not registered  → an error page, never a redirect
    anything else wrong                               → back to redirect_uri with error + state
    all well                                          → an ``AuthorizeRequest`` to log in for
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from countersign_xero_sandbox import pkce
from countersign_xero_sandbox.clients import Client, Clients

__all__ = ["AuthorizeRequest", "ErrorPage", "Redirect", "check_authorize", "with_query"]

# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


@dataclass(frozen=True)
class ErrorPage:
    """Shown to the user, not sent to the app: ``error : description`` as Xero's page words it."""

    error: str
    description: str


@dataclass(frozen=True)
class Redirect:
    location: str


@dataclass(frozen=True)
class AuthorizeRequest:
    client: Client
    redirect_uri: str
    scope: str
    state: str | None
    code_challenge: str | None
    # OIDC Core §3.1.2.1: echoed in the ID token the code leads to.
    nonce: str | None = None


def with_query(uri: str, params: dict[str, str | None]) -> str:
    """``uri`` with ``params`` added to its query, the query it was registered with kept
    (RFC 6749 §3.1.2); parameters without a value are left out."""
    added = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if '?' in uri else '?'}{added}"


def _refusal(request: dict[str, str], repeated: set[str]) -> str | None:
    """The OAuth error code for a request whose client and redirect URI are good, or None."""
    if repeated:  # RFC 6749 §3.1: parameters MUST NOT be included more than once
        return "invalid_request"
    response_type = request.get("response_type")
    if not response_type:
        return "invalid_request"
    if response_type != "code":
        return "unsupported_response_type"
    scopes = request.get("scope", "").split()
    if not scopes or not all(_SCOPE_TOKEN.fullmatch(s) for s in scopes):
        return "invalid_scope"  # RFC 6749 §3.3: a missing scope may be failed as invalid
    challenge, method = request.get("code_challenge"), request.get("code_challenge_method")
    if challenge is None:
        return None if method is None else "invalid_request"
    # RFC 7636 §4.3: no method means "plain", which Xero does not offer; §4.4.1: invalid_request.
    if method != pkce.S256 or not pkce.well_formed(challenge):
        return "invalid_request"
    return None


def check_authorize(
    pairs: list[tuple[str, str]], clients: Clients
) -> ErrorPage | Redirect | AuthorizeRequest:
    request = dict(pairs)
    repeated = {name for name, count in Counter(name for name, _ in pairs).items() if count > 1}
    client = None if "client_id" in repeated else clients.get(request.get("client_id"))
    if client is None:
        return ErrorPage("unauthorized_client", "Unknown client or client not enabled")
    redirect_uri = request.get("redirect_uri")
    if "redirect_uri" in repeated or redirect_uri is None or not client.redirects_to(redirect_uri):
        return ErrorPage("unauthorized_client", "Invalid redirect_uri")
    state = None if "state" in repeated else request.get("state")
    error = _refusal(request, repeated)
    if error is not None:
        return Redirect(with_query(redirect_uri, {"error": error, "state": state}))
    scope = " ".join(request["scope"].split())
    challenge, nonce = request.get("code_challenge"), request.get("nonce")
    return AuthorizeRequest(client, redirect_uri, scope, state, challenge, nonce)
