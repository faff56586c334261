"""The OpenID Connect side of the identity server ("Sign in with Xero"):

    GET      /.well-known/openid-configuration        discovery (OIDC Discovery 1.0 §4)
    GET      /.well-known/openid-configuration/jwks   the signing key set (Xero's path)
    GET/POST /connect/userinfo                        the user an access token names
    GET      /identity/connect/endsession             sign the browser out (login's host)

The issuer is the sandbox's root URL (``XERO_SANDBOX_PUBLIC_URL``, else host and port), the
identity URL clients are configured with; the browser's endpoints are at
``XERO_SANDBOX_LOGIN_URL`` when set.
"""

from __future__ import annotations

from typing import Any

import jwt
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from countersign_xero_sandbox.authorize_request import with_query
from countersign_xero_sandbox.consent_endpoints import AUTHORIZE_PATH, SESSION_COOKIE
from countersign_xero_sandbox.consent_pages import signed_out_page
from countersign_xero_sandbox.id_tokens import IDENTITY_SCOPES, profile_claims
from countersign_xero_sandbox.sandbox import Sandbox
from countersign_xero_sandbox.signing import ALGORITHM

__all__ = ["DISCOVERY_PATH", "JWKS_PATH", "oidc_routes"]

DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = DISCOVERY_PATH + "/jwks"
USERINFO_PATH = "/connect/userinfo"
END_SESSION_PATH = "/identity/connect/endsession"
_ACCOUNTING = ("transactions", "invoices", "payments", "banktransactions", "manualjournals")
_ACCOUNTING_SCOPES = [
    *(f"accounting.{name}{suffix}" for name in _ACCOUNTING for suffix in ("", ".read")),
    *(
        f"accounting.{name}{suffix}"
        for name in ("contacts", "settings", "attachments")
        for suffix in ("", ".read")
    ),
    "accounting.reports.read",
    "accounting.journals.read",
]
_CLAIMS = [
    *("sub", "iss", "aud", "exp", "iat", "nbf", "auth_time", "nonce", "at_hash", "sid", "amr"),
    *("xero_userid", "global_session_id", "email", "preferred_username", "given_name"),
    *("family_name", "name"),
]


def discovery(root: str, login_root: str) -> dict[str, Any]:
    return {
        "issuer": root,
        "authorization_endpoint": login_root + AUTHORIZE_PATH,
        "token_endpoint": root + "/connect/token",
        "userinfo_endpoint": root + USERINFO_PATH,
        "jwks_uri": root + JWKS_PATH,
        "revocation_endpoint": root + "/connect/revocation",
        "end_session_endpoint": login_root + END_SESSION_PATH,
        "scopes_supported": [*sorted(IDENTITY_SCOPES), *_ACCOUNTING_SCOPES],
        "claims_supported": _CLAIMS,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }


def _bearer_refused(error: str, status: int) -> Response:
    # RFC 6750 §3: the reason in WWW-Authenticate, no body.
    return Response(status_code=status, headers={"WWW-Authenticate": f'Bearer error="{error}"'})


class _Oidc:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def configuration(self, request: Request) -> Response:
        settings = self.sandbox.settings
        return JSONResponse(discovery(settings.base_url, settings.login_base_url))

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.sandbox.tokens.key.jwk()]})

    async def userinfo(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        grant = self.sandbox.identity.grant_for(token.strip()) if scheme.lower() == "bearer" else ""
        if isinstance(grant, str):
            return _bearer_refused("invalid_token", 401)
        if "openid" not in grant.scope.split():
            return _bearer_refused("insufficient_scope", 403)
        person = self.sandbox.identity.people.get(grant.user_id)
        if person is None:  # a control-API token: the app's control user, who has no profile
            return JSONResponse({"sub": self.sandbox.tokens.control_subject(grant.client_id)})
        return JSONResponse({"sub": person.subject, **profile_claims(person, grant.scope)})

    async def end_session(self, request: Request) -> Response:
        """Ends the browser's session; back to ``post_logout_redirect_uri`` only when it is a
        redirect URI of the app the ``id_token_hint`` was issued to."""
        self.sandbox.consent.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        back = request.query_params.get("post_logout_redirect_uri")
        client = self.sandbox.identity.clients.get(self._audience(request))
        if back is not None and client is not None and client.redirects_to(back):
            location = with_query(back, {"state": request.query_params.get("state")})
            response: Response = RedirectResponse(location, status_code=302)
        else:
            response = HTMLResponse(signed_out_page(), headers={"Cache-Control": "no-store"})
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    def _audience(self, request: Request) -> str | None:
        hint = request.query_params.get("id_token_hint", "")
        key = self.sandbox.tokens.key
        try:
            claims = jwt.decode(
                hint,
                key.public_key(),
                algorithms=[ALGORITHM],
                issuer=self.sandbox.settings.base_url,
                # An expired ID token is still a good hint of who is signing out.
                options={"verify_aud": False, "verify_exp": False},
            )
        except jwt.PyJWTError:
            return None
        audience = claims.get("aud")
        return audience if isinstance(audience, str) else None


def oidc_routes(sandbox: Sandbox) -> list[Route]:
    oidc = _Oidc(sandbox)
    return [
        Route(DISCOVERY_PATH, oidc.configuration, methods=["GET"]),
        Route(JWKS_PATH, oidc.jwks, methods=["GET"]),
        Route(USERINFO_PATH, oidc.userinfo, methods=["GET", "POST"]),
        Route(END_SESSION_PATH, oidc.end_session, methods=["GET"]),
    ]
