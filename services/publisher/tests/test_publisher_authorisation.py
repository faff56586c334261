"""The pure parts of connecting Xero: PKCE, the consent URL, what a state allows, and reading
the consent's auth event from Xero's access token."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from countersign_publisher.domain.authorisation import (
    Authorisation,
    Failure,
    authorize_url,
    pkce_challenge,
    state_hash,
    why_not_usable,
)
from countersign_publisher.domain.connection import Tenant
from countersign_publisher.handlers.connecting import auth_event_of

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def _flow(**changes: object) -> Authorisation:
    values: dict[str, object] = {
        "state_hash": state_hash("s"),
        "organisation_id": uuid.uuid4(),
        "started_by": uuid.uuid4(),
        "redirect_uri": "https://countersign.example/v1/xero/callback",
        "expires_at": NOW + timedelta(minutes=10),
        "called_back": False,
        "ended": False,
        "tenants": (),
    }
    values.update(changes)
    return Authorisation(**values)  # type: ignore[arg-type]


def test_the_challenge_is_rfc_7636_s256() -> None:
    # RFC 7636, Appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_the_consent_url_carries_state_challenge_and_the_registered_redirect() -> None:
    url = authorize_url(
        "https://login.xero.com/identity/connect/authorize",
        client_id="app",
        redirect_uri="https://countersign.example/v1/xero/callback?x=1",
        scope="openid offline_access",
        state="st&ate",
        challenge="abc",
    )
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://login.xero.com/identity/connect/authorize?")
    assert query == {
        "response_type": ["code"],
        "client_id": ["app"],
        "redirect_uri": ["https://countersign.example/v1/xero/callback?x=1"],
        "scope": ["openid offline_access"],
        "state": ["st&ate"],
        "code_challenge": ["abc"],
        "code_challenge_method": ["S256"],
    }


@pytest.mark.parametrize(
    ("flow", "choosing", "why"),
    [
        (None, False, Failure.STATE_UNKNOWN),
        (_flow(), False, None),
        (_flow(called_back=True), False, Failure.STATE_SPENT),
        (_flow(ended=True), False, Failure.STATE_SPENT),
        (_flow(expires_at=NOW), False, Failure.STATE_EXPIRED),
        (_flow(called_back=True), True, Failure.STATE_SPENT),  # nothing to choose from
        (_flow(called_back=True, tenants=(Tenant("t", "T"),)), True, None),
        (
            _flow(called_back=True, tenants=(Tenant("t", "T"),), ended=True),
            True,
            Failure.STATE_SPENT,
        ),
    ],
)
def test_what_a_state_allows(
    flow: Authorisation | None, choosing: bool, why: Failure | None
) -> None:
    assert why_not_usable(flow, NOW, choosing=choosing) is why


def _jwt(claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(claims)}.signature"


def test_the_auth_event_is_read_from_xero_s_access_token() -> None:
    assert auth_event_of(_jwt({"authentication_event_id": "ev-1", "xero_userid": "u"})) == "ev-1"
    assert auth_event_of(_jwt({"xero_userid": "u"})) is None
    assert auth_event_of("opaque-token") is None
    assert auth_event_of("a.!!!.c") is None
